// The cluster core against a real kube-apiserver and etcd, built from their Go modules
// (`npm run cluster:build`), with the Flux CRDs made from our schemas: list+watch, the API server
// refusing what our schemas refuse, a bad token (401) and a user without RBAC rights (403).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startRealCluster, type RealCluster } from '../../scripts/cluster/start.mjs';
import { ClusterError } from '../../client/src/cluster/errors';
import { loadKubeconfig } from '../../client/src/cluster/kubeconfig';
import { ResourceCache } from '../../client/src/cluster/resourceCache';
import type { ClusterConnection } from '../../client/src/cluster/connection';
import { until } from '../clusterCore/helpers';

const RELEASES = '/apis/helm.toolkit.fluxcd.io/v2/namespaces/apps/helmreleases';

function release(name: string, interval = '5m'): Record<string, unknown> {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name, namespace: 'apps' },
    spec: { interval, chart: { spec: { chart: name, sourceRef: { kind: 'HelmRepository', name: 'charts' } } } },
  };
}

async function failure(promise: Promise<unknown>): Promise<ClusterError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ClusterError, `not a ClusterError: ${String(error)}`);
    return error;
  }
  assert.fail('the request succeeded');
}

describe('a real kube-apiserver and etcd', () => {
  let cluster: RealCluster;
  let admin: ClusterConnection;

  before(async () => {
    cluster = await startRealCluster();
    admin = loadKubeconfig({ path: cluster.kubeconfig }).connect('flux-local-token', { requestTimeoutMs: 10_000 });
    await admin.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } } });
  });

  after(async () => {
    await cluster?.stop();
  });

  it('reports the Kubernetes version the Flux controllers are built against', async () => {
    const version = (await admin.request('GET', '/version')) as { gitVersion: string; major: string; minor: string };
    assert.equal(version.gitVersion, 'v1.36.2');
    assert.equal(`${version.major}.${version.minor}`, '1.36');
  });

  it('the Flux view cache lists HelmReleases and sees a change through its watch', async () => {
    await admin.request('POST', RELEASES, { body: release('podinfo') });
    const cache = new ResourceCache(admin, { kinds: ['HelmRelease'], backoff: { initialMs: 50 } });
    try {
      await cache.start(20_000);
      assert.deepEqual(cache.list('HelmRelease').map((o) => `${o.metadata.namespace}/${o.metadata.name}`), ['apps/podinfo']);
      await admin.request('PATCH', `${RELEASES}/podinfo`, { body: { spec: { suspend: true } }, contentType: 'application/merge-patch+json' });
      await until(() => (cache.get('HelmRelease', 'apps', 'podinfo') as { spec?: { suspend?: boolean } } | undefined)?.spec?.suspend === true, 10_000, 'the suspended release in the cache');
    } finally {
      cache.dispose();
    }
  });

  it('refuses an interval our schema refuses, naming the field (the CRD is made from our schema)', async () => {
    const error = await failure(admin.request('POST', RELEASES, { body: release('bad-interval', '5 minutes') }));
    assert.equal(error.status, 422);
    assert.match(error.message, /spec\.interval/);
  });

  it('a wrong token is Unauthorized (401), and the message does not show the token', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'flux-real-')), 'config');
    writeFileSync(file, readFileSync(cluster.kubeconfig, 'utf8').replace(/(name: token-user\n {2}user:\n {4}token: )\S+/, '$1not-the-right-token'));
    const wrong = loadKubeconfig({ path: file }).connect('flux-local-token', { requestTimeoutMs: 10_000 });
    const error = await failure(wrong.request('GET', RELEASES));
    assert.equal(error.status, 401);
    assert.ok(!error.message.includes('not-the-right-token'));
  });

  it('a user without RBAC rights gets Forbidden (403) from the real authorizer, and the cache reports it', async () => {
    const none = loadKubeconfig({ path: cluster.kubeconfig }).connect('flux-local-no-rights', { requestTimeoutMs: 10_000 });
    const error = await failure(none.request('GET', RELEASES));
    assert.equal(error.status, 403);
    assert.match(error.message, /cannot list resource "helmreleases"/);
    const cache = new ResourceCache(none, { kinds: ['HelmRelease'], backoff: { initialMs: 50 } });
    cache.start().catch(() => undefined);
    try {
      await until(() => cache.stateOf('HelmRelease')?.state === 'error', 10_000, 'error state');
      const state = cache.state;
      assert.ok(state.state === 'error' && state.code === 'Forbidden', JSON.stringify(state));
    } finally {
      cache.dispose();
    }
  });
});
