import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { DiagnosticCodes } from '../codes';
import type { SchemaNode } from '../schema/types';
import { closestMatch } from '../text/similarity';
import { effectivePairs, formatPath, keyText, resolveNode, type PathSegment } from '../model/yamlTree';
import type { RawDiagnostic } from './rawDiagnostic';
import { compilePattern, describePattern, joinOr } from './patterns';
import { describeType, scalarDisplay, typeMatches, valueTypeOf } from './valueType';
import { scanSubstitutions, substitutedNode } from './substitution';
import { yaml11Reading } from './yaml11';

const MAX_DEPTH = 64;

interface Walk {
  doc: Document;
  out: RawDiagnostic[];
}

type Range3 = [number, number, number];

function span(node: { range?: Range3 | null } | null | undefined): [number, number] {
  const range = node?.range;
  return range ? [range[0], range[1]] : [0, 0];
}

/** Checks a document against the schema of its kind: shape, types, enums, patterns, lengths, required fields. */
export function validateAgainstSchema(doc: Document, schema: SchemaNode): RawDiagnostic[] {
  const walk: Walk = { doc, out: [] };
  const root = doc.contents as Node | null;
  if (!root) return walk.out;
  if (!isMap(root)) {
    const [start, end] = span(root);
    walk.out.push({ code: DiagnosticCodes.wrongType, severity: 'error', message: `A Kubernetes object must be a mapping, not ${describeType(valueTypeOf(root))}.`, start, end });
    return walk.out;
  }
  validateNode(walk, root, schema, [], undefined, 0);
  return walk.out;
}

function validateNode(walk: Walk, written: Node, schema: SchemaNode, path: PathSegment[], keyNode: Node | undefined, depth: number): void {
  if (depth > MAX_DEPTH) return;
  let node = isAlias(written) ? resolveNode(walk.doc, written) : written;
  if (!node) return;
  if (isScalar(node) && typeof node.value === 'string' && scanSubstitutions(node.value).kind !== 'none') {
    // Flux replaces `${VAR}` before the API server sees the value: only a default can be checked.
    const substituted = substitutedNode(node);
    if (!substituted) return;
    node = substituted;
  }
  // Ranges point at the text the user wrote: an alias is reported where it is used.
  const at = span(isAlias(written) ? written : node);
  const type = valueTypeOf(node);
  if (type === 'null') return;
  const intOrString = schema['x-kubernetes-int-or-string'] === true;
  const pitfall = schema.type === 'string' && !intOrString ? yaml11Reading(node) : undefined;
  if (pitfall) {
    walk.out.push({ ...pitfall, severity: 'error', message: `${pitfall.message} \`${formatPath(path)}\` must be a string, so the API server rejects it. Quote it.`, start: at[0], end: at[1] });
    return;
  }
  if (!typeMatches(type, schema.type, intOrString)) {
    const expected = intOrString ? 'an integer or a string' : describeType(schema.type!);
    walk.out.push({
      code: DiagnosticCodes.wrongType,
      severity: 'error',
      message: `\`${formatPath(path)}\` must be ${expected}, not ${describeType(type)}${type === 'boolean' || type === 'integer' || type === 'number' ? ` (\`${scalarDisplay(node)}\`)` : ''}.`,
      start: at[0],
      end: at[1],
      data: { expected: schema.type, actual: type },
    });
    return;
  }
  if (isAlias(written)) return; // the anchored node is checked where it is written
  if (isMap(node)) validateMap(walk, node, schema, path, keyNode, depth);
  else if (isSeq(node)) {
    checkCount(walk, node.items.length, schema, path, at);
    if (schema['x-kubernetes-list-type'] === 'map' && schema['x-kubernetes-list-map-keys']?.length) checkMapListKeys(walk, node.items, schema['x-kubernetes-list-map-keys'], path);
    if (schema.items) {
      node.items.forEach((item, index) => {
        if (item) validateNode(walk, item as Node, schema.items!, [...path, index], undefined, depth + 1);
      });
    }
  } else if (isScalar(node)) validateScalar(walk, node, schema, path, at);
}

/** A `map` list: the API server refuses two items with the same values of the key fields. */
function checkMapListKeys(walk: Walk, items: readonly unknown[], keys: readonly string[], path: PathSegment[]): void {
  const seen = new Set<string>();
  for (const item of items) {
    const map = isAlias(item) ? resolveNode(walk.doc, item) : item;
    if (!isMap(map)) continue;
    const values: string[] = [];
    let first: Node | undefined;
    for (const key of keys) {
      const pair = map.items.find((p) => isPair(p) && keyText(p) === key);
      const value = pair?.value;
      if (!isScalar(value) || (typeof value.value === 'string' && scanSubstitutions(value.value).kind !== 'none')) break;
      first ??= value;
      values.push(`${key}=${String(value.value)}`);
    }
    if (values.length !== keys.length) continue;
    const id = JSON.stringify(values);
    if (seen.has(id)) {
      const [start, end] = span(first);
      walk.out.push({ code: DiagnosticCodes.duplicateListKey, severity: 'error', message: `Another item of \`${formatPath(path)}\` has the same ${joinOr(keys.map((k) => `\`${k}\``))} (${values.join(', ')}); each must be unique, and the API server rejects the object.`, start, end });
    }
    seen.add(id);
  }
}

function validateMap(walk: Walk, map: YAMLMap, schema: SchemaNode, path: PathSegment[], keyNode: Node | undefined, depth: number): void {
  const known = schema.properties ?? {};
  const additional = schema.additionalProperties;
  const open = schema['x-kubernetes-preserve-unknown-fields'] === true;
  const seen = new Map<string, Pair>();
  for (const item of map.items) {
    if (!isPair(item)) continue;
    const key = keyText(item);
    if (key === undefined) continue; // merge keys are expanded below; complex keys cannot be fields
    const [keyStart, keyEnd] = span(item.key as Node);
    if (seen.has(key)) {
      walk.out.push({ code: DiagnosticCodes.duplicateKey, severity: 'error', message: `\`${key}\` appears more than once in \`${formatPath(path) || 'the document'}\`; only one of them takes effect.`, start: keyStart, end: keyEnd });
      continue;
    }
    seen.set(key, item);
  }
  const pairs = effectivePairs(walk.doc, map);
  const present = new Set<string>();
  for (const pair of pairs) {
    const key = keyText(pair);
    if (key === undefined || present.has(key)) continue;
    present.add(key);
    const isOwn = seen.get(key) === pair;
    const propertySchema = known[key] ?? (typeof additional === 'object' ? additional : undefined);
    if (propertySchema) {
      if (pair.value && isOwn) validateNode(walk, pair.value as Node, propertySchema, [...path, key], pair.key as Node, depth + 1);
      continue;
    }
    if (schema.properties && additional !== true && !open && isOwn) {
      const [start, end] = span(pair.key as Node);
      const suggestion = closestMatch(key, Object.keys(known));
      const where = formatPath(path) ? ` in \`${formatPath(path)}\`` : '';
      walk.out.push({
        code: DiagnosticCodes.unknownField,
        severity: 'error',
        message: `Unknown field \`${key}\`${where}.${suggestion ? ` Did you mean \`${suggestion}\`?` : ` Known fields: ${joinOr(Object.keys(known).map((k) => `\`${k}\``))}.`}`,
        start,
        end,
        data: suggestion ? { suggestion } : undefined,
      });
    }
  }
  for (const required of schema.required ?? []) {
    const pair = pairs.find((p) => keyText(p) === required);
    const value = pair ? resolveNode(walk.doc, pair.value) : undefined;
    const empty = !value || valueTypeOf(value) === 'null';
    if (!empty) continue;
    const [start, end] = pair ? span(pair.key as Node) : keyNode ? span(keyNode) : [map.range?.[0] ?? 0, map.range?.[0] ?? 0];
    walk.out.push({
      code: DiagnosticCodes.missingRequired,
      severity: 'error',
      message: pair
        ? `\`${formatPath([...path, required])}\` is required but has no value.`
        : `\`${formatPath(path) || 'The object'}\` is missing the required field \`${required}\`.`,
      start,
      end: end === start && !pair && !keyNode ? start : end,
      data: { missing: required, path },
    });
  }
}

