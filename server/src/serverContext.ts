import { CodeLensRefreshRequest, type Connection } from 'vscode-languageserver/node';
import { ChartResolution } from './chartResolution';
import { ClosedFileDiagnostics } from './closedFileDiagnostics';
import { ClientDiagnostics } from './diagnosticsOutlet';
import { DiagnosticsPublisher } from './diagnosticsPublisher';
import { DocumentStore } from './documentStore';
import { guardWith, type Guard } from './guarded';
import { watchIncomingMessages } from './incomingMessages';
import { KustomizePatches } from './node/kustomizePatches';
import { CREDENTIALS_NEEDED, INDEX_STATUS, type CredentialsNeeded } from './protocol';
import { SettingsSource } from './settingsSource';
import { filePath, WorkspaceIndexing } from './workspaceIndexing';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { WorkspaceSession } from './workspaceSession';
import { ServerSubstitutions } from './substitutions';

/** What the handlers of the server share. */
export interface ServerContext {
  connection: Connection;
  guarded: Guard;
  store: DocumentStore;
  settings: SettingsSource;
  session: WorkspaceSession;
  indexing: WorkspaceIndexing;
  charts: ChartResolution;
  diagnostics: DiagnosticsPublisher;
  /** Where diagnostics go: pushed, or kept for a client that pulls them. */
  outlet: ClientDiagnostics;
  /** Problems of the files that are not open (`helmRelease.diagnostics.scope: workspace`). */
  closedFiles: ClosedFileDiagnostics;
  patches: KustomizePatches;
  /** What the client said it can do, at initialization. */
  client: { refreshCodeLenses: boolean; workspaceFolders: boolean };
}

export function createServerContext(connection: Connection): ServerContext {
  const settings = new SettingsSource(connection);
  const store = new DocumentStore(() => settings.maxFileSize);
  const patches = new KustomizePatches();
  const client = { refreshCodeLenses: false, workspaceFolders: false };
  // The session and the chart lookups tell the diagnostics when to run again; those exist just below.
  const late: { diagnostics?: DiagnosticsPublisher; closedFiles?: ClosedFileDiagnostics } = {};
  const session = new WorkspaceSession({
    changed: () => late.diagnostics?.scheduleAll(),
    indexed: () => late.closedFiles?.indexReady(),
    reloaded: (uris) => {
      for (const uri of uris) late.closedFiles?.fileChanged(uri);
      late.closedFiles?.indexChanged();
    },
    status: (status) => void connection.sendNotification(INDEX_STATUS, status),
    log: (message) => connection.console.info(message),
    isOpen: (uri) => store.get(uri) !== undefined,
  });
  const indexing = new WorkspaceIndexing(session, settings, (message) => connection.console.error(message));
  const charts = new ChartResolution(session, store, () => indexing.folders, {
    changed: () => {
      late.diagnostics?.scheduleAll();
      late.closedFiles?.indexChanged();
      // The line above each HelmRelease names its chart, or why there is none.
      if (client.refreshCodeLenses) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
    },
    log: (message) => connection.console.info(message),
    refused: (url, status) => void connection.sendNotification(CREDENTIALS_NEEDED, { url, status } satisfies CredentialsNeeded),
  });
  charts.substitutions = new ServerSubstitutions(session, store);
  const messageArrived = watchIncomingMessages();
  const outlet = new ClientDiagnostics(connection);
  const closedFiles = new ClosedFileDiagnostics(connection, outlet, store, session, settings, charts, patches, messageArrived, (uri) => {
    const file = filePath(uri);
    const folder = file && indexing.folders.find((f) => file.startsWith(f + path.sep));
    return folder ? pathToFileURL(folder).toString() : '';
  });
  const diagnostics = new DiagnosticsPublisher(outlet, (message) => connection.console.error(message), store, session, settings, charts, patches, messageArrived, () => closedFiles.indexChanged());
  Object.assign(late, { diagnostics, closedFiles });
  return { connection, guarded: guardWith(connection), store, settings, session, indexing, charts, diagnostics, outlet, closedFiles, patches, client };
}
