/**
 * Suppression comments: `# helmrelease-disable-next-line [code...]` silences the next line, and
 * `# helmrelease-disable [code...]` the whole document; without codes they silence every code.
 */
export interface Suppressions {
  /** Codes silenced in the whole document; an empty set silences all. */
  document?: Set<string>;
  /** Line (relative to the document) → codes silenced on it; an empty set silences all. */
  lines: Map<number, Set<string>>;
}

const COMMENT = /#\s*helmrelease-disable(-next-line)?\b([^\n\r]*)/g;

export function findSuppressions(text: string): Suppressions {
  const result: Suppressions = { lines: new Map() };
  if (!text.includes('helmrelease-disable')) return result;
  COMMENT.lastIndex = 0;
  for (let m = COMMENT.exec(text); m; m = COMMENT.exec(text)) {
    const codes = new Set(m[2]!.split(/[\s,]+/).filter((c) => /^[a-z0-9-]+$/.test(c)));
    if (m[1]) {
      const line = countLines(text, m.index) + 1;
      result.lines.set(line, codes);
    } else {
      result.document = codes;
    }
  }
  return result;
}

function countLines(text: string, end: number): number {
  let lines = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) lines++;
  }
  return lines;
}

export function isSuppressed(suppressions: Suppressions, line: number, code: string): boolean {
  const silenced = (codes: Set<string> | undefined) => codes !== undefined && (codes.size === 0 || codes.has(code));
  return silenced(suppressions.document) || silenced(suppressions.lines.get(line));
}
