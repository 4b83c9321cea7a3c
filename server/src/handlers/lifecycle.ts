import { pathToFileURL } from 'url';
import { DidChangeConfigurationNotification, TextDocumentSyncKind, type InitializeResult } from 'vscode-languageserver/node';
import type { ServerContext } from '../serverContext';
import { SERVER_COMMANDS } from './commands';

/** Initialization, settings and workspace folders. */
export function registerLifecycle(context: ServerContext): void {
  const { connection, settings, indexing, charts, store, client, closedFiles, outlet } = context;

  connection.onInitialize((params): InitializeResult => {
    const capabilities = params.capabilities.workspace;
    client.workspaceFolders = capabilities?.workspaceFolders === true;
    client.refreshCodeLenses = capabilities?.codeLens?.refreshSupport === true;
    // A client that pulls diagnostics and can be told to pull again gets them that way, the
    // workspace's included (only what changed since the results it has); others get them pushed.
    const pulls = params.capabilities.textDocument?.diagnostic !== undefined && capabilities?.diagnostics?.refreshSupport === true;
    if (pulls) outlet.usePull();
    const options = params.initializationOptions as { settings?: unknown; globalStoragePath?: string; trusted?: boolean } | undefined;
    settings.initialize(capabilities?.configuration === true, options?.settings);
    // Other editors start the server without options: a cache in the user's cache folder, and trust.
    charts.start(options?.globalStoragePath, options?.trusted ?? true);
    indexing.setFolders((params.workspaceFolders ?? []).map((f) => f.uri), params.rootUri);
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
        executeCommandProvider: { commands: [...SERVER_COMMANDS] },
        ...(pulls ? { diagnosticProvider: { identifier: 'helmRelease', interFileDependencies: true, workspaceDiagnostics: true } } : {}),
      },
      serverInfo: { name: 'flux-helmrelease', version: '0.1.0' },
    };
  });

  connection.onInitialized(() => {
    if (settings.pulled) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: ['helmRelease', 'files.exclude'] }).catch(() => undefined);
    }
    if (client.workspaceFolders) {
      connection.workspace.onDidChangeWorkspaceFolders((event) => indexing.foldersChanged(event.added.map((f) => f.uri), event.removed.map((f) => f.uri)));
    }
    void indexing.start();
    void applyScope();
  });

  /** `helmRelease.diagnostics.scope`, as set for the first workspace folder. */
  const applyScope = async () => closedFiles.setEnabled((await settings.for(indexing.folders[0] ? pathToFileURL(indexing.folders[0]).toString() : '')).diagnosticsScope === 'workspace');

  connection.onDidChangeConfiguration((change) => {
    settings.changed(change.settings);
    void (async () => {
      const open = store.uris();
      if (settings.pulled && open.length > 0) {
        const first = await settings.for(open[0]!);
        if (first.maxFileSize !== settings.maxFileSize) {
          settings.maxFileSize = first.maxFileSize;
          store.rebuildAll();
        }
      }
      // Severity, Flux version, download settings: everything may differ now.
      charts.changed();
      await applyScope();
      closedFiles.settingsChanged();
      await indexing.refresh();
    })();
  });
}
