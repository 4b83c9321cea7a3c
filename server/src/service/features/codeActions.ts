import { isMap, isScalar, type Document, type Node, type Pair } from 'yaml';
import type { CodeAction, Diagnostic, Range, TextEdit } from 'vscode-languageserver-types';
import { DiagnosticCodes, DIAGNOSTIC_SOURCE } from '../codes';
import type { FileModel, Segment } from '../model/fileModel';
import { findAtOffset, nodeAtPath, type PathSegment } from '../model/yamlTree';
import { schemaAt } from '../schema/lookup';
import type { SchemaNode } from '../schema/types';
import { migrationEdits } from '../migration/migrate';
import { HELM_CHART_LAYER } from '../validation/chartLayer';

type OffsetEdit = { start: number; end: number; newText: string };

interface FixContext {
  segment: Segment;
  doc: Document | undefined;
  diagnostic: Diagnostic;
  /** Offsets of the diagnostic range within the segment. */
  start: number;
  end: number;
  data: Record<string, unknown>;
}

function toTextEdits(segment: Segment, edits: OffsetEdit[]): TextEdit[] {
  const lines = segment.analysis.lines;
  return edits.map((e) => {
    const range = lines.rangeOf(e.start, e.end);
    return {
      range: { start: { line: range.start.line + segment.startLine, character: range.start.character }, end: { line: range.end.line + segment.startLine, character: range.end.character } },
      newText: e.newText,
    };
  });
}

function action(title: string, uri: string, ctx: FixContext, edits: OffsetEdit[], preferred = false): CodeAction {
  return { title, kind: 'quickfix', diagnostics: [ctx.diagnostic], isPreferred: preferred || undefined, edit: { changes: { [uri]: toTextEdits(ctx.segment, edits) } } };
}

const lineStartOf = (text: string, offset: number) => {
  let i = offset;
  while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
  return i;
};
const nextLineStart = (text: string, offset: number) => {
  let i = offset;
  while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
  if (text[i] === '\r' && text[i + 1] === '\n') return i + 2;
  return Math.min(text.length, i + 1);
};
const eolOf = (text: string) => (text.includes('\r\n') ? '\r\n' : '\n');

/** The edit that deletes a `key: value` pair written in block style on lines of its own. */
function removePair(text: string, pair: Pair): OffsetEdit | undefined {
  const key = pair.key as Node;
  if (!key.range) return undefined;
  const start = lineStartOf(text, key.range[0]);
  if (text.slice(start, key.range[0]).trim() !== '') return undefined; // `- key:` or a flow map
  const value = pair.value as Node | null;
  const end = nextLineStart(text, value?.range ? value.range[1] : key.range[1]);
  return { start, end, newText: '' };
}

function pairAt(doc: Document | undefined, offset: number): Pair | undefined {
  if (!doc) return undefined;
  const found = findAtOffset(doc, offset);
  return found?.onKey ? found.pair : undefined;
}

/** A value to insert for a required field: its default, its first allowed value, or an empty one to fill. */
function placeholder(schema: SchemaNode): string {
  if (schema.default !== undefined && typeof schema.default !== 'object') return String(schema.default);
  if (schema.enum?.length) return String(schema.enum[0]);
  if (schema.type === 'boolean') return 'false';
  if (schema.type === 'integer' || schema.type === 'number') return '0';
  if (schema.pattern?.includes('(ms|s|m|h)')) return '10m';
  if (schema.pattern?.includes('(ms|s|m))')) return '60s';
  return '""';
}

function renderField(key: string, schema: SchemaNode | undefined, indent: string, eol: string, depth = 0): string {
  if (schema?.type === 'object' && schema.properties && depth < 4) {
    const required = (schema.required ?? []).filter((r) => schema.properties![r]);
    if (required.length === 0) return `${indent}${key}: {}${eol}`;
    return `${indent}${key}:${eol}${required.map((r) => renderField(r, schema.properties![r], `${indent}  `, eol, depth + 1)).join('')}`;
  }
  if (schema?.type === 'object') return `${indent}${key}: {}${eol}`;
  if (schema?.type === 'array') return `${indent}${key}: []${eol}`;
  return `${indent}${key}: ${schema ? placeholder(schema) : '""'}${eol}`;
}

