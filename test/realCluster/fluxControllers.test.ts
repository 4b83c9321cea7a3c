// The real source-controller (built from its Go module) against the real kube-apiserver: a
// HelmRepository served over HTTP on loopback becomes Ready with an artifact, a HelmChart from it is
// fetched and packaged, and a repository that cannot be reached is reported as the controller
// reports it. The extension's cluster views read these conditions.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startRealCluster, type RealCluster } from '../../scripts/cluster/start.mjs';
import { loadKubeconfig } from '../../client/src/cluster/kubeconfig';
import type { ClusterConnection } from '../../client/src/cluster/connection';
import { buildTgz, startServer, type TestServer } from '../remoteCharts/helpers';
import { freePort } from '../clusterCore/helpers';

const SOURCES = '/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system';

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}
interface Reconciled {
  status?: { conditions?: Condition[]; artifact?: { revision?: string; url?: string }; observedGeneration?: number };
}

/** Waits until the object's Ready condition is decided (True or False), and returns the object. */
async function readyDecided(api: ClusterConnection, path: string, timeoutMs = 60_000): Promise<Reconciled & { ready: Condition }> {
  const deadline = Date.now() + timeoutMs;
  let last: Reconciled | undefined;
  while (Date.now() < deadline) {
    last = await api.request<Reconciled>('GET', path);
    const ready = last.status?.conditions?.find((c) => c.type === 'Ready');
    if (ready && ready.status !== 'Unknown') return { ...last, ready };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${path}: Ready not decided after ${timeoutMs / 1000} s; status: ${JSON.stringify(last?.status)}`);
}

describe('the real source-controller', () => {
  let cluster: RealCluster;
  let api: ClusterConnection;
  let charts: TestServer;

  before(async () => {
    const chart = await buildTgz([
      { name: 'settings/Chart.yaml', content: 'apiVersion: v2\nname: settings\nversion: 1.2.0\n' },
      { name: 'settings/values.yaml', content: 'mode: demo\n' },
      { name: 'settings/templates/configmap.yaml', content: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-settings\ndata:\n  mode: {{ .Values.mode | quote }}\n' },
    ]);
    charts = await startServer((req, res) => {
      if (req.url === '/index.yaml') {
        res.setHeader('content-type', 'application/x-yaml');
        res.end(`apiVersion: v1\nentries:\n  settings:\n    - name: settings\n      version: 1.2.0\n      urls: [${charts.url}/settings-1.2.0.tgz]\n`);
      } else if (req.url === '/settings-1.2.0.tgz') {
        res.end(chart);
      } else {
        res.statusCode = 404;
        res.end();
      }
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
    const chart = await readyDecided(api, `${SOURCES}/helmcharts/settings`);
    assert.equal(chart.ready.status, 'True', chart.ready.message);
    assert.equal(chart.status?.artifact?.revision, '1.2.0');
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
