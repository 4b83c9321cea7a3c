import { ErrorCodes, ResponseError } from 'vscode-languageserver/node';
import { definition, documentLinks, prepareRename, references, rename } from '../service/workspace/navigation';
import type { ServerContext } from '../serverContext';

/** Definition, references, rename and links across the workspace, once it is indexed. */
export function registerNavigation(context: ServerContext): void {
  const { connection, guarded, session, diagnostics } = context;
  /** The index with every open editor's latest text, or undefined while the workspace is being indexed. */
  const index = () => {
    diagnostics.flushAll();
    return session.ready ? session.index : undefined;
  };

  connection.onDefinition(guarded('definition', [], (params) => {
    const current = index();
    return current ? definition(current, params.textDocument.uri, params.position) : [];
  }));

  connection.onReferences(guarded('references', [], (params) => {
    const current = index();
    return current ? references(current, params.textDocument.uri, params.position, params.context.includeDeclaration) : [];
  }));

  connection.onPrepareRename(guarded('prepare rename', null, (params) => {
    const current = index();
    return current ? prepareRename(current, params.textDocument.uri, params.position) : null;
  }));

  connection.onRenameRequest(
    guarded('rename', null, (params) => {
      const current = index();
      if (!current) return null;
      const result = rename(current, params.textDocument.uri, params.position, params.newName);
      if ('error' in result) throw new ResponseError(ErrorCodes.InvalidRequest, result.error);
      return result;
    }, true),
  );

  connection.onDocumentLinks(guarded('document links', [], (params) => {
    const current = index();
    return current ? documentLinks(current, params.textDocument.uri) : [];
  }));
}
