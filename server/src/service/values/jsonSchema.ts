import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import { isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import { DiagnosticCodes } from '../codes';
import { keyText, resolveNode } from '../model/yamlTree';
import type { SchemaNode } from '../schema/types';
import { closestMatch } from '../text/similarity';
import type { RawDiagnostic } from '../validation/rawDiagnostic';

type Json = Record<string, unknown>;

/** A chart's values.schema.json, compiled with a real JSON Schema validator. */
export interface CompiledValuesSchema {
  validate: ValidateFunction;
  /** The schema flattened for completion and hover ($refs resolved, allOf merged). */
  node: SchemaNode;
}

/**
 * Compiles a values schema: draft-07 (what Helm documents) or 2019-09/2020-12 by its `$schema`.
 * `related` holds the files its `$ref`s name, by their relative path.
 */
export function compileValuesSchema(schema: unknown, related: Record<string, unknown> = {}): CompiledValuesSchema | { error: string } {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return { error: 'it is not a JSON object' };
  const draft = String((schema as Json).$schema ?? '');
  const AjvClass = /2020-12|2019-09/.test(draft) ? Ajv2020 : Ajv;
  try {
    // Formats are not checked (Helm does not either without extra vocabularies); unknown keywords are tolerated.
    const ajv = new AjvClass({ allErrors: true, verbose: true, strict: false, validateFormats: false, validateSchema: false });
    for (const [file, content] of Object.entries(related)) if (content && typeof content === 'object') ajv.addSchema(content as Json, file);
    const validate = ajv.compile(schema as Json);
    return { validate, node: flatten(schema as Json, schema as Json, related, 0, new Set()) };
  } catch (error) {
    return { error: error instanceof Error ? error.message.split('\n')[0]! : String(error) };
  }
}

/** The `$ref`s of a schema that name other files (`common.json#/definitions/x` → `common.json`). */
export function externalRefs(schema: unknown): string[] {
  const out = new Set<string>();
  const visit = (value: unknown, depth: number) => {
    if (depth > 60 || !value || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach((v) => visit(v, depth + 1));
    for (const [key, child] of Object.entries(value as Json)) {
      if (key === '$ref' && typeof child === 'string' && !child.startsWith('#') && !/^[a-z]+:/.test(child)) out.add(child.split('#')[0]!);
      else visit(child, depth + 1);
    }
  };
  visit(schema, 0);
  return [...out].filter(Boolean);
}

function resolveRef(ref: string, root: Json, related: Record<string, unknown>): { target: Json; root: Json } | undefined {
  const [file, pointer = ''] = ref.split('#');
  const base = file ? (related[file] as Json | undefined) : root;
  if (!base) return undefined;
  let target: unknown = base;
  for (const part of pointer.split('/').filter(Boolean)) {
    const key = decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~');
    target = target && typeof target === 'object' ? (target as Json)[key] : undefined;
  }
  return target && typeof target === 'object' ? { target: target as Json, root: base } : undefined;
}

const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);

/** A simplified view of a JSON Schema in our SchemaNode shape, good enough to complete and describe keys. */
function flatten(schema: Json, root: Json, related: Record<string, unknown>, depth: number, seen: Set<Json>): SchemaNode {
  if (depth > 30 || seen.has(schema)) return {};
  seen = new Set(seen).add(schema);
  let merged: Json = { ...schema };
  if (typeof schema.$ref === 'string') {
    const resolved = resolveRef(schema.$ref, root, related);
    if (resolved) {
      const inner = flatten(resolved.target, resolved.root, related, depth + 1, seen);
      merged = { ...(inner as Json), ...merged };
    }
  }
  const out: SchemaNode = {};
  for (const group of ['allOf', 'anyOf', 'oneOf'] as const) {
    const parts = Array.isArray(merged[group]) ? (merged[group] as Json[]) : [];
    for (const part of parts) {
      const inner = flatten(part, root, related, depth + 1, seen);
      out.properties = { ...(inner.properties ?? {}), ...(out.properties ?? {}) };
      out.type ??= inner.type;
      out.description ??= inner.description;
      out.enum ??= inner.enum;
      out.items ??= inner.items;
    }
  }
  const type = Array.isArray(merged.type) ? (merged.type as string[]).find((t) => t !== 'null') : merged.type;
  if (typeof type === 'string' && TYPES.has(type)) out.type = type as SchemaNode['type'];
  if (typeof merged.description === 'string') out.description = merged.description;
  else if (typeof merged.title === 'string') out.description = merged.title;
  if (merged.default !== undefined) out.default = merged.default;
  if (Array.isArray(merged.enum)) out.enum = merged.enum as SchemaNode['enum'];
  if (typeof merged.pattern === 'string') out.pattern = merged.pattern;
  if (merged.properties && typeof merged.properties === 'object') {
    out.properties ??= {};
    for (const [key, value] of Object.entries(merged.properties as Json)) {
      if (value && typeof value === 'object') out.properties[key] = flatten(value as Json, root, related, depth + 1, seen);
    }
    out.type ??= 'object';
  }
  if (merged.items && typeof merged.items === 'object' && !Array.isArray(merged.items)) out.items = flatten(merged.items as Json, root, related, depth + 1, seen);
  if (merged.additionalProperties === false) out.additionalProperties = false;
  else if (merged.additionalProperties && typeof merged.additionalProperties === 'object') out.additionalProperties = flatten(merged.additionalProperties as Json, root, related, depth + 1, seen);
  else out.additionalProperties = true;
  return out;
}

/** Chart defaults with the user's values over them: maps merged, everything else replaced (as Helm does). */
export function mergeValues(defaults: unknown, user: unknown): unknown {
  if (isPlainObject(defaults) && isPlainObject(user)) {
    const out: Json = { ...defaults };
    for (const [key, value] of Object.entries(user)) out[key] = key in out ? mergeValues(out[key], value) : value;
    return out;
  }
  return user === undefined ? defaults : user;
}

function isPlainObject(value: unknown): value is Json {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

/** The YAML node at a JSON pointer below `values`, or the deepest one written on the way there. */
function nodeAt(doc: Document, values: Node, pointer: string): { node: Node; key?: Node; exact: boolean } {
  let node: Node = values;
  let key: Node | undefined;
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  for (const part of parts) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p) === part);
      const next = pair ? resolveNode(doc, pair.value) : undefined;
      if (!pair || !next) return { node, key, exact: false };
      key = pair.key as Node;
      node = next;
    } else if (isSeq(node)) {
      const next = resolveNode(doc, node.items[Number(part)]);
      if (!next) return { node, key, exact: false };
      node = next;
    } else {
      return { node, key, exact: false };
    }
  }
  return { node, key, exact: true };
}

