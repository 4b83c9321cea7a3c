import type { CompletionItem, MarkupContent, Position, Range } from 'vscode-languageserver-types';
import type { Segment } from '../model/fileModel';
import { allKindSchemas, type KindSchema } from '../schema/registry';
import { schemaAt, typeLabel } from '../schema/lookup';
import type { SchemaNode } from '../schema/types';
import type { ChartValues } from '../values/chartValues';
import type { VersionFields } from '../values/versions';
import { parseFluxVersion } from '../semver/constraint';
import { compare } from 'semver';

function compareVersions(a: string, b: string): number {
  const va = parseFluxVersion(a);
  const vb = parseFluxVersion(b);
  if (va && vb) return compare(va, vb);
  return va ? 1 : vb ? -1 : a.localeCompare(b);
}
import { LineStructure, type StructurePath } from '../completion/lineStructure';
import { keySnippet } from '../completion/snippets';
import { FLUX_SNIPPETS, type FluxSnippet } from '../completion/fluxSnippets';

const enum Kind {
  Property = 10,
  Value = 12,
  EnumMember = 20,
  Snippet = 15,
  Class = 7,
  Module = 9,
}
const SNIPPET = 2;

type CursorContext =
  | { type: 'key'; container: StructurePath; prefix: string; prefixStart: number; col: number; line: number }
  | { type: 'value'; path: StructurePath; prefix: string; prefixStart: number; quoted: boolean }
  | { type: 'none' };

