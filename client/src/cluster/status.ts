// Pure functions over Flux objects: state, revision, source reference, tooltip, kstatus checks.
import type { Condition, FluxKind, KubeObject, ObjectRef } from './types';
import { isFluxKind } from './types';

export type ObjectState = 'Ready' | 'Reconciling' | 'Waiting' | 'Failed' | 'Stalled' | 'Suspended' | 'Unknown';

export function condition(object: KubeObject, type: string): Condition | undefined {
  return object.status?.conditions?.find((c) => c.type === type);
}

/** An OCI HelmRepository has no status; flux shows it as Ready. */
export function isStaticSource(object: KubeObject): boolean {
  return object.kind === 'HelmRepository' && object.spec?.type === 'oci';
}

/**
 * The state shown in the tree: Suspended wins, then Stalled, Reconciling (also while the
 * controller has not observed the latest generation; a failed attempt being retried is Failed),
 * Ready True → Ready, Ready False → Failed (Waiting when a dependency is not ready).
 */
export function stateOf(object: KubeObject): ObjectState {
  if (object.spec?.suspend === true) return 'Suspended';
  if (isStaticSource(object)) return 'Ready';
  if (condition(object, 'Stalled')?.status === 'True') return 'Stalled';
  const ready = condition(object, 'Ready');
  const reconciling = condition(object, 'Reconciling');
  if (reconciling?.status === 'True') {
    // Between the attempts of a failed install or upgrade the real helm-controller says
    // Reconciling=True/ProgressingWithRetry with Ready=False: the release is failing, and retried.
    return reconciling.reason === 'ProgressingWithRetry' && ready?.status === 'False' ? 'Failed' : 'Reconciling';
  }
  const generation = object.metadata.generation;
  const observed = object.status?.observedGeneration;
  if (ready === undefined) return 'Unknown';
  if (generation !== undefined && observed !== undefined && observed >= 0 && observed !== generation) return 'Reconciling';
  if (ready.status === 'True') return 'Ready';
  // Both controllers say DependencyNotReady while a dependsOn target is not ready: not a failure.
  if (ready.status === 'False') return ready.reason === 'DependencyNotReady' ? 'Waiting' : 'Failed';
  return ready.reason === 'Progressing' ? 'Reconciling' : 'Unknown';
}

/** The Ready message as `flux get` prints it (`waiting to be reconciled` when absent). */
export function messageOf(object: KubeObject): string {
  if (isStaticSource(object)) return 'Helm repository is Ready';
  return condition(object, 'Ready')?.message ?? 'waiting to be reconciled';
}

/** HelmRelease: `.status.history[0].chartVersion`, else `.status.lastAttemptedRevision`. */
export function revisionOf(hr: KubeObject): string | undefined {
  const version = hr.status?.history?.[0]?.chartVersion;
  if (typeof version === 'string' && version !== '') return version;
  const attempted = hr.status?.lastAttemptedRevision;
  return typeof attempted === 'string' && attempted !== '' ? attempted : undefined;
}

/** Sources: `.status.artifact.revision` (none for a static OCI HelmRepository). */
export function sourceRevisionOf(source: KubeObject): string | undefined {
  if (isStaticSource(source)) return undefined;
  const revision = source.status?.artifact?.revision;
  return typeof revision === 'string' && revision !== '' ? revision : undefined;
}

/** Kustomizations: the revision last applied (`flux get ks`), else the one last attempted. */
export function kustomizationRevisionOf(ks: KubeObject): string | undefined {
  for (const revision of [ks.status?.lastAppliedRevision, ks.status?.lastAttemptedRevision]) {
    if (typeof revision === 'string' && revision !== '') return revision;
  }
  return undefined;
}

/** The revision for any kind. */
export function anyRevisionOf(object: KubeObject): string | undefined {
  if (object.kind === 'HelmRelease') return revisionOf(object);
  if (object.kind === 'Kustomization') return kustomizationRevisionOf(object);
  return sourceRevisionOf(object);
}

/** Like `flux get sources`: 40–128-char hex runs shortened to 8 characters. */
export function shortenHex(text: string): string {
  return text.replace(/[0-9a-f]{40,128}/g, (hex) => hex.slice(0, 8));
}

/** The source of a HelmRelease (chartRef, or chart.spec.sourceRef), namespace defaulted to the HR's. */
export function sourceRefOf(hr: KubeObject): { kind: string; namespace: string; name: string } | undefined {
  const namespace = hr.metadata.namespace ?? 'default';
  const ref = hr.spec?.chartRef ?? hr.spec?.chart?.spec?.sourceRef;
  if (!ref) return undefined;
  return { kind: ref.kind, namespace: ref.namespace ?? namespace, name: ref.name };
}

/** `Kind/ns/name` of the HelmRelease's source (as `flux get hr --show-source`). */
export function sourceText(hr: KubeObject): string | undefined {
  const ref = sourceRefOf(hr);
  return ref ? `${ref.kind}/${ref.namespace}/${ref.name}` : undefined;
}

/** The HelmChart helm-controller generates for `.spec.chart`: `<ns>-<name>` in the sourceRef namespace. */
export function generatedChartRef(hr: KubeObject): ObjectRef | undefined {
  const chart = hr.spec?.chart?.spec;
  if (!chart) return undefined;
  const namespace = hr.metadata.namespace ?? 'default';
  return { kind: 'HelmChart', namespace: chart.sourceRef?.namespace ?? namespace, name: `${namespace}-${hr.metadata.name}` };
}

