// The real source-controller (built from its Go module) against the real kube-apiserver: a
// HelmRepository served over HTTP on loopback becomes Ready with an artifact, a HelmChart from it is
// fetched and packaged, and a repository that cannot be reached is reported as the controller
// reports it. The extension's cluster views read these conditions.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startRealCluster, type RealCluster } from '../../scripts/cluster/start.mjs';
import { loadKubeconfig } from '../../client/src/cluster/kubeconfig';
import type { ClusterConnection } from '../../client/src/cluster/connection';
import type { TestServer } from '../remoteCharts/helpers';
import { reconcile, resume, suspend } from '../../client/src/cluster/actions';
import { freePort } from '../clusterCore/helpers';
import { serveSettingsChart, startHelmCluster } from './helmFixture';

const SOURCES = '/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system';

interface Condition {
  observedGeneration?: number;
  type: string;
  status: string;
  reason: string;
  message: string;
}
interface Reconciled {
  metadata?: { generation?: number };
  status?: { conditions?: Condition[]; artifact?: { revision?: string; url?: string }; observedGeneration?: number };
}

/**
 * Ready conditions that are not an outcome: the real helm-controller says Ready=False with reason
 * SourceNotReady while its HelmChart is being fetched, before anything is installed.
 */
const WAITING_REASONS = new Set(['SourceNotReady', 'Progressing', 'DependencyNotReady']);

