// `flux reconcile` / `flux suspend` / `flux resume` for HelmReleases and sources. Every write is a
// JSON merge patch of the fields concerned (metadata.annotations or spec.suspend): no write ever
// replaces a whole object.
import type { KubeApi } from './connection';
import { ClusterError, ReconcileFailedError, ReconcileTimeoutError, SuspendedError } from './errors';
import type { ResourceCache } from './resourceCache';
import {
  anyRevisionOf,
  failureMessage,
  generatedChartRef,
  isStaticSource,
  reconcileVerdict,
  resumeVerdict,
  stalledFailure,
  type WaitVerdict,
} from './status';
import { isFluxKind, refString, resourcePath, type KubeObject, type ObjectRef } from './types';

export const requestedAtAnnotation = 'reconcile.fluxcd.io/requestedAt';
export const forceAtAnnotation = 'reconcile.fluxcd.io/forceAt';
export const resetAtAnnotation = 'reconcile.fluxcd.io/resetAt';
/** The field manager flux's docs use for the kubectl equivalent. */
export const fieldManager = 'flux-client-side-apply';

export interface WaitOptions {
  /** Default 5 minutes (flux's `--timeout`). */
  timeoutMs?: number;
  /** Poll interval without a cache, and the cache's fallback re-check (default 2000 ms, as flux). */
  pollMs?: number;
  /** When given (and it watches the object's kind/namespace), changes are awaited from its watch. */
  cache?: ResourceCache;
  onProgress?: (message: string) => void;
}

export interface ReconcileOptions extends WaitOptions {
  /** Reconcile the source (chain) first, like `--with-source`. */
  withSource?: boolean;
  /** HelmRelease only: `reconcile.fluxcd.io/forceAt`. */
  force?: boolean;
  /** HelmRelease only: `reconcile.fluxcd.io/resetAt`. */
  reset?: boolean;
}

export interface ActionResult {
  ref: ObjectRef;
  /** `applied revision X` / `fetched revision X` / `reconciliation not supported by the object`. */
  message: string;
  revision: string | undefined;
  /** True when the object is static (OCI HelmRepository) and nothing was done. */
  skipped: boolean;
  /** Messages of the steps done before (sources), in order. */
  notes: string[];
  object: KubeObject | undefined;
}

/** `time.Now().Format(time.RFC3339Nano)` in UTC: nanoseconds, trailing zeros trimmed. */
export function rfc3339NanoNow(date: Date = new Date()): string {
  const iso = date.toISOString();
  const subMillisecond = (process.hrtime.bigint() % 1_000_000n).toString().padStart(6, '0');
  const fraction = (iso.slice(20, 23) + subMillisecond).replace(/0+$/, '');
  return `${iso.slice(0, 19)}${fraction === '' ? '' : `.${fraction}`}Z`;
}

function describe(error: unknown, ref: ObjectRef, verb: string): Error {
  if (!(error instanceof ClusterError)) return error instanceof Error ? error : new Error(String(error));
  if (error.code === 'NotFound') return new ClusterError('NotFound', `${ref.kind} ${ref.namespace}/${ref.name} not found.`, 404);
  if (error.code === 'Forbidden') return new ClusterError('Forbidden', `Cannot ${verb} ${ref.kind} ${ref.namespace}/${ref.name}: ${error.message}`, 403);
  return error;
}