function insertRequired(ctx: FixContext, rootSchema: SchemaNode): OffsetEdit | undefined {
  const { doc, data, segment } = ctx;
  if (!doc) return undefined;
  const text = segment.analysis.text;
  const path = data.path as PathSegment[];
  const missing = data.missing as string;
  const map = path.length === 0 ? doc.contents : nodeAtPath(doc, path);
  if (!isMap(map) || map.flow) return undefined;
  const pairs = map.items.filter((p) => (p.key as Node | null)?.range);
  const last = pairs[pairs.length - 1];
  if (!last) return undefined;
  const firstKey = (pairs[0]!.key as Node).range!;
  const indent = ' '.repeat(segment.analysis.lines.positionAt(firstKey[0]).character);
  const lastValue = last.value as Node | null;
  const at = nextLineStart(text, lastValue?.range ? lastValue.range[1] : (last.key as Node).range![1]);
  const needsBreak = at === text.length && !/[\r\n]$/.test(text);
  const eol = eolOf(text);
  return { start: at, end: at, newText: (needsBreak ? eol : '') + renderField(missing, schemaAt(rootSchema, [...path, missing]), indent, eol) };
}

/** Fixes that only replace the text of the diagnostic's range; safe inside an inlined patch too. */
const RANGE_ONLY = new Set<string>([DiagnosticCodes.unknownField, DiagnosticCodes.unknownValue, DiagnosticCodes.invalidValue, DiagnosticCodes.unknownKind, DiagnosticCodes.invalidEnum, DiagnosticCodes.yaml11Boolean, DiagnosticCodes.yaml11Octal]);

function fixesFor(uri: string, ctx: FixContext, rootSchema: SchemaNode | undefined): CodeAction[] {
  const { diagnostic, data, segment, doc } = ctx;
  const text = segment.analysis.text;
  const out: CodeAction[] = [];
  if (data.embedded === true && !RANGE_ONLY.has(String(diagnostic.code))) return out;
  switch (diagnostic.code) {
    case DiagnosticCodes.unknownField:
    case DiagnosticCodes.unknownValue:
    case DiagnosticCodes.invalidValue:
    case DiagnosticCodes.unknownKind:
    case DiagnosticCodes.sourceAlias:
      if (typeof data.suggestion === 'string') out.push(action(`Change to \`${data.suggestion}\``, uri, ctx, [{ start: ctx.start, end: ctx.end, newText: data.suggestion }], true));
      break;
    case DiagnosticCodes.invalidEnum:
      for (const value of (data.allowed as string[] | undefined) ?? []) {
        out.push(action(`Change to \`${value}\``, uri, ctx, [{ start: ctx.start, end: ctx.end, newText: value }], value === data.suggestion));
      }
      break;
    case DiagnosticCodes.missingRequired:
      if (rootSchema) {
        const edit = insertRequired(ctx, rootSchema);
        if (edit) out.push(action(`Add the required field \`${String(data.missing)}\``, uri, ctx, [edit], true));
      }
      break;
    case DiagnosticCodes.apiVersionRemoved:
    case DiagnosticCodes.apiVersionDeprecated:
    case DiagnosticCodes.unknownApiVersion:
      if (typeof data.replacement === 'string') {
        const edits = migrationEdits(text, data.replacement);
        if (edits.length) out.push(action(`Migrate to ${data.replacement}`, uri, ctx, edits, true));
      }
      break;
    case DiagnosticCodes.yaml11Boolean:
    case DiagnosticCodes.yaml11Octal:
      out.push(action('Quote the value', uri, ctx, [{ start: ctx.start, end: ctx.end, newText: `"${text.slice(ctx.start, ctx.end)}"` }], true));
      break;
    case DiagnosticCodes.ociUrlType:
      if (data.fix === 'add-type-oci') {
        const lineStart = lineStartOf(text, ctx.start);
        const keyIndent = /^\s*/.exec(text.slice(lineStart))![0];
        out.push(action('Add `type: oci`', uri, ctx, [{ start: lineStart, end: lineStart, newText: `${keyIndent}type: oci${eolOf(text)}` }], true));
      }
      break;
    default:
      break;
  }
  if (data.fix === 'remove') {
    const pair = pairAt(doc, ctx.start);
    const edit = pair && removePair(text, pair);
    if (edit) out.push(action(`Remove \`${text.slice(ctx.start, ctx.end)}\``, uri, ctx, [edit], true));
  }
  if (data.fix === 'add-layer-selector' && typeof data.insertAt === 'number' && typeof data.indent === 'string') {
    const eol = eolOf(text);
    const block = `${data.indent}layerSelector:${eol}${data.indent}  mediaType: ${HELM_CHART_LAYER}${eol}${data.indent}  operation: copy${eol}`;
    out.push(action('Select the Helm chart layer with operation: copy', uri, ctx, [{ start: data.insertAt, end: data.insertAt, newText: block }], true));
  }
  if (data.fix === 'replace-skipcrds') {
    const pair = pairAt(doc, ctx.start);
    const key = pair?.key as Node | undefined;
    const value = pair?.value as Node | undefined;
    if (key?.range && isScalar(value) && value.range) out.push(action('Replace with `crds: Skip`', uri, ctx, [{ start: key.range[0], end: value.range[1], newText: 'crds: Skip' }], true));
  }
  // Every diagnostic of ours can be silenced where it is.
  const lineStart = lineStartOf(text, ctx.start);
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  out.push(action(`Disable \`${String(diagnostic.code)}\` for this line`, uri, ctx, [{ start: lineStart, end: lineStart, newText: `${indent}# helmrelease-disable-next-line ${String(diagnostic.code)}${eolOf(text)}` }]));
  return out;
}

