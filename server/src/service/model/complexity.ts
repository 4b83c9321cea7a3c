/**
 * A look at a document's text before it is parsed: the parser recurses once per nesting level and
 * builds a node per value, so a document nested deeper, or holding more values, than any manifest
 * needs is not parsed at all. What a user then sees is a `too-complex` warning saying why.
 */

/** Nesting levels (block indentation and flow brackets) beyond which a document is not parsed. */
export const MAX_NESTING = 256;
/** Values (about: lines outside block scalars, plus flow separators) beyond which a document is not parsed. */
export const MAX_VALUES = 200_000;

/** Characters after which a value starts: nothing yet on the line, `:`, `-`, `,`, `[`, `{`, `?`. */
const VALUE_STARTS = new Set([0, 58, 45, 44, 91, 123, 63]);
const BLOCK_SCALAR_HEADER = /(?:^|[:\-?]\s)\s*[|>][0-9+-]*\s*(?:#.*)?$/;

/** Why a document is too complex to parse, or undefined when it is not. */
export function complexityProblem(text: string): string | undefined {
  const indents: number[] = [];
  let deepest = 0;
  let values = 0;
  let flow = 0;
  /** Inside a quoted scalar that goes on from an earlier line: its quote character. */
  let openQuote = 0;
  /** Inside a block scalar: the indentation of the line that opened it. */
  let blockScalar: number | undefined;
  let start = 0;
  while (start <= text.length) {
    let end = start;
    while (end < text.length && text.charCodeAt(end) !== 10 && text.charCodeAt(end) !== 13) end++;
    const next = end + (text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10 ? 2 : 1);
    let indent = 0;
    while (start + indent < end && text.charCodeAt(start + indent) === 32) indent++;
    const blank = start + indent === end;
    if (blockScalar !== undefined && (blank || indent > blockScalar)) {
      start = next;
      continue;
    }
    blockScalar = undefined;
    if (blank || text.charCodeAt(start + indent) === 35 /* # */) {
      start = next;
      continue;
    }
    values++;
    if (openQuote === 0 && flow === 0) {
      while (indents.length > 0 && indents[indents.length - 1]! >= indent) indents.pop();
      indents.push(indent);
    }
    let previous = 0;
    /** Compact nested sequences (`- - - x`) nest on one line. */
    let compact = 0;
    for (let i = start + indent; i < end; i++) {
      const c = text.charCodeAt(i);
      if (openQuote !== 0) {
        if (openQuote === 34 && c === 92 /* \ */) i++;
        else if (c === openQuote) {
          if (openQuote === 39 && text.charCodeAt(i + 1) === 39) i++;
          else openQuote = 0;
        }
        continue;
      }
      // A quote opens a quoted scalar only where a value starts (`it's` in plain text does not).
      if ((c === 34 /* " */ || c === 39) /* ' */ && VALUE_STARTS.has(previous)) openQuote = c;
      else if (c === 35 /* # */ && (previous === 0 || text.charCodeAt(i - 1) === 32 || text.charCodeAt(i - 1) === 9)) break;
      else if (c === 123 /* { */ || c === 91 /* [ */) flow++;
      else if ((c === 125 /* } */ || c === 93) /* ] */ && flow > 0) flow--;
      else if (c === 44 /* , */ && flow > 0) values++;
      else if (c === 45 /* - */ && flow === 0 && (previous === 0 || previous === 45) && (i + 1 === end || text.charCodeAt(i + 1) === 32)) compact++;
      if (c !== 32 && c !== 9) previous = c;
      const depth = indents.length + flow + compact;
      if (depth > deepest) deepest = depth;
    }
    if (openQuote === 0 && flow === 0 && BLOCK_SCALAR_HEADER.test(text.slice(start + indent, end))) blockScalar = indent;
    if (deepest > MAX_NESTING) return `it is nested more than ${MAX_NESTING} levels deep`;
    if (values > MAX_VALUES) return `it holds more than ${MAX_VALUES.toLocaleString('en-US')} values`;
    start = next;
  }
  return undefined;
}
