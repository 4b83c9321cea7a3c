// Shapes of the Kubernetes objects the cluster core reads (only the fields it uses are typed).
import { ClusterError } from './errors';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown' | string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface CrossNamespaceRef {
  apiVersion?: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface FluxStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  lastHandledReconcileAt?: string;
  lastAttemptedRevision?: string;
  /** Kustomization: the source revision last applied. */
  lastAppliedRevision?: string;
  /** Kustomization: what it applied, `<namespace>_<name>_<group>_<kind>` with the version. */
  inventory?: { entries?: Array<{ id: string; v: string }> };
  /** HelmRelease: helm-controller's snapshots of the latest releases, newest first; `action` (helm-controller ≥ 1.5) is what made each one, e.g. `upgrade`, `uninstall-remediation`. */
  history?: Array<{ chartName?: string; chartVersion?: string; appVersion?: string; version?: number; status?: string; action?: string }>;
  artifact?: { revision?: string; lastUpdateTime?: string; url?: string; digest?: string };
  helmChart?: string;
  [key: string]: unknown;
}

export interface FluxSpec {
  suspend?: boolean;
  type?: string;
  chart?: { spec?: { chart?: string; version?: string; sourceRef?: CrossNamespaceRef } };
  chartRef?: CrossNamespaceRef;
  sourceRef?: CrossNamespaceRef;
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: FluxSpec;
  status?: FluxStatus;
}

export interface KubeList {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: KubeObject[];
}

export type FluxKind = 'HelmRelease' | 'Kustomization' | 'HelmRepository' | 'OCIRepository' | 'GitRepository' | 'HelmChart' | 'Bucket';

export interface KindInfo {
  kind: FluxKind;
  group: string;
  version: string;
  plural: string;
}

export const fluxKinds: Readonly<Record<FluxKind, KindInfo>> = {
  HelmRelease: { kind: 'HelmRelease', group: 'helm.toolkit.fluxcd.io', version: 'v2', plural: 'helmreleases' },
  Kustomization: { kind: 'Kustomization', group: 'kustomize.toolkit.fluxcd.io', version: 'v1', plural: 'kustomizations' },
  HelmRepository: { kind: 'HelmRepository', group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'helmrepositories' },
  OCIRepository: { kind: 'OCIRepository', group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'ocirepositories' },
  GitRepository: { kind: 'GitRepository', group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'gitrepositories' },
  HelmChart: { kind: 'HelmChart', group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'helmcharts' },
  Bucket: { kind: 'Bucket', group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'buckets' },
};

export const allFluxKinds: readonly FluxKind[] = Object.keys(fluxKinds) as FluxKind[];

export function isFluxKind(kind: string): kind is FluxKind {
  return Object.prototype.hasOwnProperty.call(fluxKinds, kind);
}

export interface ObjectRef {
  kind: FluxKind;
  namespace: string;
  name: string;
  /** The kubeconfig context of the cluster it is on; absent: the default context. */
  context?: string;
}

/**
 * One path segment from a namespace or name, percent-encoded. An empty, `.` or `..` segment is
 * refused: URL parsing would drop or resolve it (even encoded), and the request would reach
 * another resource.
 */
export function pathSegment(value: string, what: 'namespace' | 'name'): string {
  if (value === '' || value === '.' || value === '..') throw new ClusterError('ApiError', `"${value}" is not a valid ${what}.`);
  return encodeURIComponent(value);
}

/** `/apis/<group>/<version>[/namespaces/<ns>]/<plural>[/<name>]`, namespace and name encoded. */
export function resourcePath(kind: FluxKind, namespace?: string, name?: string): string {
  const info = fluxKinds[kind];
  let path = `/apis/${info.group}/${info.version}`;
  if (namespace !== undefined) path += `/namespaces/${pathSegment(namespace, 'namespace')}`;
  path += `/${info.plural}`;
  if (name !== undefined) path += `/${pathSegment(name, 'name')}`;
  return path;
}

export function refString(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
