import { Document, isMap, isPair, isScalar, isSeq, parse, type Node } from 'yaml';

/** One `valuesFrom` entry with what the workspace says about it. */
export interface ValuesSource {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  valuesKey: string;
  targetPath?: string;
  literal?: boolean;
  optional?: boolean;
  /** The ConfigMap data under `valuesKey`, when found in the workspace. Secrets are never read. */
  content?: string;
}

type Values = Record<string, unknown>;
type Provenance = Map<string, string>;

const isObject = (v: unknown): v is Values => !!v && typeof v === 'object' && !Array.isArray(v);
const MASK = '***';

/** Merges `source` into `target` as Helm does (maps merged, lists and scalars replaced), recording where each leaf came from. */
function merge(target: Values, source: Values, label: string, provenance: Provenance, prefix: string): void {
  for (const [key, value] of Object.entries(source)) {
    const at = prefix ? `${prefix}.${key}` : key;
    if (isObject(value) && isObject(target[key])) {
      merge(target[key] as Values, value, label, provenance, at);
    } else {
      target[key] = isObject(value) ? structuredClone(value) : value;
      forget(provenance, at);
      mark(provenance, value, label, at);
    }
  }
}

function mark(provenance: Provenance, value: unknown, label: string, at: string): void {
  if (isObject(value) && Object.keys(value).length > 0) for (const [k, v] of Object.entries(value)) mark(provenance, v, label, `${at}.${k}`);
  else provenance.set(at, label);
}

function forget(provenance: Provenance, at: string): void {
  for (const key of [...provenance.keys()]) if (key === at || key.startsWith(`${at}.`) || key.startsWith(`${at}[`)) provenance.delete(key);
}

/** Splits a Helm `--set` path: dots separate keys, `\.` is a literal dot, `[N]` indexes a list. */
export function splitTargetPath(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  let current = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === '\\' && path[i + 1] === '.') {
      current += '.';
      i++;
    } else if (c === '.') {
      if (current) out.push(current);
      current = '';
    } else if (c === '[') {
      if (current) out.push(current);
      current = '';
      const close = path.indexOf(']', i);
      out.push(Number(path.slice(i + 1, close)));
      i = close;
    } else {
      current += c;
    }
  }
  if (current) out.push(current);
  return out;
}

/** How `--set` reads a value: booleans, null and integers (not starting with 0) are typed; quotes make a string. */
function setValue(raw: string, literal: boolean): unknown {
  if (literal) return raw;
  if (/^(["']).*\1$/s.test(raw)) return raw.slice(1, -1);
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (raw === 'null') return null;
  if (/^-?[1-9]\d*$|^0$/.test(raw)) return Number(raw);
  return raw;
}

function assign(target: Values, path: Array<string | number>, value: unknown): void {
  let node: unknown = target;
  for (let i = 0; i < path.length - 1; i++) {
    const seg = path[i]!;
    const next = path[i + 1]!;
    const container = node as Record<string | number, unknown>;
    if (container[seg] === undefined || typeof container[seg] !== 'object' || container[seg] === null) container[seg] = typeof next === 'number' ? [] : {};
    node = container[seg];
  }
  (node as Record<string | number, unknown>)[path[path.length - 1]!] = value;
}

export interface EffectiveValues {
  values: Values;
  provenance: Provenance;
  /** Sources whose content is not shown or not known, with why. */
  notes: string[];
}

/**
 * The values Flux passes to Helm, in Flux's order: chart defaults, then `valuesFrom` entries without
 * `targetPath` in order, then `spec.values`, then `targetPath` entries (which win over everything).
 */
export function effectiveValues(defaults: unknown, sources: ValuesSource[], inline: unknown, chart: string): EffectiveValues {
  const values: Values = {};
  const provenance: Provenance = new Map();
  const notes: string[] = [];
  if (isObject(defaults)) merge(values, defaults, `chart ${chart} default`, provenance, '');
  const label = (s: ValuesSource) => `${s.kind} ${s.name}, key ${s.valuesKey}`;
  for (const source of sources.filter((s) => !s.targetPath)) {
    if (source.kind === 'Secret') {
      notes.push(`${label(source)}: merged at the root by Flux; a Secret's content is never shown here.`);
      continue;
    }
    if (source.content === undefined) {
      notes.push(`${label(source)}: ${source.optional ? 'optional, ' : ''}not found in the workspace.`);
      continue;
    }
    let parsed: unknown;
    try {
      parsed = parse(source.content);
    } catch {
      notes.push(`${label(source)}: not a YAML values document; Flux fails with "failed to read values data".`);
      continue;
    }
    if (isObject(parsed)) merge(values, parsed, label(source), provenance, '');
  }
  if (isObject(inline)) merge(values, inline, 'spec.values', provenance, '');
  for (const source of sources.filter((s) => s.targetPath)) {
    const path = splitTargetPath(source.targetPath!);
    if (path.length === 0) continue;
    const shown = path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[');
    if (source.kind === 'Secret') {
      assign(values, path, MASK);
      provenance.set(shown, `${label(source)} (masked)`);
    } else if (source.content !== undefined) {
      assign(values, path, setValue(source.content, source.literal === true));
      provenance.set(shown, label(source));
    } else {
      notes.push(`${label(source)} → ${source.targetPath}: not found in the workspace.`);
    }
  }
  return { values, provenance, notes };
}

/** The effective values as YAML, each key annotated with where its value came from. */
export function renderEffectiveValues(result: EffectiveValues, header: string[]): string {
  const doc = new Document(result.values);
  const annotate = (node: Node | null, prefix: string) => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const at = prefix ? `${prefix}.${String(pair.key.value)}` : String(pair.key.value);
        const value = pair.value as Node | null;
        const source = result.provenance.get(at);
        if (source && (isScalar(value) || isSeq(value) || (isMap(value) && value.items.length === 0))) {
          if (isScalar(value)) value.comment = ` ${source}`;
          else (pair.key as Node).comment = ` ${source}`;
        }
        annotate(value, at);
      }
    }
  };
  annotate(doc.contents as Node | null, '');
  const lines = [...header, ...result.notes.map((n) => `Note: ${n}`)];
  doc.commentBefore = lines.map((l) => ` ${l}`).join('\n');
  return doc.toString({ lineWidth: 0 });
}
