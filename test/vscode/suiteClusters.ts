// The cluster behind the real-VS-Code suite, and what the suite may ask of it through the control
// server (/cluster/*): the real cluster (test/realCluster/demo.ts) when its programs are built,
// else the simulator (test/cluster/demoData.ts). Both hold the tutorial's releases; scenarios are
// played the way each can: the real one through the real helm-controller (a values change that
// the API server refuses makes the upgrade fail), the simulator by its failure switch.
import { existsSync } from 'node:fs';
import { COMPONENTS, programPath } from '../../scripts/cluster/build.mjs';
import { changeValues, failingUpgrade, recover, startDemoCluster, type DemoCluster } from '../cluster/demoData';
import type { KubeObject } from '../cluster/store';
import { startRealDemo, type RealDemo } from '../realCluster/demo';
import type { ChartSourcesConfig, ScenarioRequest } from './protocol';

export interface SuiteCluster {
  /** `real` or `simulated`, and where. */
  label: string;
  kind: 'real' | 'simulated';
  /** The API server's log of requests (the simulator keeps one; a real server does not). */
  requests(): Array<{ method: string; url: string; contentType: string }> | undefined;
  object(resource: string, namespace: string, name: string): Promise<KubeObject | undefined>;
  /** `count` suspended HelmReleases in namespace `bulk`. */
  bulk(count: number): Promise<void>;
  /** A status-only change, as a controller makes it: the release's history names `chartVersion`. */
  setHistory(namespace: string, name: string, chartVersion: string): Promise<void>;
  scenario(request: ScenarioRequest): Promise<KubeObject | undefined>;
  stop(): Promise<void>;
}

export function realClusterBuilt(): boolean {
  return COMPONENTS.every((component) => existsSync(programPath(component)));
}

const HELM = '/apis/helm.toolkit.fluxcd.io/v2';

function bulkRelease(i: number): KubeObject {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: `hr-${String(i).padStart(4, '0')}`, namespace: 'bulk' },
    spec: { interval: '10m', suspend: true, chart: { spec: { chart: 'app', sourceRef: { kind: 'HelmRepository', name: 'charts' } } } },
  };
}

export async function startSuiteCluster(options: { kubeconfig: string; charts?: ChartSourcesConfig; real: boolean }): Promise<SuiteCluster> {
  return options.real ? realSuiteCluster(await startRealDemo({ kubeconfig: options.kubeconfig, charts: options.charts })) : simulatedSuiteCluster(options.kubeconfig);
}

async function realSuiteCluster(demo: RealDemo): Promise<SuiteCluster> {
  try {
    await demo.settled();
  } catch (error) {
    await demo.stop();
    throw error;
  }
  const { api } = demo;
  const path = (resource: string, namespace: string, name: string) =>
    resource === 'helmreleases' ? `${HELM}/namespaces/${namespace}/helmreleases/${name}` : `/apis/source.toolkit.fluxcd.io/v1/namespaces/${namespace}/${resource}/${name}`;
  const generationOf = async (namespace: string, name: string) => (await api.request<KubeObject>('GET', path('helmreleases', namespace, name))).metadata.generation ?? 0;
  return {
    label: `real cluster ${demo.cluster.server}`,
    kind: 'real',
    requests: () => undefined,
    object: (resource, namespace, name) => api.request<KubeObject>('GET', path(resource, namespace, name)).catch(() => undefined),
    async bulk(count) {
      await api.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bulk' } } });
      // Suspended: the real helm-controller leaves them alone. A few requests at a time.
      let next = 0;
      const worker = async () => {
        while (next < count) await api.request('POST', `${HELM}/namespaces/bulk/helmreleases`, { body: bulkRelease(next++) });
      };
      await Promise.all(Array.from({ length: 8 }, worker));
    },
    async setHistory(namespace, name, chartVersion) {
      await api.request('PATCH', `${path('helmreleases', namespace, name)}/status`, {
        body: { status: { history: [{ chartName: 'app', chartVersion, version: 2, status: 'deployed', name, namespace, digest: 'sha256:0', configDigest: 'sha256:0', firstDeployed: new Date().toISOString(), lastDeployed: new Date().toISOString() }] } },
        contentType: 'application/merge-patch+json',
      });
    },
    async scenario(r) {
      // Upgrades of podinfo: a Service type Kubernetes does not know is refused by the API server,
      // so the real helm-controller's upgrade fails (and is remediated) until it is set right again.
      const values =
        r.scenario === 'failingUpgrade' ? { ...r.values, service: { type: 'Unsupported' } } : r.scenario === 'recover' ? { ...r.values, service: { type: 'ClusterIP' } } : r.values;
      const before = await generationOf(r.namespace, r.name);
      await api.request('PATCH', path('helmreleases', r.namespace, r.name), { body: { spec: { values } }, contentType: 'application/merge-patch+json' });
      if (r.wait) {
        const deadline = Date.now() + 60_000;
        for (;;) {
          const hr = await api.request<KubeObject & { status?: { observedGeneration?: number; conditions?: Array<{ type: string; status: string }> } }>('GET', path('helmreleases', r.namespace, r.name));
          const ready = hr.status?.conditions?.find((c) => c.type === 'Ready');
          if ((hr.status?.observedGeneration ?? 0) > before && ready && ready.status !== 'Unknown') return hr;
          if (Date.now() > deadline) throw new Error(`${r.namespace}/${r.name}: not reconciled after the ${r.scenario} change: ${JSON.stringify(hr.status)}`);
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
      return api.request<KubeObject>('GET', path('helmreleases', r.namespace, r.name));
    },
    stop: () => demo.stop(),
  };
}

async function simulatedSuiteCluster(kubeconfig: string): Promise<SuiteCluster> {
  // Quick controllers keep the suite short; grade-api fails its install as in the tutorial.
  const demo: DemoCluster = await startDemoCluster({ kubeconfig, simulator: { reconcileDelayMs: 300, sourceDelayMs: 100 } });
  const { store } = demo.api;
  return {
    label: `simulated cluster ${demo.api.url}`,
    kind: 'simulated',
    requests: () => demo.api.requests,
    object: async (resource, namespace, name) => store.get(resource, namespace, name),
    async bulk(count) {
      store.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bulk' } });
      for (let i = 0; i < count; i++) store.put({ ...bulkRelease(i), status: { history: [{ chartName: 'app', chartVersion: '1.0.0', version: 1, status: 'deployed' }] } });
    },
    async setHistory(namespace, name, chartVersion) {
      const current = store.get('helmreleases', namespace, name);
      store.setStatus('helmreleases', namespace, name, { ...(current?.status ?? {}), history: [{ chartName: 'app', chartVersion, version: 2, status: 'deployed' }] });
    },
    async scenario(r) {
      if (r.scenario === 'failingUpgrade') failingUpgrade(demo.api, demo.simulator, r.namespace, r.name, r.values);
      else if (r.scenario === 'recover') recover(demo.api, demo.simulator, r.namespace, r.name, r.values);
      else changeValues(demo.api, r.namespace, r.name, r.values);
      if (r.wait) await demo.simulator.idle(30_000);
      return store.get('helmreleases', r.namespace, r.name);
    },
    stop: () => demo.stop(),
  };
}
