import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { reconcile, resume, rfc3339NanoNow, suspend } from '../../client/src/cluster/actions';
import { ClusterError, ReconcileFailedError, SuspendedError } from '../../client/src/cluster/errors';
import { ResourceCache } from '../../client/src/cluster/resourceCache';
import { fluxKinds, type KubeObject, type ObjectRef } from '../../client/src/cluster/types';
import { RecordingApi, startTestCluster, type TestCluster } from './helpers';

const podinfo: ObjectRef = { kind: 'HelmRelease', namespace: 'podinfo', name: 'podinfo' };
const postgres: ObjectRef = { kind: 'HelmRelease', namespace: 'grade-api', name: 'postgres' };
const gradeApi: ObjectRef = { kind: 'HelmRelease', namespace: 'grade-api', name: 'grade-api' };

function stored(cluster: TestCluster, ref: ObjectRef): KubeObject {
  const object = cluster.api.store.get(fluxKinds[ref.kind].plural, ref.namespace, ref.name);
  assert.ok(object, `${ref.kind} ${ref.namespace}/${ref.name} exists`);
  return JSON.parse(JSON.stringify(object)) as KubeObject;
}

describe('rfc3339NanoNow', () => {
  it('formats like Go RFC3339Nano in UTC', () => {
    const value = rfc3339NanoNow(new Date('2026-01-02T03:04:05.120Z'));
    assert.match(value, /^2026-01-02T03:04:05\.12\d{0,7}Z$/);
    assert.ok(!/0Z$/.test(value));
  });
});

