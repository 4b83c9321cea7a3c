// API paths built by the client: every namespace and name is percent-encoded. Valid Kubernetes
// names never need it, so the builders are checked with strings that do, and the requests the
// commands send are checked end to end against the API test server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getObject } from '../../client/src/cluster/actions';
import { ClusterError } from '../../client/src/cluster/errors';
import { eventsPath, listEvents } from '../../client/src/cluster/events';
import { resourcePath } from '../../client/src/cluster/types';
import { startTestCluster, type TestCluster } from './helpers';

describe('path builders encode every part', () => {
  it('resourcePath: namespace and name', () => {
    assert.equal(resourcePath('HelmRelease', 'a b/c', 'x?y#z%'), '/apis/helm.toolkit.fluxcd.io/v2/namespaces/a%20b%2Fc/helmreleases/x%3Fy%23z%25');
    assert.equal(resourcePath('HelmChart'), '/apis/source.toolkit.fluxcd.io/v1/helmcharts');
    assert.equal(resourcePath('Bucket', 'ns'), '/apis/source.toolkit.fluxcd.io/v1/namespaces/ns/buckets');
  });

  it('refuses a part that URL parsing would drop or resolve (empty, . or ..), even encoded', () => {
    for (const bad of ['', '.', '..']) {
      assert.throws(() => resourcePath('HelmRelease', bad, 'x'), (error: Error) => error instanceof ClusterError && error.message.includes('not a valid namespace'));
      assert.throws(() => resourcePath('HelmRelease', 'ns', bad), (error: Error) => error instanceof ClusterError && error.message.includes('not a valid name'));
      assert.throws(() => eventsPath({ kind: 'HelmRelease', namespace: bad, name: 'x' }), ClusterError);
    }
    // Why encoding is not enough for these: URL parsing resolves %2E%2E as "..".
    assert.equal(new URL('https://cluster.invalid/apis/g/v1/namespaces/%2E%2E/x').pathname, '/apis/g/v1/x');
  });

  it('eventsPath: namespace in the path, name and kind in the field selector', () => {
    const path = eventsPath({ kind: 'HelmRelease', namespace: 'team/a', name: 'app&limit=1' });
    assert.equal(path, '/api/v1/namespaces/team%2Fa/events?fieldSelector=involvedObject.name%3Dapp%26limit%3D1%2CinvolvedObject.kind%3DHelmRelease');
    const url = new URL(path, 'https://cluster.invalid');
    assert.deepEqual([...url.searchParams.keys()], ['fieldSelector'], 'a name cannot add a query parameter');
    assert.equal(url.searchParams.get('fieldSelector'), 'involvedObject.name=app&limit=1,involvedObject.kind=HelmRelease');
  });
});

describe('Show Events and Show Live Object against the API test server', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster({ seed: false });
    cluster.simulator.stop();
    const event = (namespace: string, name: string, kind: string, involved: string, reason: string, time: string) =>
      cluster.api.store.create('events', namespace, {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: { kind, name: involved, namespace },
        reason,
        message: `${reason} message`,
        type: 'Normal',
        lastTimestamp: time,
      });
    event('podinfo', 'e1', 'HelmRelease', 'podinfo', 'InstallSucceeded', '2026-01-01T10:00:00Z');
    event('podinfo', 'e2', 'HelmRelease', 'podinfo', 'UpgradeSucceeded', '2026-01-01T11:00:00Z');
    event('podinfo', 'e3', 'HelmRepository', 'podinfo', 'NewArtifact', '2026-01-01T12:00:00Z');
    event('default', 'e4', 'HelmRelease', 'podinfo', 'Elsewhere', '2026-01-01T13:00:00Z');
    cluster.api.store.put({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'podinfo', namespace: 'podinfo' },
      spec: { interval: '5m', chart: { spec: { chart: 'podinfo', sourceRef: { kind: 'HelmRepository', name: 'podinfo' } } } },
    });
  });
  after(async () => {
    await cluster.stop();
  });

  it("lists only the object's events, newest first, with the encoded path", async () => {
    const ref = { kind: 'HelmRelease' as const, namespace: 'podinfo', name: 'podinfo' };
    const events = await listEvents(cluster.connection, ref);
    assert.deepEqual(
      events.map((e) => e.reason),
      ['UpgradeSucceeded', 'InstallSucceeded'],
    );
    assert.ok(cluster.api.requests.some((r) => r.url === eventsPath(ref) && r.status === 200));
  });

  it('reads the live object through resourcePath', async () => {
    const object = await getObject(cluster.connection, { kind: 'HelmRelease', namespace: 'podinfo', name: 'podinfo' });
    assert.equal(object.spec?.interval, '5m');
    assert.ok(cluster.api.requests.some((r) => r.url === '/apis/helm.toolkit.fluxcd.io/v2/namespaces/podinfo/helmreleases/podinfo' && r.status === 200));
  });
});
