import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node, type Pair, type YAMLMap } from 'yaml';

/** Options that read YAML the way Kubernetes does (YAML 1.1: `yes`/`on` are booleans, `<<` merges). */
export const PARSE_OPTIONS = {
  version: '1.1',
  uniqueKeys: false,
  keepSourceTokens: false,
  prettyErrors: false,
  merge: true,
} as const;

export type PathSegment = string | number;

export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}

/** The text of a map key, or undefined for keys that are not plain strings (complex or merge keys). */
export function keyText(pair: Pair): string | undefined {
  const key = pair.key;
  if (isScalar(key)) {
    if (typeof key.value === 'symbol') return undefined;
    return key.value === null ? '' : String(key.value);
  }
  return undefined;
}

export function isMergeKey(pair: Pair): boolean {
  return isScalar(pair.key) && typeof pair.key.value === 'symbol';
}

export function resolveNode(doc: Document, node: unknown): Node | undefined {
  let current = node;
  for (let hops = 0; isAlias(current) && hops < 16; hops++) {
    current = current.resolve(doc);
  }
  return isAlias(current) ? undefined : (current as Node | undefined);
}

/** The pairs of a map including those merged in with `<<`, in the order a reader applies them. */
export function effectivePairs(doc: Document, map: YAMLMap): Pair[] {
  const own: Pair[] = [];
  const merged: Pair[] = [];
  for (const item of map.items) {
    if (!isPair(item)) continue;
    if (isMergeKey(item)) {
      const sources = isSeq(item.value) ? item.value.items : [item.value];
      for (const source of sources) {
        const target = resolveNode(doc, source);
        if (isMap(target)) merged.push(...target.items.filter(isPair));
      }
    } else {
      own.push(item);
    }
  }
  return [...own, ...merged];
}

export function getPair(doc: Document, map: YAMLMap, key: string): Pair | undefined {
  return effectivePairs(doc, map).find((p) => keyText(p) === key);
}

/** Follows a path of keys and indexes from the document root. */
export function nodeAtPath(doc: Document, path: readonly PathSegment[]): Node | undefined {
  let node = resolveNode(doc, doc.contents);
  for (const seg of path) {
    if (typeof seg === 'number') {
      if (!isSeq(node)) return undefined;
      node = resolveNode(doc, node.items[seg]);
    } else {
      if (!isMap(node)) return undefined;
      const pair = getPair(doc, node, seg);
      node = pair ? resolveNode(doc, pair.value) : undefined;
    }
  }
  return node ?? undefined;
}

export function scalarString(doc: Document, node: unknown): string | undefined {
  const resolved = resolveNode(doc, node);
  if (!isScalar(resolved) || resolved.value === null || resolved.value === undefined) return undefined;
  return String(resolved.value);
}

export interface NodeAtOffset {
  path: PathSegment[];
  /** The node the offset is in: a key scalar when `onKey`, else a value. */
  node: Node;
  onKey: boolean;
  pair?: Pair;
}

function contains(node: { range?: [number, number, number] | null } | null | undefined, offset: number): boolean {
  const range = node?.range;
  return !!range && offset >= range[0] && offset <= range[1];
}

/** The innermost key or value at `offset`, with its path. Aliases are not followed: the path is where the text is. */
export function findAtOffset(doc: Document, offset: number): NodeAtOffset | undefined {
  const path: PathSegment[] = [];
  let node = doc.contents as Node | null;
  let found: NodeAtOffset | undefined;
  for (let depth = 0; node && depth < 500; depth++) {
    if (isMap(node)) {
      let next: Node | null = null;
      for (const item of node.items) {
        const key = keyText(item);
        if (key === undefined) continue;
        if (contains(item.key as Node, offset)) {
          return { path: [...path, key], node: item.key as Node, onKey: true, pair: item };
        }
        if (item.value && contains(item.value as Node, offset)) {
          path.push(key);
          next = item.value as Node;
          found = { path: [...path], node: next, onKey: false, pair: item };
          break;
        }
      }
      node = next;
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => contains(item as Node, offset));
      if (index < 0) break;
      path.push(index);
      node = node.items[index] as Node;
      found = { path: [...path], node, onKey: false };
    } else {
      break;
    }
  }
  return found;
}
