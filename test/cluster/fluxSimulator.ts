// A Flux controller simulator for the Kubernetes API test server (test and demo only). It plays
// helm-controller and source-controller against the server's store: it reacts to creations, spec
// changes, `reconcile.fluxcd.io/requestedAt` (with `forceAt` / `resetAt`) and `spec.suspend` the
// way the controllers do (see /work/shared/docs/flux-api-notes.md, sections c and d), and can be
// told to fail, stall, or take longer for one object.
import { createHash, randomBytes } from 'node:crypto';
import { isExactVersion, selectVersion } from '../../server/src/service/semver/constraint';
import type { ApiServer } from './apiServer';
import { clone, isRecord, type JsonRecord } from './json';
import type { ResourceType } from './resources';
import type { KubeObject, ObjectStore, StoreEvent } from './store';

export const requestedAtAnnotation = 'reconcile.fluxcd.io/requestedAt';
export const forceAtAnnotation = 'reconcile.fluxcd.io/forceAt';
export const resetAtAnnotation = 'reconcile.fluxcd.io/resetAt';

export interface FluxSimulatorOptions {
  /** How long an install/upgrade/rollback takes. Default 1000 ms. */
  reconcileDelayMs?: number;
  /** How long a source takes to produce its artifact. Default 200 ms. */
  sourceDelayMs?: number;
  /** Chart versions "in the repositories", per chart name; version ranges resolve against them (newest match). */
  chartVersions?: Record<string, string[]>;
  /** The version of a chart not in `chartVersions` when the spec asks for a range. Default 1.0.0. */
  defaultChartVersion?: string;
  /** Record core v1 Events for each step (default true). */
  events?: boolean;
}

export interface FailureOptions {
  /** How many attempts in a row fail (default 1). `Infinity` = until `clearFailures`. */
  times?: number;
  /** The error text (default `context deadline exceeded`). */
  message?: string;
  /** The kind of the object (default HelmRelease). */
  kind?: string;
}

export interface FluxSimulator {
  /** The next `times` install/upgrade attempts (or source fetches) of this object fail. */
  failNext(namespace: string, name: string, options?: FailureOptions): void;
  clearFailures(namespace: string, name: string, kind?: string): void;
  /** The object's next reconcile hangs in Reconciling until `release` (a stuck controller). */
  stall(namespace: string, name: string, kind?: string): void;
  release(namespace: string, name: string, kind?: string): void;
  /** Reconciles of this object take `ms` (instead of the default delay). */
  delay(namespace: string, name: string, ms: number, kind?: string): void;
  /** Resolves when no reconcile is in progress (stalled ones excepted); rejects after `timeoutMs`. */
  idle(timeoutMs?: number): Promise<void>;
  stop(): void;
}

export const defaultChartVersions: Record<string, string[]> = {
  podinfo: ['6.5.4', '6.6.3', '6.7.1'],
  postgresql: ['16.0.6', '16.4.2', '16.7.4'],
  'grade-api': ['1.3.0', '1.4.2', '1.5.0'],
};

const sourceKinds = new Set(['HelmRepository', 'GitRepository', 'OCIRepository', 'Bucket', 'HelmChart']);
const waitingReasons = new Set(['SourceNotReady', 'DependencyNotReady']);

type Condition = JsonRecord & { type: string; status: string; reason: string; message: string };

interface Snapshot extends JsonRecord {
  version: number;
  status: string;
  chartName: string;
  chartVersion: string;
  configDigest: string;
  firstDeployed: string;
  lastDeployed: string;
}

interface ObjectState {
  running: boolean;
  again: boolean;
  force: boolean;
  failure?: { remaining: number; message: string };
  stalled: boolean;
  stallRelease?: () => void;
  delayMs?: number;
}

