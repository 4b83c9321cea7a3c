import { isMap, isScalar, isSeq, type Document, type Node, type Pair } from 'yaml';
import { getPair, keyText, resolveNode, type PathSegment } from './yamlTree';

/** A field of a parsed object: its pair (key and value nodes), for rules that need ranges. */
export interface Field {
  pair: Pair;
  key: Node;
  value: Node | undefined;
}

/**
 * Read access to one parsed Kubernetes object by path, resolving aliases and merge keys, for
 * rules that look at a few fields rather than walking the whole tree.
 */
export class ObjectView {
  constructor(readonly doc: Document) {}

  field(path: readonly PathSegment[]): Field | undefined {
    if (path.length === 0) return undefined;
    let container = resolveNode(this.doc, this.doc.contents);
    for (let i = 0; i < path.length - 1; i++) {
      const seg = path[i]!;
      if (typeof seg === 'number') {
        container = isSeq(container) ? resolveNode(this.doc, container.items[seg]) : undefined;
      } else {
        const pair = isMap(container) ? getPair(this.doc, container, seg) : undefined;
        container = pair ? resolveNode(this.doc, pair.value) : undefined;
      }
    }
    const last = path[path.length - 1]!;
    if (typeof last !== 'string' || !isMap(container)) return undefined;
    const pair = getPair(this.doc, container, last);
    if (!pair) return undefined;
    return { pair, key: pair.key as Node, value: resolveNode(this.doc, pair.value) };
  }

  has(path: readonly PathSegment[]): boolean {
    const value = this.field(path)?.value;
    return value !== undefined && !(isScalar(value) && value.value === null);
  }

  string(path: readonly PathSegment[]): string | undefined {
    const value = this.field(path)?.value;
    if (!isScalar(value) || value.value === null || value.value === undefined) return undefined;
    return String(value.value);
  }

  bool(path: readonly PathSegment[]): boolean | undefined {
    const value = this.field(path)?.value;
    return isScalar(value) && typeof value.value === 'boolean' ? value.value : undefined;
  }

  /** The items of the list at `path` (resolved), or [] when it is not a list. */
  items(path: readonly PathSegment[]): Node[] {
    const value = this.field(path)?.value;
    if (!isSeq(value)) return [];
    return value.items.map((item) => resolveNode(this.doc, item)).filter((n): n is Node => n !== undefined);
  }

  keys(path: readonly PathSegment[]): string[] {
    const value = path.length === 0 ? resolveNode(this.doc, this.doc.contents) : this.field(path)?.value;
    if (!isMap(value)) return [];
    return value.items.map((p) => keyText(p)).filter((k): k is string => k !== undefined);
  }
}

export function span(node: { range?: [number, number, number] | null } | null | undefined): [number, number] {
  const range = node?.range;
  return range ? [range[0], range[1]] : [0, 0];
}
