/**
 * Reading the block structure of YAML from indentation alone. Completion runs on text that is
 * being typed and is often not valid YAML, so it cannot rely on the parser for where the cursor is.
 */

export interface Anchor {
  col: number;
  type: 'dash' | 'key' | 'scalar';
  key?: string;
  /** For keys: something follows the colon on the same line (the value is inline, not a block). */
  inlineValue?: boolean;
}

const KEY = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"{[\]},&*!|>%@`-][^#]*?|-[^\s#][^#]*?)[ \t]*:(?:[ \t]+|$)/;

export function anchorsOf(line: string): Anchor[] {
  const anchors: Anchor[] = [];
  let i = 0;
  while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
  if (i >= line.length || line[i] === '#') return anchors;
  if (i === 0 && (line.startsWith('---') || line.startsWith('...') || line.startsWith('%'))) return anchors;
  for (;;) {
    if (line[i] === '-' && (i + 1 === line.length || line[i + 1] === ' ' || line[i + 1] === '\t')) {
      anchors.push({ col: i, type: 'dash' });
      i++;
      while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
      if (i >= line.length || line[i] === '#') return anchors;
      continue;
    }
    break;
  }
  const rest = line.slice(i);
  const match = KEY.exec(rest);
  if (match) {
    let key = match[1]!;
    if ((key.startsWith('"') && key.endsWith('"')) || (key.startsWith("'") && key.endsWith("'"))) key = key.slice(1, -1);
    const after = rest.slice(match[0].length).trim();
    anchors.push({ col: i, type: 'key', key, inlineValue: after !== '' && !after.startsWith('#') && !/^[|>][-+0-9]*\s*(#.*)?$/.test(after) });
  } else {
    anchors.push({ col: i, type: 'scalar' });
  }
  return anchors;
}

export type StructurePath = Array<string | number>;

/** Where a key or item begins: its line and column. */
interface Place {
  line: number;
  col: number;
}

export class LineStructure {
  private readonly cache = new Map<number, Anchor[]>();

  constructor(
    private readonly lineText: (line: number) => string,
    readonly lineCount: number,
  ) {}

  anchors(line: number): Anchor[] {
    let anchors = this.cache.get(line);
    if (!anchors) {
      anchors = anchorsOf(this.lineText(line));
      this.cache.set(line, anchors);
    }
    return anchors;
  }

  /**
   * The anchor that contains a node starting at `place`: the nearest dash to its left on the same
   * line, else the nearest line above with an anchor further left. A list item (`dash`) may also sit
   * at the column of the key that owns the list.
   */
  parentOf(place: Place, isDash: boolean): { line: number; anchor: Anchor } | undefined | null {
    const own = this.anchors(place.line).filter((a) => a.col < place.col);
    if (own.length > 0) return { line: place.line, anchor: own[own.length - 1]! };
    for (let line = place.line - 1; line >= 0; line--) {
      const anchors = this.anchors(line);
      if (anchors.length === 0) continue;
      const candidates = anchors.filter((a) => a.col < place.col || (isDash && a.type === 'key' && a.col === place.col && !a.inlineValue));
      if (candidates.length === 0) continue;
      const parent = candidates[candidates.length - 1]!;
      // A line indented under a key with an inline value, or under a plain scalar, is a continued scalar.
      if (parent.type === 'scalar' || (parent.type === 'key' && parent.inlineValue)) return null;
      return { line, anchor: parent };
    }
    return undefined;
  }

  /** Path of the mapping or list item that contains a node starting at `place`; null when the place is inside a scalar. */
  containerPath(place: Place, isDash: boolean, depth = 0): StructurePath | null {
    if (depth > 100) return null;
    const parent = this.parentOf(place, isDash);
    if (parent === null) return null;
    if (parent === undefined) return [];
    const { line, anchor } = parent;
    if (anchor.type === 'key') {
      const above = this.containerPath({ line, col: anchor.col }, false, depth + 1);
      return above === null ? null : [...above, anchor.key!];
    }
    // A dash: the node is inside one item of a list; find what owns the list.
    const above = this.containerPath({ line, col: anchor.col }, true, depth + 1);
    return above === null ? null : [...above, 0];
  }

  /** The keys already present in the mapping that holds a key at `place` (not counting that line). */
  siblingKeys(place: Place): Set<string> {
    const keys = new Set<string>();
    this.forEachSibling(place, (_, anchor) => keys.add(anchor.key!));
    return keys;
  }

  /**
   * Visits the other keys of the mapping that holds a key at `place`: the block of its container,
   * from its first line down to where the indentation ends it.
   */
  forEachSibling(place: Place, visit: (line: number, anchor: Anchor) => void): void {
    const parent = this.parentOf(place, false);
    let first: number;
    let limitCol: number;
    if (!parent) {
      first = 0;
      limitCol = -1;
    } else if (parent.anchor.type === 'dash') {
      first = parent.line;
      limitCol = parent.anchor.col;
    } else {
      first = parent.line + 1;
      limitCol = parent.anchor.col;
    }
    const collect = (line: number): boolean => {
      const anchors = this.anchors(line);
      if (anchors.length === 0) return true;
      // The first line of a list item holds the dash at the container's column, and a sibling.
      if ((line !== first || parent?.anchor.type !== 'dash') && anchors[0]!.col <= limitCol) return false;
      const last = anchors[anchors.length - 1]!;
      if (last.type === 'key' && last.col === place.col) visit(line, last);
      return true;
    };
    // Walk up from the place to the container start, then down to its end.
    for (let line = place.line - 1; line >= first; line--) if (!collect(line)) break;
    for (let line = place.line + 1; line < this.lineCount; line++) if (!collect(line)) break;
  }
}