const VALUE_LINE = /^(\s*)((?:-[ \t]+)*)("(?:[^"\\]|\\.)*"|'[^']*'|[^\s#'"{[\]-][^:#]*?)[ \t]*:[ \t]+(["']?)([^"'#]*)$/;
const KEY_LINE = /^(\s*)((?:-[ \t]+)*)([A-Za-z0-9_./-]*)$/;

function cursorContext(structure: LineStructure, line: number, before: string): CursorContext {
  const value = VALUE_LINE.exec(before);
  if (value) {
    const col = value[1]!.length + value[2]!.length;
    const container = structure.containerPath({ line, col }, false);
    if (container === null) return { type: 'none' };
    const key = value[3]!.replace(/^["']|["']$/g, '');
    const prefix = value[5]!;
    return { type: 'value', path: [...container, key], prefix, prefixStart: before.length - prefix.length, quoted: value[4] !== '' };
  }
  const key = KEY_LINE.exec(before);
  if (key) {
    const col = key[1]!.length + key[2]!.length;
    const container = structure.containerPath({ line, col }, false);
    if (container === null) return { type: 'none' };
    return { type: 'key', container, prefix: key[3]!, prefixStart: col, col, line };
  }
  return { type: 'none' };
}

function documentation(schema: SchemaNode): MarkupContent | undefined {
  const parts: string[] = [];
  if (schema.description) parts.push(schema.description);
  if (schema.default !== undefined) parts.push(`Default: \`${JSON.stringify(schema.default)}\``);
  if (schema.enum) parts.push(`Allowed: ${schema.enum.map((v) => `\`${String(v)}\``).join(', ')}`);
  return parts.length ? { kind: 'markdown', value: parts.join('\n\n') } : undefined;
}

function replaceRange(line: number, start: number, end: number): Range {
  return { start: { line, character: start }, end: { line, character: end } };
}

/** Completions at `position` (relative to the segment) in a document of a Flux kind, or in a document that has no kind yet. */
export function completeInSegment(segment: Segment, position: Position, schema: KindSchema | undefined, recognised: boolean, chart?: ChartValues, versions?: VersionFields, chartNames?: string[]): CompletionItem[] {
  const analysis = segment.analysis;
  const lines = analysis.lines;
  const lineText = lines.lineText(position.line);
  const before = lineText.slice(0, position.character);
  const after = lineText.slice(position.character);
  const structure = new LineStructure((l) => lines.lineText(l), lines.lineCount);
  const context = cursorContext(structure, position.line, before);
  if (context.type === 'none') return [];
  const wordEnd = position.character + (/^[A-Za-z0-9_./-]*/.exec(after)?.[0].length ?? 0);

  if (!schema) {
    if (recognised) return [];
    // A document that does not name its kind yet: offer to start a Flux object.
    if (context.type === 'key' && context.container.length === 0) return startObject(analysis.text, position, context.prefixStart, wordEnd, context.col);
    if (context.type === 'value' && context.path.length === 1) return rootValues(context.path[0] as string, position.line, context.prefixStart, wordEnd);
    return [];
  }

  const schemaOf = (path: StructurePath) => (chart && path[0] === 'spec' && path[1] === 'values' ? schemaAt(chart.schema, path.slice(2)) : schemaAt(schema.root, path));
  if (context.type === 'value' && versions && versions.fields.includes(context.path.join('.'))) {
    // The versions the repository publishes, newest first; the value replaced keeps its quotes.
    const range = replaceRange(position.line, context.prefixStart, wordEnd);
    const sorted = [...versions.published].sort((a, b) => compareVersions(b.version, a.version));
    return sorted.map((p, index) => ({ label: p.version, kind: Kind.Value, detail: index === 0 ? 'newest' : p.created?.slice(0, 10), sortText: String(index).padStart(5, '0'), textEdit: { range, newText: p.version } }));
  }
  if (context.type === 'value' && chartNames && context.path.join('.') === 'spec.chart.spec.chart') {
    const range = replaceRange(position.line, context.prefixStart, wordEnd);
    return chartNames.map((name) => ({ label: name, kind: Kind.Module, detail: 'in the repository index', textEdit: { range, newText: name } }));
  }
  if (context.type === 'value') {
    const fieldSchema = schemaOf(context.path);
    if (!fieldSchema) return [];
    const range = replaceRange(position.line, context.prefixStart, wordEnd);
    const values = fieldSchema.enum ?? (fieldSchema.type === 'boolean' ? [true, false] : []);
    return values.map((value, index) => ({
      label: String(value),
      kind: Kind.EnumMember,
      detail: value === fieldSchema.default ? 'default' : undefined,
      documentation: documentation(fieldSchema),
      sortText: String(value === fieldSchema.default ? 0 : index + 1).padStart(3, '0'),
      textEdit: { range, newText: String(value) },
    }));
  }

  const present = structure.siblingKeys({ line: context.line, col: context.col });
  const range = replaceRange(position.line, context.prefixStart, wordEnd);
  const snippets = fieldSnippets(schema.kind, context.container, present, before, range);
  const containerSchema = schemaOf(context.container);
  if (!containerSchema?.properties) return snippets;
  const required = new Set(containerSchema.required ?? []);
  const items: CompletionItem[] = [];
  for (const [key, propertySchema] of Object.entries(containerSchema.properties)) {
    if (present.has(key)) continue;
    if (context.container.length === 0 && (key === 'status' || key === 'apiVersion' || key === 'kind')) continue;
    items.push({
      label: key,
      kind: Kind.Property,
      detail: typeLabel(propertySchema) + (required.has(key) ? ' (required)' : ''),
      documentation: documentation(propertySchema),
      sortText: `${required.has(key) ? '0' : '1'}${key}`,
      filterText: key,
      insertTextFormat: SNIPPET,
      textEdit: { range, newText: keySnippet(key, propertySchema) },
    });
  }
  return [...items, ...snippets];
}

function snippetItem(snippet: FluxSnippet, range: Range, body: string[]): CompletionItem {
  return {
    label: snippet.prefix,
    kind: Kind.Snippet,
    detail: snippet.name,
    documentation: { kind: 'markdown', value: `${snippet.description}\n\n\`\`\`yaml\n${body.join('\n').replace(/\$\{\d+(?::([^}]*))?\}|\$\d+/g, (_, fill: string | undefined) => fill ?? '')}\n\`\`\`` },
    filterText: `${snippet.prefix} ${snippet.name}`,
    sortText: `2${snippet.prefix}`,
    insertTextFormat: SNIPPET,
    textEdit: { range, newText: body.join('\n') },
  };
}

/**
 * The field snippets that fit where the cursor is: in `spec` of a HelmRelease, or as a new item of
 * its `valuesFrom` (without a second `- ` when the line has one already). Never inside `spec.values`.
 */
