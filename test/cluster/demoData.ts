// The tutorial's cluster for the Kubernetes API test server: the releases of the GitOps fixture
// (test/fixtures/gitops-repo) — `podinfo`, `postgres` and `grade-api` — with their sources, as
// Flux would have applied them (post-build substitution done: cluster_name=production, replicas=3),
// and helpers that play the tutorial's scenarios through the Flux simulator.
import { startApiServer, type ApiServer, type ApiServerOptions } from './apiServer';
import { startFluxSimulator, type FluxSimulator, type FluxSimulatorOptions } from './fluxSimulator';
import type { KubeObject } from './store';

const helmV2 = 'helm.toolkit.fluxcd.io/v2';
const sourceV1 = 'source.toolkit.fluxcd.io/v1';

export const demoNamespaces = ['flux-system', 'podinfo', 'grade-api'];

/** Sources first, then values objects, then releases (each list in apply order). */
export function demoSources(): KubeObject[] {
  return [
    {
      apiVersion: sourceV1,
      kind: 'GitRepository',
      metadata: { name: 'flux-system', namespace: 'flux-system' },
      spec: { interval: '1m0s', ref: { branch: 'main' }, secretRef: { name: 'flux-system' }, url: 'ssh://git@github.com/example/fleet' },
    },
    {
      apiVersion: sourceV1,
      kind: 'HelmRepository',
      metadata: { name: 'bitnami', namespace: 'flux-system' },
      spec: { interval: '1h', url: 'https://charts.bitnami.com/bitnami' },
    },
    {
      // An OCI HelmRepository is static: source-controller leaves its status empty.
      apiVersion: sourceV1,
      kind: 'HelmRepository',
      metadata: { name: 'grade-api-charts', namespace: 'flux-system' },
      spec: { type: 'oci', url: 'oci://ghcr.io/example/charts', secretRef: { name: 'ghcr-credentials' } },
    },
    {
      apiVersion: sourceV1,
      kind: 'OCIRepository',
      metadata: { name: 'podinfo', namespace: 'flux-system' },
      spec: {
        interval: '10m',
        url: 'oci://ghcr.io/stefanprodan/charts/podinfo',
        ref: { semver: '>=6.5.0 <7.0.0' },
        layerSelector: { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: 'copy' },
      },
    },
  ];
}

export function demoValuesObjects(): KubeObject[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'grade-api-values', namespace: 'grade-api' },
      data: { 'values.yaml': 'replicaCount: 2\ningress:\n  enabled: true\n' },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'grade-api-db', namespace: 'grade-api' },
      type: 'Opaque',
      data: { password: Buffer.from('not-a-real-password').toString('base64') },
    },
  ];
}

export function demoReleases(): KubeObject[] {
  return [
    {
      apiVersion: helmV2,
      kind: 'HelmRelease',
      metadata: { name: 'podinfo', namespace: 'podinfo' },
      spec: {
        interval: '10m',
        chartRef: { kind: 'OCIRepository', name: 'podinfo', namespace: 'flux-system' },
        install: { remediation: { retries: 3 } },
        upgrade: { remediation: { retries: 3 } },
        values: {
          replicaCount: 3,
          ui: { message: 'Hello from production' },
          ingress: { enabled: true, hosts: [{ host: 'podinfo.production.example.com' }] },
        },
      },
    },
    {
      apiVersion: helmV2,
      kind: 'HelmRelease',
      metadata: { name: 'postgres', namespace: 'grade-api' },
      spec: {
        interval: '1h',
        chart: {
          spec: { chart: 'postgresql', version: '16.x', sourceRef: { kind: 'HelmRepository', name: 'bitnami', namespace: 'flux-system' } },
        },
        values: { auth: { database: 'grades' } },
      },
    },
    {
      apiVersion: helmV2,
      kind: 'HelmRelease',
      metadata: { name: 'grade-api', namespace: 'grade-api' },
      spec: {
        interval: '5m',
        dependsOn: [{ name: 'postgres' }],
        chart: {
          spec: {
            chart: 'grade-api',
            version: '>=1.0.0 <2.0.0',
            sourceRef: { kind: 'HelmRepository', name: 'grade-api-charts', namespace: 'flux-system' },
          },
        },
        targetNamespace: 'grade-api',
        install: { createNamespace: true },
        driftDetection: { mode: 'enabled', ignore: [{ paths: ['/spec/replicas'], target: { kind: 'Deployment' } }] },
        valuesFrom: [
          { kind: 'ConfigMap', name: 'grade-api-values' },
          {
            kind: 'Secret',
            name: 'grade-api-db',
            valuesKey: 'password',
            targetPath: 'postgresql.auth.password',
            literal: true,
            optional: true,
          },
        ],
        values: {
          image: { repository: 'ghcr.io/example/grade-api', tag: '1.4.2' },
          replicaCount: 3,
          resources: { limits: { memory: '512Mi' } },
        },
      },
    },
  ];
}

