import type { Connection } from 'vscode-languageserver/node';
import type { RequestType } from 'vscode-languageserver-protocol';
import type { DocumentStore } from '../documentStore';
import { guardWith } from '../guarded';
import { ObjectsRequest } from '../protocol';
import { manifestObjects } from '../service/features/objects';

/** The Kubernetes objects of an open document, for the extension's cluster CodeLens. */
export function registerObjectsHandler(connection: Connection, store: DocumentStore): void {
  onTypedRequest(
    connection,
    ObjectsRequest,
    guardWith(connection)('objects', [], (params) => {
      const entry = store.get(params.uri);
      return entry ? manifestObjects(entry.model) : [];
    }),
  );
}

/**
 * Registers a handler typed by a request type of protocol.ts, by its method name: vscode-languageserver
 * bundles its own copy of the protocol library, whose type objects TypeScript does not take for ours.
 */
function onTypedRequest<P, R>(connection: Connection, type: RequestType<P, R, void>, handler: (params: P) => Promise<R>): void {
  connection.onRequest(type.method, (params: P) => handler(params));
}
