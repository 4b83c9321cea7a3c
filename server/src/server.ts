import {
  createConnection,
  DidChangeConfigurationNotification,
  ErrorCodes,
  ResponseError,
  ProposedFeatures,
  CodeLensRefreshRequest,
  TextDocumentSyncKind,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { readFile } from 'fs/promises';
import { fileURLToPath, pathToFileURL } from 'url';
import { DocumentStore } from './documentStore';
import { completion, diagnosticsPass, documentSymbols, hover } from './service/languageService';
import { releaseReference } from './service/features/fileDiagnostics';
import { excessiveAliasing } from './service/validation/aliases';
import { DiagnosticsScheduler } from './diagnosticsScheduler';
import { watchIncomingMessages } from './incomingMessages';
import { codeActions } from './service/features/codeActions';
import { KustomizePatches } from './node/kustomizePatches';
import { LocalCharts } from './node/localCharts';
import { RemoteChartLookup, type RepositoryInfo } from './node/remoteChartLookup';
import { RemoteChartCache } from './node/remoteCharts';
import { homedir } from 'os';
import * as path from 'path';
import { configMapData } from './node/configMapContent';
import { ObjectView } from './service/model/objectView';
import type { DocumentAnalysis } from './service/model/documentAnalysis';
import { chartReferenceOf, ociArtifact, ociRepositoryChart, valuesSources, type ChartReference, type ValuesFromContent } from './service/values/chartValues';
import { ChartBaselines } from './service/values/removedValues';
import { effectiveValues, renderEffectiveValues } from './service/values/effectiveValues';
import { CREDENTIALS_NEEDED, EFFECTIVE_VALUES_REQUEST, INDEX_STATUS, REGISTRY_CREDENTIALS, TRUST_GRANTED, type CredentialsNeeded, type EffectiveValuesResult, type RegistryCredential } from './protocol';
import { RegistryCredentials } from './node/registryCredentials';
import { SEAL_KEY_ENV, unseal } from './sealed';
import { collectFiles } from './node/files';
import { workspaceMigration } from './node/workspaceMigration';
import { decode } from './cli/check';
import { WorkspaceSession } from './workspaceSession';
import { completeReferenceNames, definition, documentLinks, hoverReference, prepareRename, references, rename } from './service/workspace/navigation';
import { defaultSettings, normalizeSettings, type Settings } from './service/settings';

const connection: Connection = createConnection(ProposedFeatures.all);
let canPullConfiguration = false;
let canRefreshCodeLenses = false;
let supportsWorkspaceFolders = false;
let globalSettings: Settings = defaultSettings;
const settingsByUri = new Map<string, Promise<Settings>>();
const store = new DocumentStore(() => globalSettings.maxFileSize);
const patches = new KustomizePatches();
const charts = new LocalCharts(() => workspaceFolders);
/** For each open HelmRelease, the chart version it resolved to first, to compare values after a version change. */
const baselines = new ChartBaselines();
/** Remote charts need a cache folder (the extension's global storage) and a trusted workspace. */
let remoteCharts: RemoteChartLookup | undefined;
let remoteCache: RemoteChartCache | undefined;
let workspaceTrusted = false;
/** Credentials from the user's Helm/Docker config files, and those entered in the editor. */
const registryCredentials = new RegistryCredentials();
/** The key the extension seals entered credentials with; taken out of the environment so that no child process inherits it. */
const sealKey = process.env[SEAL_KEY_ENV];
delete process.env[SEAL_KEY_ENV];
/** Repositories the user has been told need credentials, so that each is mentioned once. */
const refusedReported = new Set<string>();

/** The HelmRepository a release's chart comes from, as the workspace defines it. */
function repositoryOf(ref: ChartReference): RepositoryInfo | undefined {
  if (!session.ready || ref.sourceKind !== 'HelmRepository' || !ref.sourceName) return undefined;
  const namespace = ref.sourceNamespace ?? session.index.namespaceOfFile(ref.uri);
  const repository = session.index.find('HelmRepository', ref.sourceName, namespace);
  const url = repository?.summary.find(([label]) => label === 'url')?.[1];
  return url ? { url, insecure: repository?.summary.some(([label, value]) => label === 'insecure' && value === 'true') } : undefined;
}

const chartLookup = (ref: ChartReference) => charts.lookup(ref) ?? (ref.chartRef ? chartRefLookup(ref) : remoteCharts?.lookup(ref, repositoryOf(ref)));

/** A chart from the OCIRepository a release's `chartRef` names, through the same registry cache. */
function chartRefLookup(ref: ChartReference): ReturnType<LocalCharts['lookup']> {
  if (!session.ready || ref.chartRef?.kind !== 'OCIRepository') return undefined;
  const namespace = ref.chartRef.namespace ?? session.index.namespaceOfFile(ref.uri);
  const source = session.index.find('OCIRepository', ref.chartRef.name, namespace);
  const field = (label: string) => source?.summary.find(([l]) => l === label)?.[1];
  const url = field('url');
  const target = url ? ociRepositoryChart(url, { semver: field('semver'), tag: field('tag') }) : undefined;
  if (!target) return undefined;
  return remoteCharts?.lookup({ ...ref, sourceKind: 'HelmRepository', chart: target.chart, version: target.version, chartRef: undefined }, { url: target.repository, insecure: field('insecure') === 'true' });
}
/** Published versions of a release's chart, from the cached repository index; a stale index is read again in the background. */
const versionLookup = (ref: ChartReference) => remoteCharts?.versions(repositoryOf(ref), ref.chart);
/** The tags of an OCIRepository's artifact (`oci://host/path/name`), from the cached tag list. */
const artifactVersionLookup = (url: string, insecure: boolean) => {
  const artifact = ociArtifact(url);
  return artifact ? remoteCharts?.versions({ url: artifact.repository, insecure }, artifact.chart) : undefined;
};
const chartNameLookup = (ref: ChartReference) => (ref.sourceKind === 'HelmRepository' ? remoteCharts?.chartNames(repositoryOf(ref)) : undefined);
/** How features find charts and their versions. */
const chartContext = { charts: chartLookup, versions: versionLookup, artifactVersions: artifactVersionLookup, chartNames: chartNameLookup };
let workspaceFolders: string[] = [];

/** Files of a chart directory whose change can change the values a chart gives. */
const CHART_FILE = /(^|\/)(Chart\.ya?ml|values[^/]*\.ya?ml|requirements\.ya?ml)$/;

export const MIGRATE_WORKSPACE_COMMAND = 'helmRelease.migrateWorkspace';
export const CLEAR_CHART_CACHE_COMMAND = 'helmRelease.clearChartCache';
export const REFRESH_CHARTS_COMMAND = 'helmRelease.refreshCharts';

/** Changes whenever chart lookups may answer differently; diagnostics that used a chart are then computed again. */
let chartGeneration = 0;

function chartsChanged(): void {
  chartGeneration++;
  scheduleAll();
}

function scheduleAll(): void {
  for (const uri of store.uris()) scheduleDiagnostics(uri);
}

/**
 * Gives the index the latest text of an open document. Edits only mark the document; the index is
 * brought up to date by the next diagnostics pass or request that needs it, not on every keystroke.
 */
function flushIndex(uri: string): void {
  const entry = store.get(uri);
  if (!entry?.indexDirty) return;
  entry.indexDirty = false;
  const before = session.index.revision;
  session.updateOpen(uri, entry.model);
  // Other open documents need a pass only when something they may refer to changed.
  if (session.index.revision !== before) for (const other of store.uris()) if (other !== uri) scheduleDiagnostics(other);
}

/** Before a request that reads the index: every open document's latest text in it. */
function flushAll(): void {
  for (const uri of store.uris()) flushIndex(uri);
}

const session = new WorkspaceSession({
  changed: () => scheduleAll(),
  status: (status) => void connection.sendNotification(INDEX_STATUS, status),
  log: (message) => connection.console.info(message),
  isOpen: (uri) => store.get(uri) !== undefined,
});

function filePath(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}

function isPatch(uri: string): boolean {
  const file = filePath(uri);
  return file !== undefined && patches.isPatch(file);
}

/** Runs a request handler; an exception is logged and answered with `fallback`, never sent to the client as a failure. */
function guarded<A extends unknown[], R>(name: string, fallback: R, handler: (...args: A) => R | Promise<R>, passResponseErrors = false): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await handler(...args);
    } catch (error) {
      // A ResponseError is a message for the user (e.g. why a rename is refused), not a failure.
      if (passResponseErrors && error instanceof ResponseError) throw error;
      connection.console.error(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return fallback;
    }
  };
}

