// What the tests of the real helm-controller share: a Helm repository on loopback with one chart,
// `settings` 1.2.0, and the real cluster with source- and helm-controller, the namespaces
// flux-system and apps, and a HelmRepository `charts` pointing at that repository.
import assert from 'node:assert/strict';
import { startRealCluster, type RealCluster } from '../../scripts/cluster/start.mjs';
import type { ClusterConnection } from '../../client/src/cluster/connection';
import { loadKubeconfig } from '../../client/src/cluster/kubeconfig';
import { buildTgz, startServer, type TestServer } from '../remoteCharts/helpers';

export const SOURCES = '/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system';

/** Serves `index.yaml` and `settings-1.2.0.tgz` built from these values and templates (file name → text). */
export async function serveSettingsChart(values: string, templates: Record<string, string>): Promise<TestServer> {
  const chart = await buildTgz([
    { name: 'settings/Chart.yaml', content: 'apiVersion: v2\nname: settings\nversion: 1.2.0\n' },
    { name: 'settings/values.yaml', content: values },
    ...Object.entries(templates).map(([file, content]) => ({ name: `settings/templates/${file}`, content })),
  ]);
  const server: TestServer = await startServer((req, res) => {
    if (req.url === '/index.yaml') {
      res.setHeader('content-type', 'application/x-yaml');
      res.end(`apiVersion: v1\nentries:\n  settings:\n    - name: settings\n      version: 1.2.0\n      urls: [${server.url}/settings-1.2.0.tgz]\n`);
    } else if (req.url === '/settings-1.2.0.tgz') res.end(chart);
    else {
      res.statusCode = 404;
      res.end();
    }
  });
  return server;
}

/** The real cluster ready for HelmReleases in `apps` from the HelmRepository `charts` (flux-system) at `chartsUrl`. */
export async function startHelmCluster(chartsUrl: string): Promise<{ cluster: RealCluster; api: ClusterConnection }> {
  const cluster = await startRealCluster();
  for (const name of ['source-controller', 'helm-controller']) assert.ok(cluster.controllers.includes(name), `${name} is not built: run \`npm run cluster:build\``);
  const api = loadKubeconfig({ path: cluster.kubeconfig }).connect('flux-local-token', { requestTimeoutMs: 10_000 });
  for (const name of ['flux-system', 'apps']) await api.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
  await api.request('POST', `${SOURCES}/helmrepositories`, {
    body: { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository', metadata: { name: 'charts', namespace: 'flux-system' }, spec: { interval: '10m', url: chartsUrl } },
  });
  return { cluster, api };
}
