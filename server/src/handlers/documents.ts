import type { ServerContext } from '../serverContext';

/** Files of a chart directory whose change can change the values a chart gives. */
const CHART_FILE = /(^|\/)(Chart\.ya?ml|values[^/]*\.ya?ml|requirements\.ya?ml)$/;
const KUSTOMIZATION_FILE = /(^|\/)(kustomization\.ya?ml|Kustomization)$/;

/** Open, edited and closed documents, and files changed on disk. */
export function registerDocuments(context: ServerContext): void {
  const { connection, guarded, store, diagnostics, closedFiles, session, settings, charts, patches } = context;

  connection.onDidOpenTextDocument(
    guarded('open', undefined, (params) => {
      const { uri, languageId, version, text } = params.textDocument;
      store.open(uri, languageId, version, text);
      closedFiles.opened(uri);
      diagnostics.schedule(uri);
    }),
  );

  connection.onDidChangeTextDocument(
    guarded('change', undefined, (params) => {
      const uri = params.textDocument.uri;
      if (store.change(uri, params.textDocument.version, params.contentChanges)) diagnostics.schedule(uri);
    }),
  );

  connection.onDidCloseTextDocument(
    guarded('close', undefined, (params) => {
      const uri = params.textDocument.uri;
      store.close(uri);
      diagnostics.closed(uri);
      charts.baselines.forget(uri);
      settings.forget(uri);
      // The file is what is on disk again (unless it is opened again meanwhile).
      void session.closed(uri, settings.maxFileSize);
    }),
  );

  // Files changed on disk: the index follows; a changed kustomization may also change which files are patches.
  connection.onDidChangeWatchedFiles(
    guarded('watched files', undefined, async (params) => {
      if (params.changes.some((c) => KUSTOMIZATION_FILE.test(c.uri))) {
        patches.invalidate();
        diagnostics.scheduleAll();
      }
      // A chart in the workspace may have changed (its Chart.yaml, values, schema or packaged files).
      if (params.changes.some((c) => CHART_FILE.test(c.uri) || !/\.ya?ml$/.test(c.uri))) charts.changed();
      await session.filesChanged(params.changes, settings.maxFileSize);
    }),
  );
}