interface ResolvedChart {
  chartName: string;
  chartVersion: string;
  /** `lastAttemptedRevision` (OCI charts carry `+<digest[0:12]>`). */
  revision: string;
  revisionDigest?: string;
  /** `status.helmChart` for `spec.chart`. */
  helmChart?: string;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

function rec(value: unknown): JsonRecord {
  return isRecord(value) ? value : {};
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** JSON with sorted keys, so digests do not depend on key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isRecord(value)) {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function conditionsOf(status: JsonRecord): Condition[] {
  return (Array.isArray(status.conditions) ? status.conditions : []).filter(
    (c): c is Condition => isRecord(c) && typeof c.type === 'string' && typeof c.status === 'string',
  );
}

function findCondition(status: JsonRecord, type: string): Condition | undefined {
  return conditionsOf(status).find((c) => c.type === type);
}

/** Sets a condition, keeping `lastTransitionTime` when the status does not change; Ready stays first. */
function setCondition(
  status: JsonRecord,
  generation: number,
  type: string,
  value: 'True' | 'False' | 'Unknown',
  reason: string,
  message: string,
): void {
  const conditions = conditionsOf(status);
  const previous = conditions.find((c) => c.type === type);
  const condition: Condition = {
    type,
    status: value,
    observedGeneration: generation,
    lastTransitionTime: previous && previous.status === value ? (text(previous.lastTransitionTime) ?? now()) : now(),
    reason,
    message,
  };
  const rest = conditions.filter((c) => c.type !== type);
  status.conditions = type === 'Ready' ? [condition, ...rest] : [...rest, condition];
}

function removeCondition(status: JsonRecord, type: string): void {
  status.conditions = conditionsOf(status).filter((c) => c.type !== type);
}

function historyOf(status: JsonRecord): Snapshot[] {
  return (Array.isArray(status.history) ? status.history : []).filter(
    (s): s is Snapshot => isRecord(s) && typeof s.version === 'number' && typeof s.status === 'string',
  );
}

/** Newest first, kept up to the previous successful release (or at most 5 when there is none). */
function trimHistory(history: Snapshot[]): Snapshot[] {
  const previousSuccess = history.findIndex((s, i) => i > 0 && (s.status === 'deployed' || s.status === 'superseded'));
  return previousSuccess >= 0 ? history.slice(0, previousSuccess + 1) : history.slice(0, 5);
}

function isReady(object: KubeObject | undefined): boolean {
  if (!object) return false;
  const status = rec(object.status);
  return findCondition(status, 'Ready')?.status === 'True' && status.observedGeneration === object.metadata.generation;
}

export function startFluxSimulator(api: ApiServer, options: FluxSimulatorOptions = {}): FluxSimulator {
  const store: ObjectStore = api.store;
  const reconcileDelayMs = options.reconcileDelayMs ?? 1000;
  const sourceDelayMs = options.sourceDelayMs ?? 200;
  const chartVersions = { ...defaultChartVersions, ...options.chartVersions };
  const defaultChartVersion = options.defaultChartVersion ?? '1.0.0';
  const recordEvents = options.events ?? true;
  const states = new Map<string, ObjectState>();
  const recordedEvents = new Map<string, string>();
  let running = 0;
  let stopped = false;

  const keyOf = (kind: string, namespace: string | undefined, name: string): string => `${kind}/${namespace ?? ''}/${name}`;

  function state(key: string): ObjectState {
    let s = states.get(key);
    if (!s) {
      s = { running: false, again: false, force: false, stalled: false };
      states.set(key, s);
    }
    return s;
  }

  // ---- events ----

  function emit(
    object: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    annotations: Record<string, string> = {},
  ): void {
    if (!recordEvents || stopped) return;
    const component = object.kind === 'HelmRelease' ? 'helm-controller' : 'source-controller';
    const time = now();
    // Like the event recorder: a repeat of the same event bumps `count` instead of adding one.
    const repeatKey = `${object.metadata.uid}/${type}/${reason}/${message}`;
    const repeated = recordedEvents.get(repeatKey);
    const existing = repeated !== undefined ? store.get('events', object.metadata.namespace, repeated) : undefined;
    if (existing) {
      store.patch('events', object.metadata.namespace, repeated!, {
        count: (typeof existing.count === 'number' ? existing.count : 1) + 1,
        lastTimestamp: time,
      });
      return;
    }
    const eventName = `${object.metadata.name}.${randomBytes(8).toString('hex')}`;
    recordedEvents.set(repeatKey, eventName);
    try {
      store.create('events', object.metadata.namespace, {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: eventName, namespace: object.metadata.namespace, annotations },
        involvedObject: {
          apiVersion: object.apiVersion,
          kind: object.kind,
          name: object.metadata.name,
          namespace: object.metadata.namespace,
          uid: object.metadata.uid,
          resourceVersion: object.metadata.resourceVersion,
        },
        reason,
        message,
        type,
        count: 1,
        firstTimestamp: time,
        lastTimestamp: time,
        source: { component },
        reportingComponent: component,
        reportingInstance: `${component}-simulator`,
      });
    } catch {
      // The namespace may be gone already.
    }
  }

  // ---- scheduling ----

  function needsWork(object: KubeObject): boolean {
    const status = rec(object.status);
    const requested = object.metadata.annotations?.[requestedAtAnnotation];
    if (requested !== undefined && requested !== status.lastHandledReconcileAt) return true;
    if (object.spec !== undefined && isRecord(object.spec) && object.spec.suspend === true) return false;
    if (object.kind === 'HelmRepository' && rec(object.spec).type === 'oci') return false;
    return object.metadata.generation !== status.observedGeneration;
  }

  function enqueue(type: ResourceType, namespace: string | undefined, name: string, force = false): void {
    if (stopped) return;
    const key = keyOf(type.kind, namespace, name);
    const s = state(key);
    if (force) s.force = true;
    if (s.running) {
      s.again = true;
      return;
    }
    s.running = true;
    running++;
    void (async () => {
      try {
        do {
          s.again = false;
          const object = store.get(type, namespace, name);
          if (!object || stopped) break;
          const forced = s.force;
          s.force = false;
          if (!forced && !needsWork(object)) continue;
          if (object.kind === 'HelmRelease') await reconcileRelease(key, type, object);
          else await reconcileSource(key, type, object);
        } while (s.again && !stopped);
      } catch (error) {
        if (!stopped) console.error(`flux simulator: ${key}:`, error);
      } finally {
        s.running = false;
        running--;
      }
    })();
  }

  /** After an object became Ready: retry the releases that wait for a source or a dependency. */
  function wakeWaiting(): void {
    for (const hr of store.list('helmreleases')) {
      const reason = findCondition(rec(hr.status), 'Ready')?.reason;
      if (reason !== undefined && waitingReasons.has(reason))
        enqueue(store.resolve('helmreleases'), hr.metadata.namespace, hr.metadata.name, true);
    }
  }

  async function wait(key: string, defaultMs: number): Promise<void> {
    const s = state(key);
    if (s.stalled) {
      running--;
      await new Promise<void>((resolve) => {
        s.stallRelease = resolve;
      });
      running++;
    }
    await sleep(s.delayMs ?? defaultMs);
  }

  function takeFailure(key: string): string | undefined {
    const s = state(key);
    if (!s.failure || s.failure.remaining <= 0) return undefined;
    s.failure.remaining--;
    const message = s.failure.message;
    if (s.failure.remaining <= 0) delete s.failure;
    return message;
  }

  /** Read-modify-write of the status; undefined when the object is gone. */
  function writeStatus(
    type: ResourceType,
    object: KubeObject,
    change: (status: JsonRecord, current: KubeObject) => void,
  ): KubeObject | undefined {
    if (stopped) return undefined;
    const current = store.get(type, object.metadata.namespace, object.metadata.name);
    if (!current || current.metadata.uid !== object.metadata.uid) return undefined;
    return store.updateStatus(type, object.metadata.namespace, object.metadata.name, (status) => {
      change(status, current);
      return status;
    });
  }

  // ---- sources ----

  function artifactFor(object: KubeObject, revision: string, kindPath: string): JsonRecord {
    const digest = `sha256:${sha256(`${revision}/${object.metadata.uid}`)}`;
    const file = `${sha256(revision).slice(0, 12)}.tar.gz`;
    const path = `${kindPath}/${object.metadata.namespace}/${object.metadata.name}/${file}`;
    return {
      digest,
      lastUpdateTime: now(),
      path,
      revision,
      size: 1024 + (parseInt(sha256(revision).slice(0, 4), 16) % 4096),
      url: `http://source-controller.flux-system.svc.cluster.local./${path}`,
    };
  }

  function ociTag(object: KubeObject): string {
    const ref = rec(rec(object.spec).ref);
    const tag = text(ref.tag);
    if (tag) return tag;
    const chart = (text(rec(object.spec).url) ?? '').split('/').pop() ?? '';
    const range = text(ref.semver);
    if (range)
      return (
        selectVersion(
          range,
          (chartVersions[chart] ?? []).map((version) => ({ version })),
        )?.version ?? defaultChartVersion
      );
    return 'latest';
  }

  function sourceResult(object: KubeObject): { artifact: JsonRecord; message: string; reason: string } {
    const spec = rec(object.spec);
    const generation = object.metadata.generation ?? 1;
    switch (object.kind) {
      case 'GitRepository': {
        const ref = rec(spec.ref);
        const name = text(ref.tag) ?? text(ref.branch) ?? text(ref.name) ?? 'main';
        const revision = `${name}@sha1:${sha256(`${text(spec.url)}/${name}/${generation}`).slice(0, 40)}`;
        return {
          artifact: artifactFor(object, revision, 'gitrepository'),
          message: `stored artifact for revision '${revision}'`,
          reason: 'Succeeded',
        };
      }
      case 'OCIRepository': {
        const tag = ociTag(object);
        const revision = `${tag}@sha256:${sha256(`${text(spec.url)}:${tag}`)}`;
        return {
          artifact: artifactFor(object, revision, 'ocirepository'),
          message: `stored artifact for digest '${revision}'`,
          reason: 'Succeeded',
        };
      }
      case 'HelmChart': {
        const chart = text(spec.chart) ?? '';
        const version = resolveVersion(chart, text(spec.version) ?? '*') ?? defaultChartVersion;
        return {
          artifact: artifactFor(object, version, 'helmchart'),
          message: `packaged '${chart}' chart with version '${version}'`,
          reason: 'ChartPullSucceeded',
        };
      }
      default: {
        const revision = `sha256:${sha256(`${text(spec.url) ?? text(spec.endpoint) ?? ''}/${generation}`)}`;
        const kindPath = object.kind.toLowerCase();
        return {
          artifact: artifactFor(object, revision, kindPath),
          message: `stored artifact: revision '${revision}'`,
          reason: 'Succeeded',
        };
      }
    }
  }

  async function reconcileSource(key: string, type: ResourceType, object: KubeObject): Promise<void> {
    if (!sourceKinds.has(object.kind)) return;
    const spec = rec(object.spec);
    const requested = object.metadata.annotations?.[requestedAtAnnotation];
    const generation = object.metadata.generation ?? 1;
    const handled = (status: JsonRecord): void => {
      if (requested !== undefined) status.lastHandledReconcileAt = requested;
    };
    // An OCI HelmRepository is static: source-controller leaves its status empty.
    if (object.kind === 'HelmRepository' && spec.type === 'oci') return;
    if (spec.suspend === true) {
      writeStatus(type, object, handled);
      return;
    }
    writeStatus(type, object, (status) => {
      setCondition(status, generation, 'Reconciling', 'True', 'Progressing', `building artifact: new upstream revision`);
      setCondition(status, generation, 'Ready', 'Unknown', 'Progressing', 'reconciliation in progress');
    });
    await wait(key, sourceDelayMs);
    const failure = takeFailure(key);
    const current = store.get(type, object.metadata.namespace, object.metadata.name);
    if (!current) return;
    if (failure !== undefined) {
      const reason =
        object.kind === 'GitRepository' ? 'GitOperationFailed' : object.kind === 'OCIRepository' ? 'OCIOperationFailed' : 'FetchFailed';
      const message = `failed to fetch artifact: ${failure}`;
      writeStatus(type, current, (status) => {
        removeCondition(status, 'Reconciling');
        setCondition(status, generation, 'FetchFailed', 'True', reason, message);
        setCondition(status, generation, 'Ready', 'False', reason, message);
        status.observedGeneration = generation;
        handled(status);
      });
      emit(current, 'Warning', reason, message);
      return;
    }
    const { artifact, message, reason } = sourceResult(current);
    const previousRevision = text(rec(rec(current.status).artifact).revision);
    writeStatus(type, current, (status) => {
      removeCondition(status, 'Reconciling');
      removeCondition(status, 'FetchFailed');
      setCondition(status, generation, 'ArtifactInStorage', 'True', 'Succeeded', message);
      setCondition(status, generation, 'Ready', 'True', reason, message);
      status.artifact = artifact;
      status.observedGeneration = generation;
      if (object.kind !== 'HelmChart')
        status.url = `http://source-controller.flux-system.svc.cluster.local./${object.kind.toLowerCase()}/${object.metadata.namespace}/${object.metadata.name}/latest.tar.gz`;
      if (object.kind === 'HelmChart') status.observedChartName = text(spec.chart);
      handled(status);
    });
    if (previousRevision !== artifact.revision)
      emit(current, 'Normal', object.kind === 'HelmChart' ? 'ChartPullSucceeded' : 'NewArtifact', message);
    wakeWaiting();
  }

  // ---- helm releases ----

  function resolveVersion(chart: string, constraint: string): string | undefined {
    if (isExactVersion(constraint)) return constraint;
    const available = chartVersions[chart];
    if (!available) return defaultChartVersion;
    return selectVersion(
      constraint === '' ? '*' : constraint,
      available.map((version) => ({ version })),
    )?.version;
  }

  /** The chart of a release, or why it is not available (reason SourceNotReady/ArtifactFailed). */
  function resolveChart(object: KubeObject): ResolvedChart | { reason: string; message: string } {
    const spec = rec(object.spec);
    const namespace = object.metadata.namespace ?? 'default';
    const chartRef = rec(spec.chartRef);
    if (text(chartRef.kind)) {
      const kind = text(chartRef.kind)!;
      const sourceNamespace = text(chartRef.namespace) ?? namespace;
      const sourceName = text(chartRef.name) ?? '';
      const source = store.get(kind, sourceNamespace, sourceName);
      if (!source)
        return {
          reason: 'SourceNotReady',
          message: `could not get Source object: ${kind.toLowerCase()}s.source.toolkit.fluxcd.io "${sourceName}" not found`,
        };
      const revision = text(rec(rec(source.status).artifact).revision);
      if (!isReady(source) || !revision)
        return { reason: 'SourceNotReady', message: `${kind} '${sourceNamespace}/${sourceName}' is not ready` };
      const [version = revision, digest] = revision.split('@');
      const chartName =
        kind === 'OCIRepository'
          ? ((text(rec(source.spec).url) ?? '').split('/').pop() ?? sourceName)
          : (text(rec(source.spec).chart) ?? sourceName);
      if (kind === 'OCIRepository' && digest) {
        const hex = digest.replace(/^sha256:/, '');
        return {
          chartName,
          chartVersion: `${version}+${hex.slice(0, 12)}`,
          revision: `${version}+${hex.slice(0, 12)}`,
          revisionDigest: digest,
        };
      }
      return { chartName, chartVersion: version, revision: version };
    }
    const template = rec(rec(spec.chart).spec);
    const chartName = text(template.chart) ?? '';
    const sourceRef = rec(template.sourceRef);
    const kind = text(sourceRef.kind) ?? 'HelmRepository';
    const sourceNamespace = text(sourceRef.namespace) ?? namespace;
    const sourceName = text(sourceRef.name) ?? '';
    const helmChart = `${sourceNamespace}/${namespace}-${object.metadata.name}`;
    const source = store.get(kind, sourceNamespace, sourceName);
    if (!source)
      return {
        reason: 'SourceNotReady',
        message: `HelmChart '${helmChart}' is not ready: ${kind} '${sourceNamespace}/${sourceName}' not found`,
      };
    const staticOci = kind === 'HelmRepository' && rec(source.spec).type === 'oci';
    if (!staticOci && !isReady(source))
      return {
        reason: 'SourceNotReady',
        message: `HelmChart '${helmChart}' is not ready: ${kind} '${sourceNamespace}/${sourceName}' is not ready`,
      };
    const constraint = text(template.version) ?? '*';
    const version = resolveVersion(chartName, constraint);
    if (version === undefined) {
      return {
        reason: 'ArtifactFailed',
        message: `HelmChart '${helmChart}' is not ready: invalid chart reference: no '${chartName}' chart with version matching '${constraint}' found`,
      };
    }
    // helm-controller creates the HelmChart; the source part of the simulator reconciles it.
    const existing = store.get('helmcharts', sourceNamespace, `${namespace}-${object.metadata.name}`);
    const chartSpec = {
      chart: chartName,
      version: constraint,
      sourceRef: { kind, name: sourceName },
      interval: text(template.interval) ?? text(spec.interval) ?? '5m',
      reconcileStrategy: text(template.reconcileStrategy) ?? 'ChartVersion',
    };
    if (!existing || JSON.stringify(existing.spec) !== JSON.stringify(chartSpec)) {
      store.put({
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'HelmChart',
        metadata: {
          ...(existing?.metadata ?? {}),
          name: `${namespace}-${object.metadata.name}`,
          namespace: sourceNamespace,
          labels: { 'helm.toolkit.fluxcd.io/name': object.metadata.name, 'helm.toolkit.fluxcd.io/namespace': namespace },
        },
        spec: chartSpec,
        ...(existing?.status !== undefined ? { status: existing.status } : {}),
      });
    }
    return { chartName, chartVersion: version, revision: version, helmChart };
  }

  /** The values digest: inline values plus the data of the valuesFrom objects; or why they cannot be read. */
  function configDigest(object: KubeObject): { digest: string } | { error: string } {
    const spec = rec(object.spec);
    const parts: unknown[] = [];
    for (const ref of Array.isArray(spec.valuesFrom) ? spec.valuesFrom : []) {
      const r = rec(ref);
      const kind = text(r.kind) ?? 'ConfigMap';
      const name = text(r.name) ?? '';
      const source = store.get(kind === 'Secret' ? 'secrets' : 'configmaps', object.metadata.namespace, name);
      const key = text(r.valuesKey) ?? 'values.yaml';
      const value = source ? rec(source.data)[key] : undefined;
      if (value === undefined) {
        if (r.optional === true) continue;
        return { error: `could not resolve ${kind} chart values reference '${object.metadata.namespace}/${name}' with key '${key}'` };
      }
      parts.push({ kind, name, key, value, targetPath: r.targetPath });
    }
    parts.push(spec.values ?? {});
    return { digest: `sha256:${sha256(canonical(parts))}` };
  }

  async function reconcileRelease(key: string, type: ResourceType, start: KubeObject): Promise<void> {
    const spec = rec(start.spec);
    const annotations = start.metadata.annotations ?? {};
    const requested = annotations[requestedAtAnnotation];
    const generation = start.metadata.generation ?? 1;
    const namespace = start.metadata.namespace ?? 'default';
    const targetNamespace = text(spec.targetNamespace);
    const releaseName = text(spec.releaseName) ?? (targetNamespace ? `${targetNamespace}-${start.metadata.name}` : start.metadata.name);
    const storageNamespace = text(spec.storageNamespace) ?? targetNamespace ?? namespace;
    const releaseId = `${storageNamespace}/${releaseName}`;
    const initial = rec(start.status);

    const finishCommon = (status: JsonRecord): void => {
      status.observedGeneration = generation;
      status.lastAttemptedGeneration = generation;
      if (requested !== undefined) status.lastHandledReconcileAt = requested;
      removeCondition(status, 'Reconciling');
    };

    // Suspended: only acknowledge the request.
    if (spec.suspend === true) {
      if (requested !== undefined && requested !== initial.lastHandledReconcileAt) {
        writeStatus(type, start, (status) => {
          status.lastHandledReconcileAt = requested;
        });
      }
      return;
    }

    const force =
      annotations[forceAtAnnotation] !== undefined &&
      annotations[forceAtAnnotation] === requested &&
      requested !== initial.lastHandledForceAt;
    const reset =
      annotations[resetAtAnnotation] !== undefined &&
      annotations[resetAtAnnotation] === requested &&
      requested !== initial.lastHandledResetAt;

    // Dependencies.
    for (const dep of Array.isArray(spec.dependsOn) ? spec.dependsOn : []) {
      const d = rec(dep);
      const depNamespace = text(d.namespace) ?? namespace;
      const depName = text(d.name) ?? '';
      if (!isReady(store.get('helmreleases', depNamespace, depName))) {
        const message = `dependency '${depNamespace}/${depName}' is not ready`;
        writeStatus(type, start, (status) => {
          finishCommon(status);
          setCondition(status, generation, 'Ready', 'False', 'DependencyNotReady', message);
        });
        emit(start, 'Normal', 'DependencyNotReady', message);
        return;
      }
    }

    const chart = resolveChart(start);
    const config = configDigest(start);
    if ('reason' in chart || 'error' in config) {
      const reason = 'reason' in chart ? chart.reason : 'ValuesError';
      const message = 'reason' in chart ? chart.message : (config as { error: string }).error;
      writeStatus(type, start, (status) => {
        finishCommon(status);
        setCondition(status, generation, 'Ready', 'False', reason, message);
      });
      emit(start, 'Warning', reason, message);
      return;
    }

    const isInstall = (history: Snapshot[]): boolean => history.length === 0 || history[0]!.status === 'uninstalled';
    const action = isInstall(historyOf(initial)) ? 'install' : 'upgrade';
    const remediation = rec(rec(spec[action]).remediation);
    const retries = typeof remediation.retries === 'number' ? remediation.retries : 0;
    const remediateLastFailure = typeof remediation.remediateLastFailure === 'boolean' ? remediation.remediateLastFailure : retries > 0;
    const strategy = action === 'install' ? 'uninstall' : (text(remediation.strategy) ?? 'rollback');
    const newConfig = initial.lastAttemptedConfigDigest !== config.digest || initial.lastAttemptedRevision !== chart.revision;
    const failuresField = action === 'install' ? 'installFailures' : 'upgradeFailures';

    // Start: Reconciling, counters reset on a new configuration or on request.
    const started = writeStatus(type, start, (status) => {
      if (reset || newConfig) {
        status.failures = 0;
        status.installFailures = 0;
        status.upgradeFailures = 0;
        removeCondition(status, 'Stalled');
        if (reset) status.lastHandledResetAt = requested;
      }
      setCondition(
        status,
        generation,
        'Reconciling',
        'True',
        'Progressing',
        `Running '${action}' action with timeout of ${text(spec.timeout) ?? '5m0s'}`,
      );
      setCondition(status, generation, 'Ready', 'Unknown', 'Progressing', 'reconciliation in progress');
      status.lastAttemptedGeneration = generation;
    });
    if (!started) return;
    const startedStatus = rec(started.status);

    // Retries of the last action exhausted for this configuration: stay Stalled until something changes.
    const lastAction = text(startedStatus.lastAttemptedReleaseAction);
    if ((lastAction === 'install' || lastAction === 'upgrade') && !force) {
      const lastRetries = rec(rec(spec[lastAction]).remediation).retries;
      const failures = startedStatus[lastAction === 'install' ? 'installFailures' : 'upgradeFailures'];
      if (typeof failures === 'number' && failures > (typeof lastRetries === 'number' ? lastRetries : 0)) {
        writeStatus(type, start, (status) => {
          finishCommon(status);
          const ready = findCondition(initial, 'Ready');
          if (ready) setCondition(status, generation, 'Ready', ready.status === 'True' ? 'True' : 'False', ready.reason, ready.message);
          setCondition(status, generation, 'Stalled', 'True', 'RetriesExceeded', `Failed to ${lastAction} after ${failures} attempt(s)`);
        });
        return;
      }
    }

    // Nothing to do: the release is in sync.
    const latest = historyOf(startedStatus)[0];
    const inSync =
      !force &&
      latest !== undefined &&
      latest.status === 'deployed' &&
      latest.configDigest === config.digest &&
      latest.chartName === chart.chartName &&
      latest.chartVersion === chart.chartVersion;
    await wait(key, inSync ? Math.min(reconcileDelayMs, 200) : reconcileDelayMs);
    if (stopped) return;
    if (inSync) {
      writeStatus(type, start, (status) => {
        finishCommon(status);
        const ready = findCondition(initial, 'Ready');
        const message =
          ready?.status === 'True'
            ? ready.message
            : `Helm ${latest.action === 'install' ? 'install' : 'upgrade'} succeeded for release ${releaseId}.v${latest.version} with chart ${chart.chartName}@${chart.chartVersion}`;
        setCondition(status, generation, 'Ready', 'True', ready?.status === 'True' ? ready.reason : 'UpgradeSucceeded', message);
        if (force) status.lastHandledForceAt = requested;
      });
      return;
    }

    for (let attempt = 1; !stopped; attempt++) {
      const failure = takeFailure(key);
      const time = now();
      const current = store.get(type, namespace, start.metadata.name);
      if (!current || current.metadata.uid !== start.metadata.uid) return;
      const history = historyOf(rec(current.status));
      const version = (history[0]?.version ?? 0) + 1;
      const snapshot: Snapshot = {
        apiVersion: 'v2',
        name: releaseName,
        namespace: storageNamespace,
        version,
        status: failure === undefined ? 'deployed' : 'failed',
        chartName: chart.chartName,
        chartVersion: chart.chartVersion,
        appVersion: chart.chartVersion.split('+')[0]!,
        configDigest: config.digest,
        digest: `sha256:${sha256(`${releaseId}.v${version}:${config.digest}:${chart.chartName}@${chart.chartVersion}`)}`,
        firstDeployed: history.find((s) => s.status !== 'uninstalled')?.firstDeployed ?? time,
        lastDeployed: time,
        action,
        ...(chart.revisionDigest ? { ociDigest: chart.revisionDigest } : {}),
      };
      const common = (status: JsonRecord): void => {
        status.lastAttemptedReleaseAction = action;
        status.lastAttemptedRevision = chart.revision;
        if (chart.revisionDigest) status.lastAttemptedRevisionDigest = chart.revisionDigest;
        else delete status.lastAttemptedRevisionDigest;
        status.lastAttemptedConfigDigest = config.digest;
        status.storageNamespace = storageNamespace;
        if (chart.helmChart) status.helmChart = chart.helmChart;
        if (force) status.lastHandledForceAt = requested;
      };

      if (failure === undefined) {
        const message = `Helm ${action} succeeded for release ${releaseId}.v${version} with chart ${chart.chartName}@${chart.chartVersion}`;
        const reason = action === 'install' ? 'InstallSucceeded' : 'UpgradeSucceeded';
        writeStatus(type, start, (status) => {
          common(status);
          finishCommon(status);
          status.history = trimHistory([snapshot, ...history.map((s) => (s.status === 'deployed' ? { ...s, status: 'superseded' } : s))]);
          status.lastReleaseRevision = version;
          setCondition(status, generation, 'Ready', 'True', reason, message);
          setCondition(status, generation, 'Released', 'True', reason, message);
          removeCondition(status, 'Stalled');
          removeCondition(status, 'Remediated');
        });
        emit(current, 'Normal', reason, message, {
          'helm.toolkit.fluxcd.io/revision': chart.chartVersion,
          'helm.toolkit.fluxcd.io/token': config.digest,
        });
        wakeWaiting();
        return;
      }

      // A failed attempt.
      const reason = action === 'install' ? 'InstallFailed' : 'UpgradeFailed';
      const message = `Helm ${action} failed for release ${releaseId} with chart ${chart.chartName}@${chart.chartVersion}: ${failure}`;
      let count = 0;
      const failedObject = writeStatus(type, start, (status) => {
        common(status);
        status.history = trimHistory([snapshot, ...history]);
        status.failures = (typeof status.failures === 'number' ? status.failures : 0) + 1;
        count = (typeof status[failuresField] === 'number' ? (status[failuresField] as number) : 0) + 1;
        status[failuresField] = count;
        setCondition(status, generation, 'Ready', 'False', reason, message);
        setCondition(status, generation, 'Released', 'False', reason, message);
      });
      if (!failedObject) return;
      emit(current, 'Warning', reason, message, {
        'helm.toolkit.fluxcd.io/revision': chart.chartVersion,
        'helm.toolkit.fluxcd.io/token': config.digest,
      });
      const exhausted = count > retries;

      // Remediation: rollback (upgrade) or uninstall (install).
      if (!exhausted || remediateLastFailure) {
        await sleep(Math.min(reconcileDelayMs, 500));
        if (stopped) return;
        const afterFailure = historyOf(rec(store.get(type, namespace, start.metadata.name)?.status));
        if (strategy === 'rollback') {
          const targetIndex = afterFailure.findIndex((s, i) => i > 0 && (s.status === 'deployed' || s.status === 'superseded'));
          if (targetIndex < 0) {
            const stalled = 'Failed to perform remediation: missing target release for rollback';
            writeStatus(type, start, (status) => {
              finishCommon(status);
              setCondition(status, generation, 'Stalled', 'True', 'MissingRollbackTarget', stalled);
            });
            emit(current, 'Warning', 'MissingRollbackTarget', stalled);
            return;
          }
          const target = afterFailure[targetIndex]!;
          const rollbackVersion = afterFailure[0]!.version + 1;
          const rollbackMessage = `Helm rollback to previous release ${releaseId}.v${target.version} with chart ${target.chartName}@${target.chartVersion} succeeded`;
          const rollbackTime = now();
          writeStatus(type, start, (status) => {
            const rolledBack: Snapshot = {
              ...target,
              version: rollbackVersion,
              status: 'deployed',
              action: 'rollback',
              lastDeployed: rollbackTime,
              digest: `sha256:${sha256(`${releaseId}.v${rollbackVersion}:${target.configDigest}`)}`,
            };
            status.history = trimHistory([
              rolledBack,
              ...afterFailure.map((s) => (s.status === 'deployed' ? { ...s, status: 'superseded' } : s)),
            ]);
            status.lastReleaseRevision = rollbackVersion;
            setCondition(status, generation, 'Remediated', 'True', 'RollbackSucceeded', rollbackMessage);
            setCondition(status, generation, 'Ready', 'False', 'RollbackSucceeded', rollbackMessage);
          });
          emit(current, 'Normal', 'RollbackSucceeded', rollbackMessage);
        } else {
          const uninstallMessage = `Helm uninstall succeeded for release ${releaseId}.v${afterFailure[0]!.version} with chart ${chart.chartName}@${chart.chartVersion}`;
          writeStatus(type, start, (status) => {
            status.history = trimHistory(afterFailure.map((s, i) => (i === 0 ? { ...s, status: 'uninstalled' } : s)));
            setCondition(status, generation, 'Remediated', 'True', 'UninstallSucceeded', uninstallMessage);
            setCondition(status, generation, 'Ready', 'False', 'UninstallSucceeded', uninstallMessage);
          });
          emit(current, 'Normal', 'UninstallSucceeded', uninstallMessage);
        }
      }

      if (exhausted) {
        const stalledMessage = `Failed to ${action} after ${count} attempt(s)`;
        writeStatus(type, start, (status) => {
          finishCommon(status);
          setCondition(status, generation, 'Stalled', 'True', 'RetriesExceeded', stalledMessage);
        });
        emit(current, 'Warning', 'RetriesExceeded', stalledMessage);
        return;
      }

      // Retry.
      writeStatus(type, start, (status) => {
        setCondition(
          status,
          generation,
          'Reconciling',
          'True',
          'ProgressingWithRetry',
          `Running '${action}' action with timeout of ${text(spec.timeout) ?? '5m0s'}`,
        );
      });
      await wait(key, reconcileDelayMs);
    }
  }

  // ---- wiring ----

  function onEvent(event: StoreEvent): void {
    const kind = event.resource.kind;
    if (kind !== 'HelmRelease' && !sourceKinds.has(kind) && kind !== 'ConfigMap' && kind !== 'Secret') return;
    const { namespace, name } = event.object.metadata;
    if (event.type === 'DELETED') {
      states.delete(keyOf(kind, namespace, name));
      if (kind === 'HelmRelease') {
        for (const chart of store.list('helmcharts')) {
          const labels = chart.metadata.labels ?? {};
          if (labels['helm.toolkit.fluxcd.io/name'] === name && labels['helm.toolkit.fluxcd.io/namespace'] === namespace) {
            store.delete('helmcharts', chart.metadata.namespace, chart.metadata.name);
          }
        }
      }
      return;
    }
    if (kind === 'ConfigMap' || kind === 'Secret') {
      // `reconcile.fluxcd.io/watch: Enabled` values objects trigger the releases that use them.
      if (event.object.metadata.labels?.['reconcile.fluxcd.io/watch'] !== 'Enabled') return;
      for (const hr of store.list('helmreleases', namespace)) {
        const uses = (Array.isArray(rec(hr.spec).valuesFrom) ? (rec(hr.spec).valuesFrom as unknown[]) : []).some(
          (r) => rec(r).kind === kind && rec(r).name === name,
        );
        if (uses) enqueue(store.resolve('helmreleases'), namespace, hr.metadata.name, true);
      }
      return;
    }
    enqueue(event.resource, namespace, name);
  }

  const unsubscribe = store.subscribe(onEvent);
  // Objects that existed before the simulator started.
  for (const kind of ['helmrepositories', 'gitrepositories', 'ocirepositories', 'buckets', 'helmcharts', 'helmreleases']) {
    for (const object of store.list(kind)) enqueue(store.resolve(kind), object.metadata.namespace, object.metadata.name);
  }

  const simulator: FluxSimulator = {
    failNext(namespace, name, failure = {}) {
      state(keyOf(failure.kind ?? 'HelmRelease', namespace, name)).failure = {
        remaining: failure.times ?? 1,
        message: failure.message ?? 'context deadline exceeded',
      };
    },
    clearFailures(namespace, name, kind = 'HelmRelease') {
      delete state(keyOf(kind, namespace, name)).failure;
    },
    stall(namespace, name, kind = 'HelmRelease') {
      state(keyOf(kind, namespace, name)).stalled = true;
    },
    release(namespace, name, kind = 'HelmRelease') {
      const s = state(keyOf(kind, namespace, name));
      s.stalled = false;
      const resume = s.stallRelease;
      delete s.stallRelease;
      resume?.();
    },
    delay(namespace, name, ms, kind = 'HelmRelease') {
      state(keyOf(kind, namespace, name)).delayMs = ms;
    },
    async idle(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      // Two quiet checks in a row: a finished reconcile may enqueue another one synchronously.
      let quiet = 0;
      while (quiet < 2) {
        if (Date.now() > deadline) throw new Error(`flux simulator still busy after ${timeoutMs} ms`);
        await sleep(10);
        quiet = running === 0 ? quiet + 1 : 0;
      }
    },
    stop() {
      stopped = true;
      unsubscribe();
      for (const s of states.values()) s.stallRelease?.();
    },
  };
  return simulator;
}

/** A copy of an object's status conditions by type, for assertions and demos. */
export function conditionMap(object: KubeObject | undefined): Record<string, { status: string; reason: string; message: string }> {
  const out: Record<string, { status: string; reason: string; message: string }> = {};
  for (const c of conditionsOf(rec(object?.status))) out[c.type] = { status: c.status, reason: c.reason, message: c.message };
  return clone(out);
}
