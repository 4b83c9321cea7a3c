// The Flux view's list+watch against a real kube-apiserver that ends watches (their timeoutSeconds
// run out) and that restarts while the view is open: the cache resumes each watch from where it
// was without listing again, and after a restart reports that it is reconnecting, then recovers
// by itself and sees what changed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startRealCluster, type RealCluster } from '../../scripts/cluster/start.mjs';
import { loadKubeconfig } from '../../client/src/cluster/kubeconfig';
import { ResourceCache, type ConnectionState } from '../../client/src/cluster/resourceCache';
import type { ClusterConnection, KubeApi } from '../../client/src/cluster/connection';
import { until } from '../clusterCore/helpers';

const RELEASES = '/apis/helm.toolkit.fluxcd.io/v2/namespaces/apps/helmreleases';

const release = (name: string) => ({
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  metadata: { name, namespace: 'apps' },
  spec: { interval: '5m', chart: { spec: { chart: name, sourceRef: { kind: 'HelmRepository', name: 'charts' } } } },
});

/** The connection, counting the lists and watches the cache makes. */
function counting(api: ClusterConnection): { api: KubeApi; lists: () => number; watches: () => number } {
  let lists = 0;
  let watches = 0;
  return {
    api: {
      request: (method, path, options) => {
        if (method === 'GET' && path.includes('/helmreleases')) lists++;
        return api.request(method, path, options);
      },
      watch: (path, handlers, options) => {
        watches++;
        return api.watch(path, handlers, options);
      },
    },
    lists: () => lists,
    watches: () => watches,
  };
}

describe('the Flux view cache against a real kube-apiserver that ends watches and restarts', () => {
  let cluster: RealCluster;
  let admin: ClusterConnection;

  before(async () => {
    cluster = await startRealCluster();
    admin = loadKubeconfig({ path: cluster.kubeconfig }).connect('flux-local-token', { requestTimeoutMs: 5_000 });
    await admin.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } } });
    await admin.request('POST', RELEASES, { body: release('one') });
  });

  after(async () => {
    await cluster?.stop();
  });

  it('a watch the real server ends is resumed from its resourceVersion: no new list, and changes still arrive', async () => {
    const api = counting(admin);
    // Watches of 1–2 s: the server ends each one, as it ends every watch after its timeout.
    const cache = new ResourceCache(api.api, { kinds: ['HelmRelease'], watchTimeoutSeconds: 1, healthyWatchMs: 500, backoff: { initialMs: 50 } });
    try {
      await cache.start(20_000);
      await until(() => api.watches() >= 4, 30_000, 'four watches, each ended by the server');
      assert.equal(api.lists(), 1, 'the cache listed again after a watch ended');
      await admin.request('PATCH', `${RELEASES}/one`, { body: { spec: { suspend: true } }, contentType: 'application/merge-patch+json' });
      await until(() => (cache.get('HelmRelease', 'apps', 'one') as { spec?: { suspend?: boolean } } | undefined)?.spec?.suspend === true, 10_000, 'the change made after the watches ended');
      assert.equal(cache.state.state, 'connected');
    } finally {
      cache.dispose();
    }
  });

  it('kube-apiserver restarts while the view is open: the cache says it is reconnecting, recovers by itself and sees what changed', async () => {
    const cache = new ResourceCache(admin, { kinds: ['HelmRelease'], backoff: { initialMs: 200, maxMs: 2_000 } });
    const states: ConnectionState[] = [];
    const subscription = cache.onDidChangeState((state) => states.push(state));
    try {
      await cache.start(20_000);
      await cluster.restartApiServer();
      await admin.request('POST', RELEASES, { body: release('two') });
      await until(() => cache.get('HelmRelease', 'apps', 'two') !== undefined, 60_000, 'the release created after the restart');
      assert.ok(
        states.some((s) => s.state === 'reconnecting'),
        `the cache never said it was reconnecting: ${JSON.stringify(states)}`,
      );
      assert.equal(cache.state.state, 'connected', JSON.stringify(states));
      assert.deepEqual(cache.list('HelmRelease').map((o) => o.metadata.name).sort(), ['one', 'two']);
    } finally {
      subscription.dispose();
      cache.dispose();
    }
  });
});