/** "Add namespace: x" for a reference that looks in the wrong namespace; positions come absolute from the index. */
function addNamespaceFix(uri: string, diagnostic: Diagnostic): CodeAction | undefined {
  const data = diagnostic.data as { namespace?: string; insert?: { at: { line: number; character: number }; indent: string; flow: boolean }; hasNamespace?: boolean; namespaceRange?: Range } | undefined;
  if (!data?.namespace) return undefined;
  let edit: TextEdit | undefined;
  if (data.hasNamespace && data.namespaceRange) edit = { range: data.namespaceRange, newText: data.namespace };
  else if (data.insert) {
    const at = { start: data.insert.at, end: data.insert.at };
    edit = { range: at, newText: data.insert.flow ? `, namespace: ${data.namespace}` : `${data.insert.indent}namespace: ${data.namespace}\n` };
  }
  if (!edit) return undefined;
  return { title: `Set namespace: ${data.namespace}`, kind: 'quickfix', diagnostics: [diagnostic], isPreferred: true, edit: { changes: { [uri]: [edit] } } };
}

/** Quick fixes for the diagnostics the client sends with a code action request. */
export function codeActions(file: FileModel, uri: string, range: Range, diagnostics: Diagnostic[]): CodeAction[] {
  const out: CodeAction[] = [];
  for (const diagnostic of diagnostics) {
    if (diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
    if (diagnostic.code === DiagnosticCodes.referenceWrongNamespace) {
      const fix = addNamespaceFix(uri, diagnostic);
      if (fix) out.push(fix);
    }
    const segment = file.segmentAt(diagnostic.range.start.line);
    if (!segment || diagnostic.range.start.line > range.end.line) continue;
    const lines = segment.analysis.lines;
    const relative = (p: { line: number; character: number }) => lines.offsetAt({ line: p.line - segment.startLine, character: p.character });
    const { recognition } = segment.analysis;
    const rootSchema = recognition.status === 'served' || recognition.status === 'other-version' ? recognition.schema.root : undefined;
    out.push(
      ...fixesFor(uri, {
        segment,
        doc: segment.analysis.parsed.doc,
        diagnostic,
        start: relative(diagnostic.range.start),
        end: relative(diagnostic.range.end),
        data: (diagnostic.data as Record<string, unknown> | undefined) ?? {},
      }, rootSchema),
    );
  }
  return out;
}

/** The safe fixes the CLI applies with --fix: API migrations and quoting, as offsets into each segment. */
export function safeFixes(file: FileModel, diagnostics: Diagnostic[]): Array<{ segment: Segment; edits: OffsetEdit[]; what: string }> {
  const out: Array<{ segment: Segment; edits: OffsetEdit[]; what: string }> = [];
  const migrated = new Set<Segment>();
  for (const d of diagnostics) {
    const segment = file.segmentAt(d.range.start.line);
    if (!segment) continue;
    const data = (d.data as Record<string, unknown> | undefined) ?? {};
    const lines = segment.analysis.lines;
    const start = lines.offsetAt({ line: d.range.start.line - segment.startLine, character: d.range.start.character });
    const end = lines.offsetAt({ line: d.range.end.line - segment.startLine, character: d.range.end.character });
    if ((d.code === DiagnosticCodes.apiVersionRemoved || d.code === DiagnosticCodes.apiVersionDeprecated) && typeof data.replacement === 'string' && !migrated.has(segment)) {
      migrated.add(segment);
      const edits = migrationEdits(segment.analysis.text, data.replacement);
      if (edits.length) out.push({ segment, edits, what: `migrated ${segment.analysis.identity?.kind ?? 'object'} to ${data.replacement}` });
    } else if (d.code === DiagnosticCodes.yaml11Boolean || d.code === DiagnosticCodes.yaml11Octal) {
      const original = segment.analysis.text.slice(start, end);
      out.push({ segment, edits: [{ start, end, newText: `"${original}"` }], what: `quoted ${original}` });
    }
  }
  return out;
}