function settingsFor(uri: string): Promise<Settings> {
  if (!canPullConfiguration) return Promise.resolve(globalSettings);
  const cached = settingsByUri.get(uri);
  if (cached) return cached;
  const pending: Promise<Settings> = connection.workspace
    .getConfiguration({ scopeUri: uri, section: 'helmRelease' })
    .then(normalizeSettings, () => defaultSettings);
  settingsByUri.set(uri, pending);
  return pending;
}

connection.onInitialize((params): InitializeResult => {
  canPullConfiguration = params.capabilities.workspace?.configuration === true;
  supportsWorkspaceFolders = params.capabilities.workspace?.workspaceFolders === true;
  canRefreshCodeLenses = params.capabilities.workspace?.codeLens?.refreshSupport === true;
  const options = params.initializationOptions as { settings?: unknown; globalStoragePath?: string; trusted?: boolean } | undefined;
  if (options?.settings) globalSettings = normalizeSettings(options.settings);
  // Other editors start the server without options: a cache in the user's cache folder, and trust.
  workspaceTrusted = options?.trusted ?? true;
  const cacheRoot = options?.globalStoragePath ? path.join(options.globalStoragePath, 'charts') : path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'flux-helmrelease', 'charts');
  remoteCache = new RemoteChartCache(cacheRoot);
  remoteCharts = new RemoteChartLookup(remoteCache, charts, {
    allowDownload: () => workspaceTrusted,
    onChanged: () => {
      chartsChanged();
      // The line above each HelmRelease names its chart, or why there is none.
      if (canRefreshCodeLenses) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
    },
    log: (message) => connection.console.info(message),
    onRefused: (url, status) => {
      if (refusedReported.has(url)) return;
      refusedReported.add(url);
      void connection.sendNotification(CREDENTIALS_NEEDED, { url, status } satisfies CredentialsNeeded);
    },
  }, registryCredentials);
  workspaceFolders = (params.workspaceFolders ?? []).map((f) => filePath(f.uri)).filter((p): p is string => p !== undefined);
  if (workspaceFolders.length === 0 && params.rootUri) {
    const root = filePath(params.rootUri);
    if (root) workspaceFolders = [root];
  }
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      completionProvider: { triggerCharacters: [' ', ':'] },
      hoverProvider: true,
      documentSymbolProvider: true,
      codeActionProvider: { codeActionKinds: ['quickfix'] },
      definitionProvider: true,
      referencesProvider: true,
      renameProvider: { prepareProvider: true },
      documentLinkProvider: { resolveProvider: false },
      codeLensProvider: { resolveProvider: false },
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      executeCommandProvider: { commands: [MIGRATE_WORKSPACE_COMMAND, CLEAR_CHART_CACHE_COMMAND, REFRESH_CHARTS_COMMAND] },
    },
    serverInfo: { name: 'flux-helmrelease', version: '0.1.0' },
  };
});