function fieldSnippets(kind: string, container: StructurePath, present: Set<string>, before: string, range: Range): CompletionItem[] {
  const out: CompletionItem[] = [];
  for (const snippet of FLUX_SNIPPETS) {
    const place = snippet.where;
    if (place === 'document' || place.kind !== kind) continue;
    const path = container.filter((segment) => typeof segment === 'string');
    const inItem = container.length > place.container.length && typeof container[place.container.length] === 'number';
    if (path.length !== place.container.length || path.some((segment, i) => segment !== place.container[i])) continue;
    if (place.unless?.some((key) => present.has(key))) continue;
    if (place.listItem) {
      const dashed = /-[ \t]+$/.test(before);
      // A new item: a blank line in the list, or just after its `- `.
      if (inItem && !dashed) continue;
      out.push(snippetItem(snippet, range, dashed ? [snippet.body[0]!.replace(/^-[ \t]+/, ''), ...snippet.body.slice(1)] : snippet.body));
    } else if (!inItem) {
      out.push(snippetItem(snippet, range, snippet.body));
    }
  }
  return out;
}

function rootValues(key: string, line: number, start: number, end: number): CompletionItem[] {
  const range = replaceRange(line, start, end);
  const kinds = allKindSchemas();
  if (key === 'apiVersion') {
    return [...new Set(kinds.map((k) => k.apiVersion))].map((apiVersion) => ({ label: apiVersion, kind: Kind.Value, textEdit: { range, newText: apiVersion } }));
  }
  if (key === 'kind') {
    return kinds.map((k) => ({ label: k.kind, kind: Kind.Class, detail: k.apiVersion, documentation: { kind: 'markdown', value: k.description }, textEdit: { range, newText: k.kind } }));
  }
  return [];
}

function startObject(text: string, position: Position, start: number, end: number, col: number): CompletionItem[] {
  const range = replaceRange(position.line, start, end);
  const items: CompletionItem[] = allKindSchemas().map((k) => ({
    label: `${k.kind}`,
    kind: Kind.Class,
    detail: `apiVersion: ${k.apiVersion}`,
    documentation: { kind: 'markdown', value: k.description },
    filterText: `${k.kind} apiVersion kind`,
    insertTextFormat: SNIPPET,
    textEdit: { range, newText: `apiVersion: ${k.apiVersion}\nkind: ${k.kind}\nmetadata:\n  name: \${1:name}\nspec:\n  $0` },
  }));
  const empty = text.split(/\r\n|\r|\n/).every((l) => l.trim() === '' || l.trim().startsWith('#') || l.startsWith('---') || /^[A-Za-z-]*$/.test(l));
  if (empty && col === 0) {
    // Whole objects only at the top of an empty (or just started) document.
    for (const snippet of FLUX_SNIPPETS) if (snippet.where === 'document') items.push(snippetItem(snippet, range, snippet.body));
    items.unshift({
      label: 'HelmRelease (complete)',
      kind: Kind.Snippet,
      detail: 'A HelmRelease with a chart from a HelmRepository',
      documentation: { kind: 'markdown', value: 'Inserts a whole HelmRelease: metadata, interval, chart with its source reference, install and upgrade remediation, and values.' },
      filterText: 'HelmRelease helmrelease apiVersion kind',
      sortText: '0',
      insertTextFormat: SNIPPET,
      textEdit: { range, newText: HELM_RELEASE_SKELETON },
    });
  }
  return items;
}

const HELM_RELEASE_SKELETON = [
  'apiVersion: helm.toolkit.fluxcd.io/v2',
  'kind: HelmRelease',
  'metadata:',
  '  name: ${1:my-release}',
  '  namespace: ${2:default}',
  'spec:',
  '  interval: ${3:10m}',
  '  chart:',
  '    spec:',
  '      chart: ${4:my-chart}',
  "      version: '${5:*}'",
  '      sourceRef:',
  '        kind: ${6|HelmRepository,GitRepository,Bucket|}',
  '        name: ${7:my-repository}',
  '  install:',
  '    remediation:',
  '      retries: ${8:3}',
  '  upgrade:',
  '    remediation:',
  '      retries: ${9:3}',
  '  values:',
  '    $0',
].join('\n');