export async function getObject(api: KubeApi, ref: ObjectRef): Promise<KubeObject> {
  try {
    const object = await api.request<KubeObject>('GET', resourcePath(ref.kind, ref.namespace, ref.name));
    object.kind ??= ref.kind;
    return object;
  } catch (error) {
    throw describe(error, ref, 'get');
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** PATCH with `application/merge-patch+json`; 409 is retried (up to 5 attempts). */
export async function mergePatch(api: KubeApi, ref: ObjectRef, patch: Record<string, unknown>, verb = 'patch'): Promise<KubeObject> {
  const path = `${resourcePath(ref.kind, ref.namespace, ref.name)}?fieldManager=${fieldManager}`;
  for (let attempt = 0; ; attempt++) {
    try {
      return await api.request<KubeObject>('PATCH', path, { body: patch, contentType: 'application/merge-patch+json' });
    } catch (error) {
      if (error instanceof ClusterError && error.code === 'Conflict' && attempt < 4) {
        await sleep(50 * 2 ** attempt);
        continue;
      }
      throw describe(error, ref, verb);
    }
  }
}

interface WaitOutcome {
  object: KubeObject;
  verdict: WaitVerdict;
  timedOut: boolean;
}

async function waitUntil(api: KubeApi, ref: ObjectRef, options: WaitOptions, evaluate: (object: KubeObject) => WaitVerdict): Promise<WaitOutcome> {
  const timeoutMs = options.timeoutMs ?? 5 * 60_000;
  const pollMs = options.pollMs ?? 2000;
  const deadline = Date.now() + timeoutMs;
  const cache = options.cache && options.cache.covers(ref.kind, ref.namespace) ? options.cache : undefined;
  let lastReason = '';
  for (;;) {
    const cached = cache && cache.state.state === 'connected' ? cache.get(ref.kind, ref.namespace, ref.name) : undefined;
    const object = cached ?? (await getObject(api, ref));
    const verdict = evaluate(object);
    if (verdict.done) return { object, verdict, timedOut: false };
    if (verdict.reason !== lastReason) {
      lastReason = verdict.reason;
      options.onProgress?.(`${refString(ref)}: ${verdict.reason}`);
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { object, verdict, timedOut: true };
    const wait = Math.min(pollMs, remaining);
    if (cache) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, wait);
        const subscription = cache.onDidChange((kind) => {
          if (kind === ref.kind) done();
        });
        function done(): void {
          clearTimeout(timer);
          subscription.dispose();
          resolve();
        }
      });
    } else {
      await sleep(wait);
    }
  }
}

function successMessage(object: KubeObject): { message: string; revision: string | undefined } {
  const revision = anyRevisionOf(object);
  const verb = object.kind === 'HelmRelease' || object.kind === 'Kustomization' ? 'applied' : 'fetched';
  return { message: `${verb} revision ${revision ?? '(none)'}`, revision };
}

/** The source(s) `--with-source` reconciles first, per flux2's reconcile commands. */
function sourceStep(object: KubeObject, ref: ObjectRef): { ref: ObjectRef; withSource: boolean } | undefined {
  if (ref.kind === 'HelmRelease') {
    const chartRef = object.spec?.chartRef;
    if (chartRef) {
      const namespace = chartRef.namespace ?? ref.namespace;
      if (chartRef.kind === 'OCIRepository') return { ref: { kind: 'OCIRepository', namespace, name: chartRef.name }, withSource: false };
      if (chartRef.kind === 'HelmChart') return { ref: { kind: 'HelmChart', namespace, name: chartRef.name }, withSource: true };
      throw new ClusterError('ApiError', `cannot reconcile source of kind ${chartRef.kind}`);
    }
    const generated = generatedChartRef(object);
    return generated ? { ref: generated, withSource: true } : undefined;
  }
  if (ref.kind === 'HelmChart' || ref.kind === 'Kustomization') {
    const sourceRef = object.spec?.sourceRef;
    if (!sourceRef) return undefined;
    if (!isFluxKind(sourceRef.kind)) throw new ClusterError('ApiError', `cannot reconcile source of kind ${sourceRef.kind}`);
    // A Kustomization may name a source in another namespace; a HelmChart's is always its own.
    const namespace = ref.kind === 'Kustomization' ? (sourceRef.namespace ?? ref.namespace) : ref.namespace;
    return { ref: { kind: sourceRef.kind, namespace, name: sourceRef.name }, withSource: false };
  }
  return undefined;
}

/**
 * What `flux reconcile hr|source …` does: GET (suspended → SuspendedError), optionally the source
 * first, merge-patch the requestedAt (+forceAt/resetAt) annotation, then wait until the controller
 * handled the request and kstatus says Ready (Stalled fails; Ready=False fails at the timeout).
 */
