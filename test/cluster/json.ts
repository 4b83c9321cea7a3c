// JSON helpers for the Kubernetes API test server: type guards, deep copy/equality,
// RFC 7386 merge patch and RFC 6902 JSON patch.

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a).filter((k) => a[k] !== undefined);
    const otherKeys = Object.keys(b).filter((k) => b[k] !== undefined);
    return keys.length === otherKeys.length && keys.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** Reads `a.b.c` from an object; undefined when any step is missing. */
export function getPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const part of path.split('.')) {
    if (!isRecord(current)) return undefined;
    current = current[part];
  }
  return current;
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return clone(patch);
  const result: JsonRecord = isRecord(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

export class PatchError extends Error {}

function unescapePointer(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function pointerTokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`invalid JSON pointer "${pointer}"`);
  return pointer.slice(1).split('/').map(unescapePointer);
}

function arrayIndex(token: string, length: number, allowEnd: boolean): number {
  if (allowEnd && token === '-') return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new PatchError(`invalid array index "${token}"`);
  const index = Number(token);
  if (index > length || (!allowEnd && index === length)) throw new PatchError(`array index ${index} out of bounds`);
  return index;
}

function resolveParent(doc: unknown, tokens: string[], path: string): unknown {
  let current = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(current)) current = current[arrayIndex(token, current.length, false)];
    else if (isRecord(current) && token in current) current = current[token];
    else throw new PatchError(`doc is missing path: "${path}"`);
  }
  return current;
}

function getPointer(doc: unknown, path: string): unknown {
  let current = doc;
  for (const token of pointerTokens(path)) {
    if (Array.isArray(current)) current = current[arrayIndex(token, current.length, false)];
    else if (isRecord(current) && token in current) current = current[token];
    else throw new PatchError(`doc is missing path: "${path}"`);
  }
  return current;
}

function addAt(doc: unknown, path: string, value: unknown): unknown {
  const tokens = pointerTokens(path);
  if (tokens.length === 0) return clone(value);
  const parent = resolveParent(doc, tokens, path);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true), 0, clone(value));
  else if (isRecord(parent)) parent[last] = clone(value);
  else throw new PatchError(`doc is missing path: "${path}"`);
  return doc;
}

function removeAt(doc: unknown, path: string): unknown {
  const tokens = pointerTokens(path);
  if (tokens.length === 0) return undefined;
  const parent = resolveParent(doc, tokens, path);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, false), 1);
  else if (isRecord(parent) && last in parent) delete parent[last];
  else throw new PatchError(`unable to remove nonexistent key: ${last}: missing value`);
  return doc;
}

/** RFC 6902 JSON patch; throws PatchError when an operation cannot be applied. */
export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new PatchError('a JSON patch must be an array of operations');
  let doc = clone(target);
  for (const op of operations) {
    if (!isRecord(op) || typeof op.op !== 'string' || typeof op.path !== 'string') {
      throw new PatchError('each JSON patch operation needs "op" and "path"');
    }
    const path = op.path;
    switch (op.op) {
      case 'add':
        doc = addAt(doc, path, op.value);
        break;
      case 'remove':
        doc = removeAt(doc, path);
        break;
      case 'replace':
        getPointer(doc, path);
        doc = addAt(removeAt(doc, path), path, op.value);
        break;
      case 'move': {
        if (typeof op.from !== 'string') throw new PatchError('"move" needs "from"');
        const value = clone(getPointer(doc, op.from));
        doc = addAt(removeAt(doc, op.from), path, value);
        break;
      }
      case 'copy': {
        if (typeof op.from !== 'string') throw new PatchError('"copy" needs "from"');
        doc = addAt(doc, path, getPointer(doc, op.from));
        break;
      }
      case 'test':
        if (!deepEqual(getPointer(doc, path), op.value)) throw new PatchError(`testing value ${path} failed: test failed`);
        break;
      default:
        throw new PatchError(`unexpected kind: ${op.op}`);
    }
  }
  return doc;
}