/** Waits until the object's Ready condition is decided (True, or False for a reason that is an outcome), and returns the object. */
async function readyDecided(api: ClusterConnection, path: string, timeoutMs = 60_000): Promise<Reconciled & { ready: Condition }> {
  const deadline = Date.now() + timeoutMs;
  let last: Reconciled | undefined;
  while (Date.now() < deadline) {
    last = await api.request<Reconciled>('GET', path);
    const ready = last.status?.conditions?.find((c) => c.type === 'Ready');
    // A Ready condition counts once it is about the object's current generation (a failed source
    // has no status.observedGeneration yet: the condition carries it).
    const current = (ready?.observedGeneration ?? last.status?.observedGeneration) === last.metadata?.generation;
    if (current && ready && ready.status !== 'Unknown' && !(ready.status === 'False' && WAITING_REASONS.has(ready.reason))) return { ...last, ready };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${path}: Ready not decided after ${timeoutMs / 1000} s; status: ${JSON.stringify(last?.status)}`);
}

describe('the real source-controller', () => {
  let cluster: RealCluster;
  let api: ClusterConnection;
  let charts: TestServer;

  before(async () => {
    charts = await serveSettingsChart('mode: demo\n', {
      'configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-settings\ndata:\n  mode: {{ .Values.mode | quote }}\n',
    });
    cluster = await startRealCluster();
    assert.ok(cluster.controllers.includes('source-controller'), 'source-controller is not built: run `npm run cluster:build`');
    api = loadKubeconfig({ path: cluster.kubeconfig }).connect('flux-local-token', { requestTimeoutMs: 10_000 });
    await api.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'flux-system' } } });
  });

  after(async () => {
    await cluster?.stop();
    await charts?.close();
  });

  it('a HelmRepository on a reachable server becomes Ready with an artifact', async () => {
    await api.request('POST', `${SOURCES}/helmrepositories`, {
      body: { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository', metadata: { name: 'charts', namespace: 'flux-system' }, spec: { interval: '10m', url: charts.url } },
    });
    const repository = await readyDecided(api, `${SOURCES}/helmrepositories/charts`);
    assert.equal(repository.ready.status, 'True', repository.ready.message);
    assert.equal(repository.ready.reason, 'Succeeded');
    assert.match(repository.status?.artifact?.revision ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.ok((charts.hits.get('/index.yaml') ?? 0) >= 1, 'the controller read the index from our server');
  });

  it('a HelmChart from it is fetched and packaged: Ready, revision = the chart version', async () => {
    await api.request('POST', `${SOURCES}/helmcharts`, {
      body: {
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'HelmChart',
        metadata: { name: 'settings', namespace: 'flux-system' },
        spec: { interval: '10m', chart: 'settings', version: '1.x', sourceRef: { kind: 'HelmRepository', name: 'charts' } },
      },
    });
    let chart = await readyDecided(api, `${SOURCES}/helmcharts/settings`);
    assert.equal(chart.ready.status, 'True', chart.ready.message);
    // The artifact can be written a moment after the condition.
    for (let i = 0; i < 120 && !chart.status?.artifact; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      chart = { ...(await api.request<Reconciled>('GET', `${SOURCES}/helmcharts/settings`)), ready: chart.ready };
    }
    assert.equal(chart.status?.artifact?.revision, '1.2.0', JSON.stringify(chart.status));
  });

  it('a HelmRepository nobody answers for is not Ready, with the reason and message the controller gives', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    await api.request('POST', `${SOURCES}/helmrepositories`, {
      body: { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository', metadata: { name: 'gone', namespace: 'flux-system' }, spec: { interval: '10m', url } },
    });
    const repository = await readyDecided(api, `${SOURCES}/helmrepositories/gone`);
    assert.equal(repository.ready.status, 'False');
    assert.equal(repository.ready.reason, 'Failed');
    assert.match(repository.ready.message, /connection refused/);
  });
});

describe('the real helm-controller', () => {
  let cluster: RealCluster;
  let api: ClusterConnection;
  let charts: TestServer;
  const RELEASES = '/apis/helm.toolkit.fluxcd.io/v2/namespaces/apps/helmreleases';

  before(async () => {
    // `name` goes into a ConfigMap's name: an invalid one makes the install fail at the API server.
    charts = await serveSettingsChart('name: settings\nmode: demo\n', {
      'configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name }}\ndata:\n  mode: {{ .Values.mode | quote }}\n',
    });
    ({ cluster, api } = await startHelmCluster(charts.url));
  });

  after(async () => {
    await cluster?.stop();
    await charts?.close();
  });

  /** The history can be written by a later status patch than the Ready condition (seen once in CI). */
  async function withHistory<S extends { history?: unknown[] }>(path: string, status: S): Promise<S> {
    for (let i = 0; i < 120 && !status.history?.length; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      status = (await api.request<{ status: S }>('GET', path)).status;
    }
    return status;
  }

  const release = (name: string, values: Record<string, unknown>) => ({
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name, namespace: 'apps' },
    spec: {
      interval: '10m',
      chart: { spec: { chart: 'settings', version: '1.x', sourceRef: { kind: 'HelmRepository', name: 'charts', namespace: 'flux-system' } } },
      install: { remediation: { retries: 1 } },
      values,
    },
  });

  it('installs a release: Ready with reason InstallSucceeded, its history holds the deployed chart version, the ConfigMap exists', async () => {
    await api.request('POST', RELEASES, { body: release('healthy', { name: 'healthy-settings' }) });
    const hr = (await readyDecided(api, `${RELEASES}/healthy`, 120_000)) as Reconciled & { ready: Condition; status: { history?: Array<{ chartVersion: string; status: string }> } };
    assert.equal(hr.ready.status, 'True', hr.ready.message);
    assert.equal(hr.ready.reason, 'InstallSucceeded');
    hr.status = await withHistory(`${RELEASES}/healthy`, hr.status);
    assert.deepEqual(hr.status.history?.map((h) => [h.chartVersion, h.status]), [['1.2.0', 'deployed']]);
    const configMap = await api.request<{ data: Record<string, string> }>('GET', '/api/v1/namespaces/apps/configmaps/healthy-settings');
    assert.deepEqual(configMap.data, { mode: 'demo' });
  });

  it('a release whose install fails is Ready=False, with the reason and the failed attempt in its history', async () => {
    await api.request('POST', RELEASES, { body: release('failing', { name: 'Not_A_Valid_Name' }) });
    const hr = (await readyDecided(api, `${RELEASES}/failing`, 120_000)) as Reconciled & { ready: Condition; status: { history?: Array<{ chartVersion: string; status: string }> } };
    assert.equal(hr.ready.status, 'False');
    assert.match(hr.ready.reason, /InstallFailed|RetriesExceeded/);
    assert.match(hr.ready.message, /Not_A_Valid_Name|invalid/i);
    // The failed install is remediated by uninstalling it: the real controller records that in the
    // history entry (`action: uninstall-remediation`), or the entry still says `failed`.
    hr.status = await withHistory(`${RELEASES}/failing`, hr.status);
    const history = (hr.status.history ?? []) as Array<{ chartVersion: string; status: string; action?: string }>;
    assert.ok(history.length > 0 && history.every((h) => h.chartVersion === '1.2.0'), JSON.stringify(history));
    assert.ok(history.some((h) => h.status === 'failed' || h.action === 'uninstall-remediation'), JSON.stringify(history));
  });

  const healthy = { kind: 'HelmRelease', namespace: 'apps', name: 'healthy' } as const;

  it('Reconcile (the Flux view command) waits for the real controller and reports "applied revision 1.2.0"', async () => {
    const progress: string[] = [];
    const result = await reconcile(api, healthy, { timeoutMs: 120_000, pollMs: 250, onProgress: (m) => progress.push(m) });
    assert.equal(result.message, 'applied revision 1.2.0', progress.join('\n'));
    const object = await api.request<{ metadata: { annotations: Record<string, string> }; status: { lastHandledReconcileAt?: string } }>('GET', `${RELEASES}/healthy`);
    assert.equal(object.status.lastHandledReconcileAt, object.metadata.annotations['reconcile.fluxcd.io/requestedAt'], 'the controller handled our request token');
  });

  it('Reconcile with source goes through the HelmChart and the HelmRepository first', async () => {
    const result = await reconcile(api, healthy, { withSource: true, timeoutMs: 120_000, pollMs: 250 });
    assert.equal(result.message, 'applied revision 1.2.0');
    assert.ok(result.notes.some((note) => /HelmRepository|fetched revision/.test(note)), result.notes.join('\n'));
  });

  it('Reconcile --force --reset: the real controller handles both tokens and the release is upgraded again', async () => {
    const result = await reconcile(api, healthy, { force: true, reset: true, timeoutMs: 120_000, pollMs: 250 });
    assert.equal(result.message, 'applied revision 1.2.0');
    const object = await api.request<{ metadata: { annotations: Record<string, string> }; status: { lastHandledForceAt?: string; lastHandledResetAt?: string; history?: unknown[] } }>('GET', `${RELEASES}/healthy`);
    assert.equal(object.status.lastHandledForceAt, object.metadata.annotations['reconcile.fluxcd.io/forceAt']);
    assert.equal(object.status.lastHandledResetAt, object.metadata.annotations['reconcile.fluxcd.io/resetAt']);
    assert.ok((object.status.history?.length ?? 0) >= 2, 'a forced release is a new Helm release');
  });

  it('Suspend sets spec.suspend; Resume clears it and waits until the real controller has reconciled', async () => {
    const suspended = await suspend(api, healthy);
    assert.equal((suspended as { spec?: { suspend?: boolean } }).spec?.suspend, true);
    const result = await resume(api, healthy, { wait: true, timeoutMs: 120_000, pollMs: 250 });
    assert.equal(result.message, 'applied revision 1.2.0');
    const object = await api.request<{ spec: { suspend?: boolean } }>('GET', `${RELEASES}/healthy`);
    assert.notEqual(object.spec.suspend, true);
  });
});
