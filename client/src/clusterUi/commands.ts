import { commands, env, ProgressLocation, window, workspace } from 'vscode';
import { stringify, parseAllDocuments } from 'yaml';
import { fluxKinds, getObject, listEvents, reconcile, resume, suspend, SuspendedError, type FluxKind, type KubeObject, type ObjectRef } from '../cluster';
import type { ClusterSession } from './session';
import type { ClusterSessions } from './sessions';
import type { Node } from './trees';
import type { ReadOnlyDocuments } from './documents';
import type { ObjectsOf } from './codeLens';
import type { DependencyNode } from './dependencyView';
import { showDeployedVersusDesired } from './deployedDiff';
import type { EffectiveValuesOf } from './index';
import { findManifest } from './manifestLocator';

type Target = Node | DependencyNode | ObjectRef | undefined;

/** The object a command was given: a tree node of any Flux view, or a reference (palette, CodeLens). */
export function refOf(target: Target): ObjectRef | undefined {
  if (!target) return undefined;
  if ('type' in target) {
    if (target.type === 'object') return { kind: target.kind, namespace: target.object.metadata.namespace ?? '', name: target.object.metadata.name, context: target.session.context };
    if (target.type === 'dependency') return target.ref;
    // A Flux object in a Kustomization's inventory acts as itself.
    return target.type === 'inventoryEntry' && target.object ? target.ref : undefined;
  }
  return target.kind in fluxKinds ? target : undefined;
}

const label = (ref: ObjectRef) => `${ref.kind} ${ref.namespace}/${ref.name}`;

