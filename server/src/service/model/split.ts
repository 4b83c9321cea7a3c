/**
 * Splitting a YAML stream into its documents by a line scan. A line that starts with `---`
 * (followed by white space or nothing) always begins a document at column 0 in YAML, even inside
 * a block scalar, so this is exact and needs no parse. Directive lines (`%YAML`) also start a
 * document, and the `---` that follows them stays with them.
 */
export interface TextPiece {
  /** Line of the whole file on which the piece starts. */
  startLine: number;
  lineCount: number;
  text: string;
}

const LINE_BREAK = /\r\n|\r|\n/g;

function isDocumentStart(text: string, lineStart: number): boolean {
  if (text.charCodeAt(lineStart) !== 45 || text.charCodeAt(lineStart + 1) !== 45 || text.charCodeAt(lineStart + 2) !== 45) return false;
  const next = text.charCodeAt(lineStart + 3);
  return Number.isNaN(next) || next === 32 || next === 9 || next === 10 || next === 13;
}

function isDirective(text: string, lineStart: number): boolean {
  return text.charCodeAt(lineStart) === 37; /* % */
}

/**
 * Splits `text`, which begins on line `firstLine` of its file, into documents. The text is cut only at
 * line starts, so the pieces joined give back `text` exactly.
 */
export function splitDocuments(text: string, firstLine = 0): TextPiece[] {
  const pieces: TextPiece[] = [];
  let pieceStart = 0;
  let pieceLine = 0;
  let line = 0;
  let lineStart = 0;
  let onlyDirectives = true;
  const cut = (offset: number, atLine: number) => {
    if (atLine > pieceLine) {
      pieces.push({ startLine: firstLine + pieceLine, lineCount: atLine - pieceLine, text: text.slice(pieceStart, offset) });
    }
    pieceStart = offset;
    pieceLine = atLine;
  };
  LINE_BREAK.lastIndex = 0;
  for (;;) {
    if (isDirective(text, lineStart)) {
      if (!onlyDirectives || line > pieceLine) cut(lineStart, line);
      onlyDirectives = true;
    } else if (isDocumentStart(text, lineStart)) {
      if (!(onlyDirectives && line > pieceLine && startsWithDirective(text, pieceStart))) cut(lineStart, line);
      onlyDirectives = false;
    } else if (!isBlankOrComment(text, lineStart)) {
      onlyDirectives = false;
    }
    const m = LINE_BREAK.exec(text);
    if (!m) break;
    lineStart = m.index + m[0].length;
    line++;
  }
  // A final line break ends the last line; the empty "line" after it belongs to no piece.
  const endsWithBreak = line > 0 && lineStart === text.length;
  const lineCount = line - pieceLine + (endsWithBreak ? 0 : 1);
  if (lineCount > 0 || pieces.length === 0) {
    pieces.push({ startLine: firstLine + pieceLine, lineCount: Math.max(lineCount, 1), text: text.slice(pieceStart) });
  }
  return pieces;
}

function startsWithDirective(text: string, offset: number): boolean {
  return text.charCodeAt(offset) === 37;
}

function isBlankOrComment(text: string, lineStart: number): boolean {
  for (let i = lineStart; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9) continue;
    return c === 10 || c === 13 || c === 35; /* # */
  }
  return true;
}