function checkCount(walk: Walk, count: number, schema: SchemaNode, path: PathSegment[], at: [number, number]): void {
  if (schema.minItems !== undefined && count < schema.minItems) {
    walk.out.push({ code: DiagnosticCodes.itemCount, severity: 'error', message: `\`${formatPath(path)}\` needs at least ${schema.minItems} item(s).`, start: at[0], end: at[1] });
  }
  if (schema.maxItems !== undefined && count > schema.maxItems) {
    walk.out.push({ code: DiagnosticCodes.itemCount, severity: 'error', message: `\`${formatPath(path)}\` allows at most ${schema.maxItems} item(s).`, start: at[0], end: at[1] });
  }
}

function validateScalar(walk: Walk, node: Node, schema: SchemaNode, path: PathSegment[], at: [number, number]): void {
  if (!isScalar(node)) return;
  const value = node.value;
  const name = formatPath(path);
  if (schema.enum && !schema.enum.some((allowed) => allowed === value || String(allowed) === String(value))) {
    const allowed = schema.enum.map(String);
    const suggestion = closestMatch(String(value), allowed);
    walk.out.push({
      code: DiagnosticCodes.invalidEnum,
      severity: 'error',
      message: `\`${String(value)}\` is not allowed in \`${name}\`. Allowed values: ${joinOr(allowed.map((a) => `\`${a}\``))}.${suggestion ? ` Did you mean \`${suggestion}\`?` : ''}`,
      start: at[0],
      end: at[1],
      data: { allowed, suggestion },
    });
    return;
  }
  if (typeof value === 'string') {
    if (schema.pattern) {
      const regex = compilePattern(schema.pattern);
      if (regex && !regex.test(value)) {
        walk.out.push({ code: DiagnosticCodes.invalidPattern, severity: 'error', message: `${describePattern(schema.pattern, value)} (\`${name}\`)`, start: at[0], end: at[1] });
        return;
      }
    }
    // Kubernetes counts characters (runes), not UTF-16 units.
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength) {
      walk.out.push({ code: DiagnosticCodes.minLength, severity: 'error', message: schema.minLength === 1 ? `\`${name}\` must not be empty.` : `\`${name}\` must be at least ${schema.minLength} characters long.`, start: at[0], end: at[1] });
    }
    if (schema.maxLength !== undefined && length > schema.maxLength) {
      walk.out.push({ code: DiagnosticCodes.maxLength, severity: 'error', message: `\`${name}\` is ${length} characters long; at most ${schema.maxLength} are allowed.`, start: at[0], end: at[1] });
    }
  } else if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) {
      walk.out.push({ code: DiagnosticCodes.outOfRange, severity: 'error', message: `\`${name}\` must be at least ${schema.minimum}.`, start: at[0], end: at[1] });
    }
    if (schema.maximum !== undefined && value > schema.maximum) {
      walk.out.push({ code: DiagnosticCodes.outOfRange, severity: 'error', message: `\`${name}\` must be at most ${schema.maximum}.`, start: at[0], end: at[1] });
    }
  }
}
