// The tutorial's cluster on the real cluster (scripts/cluster/start.mjs), applied the GitOps way:
// bootstrap objects (the GitRepository and the Flux Kustomizations, the Secrets Git never holds)
// are created directly, and the real kustomize-controller applies the rest from a Git repository
// served on loopback. The releases and sources are those of the simulator's demo
// (test/cluster/demoData.ts), pointed at the local chart sources (test/vscode/chartSources.ts):
//   - infrastructure: HelmRepositories `bitnami` (HTTP) and `grade-api-charts` (private OCI), OCIRepository `podinfo`;
//   - apps (dependsOn infrastructure, post-build substitution cluster_name/replicas): Namespaces,
//     HelmReleases podinfo and postgres (Ready) and grade-api (its post-install migration Job
//     never runs without a kubelet: the install fails, "timed out waiting for the condition");
//   - monitoring (its folder is missing from the repository: it fails) and dashboards, waiting for it.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { startRealCluster, type RealCluster } from '../../scripts/cluster/start.mjs';
import { loadKubeconfig } from '../../client/src/cluster/kubeconfig';
import type { ClusterConnection } from '../../client/src/cluster/connection';
import { demoReleases, demoSources, demoValuesObjects } from '../cluster/demoData';
import type { KubeObject } from '../cluster/store';
import { startChartSources, type ChartSources } from '../vscode/chartSources';
import type { ChartSourcesConfig } from '../vscode/protocol';
import { startGitServer, type GitServer } from './gitServer';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const KUSTOMIZE = 'kustomize.toolkit.fluxcd.io/v1';

export interface RealDemo {
  cluster: RealCluster;
  /** A connection with every right (context flux-local-token). */
  api: ClusterConnection;
  charts: ChartSourcesConfig;
  git: GitServer;
  /** Resolves once every demo HelmRelease has an outcome (Ready, or failed for a reason that is not waiting). */
  settled(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export const demoHelmReleases = [
  { namespace: 'podinfo', name: 'podinfo' },
  { namespace: 'grade-api', name: 'postgres' },
  { namespace: 'grade-api', name: 'grade-api' },
] as const;

/** The repository's files: what `flux bootstrap` users keep in Git. */
export function fleetFiles(charts: ChartSourcesConfig): Record<string, string> {
  const yaml = (objects: KubeObject[]) => objects.map((o) => stringify(o)).join('---\n');
  const sources = demoSources()
    .filter((o) => o.kind !== 'GitRepository')
    .map((o) => {
      const spec = { ...(o.spec as Record<string, unknown>) };
      if (o.metadata.name === 'bitnami') spec.url = charts.httpRepository;
      // The local registries speak plain HTTP, which Flux only uses with `insecure: true`.
      if (o.metadata.name === 'grade-api-charts') Object.assign(spec, { url: charts.ociHelmRepository, insecure: true });
      if (o.metadata.name === 'podinfo') Object.assign(spec, { url: charts.ociRepository, insecure: true });
      return { ...o, spec };
    });
  const releases = demoReleases().map((o) => {
    const spec = structuredClone(o.spec) as Record<string, unknown> & { values?: Record<string, unknown> };
    if (o.metadata.name === 'podinfo') {
      // Filled in by the apps Kustomization's post-build substitution, as in the tutorial.
      spec.values = { ...spec.values, replicaCount: '${replicas}', ui: { message: 'Hello from ${cluster_name}' }, ingress: { enabled: true, hosts: [{ host: 'podinfo.${cluster_name}.example.com' }] } };
    }
    // The migration Job never completes here: fail after 20 s rather than Helm's 5 minutes.
    if (o.metadata.name === 'grade-api') spec.timeout = '20s';
    return { ...o, spec };
  });
  const namespaces = ['podinfo', 'grade-api'].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
  const valueConfigMaps = demoValuesObjects().filter((o) => o.kind !== 'Secret');
  // Unquoted, so that a substituted number stays a number, as in the tutorial's files.
  const unquoted = (text: string) => text.replace(/'(\$\{[a-z_]+\})'/g, '$1');
  return {
    'infrastructure/sources.yaml': yaml(sources),
    'apps/namespaces.yaml': yaml(namespaces),
    'apps/podinfo.yaml': unquoted(yaml(releases.filter((o) => o.metadata.namespace === 'podinfo'))),
    'apps/grade-api.yaml': yaml([...valueConfigMaps, ...releases.filter((o) => o.metadata.namespace === 'grade-api')]),
  };
}

/** What `flux bootstrap` and the platform team create on the cluster directly. */
export function bootstrapObjects(charts: ChartSourcesConfig, gitUrl: string): KubeObject[] {
  const registryHost = charts.ociHelmRepository.slice('oci://'.length).split('/')[0]!;
  const auth = Buffer.from(`${charts.credentials.username}:${charts.credentials.password}`).toString('base64');
  const dockerConfig = JSON.stringify({ auths: { [registryHost]: { username: charts.credentials.username, password: charts.credentials.password, auth } } });
  const gitRepository = demoSources().find((o) => o.kind === 'GitRepository')!;
  return [
    ...['flux-system', 'podinfo', 'grade-api'].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'ghcr-credentials', namespace: 'flux-system' },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': Buffer.from(dockerConfig).toString('base64') },
    },
    ...demoValuesObjects().filter((o) => o.kind === 'Secret'),
    { ...gitRepository, spec: { interval: '1m0s', ref: { branch: 'main' }, url: gitUrl } },
    {
      apiVersion: KUSTOMIZE,
      kind: 'Kustomization',
      metadata: { name: 'infrastructure', namespace: 'flux-system' },
      spec: { interval: '10m', path: './infrastructure', prune: true, sourceRef: { kind: 'GitRepository', name: 'flux-system' } },
    },
    {
      apiVersion: KUSTOMIZE,
      kind: 'Kustomization',
      metadata: { name: 'apps', namespace: 'flux-system' },
      spec: {
        interval: '10m',
        path: './apps',
        prune: true,
        dependsOn: [{ name: 'infrastructure' }],
        sourceRef: { kind: 'GitRepository', name: 'flux-system' },
        postBuild: { substitute: { cluster_name: 'production', replicas: '3' } },
      },
    },
    // A chain with a waiting object: monitoring's folder is not in the repository (it fails), and
    // dashboards waits for it.
    {
      apiVersion: KUSTOMIZE,
      kind: 'Kustomization',
      metadata: { name: 'monitoring', namespace: 'flux-system' },
      spec: { interval: '10m', path: './monitoring', prune: true, dependsOn: [{ name: 'infrastructure' }], sourceRef: { kind: 'GitRepository', name: 'flux-system' } },
    },
    {
      apiVersion: KUSTOMIZE,
      kind: 'Kustomization',
      metadata: { name: 'dashboards', namespace: 'flux-system' },
      spec: { interval: '10m', path: './dashboards', prune: true, dependsOn: [{ name: 'monitoring' }], sourceRef: { kind: 'GitRepository', name: 'flux-system' } },
    },
  ];
}

