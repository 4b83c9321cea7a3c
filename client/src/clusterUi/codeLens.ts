import { CodeLens, EventEmitter, Range, type CodeLensProvider, type Event, type TextDocument } from 'vscode';
import type { ManifestObject } from '../../../server/src/protocol';
import { lensTargets } from './lensTargets';
import type { ClusterSessions } from './sessions';

/** The objects of an open document as the language server reads them; [] when it cannot answer. */
export type ObjectsOf = (document: TextDocument) => Promise<ManifestObject[]>;

/** State and actions above each Flux object in the editor that exists on the cluster; live. */
export class ClusterCodeLens implements CodeLensProvider {
  private readonly changed = new EventEmitter<void>();
  readonly onDidChangeCodeLenses: Event<void> = this.changed.event;

  constructor(
    private readonly sessions: ClusterSessions,
    private readonly objectsOf: ObjectsOf,
  ) {
    sessions.onDidChange(() => this.changed.fire());
  }

  /** From the cluster of the document's workspace folder (helmRelease.cluster.folderContexts), else the default one. */
  async provideCodeLenses(document: TextDocument): Promise<CodeLens[]> {
    const session = this.sessions.forUri(document.uri);
    if (!session.cache) return [];
    const objects = await this.objectsOf(document);
    // The cache may have gone (another context) while the server answered.
    const cache = session.cache;
    if (!cache) return [];
    return lensTargets(objects, cache).map((target) => {
      const range = new Range(target.line, 0, target.line, 0);
      return new CodeLens(range, { title: target.title, command: target.command, arguments: [{ ...target.ref, context: session.context }] });
    });
  }
}