function describeError(error: ErrorObject, where: string): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type':
      return `\`${where}\` must be ${String(params.type)}.`;
    case 'enum':
      return `\`${where}\` must be one of ${(params.allowedValues as unknown[]).map((v) => `\`${JSON.stringify(v)}\``).join(', ')}.`;
    case 'required':
      return `The chart requires \`${where ? `${where}.` : ''}${String(params.missingProperty)}\`.`;
    default:
      return `\`${where}\` ${error.message ?? 'is not valid'}.`;
  }
}

/**
 * Validates a HelmRelease's values the way Helm does at install (chart defaults merged with the
 * values), and reports only what the user wrote: errors inside the chart's own defaults are the
 * chart's business. With `valuesFrom`, a required value may come from there, so it is not required here.
 */
export function validateWithSchema(doc: Document, valuesKey: Node | undefined, values: Node | undefined, compiled: CompiledValuesSchema, defaults: unknown, chart: string, hasValuesFrom: boolean): RawDiagnostic[] {
  const user = values?.toJSON() ?? {};
  const merged = mergeValues(defaults, user);
  if (compiled.validate(merged)) return [];
  const out: RawDiagnostic[] = [];
  const seen = new Set<string>();
  for (const error of compiled.validate.errors ?? []) {
    if (error.keyword === 'required' && hasValuesFrom) continue;
    if (['anyOf', 'oneOf', 'allOf', 'if', 'then', 'else'].includes(error.keyword)) continue; // their branches report the detail
    const where = error.instancePath.split('/').slice(1).join('.');
    let start: number;
    let end: number;
    let data: Record<string, unknown> | undefined;
    let message = describeError(error, where);
    if (!values) {
      if (error.keyword !== 'required' || !valuesKey?.range) continue;
      [start, end] = [valuesKey.range[0], valuesKey.range[1]];
    } else {
      const found = nodeAt(doc, values, error.instancePath);
      if (error.keyword === 'additionalProperties') {
        const extra = String((error.params as Record<string, unknown>).additionalProperty);
        const map = found.exact ? found.node : undefined;
        const pair = isMap(map) ? map.items.find((p) => isPair(p) && keyText(p) === extra) : undefined;
        const keyNode = pair?.key as Node | undefined;
        if (!keyNode?.range) continue; // only in the chart defaults
        const known = Object.keys(((error.parentSchema as Json | undefined)?.properties as Json | undefined) ?? {});
        const suggestion = closestMatch(extra, known);
        message = `Chart \`${chart}\` does not allow \`${where ? `${where}.` : ''}${extra}\`.${suggestion ? ` Did you mean \`${suggestion}\`?` : ''}`;
        data = suggestion ? { suggestion } : undefined;
        [start, end] = [keyNode.range[0], keyNode.range[1]];
      } else if (error.keyword === 'required') {
        const at = found.exact ? (found.key ?? valuesKey) : undefined;
        if (!at?.range) continue;
        [start, end] = [at.range[0], at.range[1]];
      } else {
        if (!found.exact || !found.node.range) continue; // the offending value is a chart default
        if (isScalar(found.node) && typeof found.node.value === 'string' && found.node.value.includes('${')) continue; // substituted by Flux
        [start, end] = [found.node.range[0], found.node.range[1]];
      }
    }
    const key = `${start}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ code: DiagnosticCodes.invalidValue, severity: 'error', message: `${message} Helm rejects the release (values.schema.json of \`${chart}\`).`, start, end, data });
  }
  return out;
}
