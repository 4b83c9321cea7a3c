import { CodeLens, EventEmitter, Range, type CodeLensProvider, type Event, type TextDocument } from 'vscode';
import type { ManifestObject } from '../../../server/src/protocol';
import { lensTargets } from './lensTargets';
import type { ClusterSession } from './session';

/** The objects of an open document as the language server reads them; [] when it cannot answer. */
export type ObjectsOf = (document: TextDocument) => Promise<ManifestObject[]>;

/** State and actions above each Flux object in the editor that exists on the cluster; live. */
export class ClusterCodeLens implements CodeLensProvider {
  private readonly changed = new EventEmitter<void>();
  readonly onDidChangeCodeLenses: Event<void> = this.changed.event;

  constructor(
    private readonly session: ClusterSession,
    private readonly objectsOf: ObjectsOf,
  ) {
    session.onDidChange(() => this.changed.fire());
  }

  async provideCodeLenses(document: TextDocument): Promise<CodeLens[]> {
    if (!this.session.cache) return [];
    const objects = await this.objectsOf(document);
    // The cache may have gone (another context) while the server answered.
    const cache = this.session.cache;
    if (!cache) return [];
    return lensTargets(objects, cache).map((target) => {
      const range = new Range(target.line, 0, target.line, 0);
      return new CodeLens(range, { title: target.title, command: target.command, arguments: [target.ref] });
    });
  }
}