/** The last time the controller handled a reconcile (Ready transition, else lastHandledReconcileAt). */
export function lastReconcileTime(object: KubeObject): string | undefined {
  return condition(object, 'Ready')?.lastTransitionTime ?? object.status?.lastHandledReconcileAt;
}

/** Plain-text tooltip: state, revision, source, conditions, last reconcile time. */
export function tooltipOf(object: KubeObject): string {
  const kind: FluxKind | string = object.kind ?? 'Object';
  const lines: string[] = [`${kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}`, `State: ${stateOf(object)}`];
  const revision = anyRevisionOf(object);
  if (revision !== undefined) lines.push(`Revision: ${revision}`);
  if (kind === 'HelmRelease') {
    const source = sourceText(object);
    if (source !== undefined) lines.push(`Source: ${source}`);
  } else if ((kind === 'HelmChart' || kind === 'Kustomization') && object.spec?.sourceRef) {
    const ref = object.spec.sourceRef;
    lines.push(`Source: ${ref.kind}/${ref.namespace ?? object.metadata.namespace ?? ''}/${ref.name}`);
  }
  if (object.spec?.suspend === true) lines.push('Suspended: True');
  if (isStaticSource(object)) {
    lines.push('Static OCI Helm repository (not reconciled): Helm repository is Ready');
  } else {
    const conditions = object.status?.conditions ?? [];
    if (conditions.length === 0) lines.push('Conditions: none (waiting to be reconciled)');
    for (const c of conditions) {
      lines.push(`${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}${c.message ? `: ${c.message}` : ''}`);
    }
  }
  const last = lastReconcileTime(object);
  if (last !== undefined) lines.push(`Last reconcile: ${last}`);
  if (object.status?.lastHandledReconcileAt !== undefined) lines.push(`Last requested reconcile handled: ${object.status.lastHandledReconcileAt}`);
  return lines.join('\n');
}

export type WaitVerdict = { done: false; reason: string } | { done: true; ok: true } | { done: true; ok: false; message: string };

/**
 * One poll of `flux reconcile`'s wait (kstatus rules): waits while the request is not handled
 * (lastHandledReconcileAt unchanged), the generation is not observed, or Reconciling=True;
 * Stalled=True fails; Ready=True succeeds; Ready False/Unknown keeps waiting.
 */
export function reconcileVerdict(object: KubeObject, lastHandledBefore: string | undefined): WaitVerdict {
  const handled = object.status?.lastHandledReconcileAt;
  if (handled === undefined || handled === lastHandledBefore) return { done: false, reason: 'waiting for the controller to handle the request' };
  return kstatusVerdict(object);
}

export function kstatusVerdict(object: KubeObject): WaitVerdict {
  const generation = object.metadata.generation;
  const observed = object.status?.observedGeneration;
  if (generation !== undefined && observed !== generation) return { done: false, reason: `generation ${generation} not yet observed` };
  const stalled = condition(object, 'Stalled');
  if (stalled?.status === 'True') return { done: true, ok: false, message: stalled.message ?? stalled.reason ?? 'stalled' };
  const reconciling = condition(object, 'Reconciling');
  if (reconciling?.status === 'True') return { done: false, reason: reconciling.message ?? 'reconciliation in progress' };
  const ready = condition(object, 'Ready');
  if (ready?.status === 'True') return { done: true, ok: true };
  return { done: false, reason: ready ? `Ready=${ready.status}: ${ready.message ?? ''}` : 'no Ready condition yet' };
}

/**
 * `flux resume`'s wait: observedGeneration ≥ 1, a Ready condition whose observedGeneration (or the
 * status's when 0) equals the generation, and kstatus Current.
 */
export function resumeVerdict(object: KubeObject): WaitVerdict {
  const observed = object.status?.observedGeneration ?? -1;
  if (observed < 1) return { done: false, reason: 'not yet observed' };
  const ready = condition(object, 'Ready');
  if (!ready) return { done: false, reason: 'no Ready condition yet' };
  const readyGeneration = ready.observedGeneration !== undefined && ready.observedGeneration !== 0 ? ready.observedGeneration : observed;
  if (readyGeneration !== object.metadata.generation) return { done: false, reason: 'Ready condition is for an older generation' };
  return kstatusVerdict(object);
}

/** The failure text flux prints when the wait ends without Ready=True. */
export function failureMessage(object: KubeObject): { message: string; conditionMessage: string | undefined } {
  const kind = object.kind ?? 'object';
  const stalled = condition(object, 'Stalled');
  const ready = condition(object, 'Ready');
  if (stalled?.status === 'True') return stalledFailure(object);
  if (!ready) return { message: `${kind} status can't be determined`, conditionMessage: undefined };
  return { message: `${kind} reconciliation failed: ${ready.message ?? ready.reason ?? 'not ready'}`, conditionMessage: ready.message };
}

/** Stalled: flux prints the Stalled message; the Ready message (the cause) is added when it differs. */
export function stalledFailure(object: KubeObject): { message: string; conditionMessage: string | undefined } {
  const kind = object.kind ?? 'object';
  const stalled = condition(object, 'Stalled');
  const ready = condition(object, 'Ready');
  const stalledText = stalled?.message ?? stalled?.reason ?? 'stalled';
  const readyText = ready && ready.status !== 'True' && ready.message && ready.message !== stalledText ? ready.message : undefined;
  return {
    message: `${kind} reconciliation failed: ${stalledText}${readyText !== undefined ? ` (Ready: ${readyText})` : ''}`,
    conditionMessage: readyText ?? stalled?.message,
  };
}

export function kindOf(object: KubeObject): FluxKind | undefined {
  return object.kind !== undefined && isFluxKind(object.kind) ? object.kind : undefined;
}
