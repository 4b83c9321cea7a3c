import { DocumentDiagnosticReportKind, type DocumentDiagnosticReport, type WorkspaceDiagnosticReport } from 'vscode-languageserver/node';
import type { ServerContext } from '../serverContext';

/**
 * Diagnostics for a client that pulls them (LSP 3.17): a document's problems once its pass is done,
 * and the workspace's problems, only those that changed since the result ids the client names.
 */
export function registerPullDiagnostics(context: ServerContext): void {
  const { connection, guarded, store, diagnostics, outlet } = context;
  const empty: DocumentDiagnosticReport = { kind: DocumentDiagnosticReportKind.Full, items: [] };

  connection.languages.diagnostics.on(
    guarded('document diagnostics', empty, async (params) => {
      const pull = outlet.pull;
      if (!pull) return empty;
      const uri = params.textDocument.uri;
      // An open document is answered once the pass for its latest edit is done.
      if (store.get(uri)) await diagnostics.settled(uri);
      return pull.documentReport(uri, params.previousResultId);
    }),
  );

  const nothing: WorkspaceDiagnosticReport = { items: [] };
  connection.languages.diagnostics.onWorkspace(
    guarded('workspace diagnostics', nothing, async (params, token, _workDone, resultProgress) => {
      const pull = outlet.pull;
      if (!pull) return nothing;
      const previous = new Map(params.previousResultIds.map((item) => [item.uri, item.value]));
      const items = await pull.workspaceReport(
        previous,
        () => token.isCancellationRequested,
        (listener) => token.onCancellationRequested(listener),
        // With a partial result token, problems are streamed as they are found (the first pass over
        // the workspace fills the Problems view as it goes), and the request is held for more.
        resultProgress ? (items) => resultProgress.report({ items }) : undefined,
      );
      return { items };
    }),
  );
}
