// What the cluster CodeLens shows above each object of a manifest, without `vscode`, so that it is
// testable on its own: the objects come from the language server, the state from the live cache.
import type { ManifestObject } from '../../../server/src/protocol';
import { anyRevisionOf, stateOf } from '../cluster/status';
import { fluxKinds, isFluxKind, type FluxKind, type KubeObject, type ObjectRef } from '../cluster/types';

export interface LensTarget {
  /** The line of the object's first key. */
  line: number;
  title: string;
  /** A `flux.*` command, called with `ref`. */
  command: string;
  ref: ObjectRef;
}

/** The part of the live cache the lenses read. */
export interface LiveObjects {
  list(kind: FluxKind): KubeObject[];
}

/**
 * State, Reconcile and Suspend (or Resume) above each Flux object of a manifest that exists on the
 * cluster. Without `metadata.namespace`, a name found in exactly one namespace is taken to be it;
 * a name found in several is left alone.
 */
export function lensTargets(objects: readonly ManifestObject[], live: LiveObjects): LensTarget[] {
  const out: LensTarget[] = [];
  for (const written of objects) {
    if (!isFluxKind(written.kind) || written.apiVersion.split('/')[0] !== fluxKinds[written.kind].group) continue;
    const kind = written.kind;
    const candidates = live.list(kind).filter((o) => o.metadata.name === written.name && (written.namespace === undefined || o.metadata.namespace === written.namespace));
    if (candidates.length !== 1) continue;
    const object = candidates[0]!;
    const ref: ObjectRef = { kind, namespace: object.metadata.namespace ?? '', name: written.name };
    const revision = anyRevisionOf({ ...object, kind });
    const line = written.line;
    out.push({ line, ref, command: 'flux.showLiveObject', title: `${stateOf(object)}${revision ? ` · ${revision}` : ''} (${ref.namespace})` });
    out.push({ line, ref, command: 'flux.reconcile', title: 'Reconcile' });
    if (kind === 'HelmRelease') out.push({ line, ref, command: 'flux.compareDeployed', title: 'Deployed ↔ manifest' });
    out.push(object.spec?.suspend === true ? { line, ref, command: 'flux.resume', title: 'Resume' } : { line, ref, command: 'flux.suspend', title: 'Suspend' });
  }
  return out;
}
