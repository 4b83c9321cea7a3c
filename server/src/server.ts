import {
  createConnection,
  DidChangeConfigurationNotification,
  ProposedFeatures,
  TextDocumentSyncKind,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { readFile } from 'fs/promises';
import { fileURLToPath, pathToFileURL } from 'url';
import { DocumentStore } from './documentStore';
import { completion, documentSymbols, fileDiagnostics, hover } from './service/languageService';
import { codeActions } from './service/features/codeActions';
import { KustomizePatches } from './node/kustomizePatches';
import { collectFiles } from './node/files';
import { workspaceMigration } from './node/workspaceMigration';
import { decode } from './cli/check';
import { defaultSettings, normalizeSettings, type Settings } from './service/settings';

const connection: Connection = createConnection(ProposedFeatures.all);
let canPullConfiguration = false;
let globalSettings: Settings = defaultSettings;
const settingsByUri = new Map<string, Promise<Settings>>();
const store = new DocumentStore(() => globalSettings.maxFileSize);
const patches = new KustomizePatches();
let workspaceFolders: string[] = [];

export const MIGRATE_WORKSPACE_COMMAND = 'helmRelease.migrateWorkspace';

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
function guarded<A extends unknown[], R>(name: string, fallback: R, handler: (...args: A) => R | Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await handler(...args);
    } catch (error) {
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
  const options = params.initializationOptions as { settings?: unknown } | undefined;
  if (options?.settings) globalSettings = normalizeSettings(options.settings);
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
      executeCommandProvider: { commands: [MIGRATE_WORKSPACE_COMMAND] },
    },
    serverInfo: { name: 'flux-helmrelease', version: '0.1.0' },
  };
});

connection.onInitialized(() => {
  if (canPullConfiguration) {
    void connection.client.register(DidChangeConfigurationNotification.type, { section: 'helmRelease' }).catch(() => undefined);
  }
});

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
  for (const uri of store.uris()) scheduleDiagnostics(uri);
}

// Diagnostics are computed once per burst of edits: each change schedules, the next turn computes.
const scheduled = new Set<string>();
function scheduleDiagnostics(uri: string): void {
  if (scheduled.has(uri)) return;
  scheduled.add(uri);
  setImmediate(() => {
    scheduled.delete(uri);
    void publishDiagnostics(uri);
  });
}

const publishDiagnostics = guarded('diagnostics', undefined, async (uri: string) => {
  const settings = await settingsFor(uri);
  const entry = store.get(uri);
  if (!entry) return;
  const version = entry.text.version;
  const diagnostics = fileDiagnostics(entry.model, settings, { isPatch: isPatch(uri) });
  await connection.sendDiagnostics({ uri, version, diagnostics });
});

connection.onDidOpenTextDocument(
  guarded('open', undefined, (params) => {
    const { uri, languageId, version, text } = params.textDocument;
    store.open(uri, languageId, version, text);
    scheduleDiagnostics(uri);
  }),
);

connection.onDidChangeTextDocument(
  guarded('change', undefined, (params) => {
    if (store.change(params.textDocument.uri, params.textDocument.version, params.contentChanges)) {
      scheduleDiagnostics(params.textDocument.uri);
    }
  }),
);

connection.onDidCloseTextDocument(
  guarded('close', undefined, (params) => {
    store.close(params.textDocument.uri);
    settingsByUri.delete(params.textDocument.uri);
    void connection.sendDiagnostics({ uri: params.textDocument.uri, diagnostics: [] });
  }),
);

connection.onCompletion(
  guarded('completion', [], async (params) => {
    const entry = store.get(params.textDocument.uri);
    if (!entry) return [];
    return completion(entry.model, params.position, await settingsFor(params.textDocument.uri));
  }),
);

connection.onHover(
  guarded('hover', null, async (params) => {
    const entry = store.get(params.textDocument.uri);
    if (!entry) return null;
    return hover(entry.model, params.position, await settingsFor(params.textDocument.uri));
  }),
);

connection.onCodeAction(
  guarded('code actions', [], (params) => {
    const entry = store.get(params.textDocument.uri);
    return entry ? codeActions(entry.model, params.textDocument.uri, params.range, params.context.diagnostics) : [];
  }),
);

// A kustomization changed: which files are patches may have changed too.
connection.onDidChangeWatchedFiles(
  guarded('watched files', undefined, (params) => {
    if (params.changes.some((c) => /(^|\/)(kustomization\.ya?ml|Kustomization)$/.test(c.uri))) {
      patches.invalidate();
      for (const uri of store.uris()) scheduleDiagnostics(uri);
    }
  }),
);

connection.onExecuteCommand(
  guarded('command', undefined, async (params) => {
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
