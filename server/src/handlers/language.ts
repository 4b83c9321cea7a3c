import { codeActions } from '../service/features/codeActions';
import { completion, documentSymbols, hover } from '../service/languageService';
import { completeReferenceNames, hoverReference } from '../service/workspace/navigation';
import type { ServerContext } from '../serverContext';

/** Completion, hover, quick fixes and the outline. */
export function registerLanguage(context: ServerContext): void {
  const { connection, guarded, store, settings, session, indexing, charts, diagnostics } = context;

  connection.onCompletion(
    guarded('completion', [], async (params) => {
      const uri = params.textDocument.uri;
      const entry = store.get(uri);
      if (!entry) return [];
      const current = await settings.for(uri);
      // Completions insert YAML; a JSON manifest gets checks, hover and navigation only.
      if (!current.completion || entry.text.languageId === 'json') return [];
      // Candidates come from the other objects of the workspace; the cursor's context from the editor's text.
      const names = session.ready ? completeReferenceNames(session.index, uri, entry.model, params.position, { folders: indexing.folders }) : [];
      return names.length > 0 ? names : completion(entry.model, params.position, current, { uri, ...charts.context });
    }),
  );

  connection.onHover(
    guarded('hover', null, async (params) => {
      const uri = params.textDocument.uri;
      const entry = store.get(uri);
      if (!entry) return null;
      const current = await settings.for(uri);
      if (!current.hover) return null;
      diagnostics.flushAll();
      return (session.ready ? hoverReference(session.index, uri, params.position, { folders: indexing.folders }) : null) ?? hover(entry.model, params.position, current, { uri, ...charts.context });
    }),
  );

  connection.onCodeAction(
    guarded('code actions', [], (params) => {
      const entry = store.get(params.textDocument.uri);
      // Quick fixes edit YAML; they are not offered in a JSON manifest.
      return entry && entry.text.languageId !== 'json' ? codeActions(entry.model, params.textDocument.uri, params.range, params.context.diagnostics) : [];
    }),
  );

  connection.onDocumentSymbol(
    guarded('symbols', [], (params) => {
      const entry = store.get(params.textDocument.uri);
      return entry ? documentSymbols(entry.model) : [];
    }),
  );
}