export async function reconcile(api: KubeApi, ref: ObjectRef, options: ReconcileOptions = {}): Promise<ActionResult> {
  const object = await getObject(api, ref);
  if (isStaticSource(object)) {
    const message = 'reconciliation not supported by the object';
    options.onProgress?.(`${refString(ref)}: ${message}`);
    return { ref, message, revision: undefined, skipped: true, notes: [`${refString(ref)}: ${message}`], object };
  }
  if (object.spec?.suspend === true) throw new SuspendedError(ref.kind, ref.namespace, ref.name);

  const notes: string[] = [];
  if (options.withSource) {
    const step = sourceStep(object, ref);
    if (step) {
      options.onProgress?.(`${refString(step.ref)}: reconciling source`);
      const source = await reconcile(api, step.ref, { ...options, withSource: step.withSource, force: false, reset: false });
      notes.push(...source.notes);
      if (!source.skipped) notes.push(`${refString(step.ref)}: ${source.message}`);
    }
  }

  const before = object.status?.lastHandledReconcileAt;
  const token = rfc3339NanoNow();
  const annotations: Record<string, string> = { [requestedAtAnnotation]: token };
  if (options.force && ref.kind === 'HelmRelease') annotations[forceAtAnnotation] = token;
  if (options.reset && ref.kind === 'HelmRelease') annotations[resetAtAnnotation] = token;
  options.onProgress?.(`${refString(ref)}: annotating`);
  await mergePatch(api, ref, { metadata: { annotations } }, 'reconcile');

  const outcome = await waitUntil(api, ref, options, (current) => reconcileVerdict(current, before));
  return finish(ref, outcome, notes, before);
}

function finish(ref: ObjectRef, outcome: WaitOutcome, notes: string[], before: string | undefined | null): ActionResult {
  const { object, verdict } = outcome;
  if (verdict.done && verdict.ok) {
    const { message, revision } = successMessage(object);
    return { ref, message, revision, skipped: false, notes, object };
  }
  if (verdict.done && !verdict.ok) {
    const failure = stalledFailure(object);
    throw new ReconcileFailedError(failure.message, failure.conditionMessage);
  }
  // Timed out.
  const handled = object.status?.lastHandledReconcileAt;
  if (before !== null && (handled === undefined || handled === before)) {
    throw new ReconcileTimeoutError(`${refString(ref)}: timed out waiting for the controller to handle the reconcile request`);
  }
  const failure = failureMessage(object);
  if (failure.conditionMessage === undefined) throw new ReconcileTimeoutError(`${refString(ref)}: ${failure.message}`);
  throw new ReconcileFailedError(failure.message, failure.conditionMessage);
}

/** `flux suspend`: merge patch `{"spec":{"suspend":true}}` only. */
export async function suspend(api: KubeApi, ref: ObjectRef): Promise<KubeObject> {
  return mergePatch(api, ref, { spec: { suspend: true } }, 'suspend');
}

export interface ResumeOptions extends WaitOptions {
  /** Wait like `flux resume <name>` (default false). */
  wait?: boolean;
}

/** `flux resume`: merge patch `{"spec":{"suspend":false}}` only; optionally waits until Ready. */
export async function resume(api: KubeApi, ref: ObjectRef, options: ResumeOptions = {}): Promise<ActionResult> {
  const patched = await mergePatch(api, ref, { spec: { suspend: false } }, 'resume');
  if (!options.wait) return { ref, message: 'resumed', revision: anyRevisionOf(patched), skipped: false, notes: [], object: patched };
  if (isStaticSource(patched)) return { ref, message: 'reconciliation not supported by the object', revision: undefined, skipped: true, notes: [], object: patched };
  const generation = patched.metadata.generation;
  const outcome = await waitUntil(api, ref, options, (current) =>
    // The cache may still hold the object from before the patch.
    generation !== undefined && (current.metadata.generation ?? 0) < generation ? { done: false, reason: 'waiting for the patched object' } : resumeVerdict(current),
  );
  return finish(ref, outcome, [], null);
}