/** The API path of an object (core or grouped; every demo object is namespaced but Namespaces). */
export function objectPath(object: Pick<KubeObject, 'apiVersion' | 'kind'> & { metadata: { name: string; namespace?: string } }, plural?: string): string {
  const kind = object.kind.toLowerCase();
  const resource = plural ?? (kind.endsWith('y') ? `${kind.slice(0, -1)}ies` : `${kind}s`);
  const base = object.apiVersion.includes('/') ? `/apis/${object.apiVersion}` : `/api/${object.apiVersion}`;
  const namespace = object.metadata.namespace ? `/namespaces/${object.metadata.namespace}` : '';
  return `${base}${namespace}/${resource}`;
}

/** Ready=False reasons that say the controller is still at work, not an outcome. */
const WAITING_REASONS = new Set(['Progressing', 'SourceNotReady', 'DependencyNotReady']);

interface Condition {
  type: string;
  status: string;
  reason?: string;
}

/** Starts the real cluster with the demo applied; `charts` are the sources to point at (started here when absent). */
export async function startRealDemo(options: { kubeconfig?: string; log?: (line: string) => void; charts?: ChartSourcesConfig } = {}): Promise<RealDemo> {
  const tmp = mkdtempSync(path.join(tmpdir(), 'flux-real-demo-'));
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
    rmSync(tmp, { recursive: true, force: true });
  };
  try {
    let charts = options.charts;
    if (!charts) {
      // The sources rewrite a workspace's files: a copy of the sample workspace nobody opens.
      const workspace = path.join(tmp, 'gitops-repo');
      cpSync(path.join(ROOT, 'test', 'fixtures', 'gitops-repo'), workspace, { recursive: true });
      const sources: ChartSources = await startChartSources(workspace);
      stops.push(() => sources.stop());
      charts = sources.config;
    }
    const git = await startGitServer(tmp);
    stops.push(() => git.close());
    git.commit(fleetFiles(charts), 'The tutorial: sources and apps');
    const cluster = await startRealCluster({ kubeconfig: options.kubeconfig, log: options.log });
    stops.push(() => cluster.stop());
    const missing = ['source-controller', 'kustomize-controller', 'helm-controller'].filter((name) => !cluster.controllers.includes(name));
    if (missing.length > 0) throw new Error(`${missing.join(', ')} not built: run \`npm run cluster:build\``);
    const api = loadKubeconfig({ path: cluster.kubeconfig }).connect('flux-local-token', { requestTimeoutMs: 10_000 });
    for (const object of bootstrapObjects(charts, git.url)) await api.request('POST', objectPath(object), { body: object });
    const settled = async (timeoutMs = 180_000) => {
      const deadline = Date.now() + timeoutMs;
      let states: string[] = [];
      for (;;) {
        const readies = await Promise.all(
          demoHelmReleases.map(async ({ namespace, name }) => {
            const hr = await api.request<{ status?: { conditions?: Condition[] } }>('GET', `/apis/helm.toolkit.fluxcd.io/v2/namespaces/${namespace}/helmreleases/${name}`).catch(() => undefined);
            return hr?.status?.conditions?.find((c) => c.type === 'Ready');
          }),
        );
        states = readies.map((ready, i) => `${demoHelmReleases[i]!.namespace}/${demoHelmReleases[i]!.name}: ${ready ? `${ready.status} ${ready.reason}` : 'no condition'}`);
        const outcome = (ready: Condition | undefined) => ready?.status === 'True' || (ready?.status === 'False' && !WAITING_REASONS.has(ready.reason ?? ''));
        if (readies.every(outcome)) return;
        if (Date.now() > deadline) throw new Error(`the demo did not settle in ${timeoutMs / 1000} s: ${states.join('; ')}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    };
    return { cluster, api, charts, git, settled, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