connection.onInitialized(() => {
  if (canPullConfiguration) {
    void connection.client.register(DidChangeConfigurationNotification.type, { section: ['helmRelease', 'files.exclude'] }).catch(() => undefined);
  }
  if (supportsWorkspaceFolders) {
    connection.workspace.onDidChangeWorkspaceFolders((event) => {
      const removed = new Set(event.removed.map((f) => filePath(f.uri)));
      workspaceFolders = [...workspaceFolders.filter((f) => !removed.has(f)), ...event.added.map((f) => filePath(f.uri)).filter((p): p is string => p !== undefined)];
      void startIndexing();
    });
  }
  void startIndexing();
});

/** What the current index was built from; a change of folders or excludes re-indexes. */
let indexedWith = '';

/** Indexes the workspace folders in the background; cross-file checks start when it is done. */
async function startIndexing(): Promise<void> {
  try {
    const scope = workspaceFolders[0] ? pathToFileURL(workspaceFolders[0]).toString() : '';
    const settings = await settingsFor(scope);
    let filesExclude: string[] = [];
    if (canPullConfiguration) {
      const raw = (await connection.workspace.getConfiguration({ scopeUri: scope, section: 'files.exclude' }).catch(() => null)) as Record<string, unknown> | null;
      filesExclude = Object.entries(raw ?? {}).filter(([, on]) => on === true).map(([glob]) => glob);
    }
    indexedWith = JSON.stringify([workspaceFolders, filesExclude, settings.exclude]);
    await session.start(workspaceFolders, [...filesExclude, ...settings.exclude], settings.maxFileSize);
  } catch (error) {
    connection.console.error(`Indexing the workspace failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}

connection.onDidChangeConfiguration((change) => {
  settingsByUri.clear();
  if (!canPullConfiguration) {
    const raw = (change.settings as { helmRelease?: unknown } | null)?.helmRelease;
    if (raw) globalSettings = normalizeSettings(raw);
  }
  void refreshAll();
});

async function refreshAll(): Promise<void> {
  if (canPullConfiguration && store.uris().length > 0) {
    const first = await settingsFor(store.uris()[0]!);
    if (first.maxFileSize !== globalSettings.maxFileSize) {
      globalSettings = { ...globalSettings, maxFileSize: first.maxFileSize };
      store.rebuildAll();
    }
  }
  chartsChanged();
  const scope = workspaceFolders[0] ? pathToFileURL(workspaceFolders[0]).toString() : '';
  const settings = await settingsFor(scope);
  const raw = canPullConfiguration ? ((await connection.workspace.getConfiguration({ scopeUri: scope, section: 'files.exclude' }).catch(() => null)) as Record<string, unknown> | null) : null;
  const filesExclude = Object.entries(raw ?? {}).filter(([, on]) => on === true).map(([glob]) => glob);
  if (JSON.stringify([workspaceFolders, filesExclude, settings.exclude]) !== indexedWith) void startIndexing();
}

const scheduler = new DiagnosticsScheduler(createPass, (message) => connection.console.error(message), watchIncomingMessages());

function scheduleDiagnostics(uri: string): void {
  scheduler.schedule(uri);
}

/** A diagnostics pass over an open document; it publishes when done, unless a newer edit stopped it. */
async function createPass(uri: string): Promise<Generator<boolean | void, void> | undefined> {
  const settings = await settingsFor(uri);
  const entry = store.get(uri);
  if (!entry) return undefined;
  return (function* () {
    // Requests that came with the edit go first.
    yield true;
    const version = entry.text.version;
    const result = yield* diagnosticsPass(entry.model, settings, {
      isPatch: isPatch(uri),
      uri,
      ...chartContext,
      baselineChart: (ref, current) => baselines.baselineOf(uri, ref.release ?? '', current),
      valuesFrom: ({ kind, name, valuesKey }) => valuesFromContent(uri, undefined)?.({ kind, name, valuesKey }),
      index: session.ready ? session.index : undefined,
      // The index catches up with every open editor before references are checked.
      syncIndex: flushAll,
      chartGeneration,
    }, entry.diagnostics);
    // The edited document is published on every edit, for its new version; others only when their problems changed.
    if (!result.changed && entry.publishedVersion === version) return;
    entry.publishedVersion = version;
    void connection.sendDiagnostics({ uri, version, diagnostics: result.diagnostics });
  })();
}

connection.onDidOpenTextDocument(
  guarded('open', undefined, (params) => {
    const { uri, languageId, version, text } = params.textDocument;
    store.open(uri, languageId, version, text);
    scheduleDiagnostics(uri);
  }),
);

connection.onDidChangeTextDocument(
  guarded('change', undefined, (params) => {
    const uri = params.textDocument.uri;
    if (store.change(uri, params.textDocument.version, params.contentChanges)) scheduleDiagnostics(uri);
  }),
);

connection.onDidCloseTextDocument(
  guarded('close', undefined, (params) => {
    const uri = params.textDocument.uri;
    scheduler.cancel(uri);
    store.close(uri);
    baselines.forget(uri);
    settingsByUri.delete(uri);
    void connection.sendDiagnostics({ uri, diagnostics: [] });
    void session.closed(uri, globalSettings.maxFileSize);
  }),
);

connection.onCompletion(
  guarded('completion', [], async (params) => {
    const entry = store.get(params.textDocument.uri);
    if (!entry) return [];
    const settings = await settingsFor(params.textDocument.uri);
    if (!settings.completion) return [];
    // Candidates come from the other objects of the workspace; the cursor's context from the editor's text.
    const names = session.ready ? completeReferenceNames(session.index, params.textDocument.uri, entry.model, params.position, { folders: workspaceFolders }) : [];
    return names.length > 0 ? names : completion(entry.model, params.position, settings, { uri: params.textDocument.uri, ...chartContext });
  }),
);

connection.onHover(
  guarded('hover', null, async (params) => {
    const entry = store.get(params.textDocument.uri);
    if (!entry) return null;
    const settings = await settingsFor(params.textDocument.uri);
    if (!settings.hover) return null;
    flushAll();
    return (session.ready ? hoverReference(session.index, params.textDocument.uri, params.position, { folders: workspaceFolders }) : null) ?? hover(entry.model, params.position, settings, { uri: params.textDocument.uri, ...chartContext });
  }),
);

connection.onCodeAction(
  guarded('code actions', [], (params) => {
    const entry = store.get(params.textDocument.uri);
    return entry ? codeActions(entry.model, params.textDocument.uri, params.range, params.context.diagnostics) : [];
  }),
);

// Files changed on disk: the index follows; a changed kustomization may also change which files are patches.
connection.onDidChangeWatchedFiles(
  guarded('watched files', undefined, async (params) => {
    if (params.changes.some((c) => /(^|\/)(kustomization\.ya?ml|Kustomization)$/.test(c.uri))) {
      patches.invalidate();
      scheduleAll();
    }
    // A chart in the workspace may have changed (its Chart.yaml, values, schema or packaged files).
    if (params.changes.some((c) => CHART_FILE.test(c.uri) || !/\.ya?ml$/.test(c.uri))) chartsChanged();
    await session.filesChanged(params.changes, globalSettings.maxFileSize);
  }),
);

/**
 * The content of a `valuesFrom` ConfigMap of a HelmRelease, found through the workspace index (open
 * editor text first). ConfigMaps are read from the release's namespace, as Flux does.
 */
function valuesFromContent(uri: string, writtenNamespace: string | undefined): ValuesFromContent | undefined {
  if (!session.ready) return undefined;
  const namespace = writtenNamespace ?? session.index.namespaceOfFile(uri);
  return ({ kind, name, valuesKey }) => {
    if (kind !== 'ConfigMap') return undefined;
    const target = session.index.find('ConfigMap', name, namespace);
    return target ? configMapData(target, valuesKey, (u) => store.get(u)?.text.getText()) : undefined;
  };
}

/** `helmRelease/effectiveValues`: the values Flux would pass to Helm for the HelmRelease at a position. */
connection.onRequest(
  EFFECTIVE_VALUES_REQUEST,
  guarded('effective values', { error: 'The effective values could not be computed.' } as EffectiveValuesResult, (params: { uri: string; position: { line: number; character: number } }): EffectiveValuesResult => {
    flushAll();
    const entry = store.get(params.uri);
    const segment = entry?.model.segmentAt(params.position.line);
    const doc = segment?.analysis.parsed.doc;
    if (!segment || !doc || segment.analysis.identity?.kind !== 'HelmRelease') return { error: 'Place the cursor in a HelmRelease.' };
    if (excessiveAliasing(segment.analysis)) return { error: 'This HelmRelease has excessive aliasing (an alias bomb): its values are not expanded.' };
    const view = new ObjectView(doc);
    const name = view.string(['metadata', 'name']) ?? 'release';
    const chart = chartLookup(chartReferenceOf(doc, params.uri));
    const namespace = view.string(['metadata', 'namespace']);
    const sources = valuesSources(doc, valuesFromContent(params.uri, namespace));
    const result = effectiveValues(chart?.defaults ?? {}, sources, view.field(['spec', 'values'])?.value?.toJSON() ?? {}, chart?.chart ?? 'unknown');
    const header = [
      `Effective values of HelmRelease ${name}: what Flux passes to Helm.`,
      chart ? `Chart ${chart.chart}${chart.version ? ` ${chart.version}` : ''} (${chart.origin}).` : 'Chart not available here: its defaults are not included.',
      'Order: chart defaults, valuesFrom in order, spec.values, then valuesFrom entries with targetPath.',
    ];
    return { title: `${name}.effective-values.yaml`, text: renderEffectiveValues(result, header) };
  }),
);

// The user trusted the workspace: charts may now be downloaded.
connection.onNotification(REGISTRY_CREDENTIALS, (params: { sealed?: unknown }) => {
  const credentials = sealKey && typeof params?.sealed === 'string' ? unseal(sealKey, params.sealed) : undefined;
  if (!Array.isArray(credentials)) {
    connection.console.warn('Registry credentials from the editor could not be read; ignored.');
    return;
  }
  registryCredentials.setEntered(credentials as RegistryCredential[]);
  // Charts refused before may be readable now: try them again at once.
  refusedReported.clear();
  remoteCharts?.resetFailures();
  chartsChanged();
});

connection.onNotification(TRUST_GRANTED, () => {
  workspaceTrusted = true;
  chartsChanged();
});

/** The chart lens title of each HelmRelease, kept per document text while charts and its sources stay the same. */
const lensTitles = new WeakMap<DocumentAnalysis, { key: string; title: string | undefined }>();

function chartLensTitle(analysis: DocumentAnalysis, uri: string): string | undefined {
  const ref = releaseReference(analysis, uri);
  if (!ref) return undefined;
  const index = session.ready ? `${session.index.structureRevision}:${session.index.revisionOf(ref.sourceName ?? '')}:${session.index.revisionOf(ref.chartRef?.name ?? '')}` : 'no index';
  const key = `${uri}|${chartGeneration}|${workspaceTrusted}|${index}`;
  const known = lensTitles.get(analysis);
  if (known?.key === key) return known.title;
  const chart = chartLookup(ref);
  const repository = ref.sourceKind === 'HelmRepository' ? repositoryOf(ref) : undefined;
  const problem = repository && ref.chart ? remoteCharts?.problemOf(repository.url, ref.chart) : undefined;
  const title = chart
    ? `Chart ${chart.chart}${chart.version ? ` ${chart.version}` : ''} · ${chart.origin}`
    : problem
      ? `Chart not available: ${problem}`
      : repository
        ? workspaceTrusted
          ? 'Chart: fetching…'
          : 'Chart not downloaded: the workspace is not trusted or helmRelease.charts.download is off'
        : undefined;
  lensTitles.set(analysis, { key, title });
  return title;
}

/** The line of a document's first key, where its heading lenses go (read once per document text). */
function firstKeyLine(analysis: DocumentAnalysis): number {
  return analysis.cached('first-key-line', () => {
    const start = analysis.parsed.doc?.contents?.range?.[0] ?? analysis.identity?.kindRange[0] ?? 0;
    return analysis.lines.positionAt(start).line;
  });
}

// A line above each HelmRelease: the chart it resolves to, the version and where it came from.
connection.onCodeLens(
  guarded('code lens', [], (params) => {
    const uri = params.textDocument.uri;
    const entry = store.get(uri);
    if (!entry) return [];
    flushIndex(uri);
    const lenses = [];
    for (const segment of entry.model.segments) {
      if (segment.analysis.identity?.kind !== 'HelmRelease') continue;
      const title = chartLensTitle(segment.analysis, uri);
      if (!title) continue;
      // Above the object's first key, so that it reads as the object's heading.
      const line = segment.startLine + firstKeyLine(segment.analysis);
      const range = { start: { line, character: 0 }, end: { line, character: 0 } };
      lenses.push({ range, command: { title, command: 'helmRelease.showEffectiveValues', arguments: [uri, { line, character: 0 }] } });
    }
    return lenses;
  }),
);

connection.onDefinition(guarded('definition', [], (params) => (flushAll(), session.ready ? definition(session.index, params.textDocument.uri, params.position) : [])));

connection.onReferences(
  guarded('references', [], (params) => (flushAll(), session.ready ? references(session.index, params.textDocument.uri, params.position, params.context.includeDeclaration) : [])),
);

connection.onPrepareRename(guarded('prepare rename', null, (params) => (flushAll(), session.ready ? prepareRename(session.index, params.textDocument.uri, params.position) : null)));

connection.onRenameRequest(
  guarded('rename', null, (params) => {
    flushAll();
    if (!session.ready) return null;
    const result = rename(session.index, params.textDocument.uri, params.position, params.newName);
    if ('error' in result) throw new ResponseError(ErrorCodes.InvalidRequest, result.error);
    return result;
  }, true),
);

connection.onDocumentLinks(guarded('document links', [], (params) => (flushAll(), session.ready ? documentLinks(session.index, params.textDocument.uri) : [])));

connection.onExecuteCommand(
  guarded('command', undefined, async (params) => {
    if (params.command === REFRESH_CHARTS_COMMAND) {
      // New versions may have been published: read every repository index again on next use.
      remoteCache?.forgetIndexes();
      remoteCharts?.resetFailures();
      chartsChanged();
      return undefined;
    }
    if (params.command === CLEAR_CHART_CACHE_COMMAND) {
      remoteCache?.clear();
      chartsChanged();
      void connection.window.showInformationMessage('The chart cache is cleared; charts are fetched again when needed.');
      return undefined;
    }
    if (params.command !== MIGRATE_WORKSPACE_COMMAND) return undefined;
    const { files } = await collectFiles(workspaceFolders);
    const sources = await Promise.all(
      files.map(async (file) => {
        const uri = pathToFileURL(file).toString();
        const open = store.get(uri);
        if (open) return { uri, text: open.text.getText(), version: open.text.version };
        try {
          return { uri, text: decode(await readFile(file)).text, version: null };
        } catch {
          return undefined;
        }
      }),
    );
    const settings = await settingsFor(pathToFileURL(workspaceFolders[0] ?? '/').toString());
    const migration = workspaceMigration(sources.filter((s): s is NonNullable<typeof s> => s !== undefined), settings);
    if (migration.objects === 0) {
      void connection.window.showInformationMessage('Every Flux manifest in the workspace already uses an API version that Flux serves.');
      return undefined;
    }
    const result = await connection.workspace.applyEdit({ label: `Migrate ${migration.objects} Flux object(s) to served API versions`, edit: migration.edit });
    if (!result.applied && result.failureReason) void connection.window.showWarningMessage(`The migration was not applied: ${result.failureReason}`);
    return undefined;
  }),
);

connection.onDocumentSymbol(
  guarded('symbols', [], (params) => {
    const entry = store.get(params.textDocument.uri);
    return entry ? documentSymbols(entry.model) : [];
  }),
);

process.on('uncaughtException', (error) => connection.console.error(`Unexpected error: ${error.stack ?? error.message}`));
process.on('unhandledRejection', (reason) => connection.console.error(`Unexpected rejection: ${String(reason)}`));

connection.listen();
