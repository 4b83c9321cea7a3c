import { isMap, isScalar, type Document } from 'yaml';
import { isFluxGroup, schemaForKind, type KindSchema } from '../schema/registry';

/** apiVersion and kind of a document, read by a line scan so that broken YAML is still recognised. */
export interface ObjectIdentity {
  apiVersion: string;
  kind: string;
  /** Offsets in the document text of the `kind` value, for diagnostics about the object as a whole. */
  kindRange: [number, number];
  apiVersionRange: [number, number];
}

// A byte order mark may stand before the first key of a file.
const TOP_LEVEL = /^\uFEFF?(apiVersion|kind)[ \t]*:[ \t]*(.*)$/gm;

function cleanScalar(raw: string): { value: string; offset: number; length: number } {
  let text = raw;
  const comment = text.search(/\s#/);
  if (comment >= 0) text = text.slice(0, comment);
  text = text.trimEnd();
  let offset = 0;
  if (text.length >= 2 && (text[0] === '"' || text[0] === "'") && text[text.length - 1] === text[0]) {
    return { value: text.slice(1, -1), offset: 0, length: text.length };
  }
  if (text.startsWith('!')) {
    const space = text.search(/\s/);
    if (space > 0) {
      offset = space + 1;
      text = text.slice(offset);
    }
  }
  return { value: text, offset, length: text.length };
}

export function identify(text: string): ObjectIdentity | undefined {
  let apiVersion: string | undefined;
  let kind: string | undefined;
  let apiVersionRange: [number, number] = [0, 0];
  let kindRange: [number, number] = [0, 0];
  TOP_LEVEL.lastIndex = 0;
  for (let m = TOP_LEVEL.exec(text); m; m = TOP_LEVEL.exec(text)) {
    const valueStart = m.index + m[0].length - m[2]!.length;
    const { value, offset, length } = cleanScalar(m[2]!);
    const range: [number, number] = [valueStart + offset, valueStart + offset + length];
    if (m[1] === 'apiVersion' && apiVersion === undefined) {
      apiVersion = value;
      apiVersionRange = range;
    } else if (m[1] === 'kind' && kind === undefined) {
      kind = value;
      kindRange = range;
    }
    if (apiVersion !== undefined && kind !== undefined) break;
  }
  if (apiVersion === undefined || kind === undefined) return undefined;
  return { apiVersion, kind, apiVersionRange, kindRange };
}

/** What we know about a document's kind. */
export type Recognition =
  | { status: 'not-flux' }
  /** A Flux kind at the version current Flux serves. */
  | { status: 'served'; schema: KindSchema }
  /** A Flux kind at a version current Flux does not serve. */
  | { status: 'other-version'; schema: KindSchema }
  /** A Flux API group with a kind we do not know. */
  | { status: 'unknown-kind' };

export function recognise(identity: ObjectIdentity | undefined): Recognition {
  if (!identity || !isFluxGroup(identity.apiVersion)) return { status: 'not-flux' };
  const schema = schemaForKind(identity.kind);
  if (!schema || schema.apiVersion.split('/')[0] !== identity.apiVersion.split('/')[0]) {
    // In a Flux group we know, a kind that is not one of its kinds is a typo (or the wrong group).
    return { status: 'unknown-kind' };
  }
  return schema.apiVersion === identity.apiVersion ? { status: 'served', schema } : { status: 'other-version', schema };
}

const FLOW_API_VERSION = /[{,\s]["']?apiVersion["']?\s*:/;
const FLOW_KIND = /[{,\s]["']?kind["']?\s*:/;

/** Whether a document is written as one flow mapping (`{apiVersion: ..., kind: ...}`, or JSON). */
export function startsAsFlowMapping(text: string): boolean {
  // Only objects are worth a parse: JSON files such as package-lock.json are not.
  if (!FLOW_API_VERSION.test(text) || !FLOW_KIND.test(text)) return false;
  const first = /^(?:\uFEFF)?(?:[ \t]*(?:#[^\n\r]*)?(?:\r\n|\r|\n)|%[^\n\r]*(?:\r\n|\r|\n)|---[ \t]*(?:\r\n|\r|\n))*[ \t]*(?:---[ \t]+)?(\S)/.exec(text);
  return first?.[1] === '{';
}

/** apiVersion and kind of a document written in flow style, read from its syntax tree. */
export function identifyFromTree(doc: Document.Parsed | undefined): ObjectIdentity | undefined {
  if (!doc || !isMap(doc.contents)) return undefined;
  let apiVersion: { value: string; range: [number, number] } | undefined;
  let kind: { value: string; range: [number, number] } | undefined;
  for (const pair of doc.contents.items) {
    if (!isScalar(pair.key) || !isScalar(pair.value) || typeof pair.value.value !== 'string' || !pair.value.range) continue;
    const found = { value: pair.value.value, range: [pair.value.range[0], pair.value.range[1]] as [number, number] };
    if (pair.key.value === 'apiVersion') apiVersion ??= found;
    else if (pair.key.value === 'kind') kind ??= found;
  }
  if (!apiVersion || !kind) return undefined;
  return { apiVersion: apiVersion.value, kind: kind.value, apiVersionRange: apiVersion.range, kindRange: kind.range };
}
