import type { CompletionItem, Diagnostic, DocumentSymbol, Hover, Position } from 'vscode-languageserver-types';
import { DiagnosticCodes, DIAGNOSTIC_SOURCE } from './codes';
import type { FileModel, Segment } from './model/fileModel';
import { chartReferenceOf, chartValuesDiagnostics, ociArtifact, valuesSources, type ChartLookup, type ChartReference, type ChartValues, type ValuesFromContent } from './values/chartValues';
import { HELMRELEASE_VERSION_FIELD, OCI_SEMVER_FIELD, OCI_TAG_FIELD, versionDiagnostics, type PublishedVersion, type VersionFields } from './values/versions';
import { ObjectView } from './model/objectView';
import { removedValuesDiagnostics } from './values/removedValues';
import { analyseDocument, applySeverities, toDiagnostic } from './features/diagnostics';
import { chartLayerHints, objectFacts, type ObjectFacts } from './validation/chartLayer';
import { inlinePatchDiagnostics, isFluxKustomization } from './features/inlinePatches';
import { findSuppressions, isSuppressed } from './validation/suppressions';
import { NEWEST_FLUX_VERSION } from './migration/apiVersions';
import { completeInSegment } from './features/completion';
import { hoverAt } from './features/hover';
import { segmentSymbol } from './features/symbols';
import type { Settings } from './settings';

function shift<T extends { range: { start: Position; end: Position } }>(item: T, lines: number): T {
  if (lines === 0) return item;
  return {
    ...item,
    range: {
      start: { line: item.range.start.line + lines, character: item.range.start.character },
      end: { line: item.range.end.line + lines, character: item.range.end.character },
    },
  };
}

function fileNotice(file: FileModel, settings: Settings): Diagnostic | undefined {
  const at = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  if (file.oversized) {
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
    return { range: at, severity: 3, code: DiagnosticCodes.fileTooLarge, source: DIAGNOSTIC_SOURCE, message: `This file (${mb(file.textLength)}) is larger than the limit of ${mb(settings.maxFileSize)} and is not checked. Raise helmRelease.maxFileSize to check it.` };
  }
  if (file.binary) {
    return { range: at, severity: 3, code: DiagnosticCodes.binaryFile, source: DIAGNOSTIC_SOURCE, message: 'This file contains NUL bytes; it looks binary and is not checked.' };
  }
  return undefined;
}

/** What we know about a file from outside it. */
export interface FileContext {
  /** A kustomization lists the file as a patch: its objects are partial. */
  isPatch?: boolean;
  /** The file's URI and a way to find the chart of a HelmRelease, for `spec.values`. */
  uri?: string;
  charts?: ChartLookup;
  /** The content of `valuesFrom` ConfigMaps found in the workspace. */
  valuesFrom?: ValuesFromContent;
  /** The versions a HelmRelease's chart repository publishes, from the cached index. */
  versions?: (ref: ChartReference) => PublishedVersion[] | undefined;
  /** The versions (tags) an OCI artifact URL has in its registry, from the cached tag list. */
  artifactVersions?: (url: string, insecure: boolean) => PublishedVersion[] | undefined;
  /** The charts a HelmRelease's repository lists, from its cached index. */
  chartNames?: (ref: ChartReference) => string[] | undefined;
  /** The chart a release used before, when it now resolves to another version of it. */
  baselineChart?: (ref: ChartReference, current: ChartValues) => ChartValues | undefined;
}

/** The versions a document's version fields choose from: a HelmRelease's chart, or an OCIRepository's artifact. */
function publishedVersions(segment: Segment, context: FileContext): VersionFields | undefined {
  const kind = segment.analysis.identity?.kind;
  const doc = segment.analysis.parsed.doc;
  if (!doc) return undefined;
  if (kind === 'HelmRelease' && context.versions) {
    const ref = chartReferenceOf(doc, context.uri ?? '');
    const published = ref.chart ? context.versions(ref) : undefined;
    return published && ref.chart ? { chart: ref.chart, published, fields: [HELMRELEASE_VERSION_FIELD], from: 'repository index' } : undefined;
  }
  if (kind === 'OCIRepository' && context.artifactVersions) {
    const view = new ObjectView(doc);
    const url = view.string(['spec', 'url']);
    const chart = url ? ociArtifact(url)?.chart : undefined;
    const published = url && chart && !url.includes('${') ? context.artifactVersions(url, view.bool(['spec', 'insecure']) === true) : undefined;
    return published && chart ? { chart, published, fields: [OCI_SEMVER_FIELD, OCI_TAG_FIELD], from: 'registry tags' } : undefined;
  }
  return undefined;
}

