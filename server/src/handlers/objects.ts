import type { Connection } from 'vscode-languageserver/node';
import type { DocumentStore } from '../documentStore';
import { guardWith } from '../guarded';
import { ObjectsRequest } from '../protocol';
import { manifestObjects } from '../service/features/objects';

/** The Kubernetes objects of an open document, for the extension's cluster CodeLens. */
export function registerObjectsHandler(connection: Connection, store: DocumentStore): void {
  connection.onRequest(
    ObjectsRequest,
    guardWith(connection)('objects', [], (params: { uri: string }) => {
      const entry = store.get(params.uri);
      return entry ? manifestObjects(entry.model) : [];
    }),
  );
}