/** The commands that act on the cluster, by id. Each returns its outcome as text, so tests can check it. */
export function registerClusterCommands(
  sessions: ClusterSessions,
  documents: ReadOnlyDocuments,
  pick: () => Promise<ObjectRef | undefined>,
  workspaceSide: { objectsOf: ObjectsOf; effectiveValuesOf: EffectiveValuesOf },
): Record<string, (...args: unknown[]) => Promise<unknown>> {
  const timeoutMs = () => workspace.getConfiguration('helmRelease').get<number>('reconcile.timeoutSeconds', 300) * 1000;

  /** The targets of a command: the clicked item, every selected item, or one picked from a list. */
  const targets = async (target: Target, selection?: Target[]): Promise<ObjectRef[]> => {
    const many = (selection ?? []).map(refOf).filter((r): r is ObjectRef => r !== undefined);
    if (many.length > 1) return many;
    const one = refOf(target) ?? (await pick());
    return one ? [one] : [];
  };

  /** The session of the cluster the object is on. */
  const sessionOf = (ref: ObjectRef): ClusterSession => sessions.forContext(ref.context);

  const api = (ref: ObjectRef) => {
    const session = sessionOf(ref);
    if (!session.api) throw new Error(session.status === 'no cluster' ? 'No cluster: select a kubeconfig context first (Flux: Select Context).' : session.status);
    return session.api;
  };

  const runReconcile = (options: { withSource?: boolean; force?: boolean; reset?: boolean }) => async (target: Target, selection?: Target[]): Promise<string> => {
    const refs = await targets(target, selection);
    if (refs.length === 0) return 'nothing selected';
    const results = await window.withProgress({ location: ProgressLocation.Notification, title: refs.length === 1 ? `Reconciling ${label(refs[0]!)}` : `Reconciling ${refs.length} objects`, cancellable: false }, (progress) =>
      Promise.all(
        refs.map(async (ref) => {
          try {
            const result = await reconcile(api(ref), ref, { ...options, cache: sessionOf(ref).cache, timeoutMs: timeoutMs(), onProgress: (message) => progress.report({ message: `${ref.name}: ${message}` }) });
            return { ref, ok: true, message: result.message };
          } catch (error) {
            if (error instanceof SuspendedError) return { ref, ok: false, suspended: true, message: `${label(ref)} is suspended` };
            return { ref, ok: false, message: error instanceof Error ? error.message : String(error) };
          }
        }),
      ),
    );
    for (const r of results) {
      if (r.ok) void window.showInformationMessage(`${label(r.ref)}: ${r.message}`);
      else if ('suspended' in r) {
        void window.showWarningMessage(`${r.message}. Resume it to reconcile.`, 'Resume').then((choice) => (choice === 'Resume' ? commands.executeCommand('flux.resume', r.ref) : undefined));
      } else void window.showErrorMessage(`${label(r.ref)}: ${r.message}`);
    }
    return results.map((r) => r.message).join('\n');
  };

  const objectOf = async (ref: ObjectRef): Promise<KubeObject> => {
    const cached = sessionOf(ref).cache?.get(ref.kind, ref.namespace, ref.name);
    if (cached) return cached;
    return getObject(api(ref), ref);
  };

  const register = (id: string, run: (target: Target, second?: unknown) => Promise<string>): [string, (...args: unknown[]) => Promise<unknown>] => [
    id,
    async (...args: unknown[]) => {
      try {
        return await run(args[0] as Target, args[1]);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        void window.showErrorMessage(message);
        return message;
      }
    },
  ];

  return Object.fromEntries([
    register('flux.reconcile', (t, s) => runReconcile({})(t, s as Target[])),
    register('flux.reconcileWithSource', (t, s) => runReconcile({ withSource: true })(t, s as Target[])),
    register('flux.reconcileForce', (t, s) => runReconcile({ force: true })(t, s as Target[])),
    register('flux.reconcileReset', (t, s) => runReconcile({ reset: true })(t, s as Target[])),
    register('flux.suspend', async (t, second) => {
      const refs = await targets(t, Array.isArray(second) ? (second as Target[]) : undefined);
      if (refs.length === 0) return 'nothing selected';
      const confirm = !(second && typeof second === 'object' && !Array.isArray(second) && (second as { confirm?: boolean }).confirm === false);
      if (confirm) {
        const answer = await window.showWarningMessage(`Suspend ${refs.map(label).join(', ')}? Flux stops reconciling until it is resumed.`, { modal: true }, 'Suspend');
        if (answer !== 'Suspend') return 'cancelled';
      }
      await Promise.all(refs.map((ref) => suspend(api(ref), ref)));
      return `suspended ${refs.map((r) => r.name).join(', ')}`;
    }),
    register('flux.resume', async (t, s) => {
      const refs = await targets(t, s as Target[]);
      const results = await window.withProgress({ location: ProgressLocation.Notification, title: 'Resuming' }, () =>
        Promise.all(refs.map((ref) => resume(api(ref), ref, { wait: refs.length === 1, cache: sessionOf(ref).cache, timeoutMs: timeoutMs() }))),
      );
      const message = results.map((r) => r.message || 'resumed').join('\n');
      void window.showInformationMessage(message);
      return message;
    }),
    register('flux.showLiveObject', async (t) => {
      const [ref] = await targets(t);
      if (!ref) return 'nothing selected';
      const object = structuredClone(await objectOf(ref)) as KubeObject & { metadata: { managedFields?: unknown } };
      delete object.metadata.managedFields;
      await documents.show(`${ref.name}.live.yaml`, stringify(object), 'yaml');
      return 'shown';
    }),
    register('flux.compareWithLive', async (t) => {
      const [ref] = await targets(t);
      if (!ref) return 'nothing selected';
      const live = await objectOf(ref);
      const local = localSpec(ref);
      // Keys sorted on both sides (the API server orders them its own way) and anchors written out,
      // so that the diff shows only what differs.
      const comparable = (value: unknown) => stringify(value, { sortMapEntries: true, aliasDuplicateObjects: false });
      const left = documents.add(`${ref.name}.local-spec.yaml`, comparable(local ?? {}));
      const right = documents.add(`${ref.name}.live-spec.yaml`, comparable(live.spec ?? {}));
      await commands.executeCommand('vscode.diff', left, right, `${ref.name}: spec in the editor ↔ on the cluster`);
      return local ? 'compared' : 'no local manifest found in the active editor';
    }),
    register('flux.showEvents', async (t) => {
      const [ref] = await targets(t);
      if (!ref) return 'nothing selected';
      const events = await listEvents(api(ref), ref);
      const lines = events.map((e) => `${e.lastTimestamp ?? e.eventTime ?? ''}  ${e.type ?? ''}  ${e.reason ?? ''}  ${e.message ?? ''}${e.count && e.count > 1 ? ` (x${e.count})` : ''}`);
      await documents.show(`${ref.name}.events.txt`, lines.length ? lines.join('\n') : 'No events.', 'plaintext');
      return `${lines.length} event(s)`;
    }),
    register('flux.showHistory', async (t) => {
      const [ref] = await targets(t);
      if (!ref) return 'nothing selected';
      const object = await objectOf(ref);
      await documents.show(`${ref.name}.history.yaml`, stringify(object.status?.history ?? []), 'yaml');
      return 'shown';
    }),
    // Deployed versus desired: reading Helm's storage Secret is this explicit action; values from
    // Secrets stay masked unless the caller passes { reveal: true } (asked each time).
    register('flux.compareDeployed', async (t, second) => {
      const [ref] = await targets(t);
      if (!ref) return 'nothing selected';
      if (ref.kind !== 'HelmRelease') return `${label(ref)} is not a HelmRelease`;
      const manifest = await findManifest(ref, workspaceSide.objectsOf);
      const desired = manifest
        ? await workspaceSide.effectiveValuesOf({ uri: manifest.uri.toString(), position: { line: manifest.line, character: 0 } })
        : { error: `no manifest of ${label(ref)} was found in the workspace` };
      const reveal = typeof second === 'object' && second !== null && (second as { reveal?: unknown }).reveal === true;
      const helmRelease = await getObject(api(ref), ref);
      const result = await showDeployedVersusDesired({ api: api(ref), helmRelease, desired, documents, reveal });
      const fromSecrets = (helmRelease.spec?.valuesFrom as Array<{ kind?: string }> | undefined)?.some((v) => v.kind === 'Secret');
      if (!reveal && fromSecrets && result === 'compared') {
        void window.showInformationMessage(`Values of ${ref.name} that come from Secrets are masked.`, 'Reveal Them This Time').then((choice) =>
          choice ? commands.executeCommand('flux.compareDeployed', ref, { reveal: true }) : undefined,
        );
      }
      return result;
    }),
    register('flux.copyName', async (t) => {
      const [ref] = await targets(t);
      if (!ref) return 'nothing selected';
      await env.clipboard.writeText(ref.name);
      return ref.name;
    }),
  ]);
}

/** The `spec` of the manifest in the active editor that defines `ref`, if any. */
function localSpec(ref: ObjectRef): unknown {
  const document = window.activeTextEditor?.document;
  if (!document) return undefined;
  for (const doc of parseAllDocuments(document.getText())) {
    const value = doc.toJS() as { kind?: string; metadata?: { name?: string }; spec?: unknown } | null;
    if (value?.kind === ref.kind && value.metadata?.name === ref.name) return value.spec;
  }
  return undefined;
}

export function isFluxKind(kind: string): kind is FluxKind {
  return kind in fluxKinds;
}

