import { CodeLens, EventEmitter, Range, type CodeLensProvider, type Event, type TextDocument } from 'vscode';
import { revisionOf, sourceRevisionOf, stateOf, type KubeObject } from '../cluster';
import { isFluxKind } from './commands';
import type { ClusterSession } from './session';

const DOCUMENT_START = /^---/;

/** Each Flux object of a YAML file: its kind, name and namespace as written, and the line of its first key (the top of the object). */
export function objectsInText(text: string): Array<{ kind: string; name: string; namespace?: string; line: number }> {
  const out: Array<{ kind: string; name: string; namespace?: string; line: number }> = [];
  let current: { kind?: string; name?: string; namespace?: string; line?: number; group?: string; inMetadata: boolean } = { inMetadata: false };
  const flush = () => {
    if (current.kind && current.name && current.line !== undefined && /^(helm|source)\.toolkit\.fluxcd\.io\//.test(current.group ?? '')) out.push({ kind: current.kind, name: current.name, namespace: current.namespace, line: current.line });
  };
  text.split(/\r?\n/).forEach((line, index) => {
    if (DOCUMENT_START.test(line)) {
      flush();
      current = { inMetadata: false };
      return;
    }
    if (current.line === undefined && /^[^\s#]/.test(line)) current.line = index;
    let m: RegExpExecArray | null;
    if ((m = /^apiVersion:\s*["']?([^\s"'#]+)/.exec(line))) current.group = m[1];
    else if ((m = /^kind:\s*["']?(\w+)/.exec(line))) {
      current.kind = m[1];
    } else if (/^metadata:\s*$/.test(line)) current.inMetadata = true;
    else if (/^\S/.test(line)) current.inMetadata = false;
    else if (current.inMetadata && (m = /^ {2}(name|namespace):\s*["']?([^\s"'#]+)/.exec(line))) {
      if (m[1] === 'name') current.name = m[2];
      else current.namespace = m[2];
    }
  });
  flush();
  return out;
}

/** State and actions above each Flux object in the editor that exists on the cluster; live. */
export class ClusterCodeLens implements CodeLensProvider {
  private readonly changed = new EventEmitter<void>();
  readonly onDidChangeCodeLenses: Event<void> = this.changed.event;

  constructor(private readonly session: ClusterSession) {
    session.onDidChange(() => this.changed.fire());
  }

  provideCodeLenses(document: TextDocument): CodeLens[] {
    const cache = this.session.cache;
    if (!cache) return [];
    const lenses: CodeLens[] = [];
    for (const written of objectsInText(document.getText())) {
      if (!isFluxKind(written.kind)) continue;
      // Without metadata.namespace, a name found in exactly one namespace is taken to be it.
      const candidates = cache.list(written.kind).filter((o) => o.metadata.name === written.name && (!written.namespace || o.metadata.namespace === written.namespace));
      if (candidates.length !== 1) continue;
      const object: KubeObject = candidates[0]!;
      const ref = { kind: written.kind, namespace: object.metadata.namespace ?? '', name: written.name };
      const range = new Range(written.line, 0, written.line, 0);
      const revision = written.kind === 'HelmRelease' ? revisionOf(object) : sourceRevisionOf(object);
      const state = stateOf(object);
      lenses.push(new CodeLens(range, { title: `${state}${revision ? ` · ${revision}` : ''} (${ref.namespace})`, command: 'flux.showLiveObject', arguments: [ref] }));
      lenses.push(new CodeLens(range, { title: 'Reconcile', command: 'flux.reconcile', arguments: [ref] }));
      lenses.push(object.spec?.suspend === true ? new CodeLens(range, { title: 'Resume', command: 'flux.resume', arguments: [ref] }) : new CodeLens(range, { title: 'Suspend', command: 'flux.suspend', arguments: [ref] }));
    }
    return lenses;
  }
}