function versionProblems(segment: Segment, context: FileContext): Diagnostic[] {
  const found = publishedVersions(segment, context);
  const doc = segment.analysis.parsed.doc;
  if (!found || !doc) return [];
  const key = `versions:${hashText(found.published.map((p) => p.version).join(','))}`;
  return segment.analysis.cached(key, () => versionDiagnostics(doc, found).map((raw) => toDiagnostic(segment.analysis, raw)));
}

/** The charts the repository of a HelmRelease lists, for completing `chart.spec.chart`. */
function chartNamesOf(segment: Segment, context: FileContext): string[] | undefined {
  const doc = segment.analysis.parsed.doc;
  if (!doc || !context.chartNames || segment.analysis.identity?.kind !== 'HelmRelease') return undefined;
  return context.chartNames(chartReferenceOf(doc, context.uri ?? ''));
}

/** The HelmRelease of a segment as written, and its chart when that can be found. */
function releaseChart(segment: Segment, context: FileContext): { ref: ChartReference; chart: ChartValues } | undefined {
  if (!context.charts || segment.analysis.identity?.kind !== 'HelmRelease') return undefined;
  const doc = segment.analysis.parsed.doc;
  if (!doc) return undefined;
  const ref = chartReferenceOf(doc, context.uri ?? '');
  const chart = context.charts(ref);
  return chart ? { ref, chart } : undefined;
}

/** The chart values schema for the HelmRelease of a segment, when its chart can be found. */
function chartOf(segment: Segment, context: FileContext): ChartValues | undefined {
  return releaseChart(segment, context)?.chart;
}

function valuesDiagnostics(segment: Segment, { ref, chart }: { ref: ChartReference; chart: ChartValues }, context: FileContext): Diagnostic[] {
  const doc = segment.analysis.parsed.doc;
  if (!doc) return [];
  const sources = valuesSources(doc, context.valuesFrom);
  const baseline = context.baselineChart?.(ref, chart);
  // The result depends on the chart, the version compared with, and what the valuesFrom ConfigMaps hold now.
  const key = `values:${chart.id}:${baseline?.id ?? ''}:${hashText(JSON.stringify(sources.map((s) => s.content ?? null)))}`;
  return segment.analysis.cached(key, () => {
    const own = chartValuesDiagnostics(doc, chart, sources);
    if (!baseline) return own.map((raw) => toDiagnostic(segment.analysis, raw));
    const removed = removedValuesDiagnostics(doc, baseline, chart);
    // A removed key is also unknown to the new chart; saying where it went before says more.
    const removedAt = new Set(removed.map((d) => d.start));
    const kept = own.filter((d) => !(d.code === DiagnosticCodes.unknownValue && removedAt.has(d.start)));
    return [...kept, ...removed].map((raw) => toDiagnostic(segment.analysis, raw));
  });
}

function hashText(text: string): string {
  let hash = 5381;
  for (let i = 0; i < text.length; i++) hash = ((hash << 5) + hash + text.charCodeAt(i)) | 0;
  return `${text.length}-${hash >>> 0}`;
}

