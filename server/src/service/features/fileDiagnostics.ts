import type { Diagnostic, Position } from 'vscode-languageserver-types';
import { DiagnosticCodes, DIAGNOSTIC_SOURCE } from '../codes';
import type { DocumentAnalysis } from '../model/documentAnalysis';
import type { FileModel, Segment } from '../model/fileModel';
import { ObjectView } from '../model/objectView';
import { chartReferenceOf, chartValuesDiagnostics, ociArtifact, valuesSources, type ChartLookup, type ChartReference, type ChartValues, type ValuesFromContent } from '../values/chartValues';
import type { ValuesSource } from '../values/effectiveValues';
import { HELMRELEASE_VERSION_FIELD, OCI_SEMVER_FIELD, OCI_TAG_FIELD, versionDiagnostics, type PublishedVersion, type VersionFields } from '../values/versions';
import { removedValuesDiagnostics } from '../values/removedValues';
import { analyseDocument, applySeverities, toDiagnostic, type AnalysisOptions } from './diagnostics';
import { chartLayerHints, objectFacts, type ObjectFacts } from '../validation/chartLayer';
import { inlinePatchDiagnostics, isFluxKustomization } from './inlinePatches';
import { findSuppressions, isSuppressed } from '../validation/suppressions';
import { NEWEST_FLUX_VERSION } from '../migration/apiVersions';
import { textHash } from '../text/hash';
import { relativeReferences } from '../workspace/extract';
import { duplicateProblems, referenceProblems } from '../workspace/referenceDiagnostics';
import type { WorkspaceIndex } from '../workspace/workspaceIndex';
import type { ReferenceRecord } from '../workspace/types';
import { workCounts } from '../workCounts';
import { excessiveAliasing } from '../validation/aliases';
import type { Settings } from '../settings';
import type { FileSubstitutions, SubstitutionContext } from '../substitution/resolver';
import { substitutionDiagnostics, variableNameProblems } from '../substitution/diagnostics';
import { readPostBuild } from '../substitution/variables';

/** What we know about a file from outside it. */
export interface FileContext {
  /** A kustomization lists the file as a patch, or it is in a patch folder: its objects are partial. */
  isPatch?: boolean;
  /** It is in a patch folder, but no kustomization of the workspace lists it: nothing applies it. */
  unlistedPatch?: boolean;
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
  /** The workspace index, once complete: references are checked against it. */
  index?: WorkspaceIndex;
  /** Brings the index up to date with the open editors; called by a pass after reading new documents, before checking references. */
  syncIndex?: () => void;
  /**
   * Changes whenever what the chart lookups answer may have changed (a chart arrived, a cache was
   * cleared, credentials were entered). Diagnostics that used a chart are kept while it stays.
   */
  chartGeneration?: number;
  /** Post-build substitution: the variables of the Kustomizations that apply the file. */
  substitutions?: SubstitutionContext;
}

/** A HelmRelease's chart reference, read once per document text. */
export function releaseReference(analysis: DocumentAnalysis, uri: string): ChartReference | undefined {
  if (analysis.identity?.kind !== 'HelmRelease') return undefined;
  return analysis.cached(`chart-reference:${uri}`, () => {
    const doc = analysis.parsed.doc;
    return doc ? chartReferenceOf(doc, uri) : undefined;
  });
}

/** A HelmRelease's `valuesFrom` entries as written (without content), read once per document text. */
function writtenValuesSources(analysis: DocumentAnalysis): ValuesSource[] {
  return analysis.cached('values-sources', () => {
    const doc = analysis.parsed.doc;
    return doc ? valuesSources(doc) : [];
  });
}

/** An OCIRepository's artifact URL, read once per document text. */
function ociSource(analysis: DocumentAnalysis): { url: string; insecure: boolean } | undefined {
  if (analysis.identity?.kind !== 'OCIRepository') return undefined;
  return analysis.cached('oci-source', () => {
    const doc = analysis.parsed.doc;
    if (!doc) return undefined;
    const view = new ObjectView(doc);
    const url = view.string(['spec', 'url']);
    return url && !url.includes('${') ? { url, insecure: view.bool(['spec', 'insecure']) === true } : undefined;
  });
}

/** The chart of a HelmRelease document, when it can be found. */
export function releaseChart(segment: Segment, context: FileContext): { ref: ChartReference; chart: ChartValues } | undefined {
  if (!context.charts) return undefined;
  const ref = releaseReference(segment.analysis, context.uri ?? '');
  if (!ref) return undefined;
  workCounts.chartLookups++;
  const chart = context.charts(ref);
  return chart ? { ref, chart } : undefined;
}