/** Everything, in apply order. */
export function demoObjects(): KubeObject[] {
  return [...demoSources(), ...demoValuesObjects(), ...demoReleases()];
}

/** The message of the demo's failing release. */
export const demoFailure = 'failed post-install: 1 error occurred:\n\t* timed out waiting for the condition';

export interface SeedOptions {
  /** Make `grade-api`'s install fail (default true), so the cluster shows one failed release. */
  failing?: boolean;
  /** Wait until the simulator is idle (default true). */
  wait?: boolean;
}

/** Stores the demo objects (sources first) and lets the simulator install the releases. */
export async function seedDemo(api: ApiServer, simulator: FluxSimulator, options: SeedOptions = {}): Promise<void> {
  if (options.failing ?? true) simulator.failNext('grade-api', 'grade-api', { times: 1, message: demoFailure });
  for (const object of [...demoSources(), ...demoValuesObjects()]) api.store.put(object);
  if (options.wait ?? true) await simulator.idle();
  for (const object of demoReleases()) api.store.put(object);
  if (options.wait ?? true) await simulator.idle();
}

// ---- the tutorial's scenarios ----

/** "Upgrade after a values change": merge `values` into `.spec.values` (a spec change → new generation → upgrade). */
export function changeValues(api: ApiServer, namespace: string, name: string, values: Record<string, unknown>): KubeObject {
  return api.store.patch('helmreleases', namespace, name, { spec: { values } });
}

/**
 * "A failing upgrade with remediation retries and rollback": every attempt of the next upgrade
 * fails (retries + 1 attempts), each failure is rolled back, then the release is Stalled
 * (RetriesExceeded) until its configuration changes or `resetAt` is requested.
 */
export function failingUpgrade(
  api: ApiServer,
  simulator: FluxSimulator,
  namespace: string,
  name: string,
  values: Record<string, unknown>,
  message = 'context deadline exceeded',
): KubeObject {
  simulator.failNext(namespace, name, { times: Number.POSITIVE_INFINITY, message });
  return changeValues(api, namespace, name, values);
}

/** "Recovery": the cause is fixed and a new values change upgrades successfully. */
export function recover(
  api: ApiServer,
  simulator: FluxSimulator,
  namespace: string,
  name: string,
  values: Record<string, unknown>,
): KubeObject {
  simulator.clearFailures(namespace, name);
  return changeValues(api, namespace, name, values);
}

/** What `flux reconcile hr` does: annotate with requestedAt (plus forceAt/resetAt when asked). */
export function requestReconcile(
  api: ApiServer,
  namespace: string,
  name: string,
  options: { force?: boolean; reset?: boolean } = {},
): string {
  const token = new Date().toISOString();
  const annotations: Record<string, string> = { 'reconcile.fluxcd.io/requestedAt': token };
  if (options.force) annotations['reconcile.fluxcd.io/forceAt'] = token;
  if (options.reset) annotations['reconcile.fluxcd.io/resetAt'] = token;
  api.store.patch('helmreleases', namespace, name, { metadata: { annotations } });
  return token;
}

export interface DemoCluster {
  api: ApiServer;
  simulator: FluxSimulator;
  stop(): Promise<void>;
}

/** A running demo cluster: API server, simulator, seeded objects; optionally writes a kubeconfig. */
export async function startDemoCluster(
  options: { server?: ApiServerOptions; simulator?: FluxSimulatorOptions; seed?: SeedOptions; kubeconfig?: string } = {},
): Promise<DemoCluster> {
  const api = await startApiServer({
    token: 'flux-demo-token',
    namespaces: ['default', 'kube-system', 'kube-public', 'kube-node-lease', ...demoNamespaces],
    ...options.server,
  });
  const simulator = startFluxSimulator(api, { reconcileDelayMs: 2000, sourceDelayMs: 500, ...options.simulator });
  await seedDemo(api, simulator, options.seed);
  if (options.kubeconfig) api.writeKubeconfig(options.kubeconfig, { namespace: 'flux-system' });
  return {
    api,
    simulator,
    async stop() {
      simulator.stop();
      await api.stop();
    },
  };
}