/** All problems of a file: each document's (cached) diagnostics moved to its line. */
export function fileDiagnostics(file: FileModel, settings: Settings, context: FileContext = {}): Diagnostic[] {
  if (!settings.validate) return [];
  const notice = fileNotice(file, settings);
  if (notice) return applySeverities([notice], settings);
  const out: Diagnostic[] = [];
  const options = { partial: context.isPatch === true, fluxVersion: settings.fluxVersion ?? NEWEST_FLUX_VERSION };
  const flux = file.segments.filter((s) => s.analysis.isFlux);
  // Facts for rules across documents are read right after each document's own diagnostics, while
  // its syntax tree is still in memory.
  const perDocument: Diagnostic[][] = [];
  const facts: Array<{ facts: ObjectFacts; index: number }> = [];
  flux.forEach((segment, index) => {
    const release = releaseChart(segment, context);
    const own = analyseDocument(segment.analysis, options);
    const extra = [...(release ? valuesDiagnostics(segment, release, context) : []), ...versionProblems(segment, context)];
    perDocument.push(extra.length ? [...own, ...extra] : own);
    const known = objectFacts(segment.analysis);
    if (known) facts.push({ facts: known, index });
  });
  const crossDocument = chartLayerHints(facts);
  flux.forEach((segment, index) => {
    for (const d of perDocument[index]!) out.push(shift(d, segment.startLine));
    for (const raw of crossDocument.get(index) ?? []) out.push(shift(toDiagnostic(segment.analysis, raw), segment.startLine));
  });
  for (const segment of file.segments) {
    if (!isFluxKustomization(segment.analysis)) continue;
    for (const d of inlinePatchDiagnostics(segment.analysis, options)) out.push(shift(d, segment.startLine));
  }
  out.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return applySeverities(out, settings);
}

/**
 * Diagnostics computed outside a document (references across the workspace), passed through the
 * same settings and suppression comments as the document's own.
 */
export function externalDiagnostics(file: FileModel, diagnostics: Diagnostic[], settings: Settings): Diagnostic[] {
  if (!settings.validate || diagnostics.length === 0) return [];
  const kept = diagnostics.filter((d) => {
    const segment = file.segmentAt(d.range.start.line);
    if (!segment) return true;
    const suppressions = segment.analysis.cached('suppressions', () => findSuppressions(segment.analysis.text));
    return !isSuppressed(suppressions, d.range.start.line - segment.startLine, String(d.code));
  });
  return applySeverities(kept, settings);
}

export function completion(file: FileModel, position: Position, settings: Settings, context: FileContext = {}): CompletionItem[] {
  if (!settings.completion) return [];
  const segment = file.segmentAt(position.line);
  if (!segment) return [];
  const { recognition } = segment.analysis;
  const schema = recognition.status === 'served' || recognition.status === 'other-version' ? recognition.schema : undefined;
  const items = completeInSegment(segment, { line: position.line - segment.startLine, character: position.character }, schema, segment.analysis.identity !== undefined, chartOf(segment, context), publishedVersions(segment, context), chartNamesOf(segment, context));
  if (segment.startLine === 0) return items;
  return items.map((item) => (item.textEdit && 'range' in item.textEdit ? { ...item, textEdit: shift(item.textEdit, segment.startLine) } : item));
}

export function hover(file: FileModel, position: Position, settings: Settings, context: FileContext = {}): Hover | null {
  if (!settings.hover) return null;
  const segment = file.segmentAt(position.line);
  if (!segment) return null;
  const { recognition, lines } = { recognition: segment.analysis.recognition, lines: segment.analysis.lines };
  if (recognition.status !== 'served' && recognition.status !== 'other-version') return null;
  const offset = lines.offsetAt({ line: position.line - segment.startLine, character: position.character });
  const result = hoverAt(segment.analysis, recognition.schema, offset, chartOf(segment, context), publishedVersions(segment, context));
  if (!result?.range) return result;
  return shift(result as Hover & { range: NonNullable<Hover['range']> }, segment.startLine);
}

export function documentSymbols(file: FileModel): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  for (const segment of file.segments) {
    const symbol = segmentSymbol(segment);
    if (symbol) out.push(shiftSymbol(symbol, segment.startLine));
  }
  return out;
}

function shiftSymbol(symbol: DocumentSymbol, lines: number): DocumentSymbol {
  if (lines === 0) return symbol;
  const move = (r: DocumentSymbol['range']) => ({ start: { line: r.start.line + lines, character: r.start.character }, end: { line: r.end.line + lines, character: r.end.character } });
  return { ...symbol, range: move(symbol.range), selectionRange: move(symbol.selectionRange), children: symbol.children?.map((c) => shiftSymbol(c, lines)) };
}