/** The versions a document's version fields choose from: a HelmRelease's chart, or an OCIRepository's artifact. */
export function publishedVersions(segment: Segment, context: FileContext): VersionFields | undefined {
  const ref = context.versions ? releaseReference(segment.analysis, context.uri ?? '') : undefined;
  if (ref?.chart && context.versions) {
    workCounts.chartLookups++;
    const published = context.versions(ref);
    return published ? { chart: ref.chart, published, fields: [HELMRELEASE_VERSION_FIELD], from: 'repository index' } : undefined;
  }
  const source = context.artifactVersions ? ociSource(segment.analysis) : undefined;
  const chart = source ? ociArtifact(source.url)?.chart : undefined;
  if (source && chart && context.artifactVersions) {
    workCounts.chartLookups++;
    const published = context.artifactVersions(source.url, source.insecure);
    return published ? { chart, published, fields: [OCI_SEMVER_FIELD, OCI_TAG_FIELD], from: 'registry tags' } : undefined;
  }
  return undefined;
}

/** The charts the repository of a HelmRelease lists, for completing `chart.spec.chart`. */
export function chartNamesOf(segment: Segment, context: FileContext): string[] | undefined {
  const ref = context.chartNames ? releaseReference(segment.analysis, context.uri ?? '') : undefined;
  if (!ref || !context.chartNames) return undefined;
  workCounts.chartLookups++;
  return context.chartNames(ref);
}

function versionProblems(segment: Segment, context: FileContext): Diagnostic[] {
  const found = publishedVersions(segment, context);
  if (!found) return [];
  const key = `versions:${textHash(found.published.map((p) => p.version).join(','))}`;
  return segment.analysis.cached(key, () => {
    const doc = segment.analysis.parsed.doc;
    return doc ? versionDiagnostics(doc, found).map((raw) => toDiagnostic(segment.analysis, raw)) : [];
  });
}

/** A HelmRelease's `valuesFrom` entries with the content of the ConfigMaps found in the workspace. */
function valuesSourcesWithContent(analysis: DocumentAnalysis, context: FileContext): ValuesSource[] {
  const content = context.valuesFrom;
  return writtenValuesSources(analysis).map((s) => (s.kind === 'ConfigMap' && content ? { ...s, content: content(s) } : s));
}

function valuesProblems(segment: Segment, { ref, chart }: { ref: ChartReference; chart: ChartValues }, context: FileContext): Diagnostic[] {
  const analysis = segment.analysis;
  const sources = valuesSourcesWithContent(analysis, context);
  const baseline = context.baselineChart?.(ref, chart);
  // The result depends on the chart, the version compared with, and what the valuesFrom ConfigMaps hold now.
  const key = `values:${chart.id}:${baseline?.id ?? ''}:${textHash(JSON.stringify(sources.map((s) => s.content ?? null)))}`;
  return analysis.cached(key, () => {
    const doc = analysis.parsed.doc;
    if (!doc) return [];
    const own = chartValuesDiagnostics(doc, chart, sources);
    if (!baseline) return own.map((raw) => toDiagnostic(analysis, raw));
    const removed = removedValuesDiagnostics(doc, baseline, chart);
    // A removed key is also unknown to the new chart; saying where it went before says more.
    const removedAt = new Set(removed.map((d) => d.start));
    const kept = own.filter((d) => !(d.code === DiagnosticCodes.unknownValue && removedAt.has(d.start)));
    return [...kept, ...removed].map((raw) => toDiagnostic(analysis, raw));
  });
}

/** One document's diagnostics, positions relative to its first line, and what they were computed from. */
interface SegmentEntry {
  key: string;
  /** The pass revision at which `key` was last found current. */
  revision: string;
  dependencies: Dependencies;
  diagnostics: Diagnostic[];
  /** The same diagnostics moved to the line the document was last placed at. */
  placed?: { startLine: number; diagnostics: Diagnostic[] };
}

/**
 * Per-document diagnostics of one file kept between passes. A document's diagnostics are computed
 * again only when its text changed or something they depend on did: a chart, the settings, or the
 * objects its references name. Anything else is reused, moved to the document's current line.
 */
