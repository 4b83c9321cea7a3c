// Label and field selectors as the API server parses them for list and watch.
import { getPath } from './json';
import type { KubeObject } from './store';
import { ApiError } from './store';

export type Selector = (object: KubeObject) => boolean;

/** Splits at commas outside parentheses: `a in (x,y),b` → [`a in (x,y)`, `b`]. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (text[i] === ',' && depth === 0) {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms.map((t) => t.trim()).filter((t) => t !== '');
}

/** `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`. */
export function parseLabelSelector(text: string | null): Selector {
  if (!text) return () => true;
  const checks = splitTerms(text).map((term): ((labels: Record<string, string>) => boolean) => {
    let m = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (m) {
      const [, key, op, value] = m;
      return op === '!=' ? (l) => l[key!] !== value : (l) => l[key!] === value;
    }
    m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (m) {
      const [, key, op, list] = m;
      const values = list!.split(',').map((v) => v.trim());
      return op === 'in'
        ? (l) => l[key!] !== undefined && values.includes(l[key!]!)
        : (l) => l[key!] === undefined || !values.includes(l[key!]!);
    }
    m = /^(!?)([^!=\s()]+)$/.exec(term);
    if (m) {
      const [, not, key] = m;
      return not ? (l) => l[key!] === undefined : (l) => l[key!] !== undefined;
    }
    throw new ApiError(400, 'BadRequest', `unable to parse requirement: invalid label selector "${term}"`);
  });
  return (object) => {
    const labels = object.metadata.labels ?? {};
    return checks.every((check) => check(labels));
  };
}

/** `metadata.name=x`, `metadata.namespace!=y`, `involvedObject.name=z` (any dotted path, compared as text). */
export function parseFieldSelector(text: string | null): Selector {
  if (!text) return () => true;
  const checks = splitTerms(text).map((term): Selector => {
    const m = /^([^!=]+)(==|=|!=)(.*)$/.exec(term);
    if (!m) throw new ApiError(400, 'BadRequest', `invalid field selector "${term}"`);
    const [, path, op, value] = m;
    return (object) => {
      const actual = getPath(object, path!.trim());
      const text = actual === undefined || actual === null ? '' : String(actual);
      return op === '!=' ? text !== value : text === value;
    };
  });
  return (object) => checks.every((check) => check(object));
}