describe('actions against the API test server + Flux simulator', () => {
  let cluster: TestCluster;
  let api: RecordingApi;

  before(async () => {
    cluster = await startTestCluster();
    api = new RecordingApi(cluster.connection);
  });
  after(async () => {
    await cluster.stop();
  });

  it('reconcile: merge patch of the requestedAt annotation only, then "applied revision"', async () => {
    const beforeObject = stored(cluster, postgres);
    api.requests.length = 0;
    const progress: string[] = [];
    const start = performance.now();
    const result = await reconcile(api, postgres, { timeoutMs: 10_000, pollMs: 100, onProgress: (m) => progress.push(m) });
    const ms = performance.now() - start;
    console.log(`# reconcile (polling every 100 ms) took ${ms.toFixed(0)} ms: ${result.message}`);
    assert.match(result.message, /^applied revision 16\.\d+\.\d+$/);
    const patches = api.patches();
    assert.equal(patches.length, 1);
    assert.equal(patches[0]!.options.contentType, 'application/merge-patch+json');
    assert.match(patches[0]!.path, /\/namespaces\/grade-api\/helmreleases\/postgres\?fieldManager=flux-client-side-apply$/);
    const body = patches[0]!.options.body as { metadata: { annotations: Record<string, string> } };
    assert.deepEqual(Object.keys(body), ['metadata']);
    assert.deepEqual(Object.keys(body.metadata), ['annotations']);
    const token = body.metadata.annotations['reconcile.fluxcd.io/requestedAt'];
    assert.ok(token);
    assert.deepEqual(Object.keys(body.metadata.annotations), ['reconcile.fluxcd.io/requestedAt']);
    const afterObject = stored(cluster, postgres);
    assert.equal(afterObject.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'], token);
    assert.equal(afterObject.status?.lastHandledReconcileAt, token);
    assert.deepEqual(afterObject.spec, beforeObject.spec);
    assert.ok(cluster.api.requests.some((r) => r.method === 'PATCH' && r.contentType === 'application/merge-patch+json'));
    assert.ok(!cluster.api.requests.some((r) => r.method === 'PUT'), 'no write replaces a whole object');
  });

  it('reconcile --force --reset sets forceAt and resetAt to the same value', async () => {
    api.requests.length = 0;
    await reconcile(api, postgres, { force: true, reset: true, timeoutMs: 10_000, pollMs: 100 });
    const annotations = (api.patches()[0]!.options.body as { metadata: { annotations: Record<string, string> } }).metadata.annotations;
    const token = annotations['reconcile.fluxcd.io/requestedAt'];
    assert.equal(annotations['reconcile.fluxcd.io/forceAt'], token);
    assert.equal(annotations['reconcile.fluxcd.io/resetAt'], token);
  });

  it('reconcile --with-source (chartRef OCIRepository) reconciles the source first, using the watch cache', async () => {
    const cache = new ResourceCache(cluster.connection, { backoff: { initialMs: 50 } });
    try {
      // Inside the try: a cache that fails to start is disposed too (its watches would keep the test process alive).
      await cache.start(5000);
      api.requests.length = 0;
      const start = performance.now();
      const result = await reconcile(api, podinfo, { withSource: true, cache, timeoutMs: 10_000 });
      const ms = performance.now() - start;
      console.log(`# reconcile --with-source via the watch cache took ${ms.toFixed(0)} ms: ${result.notes.join('; ')}; ${result.message}`);
      assert.match(result.message, /^applied revision 6\.7\.1/);
      assert.deepEqual(
        api.patches().map((p) => p.path.split('?')[0]),
        ['/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/ocirepositories/podinfo', '/apis/helm.toolkit.fluxcd.io/v2/namespaces/podinfo/helmreleases/podinfo'],
      );
      assert.match(result.notes[0] ?? '', /^OCIRepository\/flux-system\/podinfo: fetched revision /);
      // With the cache, no GET polling after the initial GETs.
      assert.equal(api.requests.filter((r) => r.method === 'GET').length, 2);
    } finally {
      cache.dispose();
    }
  });

  it('reconcile --with-source via chart.spec: HelmChart <ns>-<name>, its HelmRepository; an OCI HelmRepository is skipped', async () => {
    api.requests.length = 0;
    const result = await reconcile(api, gradeApi, { withSource: true, timeoutMs: 10_000, pollMs: 100 });
    assert.deepEqual(result.notes, [
      'HelmRepository/flux-system/grade-api-charts: reconciliation not supported by the object',
      `HelmChart/flux-system/grade-api-grade-api: ${result.notes[1]?.split(': ')[1] ?? ''}`,
    ]);
    assert.match(result.notes[1] ?? '', /fetched revision 1\.5\.0/);
    assert.match(result.message, /^applied revision 1\.5\.0$/);
    assert.deepEqual(
      api.patches().map((p) => p.path.split('?')[0]),
      ['/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/helmcharts/grade-api-grade-api', '/apis/helm.toolkit.fluxcd.io/v2/namespaces/grade-api/helmreleases/grade-api'],
    );
  });

  it('reconcile of a source: "fetched revision"', async () => {
    const result = await reconcile(api, { kind: 'HelmRepository', namespace: 'flux-system', name: 'bitnami' }, { timeoutMs: 10_000, pollMs: 100 });
    assert.match(result.message, /^fetched revision sha256:[0-9a-f]+$/);
  });

  it('reconcile on a suspended object → SuspendedError, nothing written', async () => {
    await suspend(api, podinfo);
    api.requests.length = 0;
    await assert.rejects(reconcile(api, podinfo, { timeoutMs: 2000 }), (error: unknown) => error instanceof SuspendedError && /suspended/.test(error.message));
    assert.equal(api.patches().length, 0);
    await resume(api, podinfo);
  });

  it('reconcile failing (simulator failNext) → ReconcileFailedError with the Ready message', async () => {
    cluster.simulator.failNext('grade-api', 'postgres', { times: Number.POSITIVE_INFINITY, message: 'simulated upgrade failure: boom' });
    try {
      await assert.rejects(reconcile(api, postgres, { force: true, timeoutMs: 3000, pollMs: 100 }), (error: unknown) => {
        assert.ok(error instanceof ReconcileFailedError, String(error));
        assert.match(error.message, /^HelmRelease reconciliation failed: .*simulated upgrade failure: boom/);
        assert.match(error.conditionMessage ?? '', /simulated upgrade failure: boom/);
        return true;
      });
    } finally {
      cluster.simulator.clearFailures('grade-api', 'postgres');
      // --reset zeroes the failure counters: the release recovers (grade-api depends on it).
      const recovered = await reconcile(api, postgres, { force: true, reset: true, timeoutMs: 10_000, pollMs: 100 });
      assert.match(recovered.message, /^applied revision/);
    }
  });

  it('reconcile that stays Ready=False until the timeout → ReconcileFailedError with the Ready message', async () => {
    const source: ObjectRef = { kind: 'OCIRepository', namespace: 'flux-system', name: 'podinfo' };
    cluster.simulator.failNext('flux-system', 'podinfo', { kind: 'OCIRepository', times: Number.POSITIVE_INFINITY, message: 'simulated fetch failure: still broken' });
    try {
      const start = performance.now();
      await assert.rejects(reconcile(api, source, { timeoutMs: 800, pollMs: 50 }), (error: unknown) => {
        assert.ok(error instanceof ReconcileFailedError, String(error));
        assert.match(error.message, /^OCIRepository reconciliation failed: .*simulated fetch failure: still broken/);
        assert.match(error.conditionMessage ?? '', /still broken/);
        return true;
      });
      assert.ok(performance.now() - start >= 750, 'kept waiting until the timeout');
    } finally {
      cluster.simulator.clearFailures('flux-system', 'podinfo', 'OCIRepository');
      await reconcile(api, source, { timeoutMs: 10_000, pollMs: 100 });
    }
  });

  it('suspend/resume patch only spec.suspend; other fields and annotations untouched; resume waits for Ready', async () => {
    const beforeObject = stored(cluster, gradeApi);
    api.requests.length = 0;
    await suspend(api, gradeApi);
    const suspended = stored(cluster, gradeApi);
    assert.equal(suspended.spec?.suspend, true);
    assert.deepEqual({ ...suspended.spec, suspend: undefined }, { ...beforeObject.spec, suspend: undefined });
    assert.deepEqual(suspended.metadata.annotations, beforeObject.metadata.annotations);
    assert.deepEqual(suspended.metadata.labels, beforeObject.metadata.labels);
    const result = await resume(api, gradeApi, { wait: true, timeoutMs: 10_000, pollMs: 100 });
    assert.match(result.message, /^applied revision 1\.5\.0$/);
    const resumed = stored(cluster, gradeApi);
    assert.equal(resumed.spec?.suspend, false);
    assert.deepEqual({ ...resumed.spec, suspend: undefined }, { ...beforeObject.spec, suspend: undefined });
    assert.deepEqual(resumed.metadata.annotations, beforeObject.metadata.annotations);
    assert.deepEqual(
      api.patches().map((p) => [p.options.contentType, p.options.body]),
      [
        ['application/merge-patch+json', { spec: { suspend: true } }],
        ['application/merge-patch+json', { spec: { suspend: false } }],
      ],
    );
  });

  it('a 409 on patch is retried', async () => {
    api.requests.length = 0;
    api.failPatches = [new ClusterError('Conflict', 'Conflict (409)', 409), new ClusterError('Conflict', 'Conflict (409)', 409)];
    await suspend(api, postgres);
    assert.equal(api.patches().length, 3);
    await resume(api, postgres);
  });

  it('403 on patch and 404 for a missing object → clear ClusterErrors', async () => {
    cluster.api.setRbac([{ verb: 'patch', resource: 'helmreleases', allow: false }]);
    try {
      await assert.rejects(reconcile(api, postgres, { timeoutMs: 2000 }), (error: unknown) => {
        assert.ok(error instanceof ClusterError && error.code === 'Forbidden', String(error));
        assert.match(error.message, /^Cannot reconcile HelmRelease grade-api\/postgres: .*cannot patch resource "helmreleases"/);
        return true;
      });
    } finally {
      cluster.api.setRbac([]);
    }
    await assert.rejects(reconcile(api, { kind: 'HelmRelease', namespace: 'podinfo', name: 'nope' }), (error: unknown) => {
      assert.ok(error instanceof ClusterError && error.code === 'NotFound', String(error));
      assert.equal(error.message, 'HelmRelease podinfo/nope not found.');
      return true;
    });
  });
});