export class DiagnosticsCache {
  readonly entries = new Map<DocumentAnalysis, SegmentEntry>();
  /** What the last pass published, to tell whether a pass changed anything. */
  layout: unknown[] = [];
}

/** The result of a pass: the file's diagnostics, and whether they differ from the previous pass. */
export interface FileDiagnosticsResult {
  diagnostics: Diagnostic[];
  changed: boolean;
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

/** All problems of a file, computed from scratch. */
export function fileDiagnostics(file: FileModel, settings: Settings, context: FileContext = {}): Diagnostic[] {
  return runToEnd(diagnosticsPass(file, settings, context, new DiagnosticsCache())).diagnostics;
}

export function runToEnd<T>(steps: Generator<void, T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/**
 * A diagnostics pass over a file, reusing what `cache` holds. It yields after each document it had
 * to compute, so that a caller can let requests in between and drop the pass when a newer edit came.
 */
export function* diagnosticsPass(file: FileModel, settings: Settings, context: FileContext, cache: DiagnosticsCache): Generator<void, FileDiagnosticsResult> {
  if (!settings.validate) return finish(cache, [], ['off']);
  const notice = fileNotice(file, settings);
  if (notice) return finish(cache, applySeverities([notice], settings), ['notice', notice.message]);
  const options: AnalysisOptions = { partial: context.isPatch === true, fluxVersion: settings.fluxVersion ?? NEWEST_FLUX_VERSION };
  const uri = context.uri ?? '';
  // Documents new since the last pass are read first, each once while its syntax tree is at hand:
  // their own problems, and the facts the index and the checks below take from them.
  for (const segment of file.segments) {
    const analysis = segment.analysis;
    if ((!analysis.isFlux && !isFluxKustomization(analysis)) || cache.entries.has(analysis)) continue;
    readDocument(analysis, uri, options);
    yield;
  }
  context.syncIndex?.();
  const index = context.index;
  // The variables of the Kustomizations applying the file: a key from their postBuild and sources' revisions, cheap to ask.
  const substitutions = context.uri ? context.substitutions?.forFile(context.uri) : undefined;
  const passKey = [options.partial, options.fluxVersion, JSON.stringify(settings.severity), context.chartGeneration ?? 0, index ? index.structureRevision : 'no index', substitutions?.key ?? ''].join('|');
  const revision = `${passKey}|${index?.revision ?? ''}`;
  const checked: Segment[] = [];
  const facts: Array<{ facts: ObjectFacts; index: number }> = [];
  for (const segment of file.segments) {
    const analysis = segment.analysis;
    if (!analysis.isFlux && !isFluxKustomization(analysis)) continue;
    const entry = cache.entries.get(analysis);
    // Nothing this document depends on can have changed while the revision stays the same.
    if (entry?.revision !== revision) {
      const dependencies = entry?.dependencies ?? dependenciesOf(analysis, uri, index);
      const key = `${passKey}|${dependencyKey(dependencies, index)}`;
      if (entry?.key === key) entry.revision = revision;
      else {
        // Kept at once, so that a pass stopped by a newer edit leaves its work to the next one.
        cache.entries.set(analysis, { key, revision, dependencies, diagnostics: documentDiagnostics(segment, settings, options, context, substitutions) });
        yield;
      }
    }
    const known = objectFacts(analysis);
    if (known) facts.push({ facts: known, index: checked.length });
    checked.push(segment);
  }
  const current = new Set(checked.map((s) => s.analysis));
  for (const analysis of cache.entries.keys()) if (!current.has(analysis)) cache.entries.delete(analysis);

  // Rules across documents and files, cheap to run again: hints between documents of this file, and
  // objects defined twice (their message names the other's line, which moves with edits).
  const extra = new Map<number, Diagnostic[]>();
  for (const [at, raws] of chartLayerHints(facts)) {
    const segment = checked[at]!;
    extra.set(at, raws.map((raw) => shift(toDiagnostic(segment.analysis, raw), segment.startLine)));
  }
  if (index) {
    const objects = index.factsOf(uri)?.objects ?? [];
    for (const d of duplicateProblems(index, objects)) {
      const at = segmentIndexAt(checked, d.range.start.line);
      if (at < 0) continue;
      const segment = checked[at]!;
      const suppressions = segment.analysis.cached('suppressions', () => findSuppressions(segment.analysis.text));
      if (isSuppressed(suppressions, d.range.start.line - segment.startLine, String(d.code))) continue;
      const list = extra.get(at) ?? [];
      list.push(...applySeverities([d], settings));
      extra.set(at, list);
    }
  }

  const out: Diagnostic[] = [];
  const layout: unknown[] = [passKey, context.unlistedPatch === true];
  if (context.unlistedPatch && checked.length > 0) {
    const at = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    out.push(
      ...applySeverities(
        [{ range: at, severity: 3, code: DiagnosticCodes.patchNotApplied, source: DIAGNOSTIC_SOURCE, message: 'This file is in a patches folder, so its objects are read as partial; but no kustomization in this workspace lists it, so nothing applies it.' }],
        settings,
      ),
    );
  }
  checked.forEach((segment, at) => {
    const entry = cache.entries.get(segment.analysis)!;
    if (entry.placed?.startLine !== segment.startLine) entry.placed = { startLine: segment.startLine, diagnostics: entry.diagnostics.map((d) => shift(d, segment.startLine)) };
    layout.push(entry, segment.startLine);
    const added = extra.get(at);
    if (!added) {
      for (const d of entry.placed.diagnostics) out.push(d);
      return;
    }
    layout.push(JSON.stringify(added));
    out.push(...[...entry.placed.diagnostics, ...added].sort(byPosition));
  });
  return finish(cache, out, layout);
}

function finish(cache: DiagnosticsCache, diagnostics: Diagnostic[], layout: unknown[]): FileDiagnosticsResult {
  const changed = layout.length !== cache.layout.length || layout.some((item, i) => item !== cache.layout[i]);
  cache.layout = layout;
  return { diagnostics, changed };
}

/** The names a document's references and chart lookups use, and its dependsOn references. */
interface Dependencies {
  names: string[];
  dependsOn: ReferenceRecord[];
}

/**
 * What a document's diagnostics depend on outside its text: the index's revisions of the names it
 * uses, and the dependsOn cycles its own edges are on.
 */
function dependencyKey({ names, dependsOn }: Dependencies, index: WorkspaceIndex | undefined): string {
  if (!index) return '';
  let key = '';
  for (const name of names) key += `,${index.revisionOf(name)}`;
  for (const ref of dependsOn) key += `;${index.cycleOf(ref)?.join(' ') ?? ''}`;
  return key;
}

function dependenciesOf(analysis: DocumentAnalysis, uri: string, index: WorkspaceIndex | undefined): Dependencies {
  if (!index) return { names: [], dependsOn: [] };
  const references = relativeReferences(analysis, uri);
  const names = new Set(references.map((r) => r.name));
  const ref = releaseReference(analysis, uri);
  if (ref?.sourceName) names.add(ref.sourceName);
  if (ref?.chartRef) names.add(ref.chartRef.name);
  for (const source of analysis.identity?.kind === 'HelmRelease' ? writtenValuesSources(analysis) : []) names.add(source.name);
  // A Kustomization's checks of variable names read the ConfigMaps and Secrets it substitutes from.
  for (const source of isFluxKustomization(analysis) ? (kustomizationPostBuild(analysis)?.substituteFrom ?? []) : []) names.add(source.name);
  return { names: [...names].sort(), dependsOn: references.filter((r) => r.field === 'dependsOn') };
}

/** Everything a pass needs of a document's syntax tree, computed together (and cached with the document). */
function readDocument(analysis: DocumentAnalysis, uri: string, options: AnalysisOptions): void {
  if (analysis.isFlux) analyseDocument(analysis, options);
  if (isFluxKustomization(analysis)) {
    inlinePatchDiagnostics(analysis, options);
    kustomizationPostBuild(analysis);
  }
  objectFacts(analysis);
  relativeReferences(analysis, uri);
  if (releaseReference(analysis, uri)) writtenValuesSources(analysis);
  ociSource(analysis);
}

/** A Flux Kustomization's `spec.postBuild`, read once per document text. */
function kustomizationPostBuild(analysis: DocumentAnalysis): ReturnType<typeof readPostBuild> {
  return analysis.cached('post-build', () => (analysis.parsed.doc ? readPostBuild(analysis.parsed.doc) : undefined));
}

/** What substituting the Kustomizations' variables into the document brings to light. */
function substitutionProblems(segment: Segment, found: FileSubstitutions, options: AnalysisOptions, release: { ref: ChartReference; chart: ChartValues } | undefined, context: FileContext): Diagnostic[] {
  const analysis = segment.analysis;
  const sources = release ? valuesSourcesWithContent(analysis, context) : [];
  const key = `substitution:${found.key}:${options.fluxVersion}:${options.partial}:${release ? `${release.chart.id}:${textHash(JSON.stringify(sources.map((s) => s.content ?? null)))}` : ''}`;
  return analysis.cached(key, () => {
    const raws = substitutionDiagnostics(analysis, found, { fluxVersion: options.fluxVersion, partial: options.partial, chart: release ? { chart: release.chart, sources } : undefined });
    return withoutSuppressed(analysis, raws.map((raw) => toDiagnostic(analysis, raw)));
  });
}

/** Variable names Flux rejects, on a Flux Kustomization (its `substitute` keys, and its sources' keys). */
function variableNames(analysis: DocumentAnalysis, context: FileContext): Diagnostic[] {
  const doc = analysis.parsed.doc;
  const postBuild = kustomizationPostBuild(analysis);
  if (!doc || !postBuild) return [];
  const view = new ObjectView(doc);
  const name = view.string(['metadata', 'name']);
  const uri = context.uri ?? '';
  const namespace = view.string(['metadata', 'namespace']) ?? (context.index && uri ? context.index.namespaceOfFile(uri) : undefined);
  const set = name && context.substitutions ? context.substitutions.forKustomization({ name, namespace, uri, postBuild })?.set : undefined;
  return withoutSuppressed(analysis, variableNameProblems(doc, set).map((raw) => toDiagnostic(analysis, raw)));
}

function withoutSuppressed(analysis: DocumentAnalysis, diagnostics: Diagnostic[]): Diagnostic[] {
  if (diagnostics.length === 0) return diagnostics;
  const suppressions = analysis.cached('suppressions', () => findSuppressions(analysis.text));
  return diagnostics.filter((d) => !isSuppressed(suppressions, d.range.start.line, String(d.code)));
}

/** Everything one document reports, positions relative to its first line, sorted, severities applied. */
function documentDiagnostics(segment: Segment, settings: Settings, options: AnalysisOptions, context: FileContext, substitutions?: FileSubstitutions): Diagnostic[] {
  const analysis = segment.analysis;
  const out: Diagnostic[] = [];
  if (analysis.isFlux) {
    out.push(...analyseDocument(analysis, options));
    // An alias bomb is reported on its own; nothing may expand its values.
    if (!excessiveAliasing(analysis)) {
      const release = releaseChart(segment, context);
      if (release) out.push(...valuesProblems(segment, release, context));
      out.push(...versionProblems(segment, context));
      if (substitutions) out.push(...substitutionProblems(segment, substitutions, options, release, context));
    }
  }
  if (isFluxKustomization(analysis)) out.push(...inlinePatchDiagnostics(analysis, options), ...variableNames(analysis, context));
  if (context.index && context.uri) {
    workCounts.crossFileChecks++;
    const found = referenceProblems(context.index, relativeReferences(analysis, context.uri));
    if (found.length > 0) {
      const suppressions = analysis.cached('suppressions', () => findSuppressions(analysis.text));
      out.push(...found.filter((d) => !isSuppressed(suppressions, d.range.start.line, String(d.code))));
    }
  }
  return applySeverities(out.sort(byPosition), settings);
}

function byPosition(a: Diagnostic, b: Diagnostic): number {
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;
}

function segmentIndexAt(segments: readonly Segment[], line: number): number {
  let low = 0;
  let high = segments.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const segment = segments[mid]!;
    if (segment.startLine <= line) {
      found = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  return found >= 0 && line < segments[found]!.startLine + segments[found]!.lineCount ? found : -1;
}

const movePosition = (p: Position, lines: number): Position => ({ line: p.line + lines, character: p.character });

/** A diagnostic moved down by `lines`, with the positions its quick fix carries. */
export function shift(d: Diagnostic, lines: number): Diagnostic {
  if (lines === 0) return d;
  const moved: Diagnostic = { ...d, range: { start: movePosition(d.range.start, lines), end: movePosition(d.range.end, lines) } };
  const data = d.data as { insert?: { at: Position }; namespaceRange?: { start: Position; end: Position } } | undefined;
  if (data?.insert || data?.namespaceRange) {
    moved.data = {
      ...data,
      insert: data.insert && { ...data.insert, at: movePosition(data.insert.at, lines) },
      namespaceRange: data.namespaceRange && { start: movePosition(data.namespaceRange.start, lines), end: movePosition(data.namespaceRange.end, lines) },
    };
  }
  return moved;
}
