// The watch cache against servers that end every watch at once or answer every watch with 410:
// it backs off (no request storm), and recovers once the server behaves again.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ResourceCache } from '../../client/src/cluster/resourceCache';
import { allFluxKinds, fluxKinds, type FluxKind } from '../../client/src/cluster/types';
import type { RequestRecord, WatchFault } from '../cluster/apiServer';
import { startTestCluster, until } from './helpers';

/** The shipped schedule (BackoffOptions defaults): 500 ms doubling up to 30 s, up to 30 % less at random. */
const schedule = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.3 };

/** The shortest delay before retry `k` (0-based), less 1 ms for timer rounding. */
function shortestDelay(k: number): number {
  return Math.floor(Math.min(schedule.maxMs, schedule.initialMs * schedule.factor ** k) * (1 - schedule.jitter)) - 1;
}

/** How many retries can start within `windowMs` when each waits at least its shortest delay. */
function mostRetries(windowMs: number): number {
  let elapsed = 0;
  for (let k = 0; ; k++) {
    elapsed += shortestDelay(k);
    if (elapsed > windowMs) return k;
  }
}

const windowMs = 3000;

const isWatch = (record: RequestRecord, kind: FluxKind): boolean => record.url.includes(`/${fluxKinds[kind].plural}?`) && record.url.includes('watch=1');
const isList = (record: RequestRecord, kind: FluxKind): boolean => record.method === 'GET' && record.url.includes(`/${fluxKinds[kind].plural}?`) && !record.url.includes('watch=');

const faults: Array<{ fault: WatchFault; what: string; freeLists: number; freeWatches: number }> = [
  // list, watch (ends) → backoff → watch → backoff → …
  { fault: 'end', what: 'ends every watch at once', freeLists: 1, freeWatches: 1 },
  // list, watch (410) → re-list at once (one 410 is normal), watch (410) → backoff → list, watch → backoff → …
  { fault: 'expired', what: 'answers every watch with an ERROR event 410 Expired', freeLists: 2, freeWatches: 2 },
  { fault: 'gone', what: 'answers every watch with HTTP 410', freeLists: 2, freeWatches: 2 },
];

describe('the watch cache backs off from a misbehaving server', { concurrency: true }, () => {
  for (const { fault, what, freeLists, freeWatches } of faults) {
    it(`a server that ${what}: at most ${freeWatches} + ${mostRetries(windowMs)} watches and ${freeLists} + ${mostRetries(windowMs)} lists per kind in ${windowMs / 1000} s; then live events again`, async () => {
      const cluster = await startTestCluster({ seed: false, server: { watchFault: fault } });
      cluster.simulator.stop();
      const cache = new ResourceCache(cluster.connection);
      try {
        cluster.api.store.put({
          apiVersion: 'helm.toolkit.fluxcd.io/v2',
          kind: 'HelmRelease',
          metadata: { name: 'podinfo', namespace: 'default' },
          spec: { interval: '10m', chart: { spec: { chart: 'podinfo', sourceRef: { kind: 'HelmRepository', name: 'podinfo' } } } },
        });
        const seen: RequestRecord[] = [];
        const stopCounting = cluster.api.onRequest((record) => seen.push(record));
        const start = performance.now();
        await cache.start(10_000);
        // Counting is done on arrival times, so a slow machine can only lower the counts.
        await new Promise((resolve) => setTimeout(resolve, windowMs));
        stopCounting();
        const inWindow = seen.filter((record) => record.at - start <= windowMs);
        const watches = allFluxKinds.map((kind) => inWindow.filter((r) => isWatch(r, kind)).length);
        const lists = allFluxKinds.map((kind) => inWindow.filter((r) => isList(r, kind)).length);
        console.log(`watch backoff, ${fault}: in ${windowMs} ms, per kind: watches ${watches.join(', ')}; lists ${lists.join(', ')} (${inWindow.length} requests in all, for ${allFluxKinds.length} kinds)`);
        const retries = mostRetries(windowMs);
        for (const [index, kind] of allFluxKinds.entries()) {
          assert.ok(watches[index]! <= freeWatches + retries, `${kind}: ${watches[index]} watches in ${windowMs} ms`);
          assert.ok(lists[index]! <= freeLists + retries, `${kind}: ${lists[index]} lists in ${windowMs} ms`);
          // It keeps trying: the first retry comes after at most the first delay (500 ms).
          assert.ok(watches[index]! >= 2, `${kind}: only ${watches[index]} watch(es): the cache gave up`);
        }
        assert.equal(cache.list('HelmRelease').length, 1, 'the listed objects stay in the view meanwhile');

        // The fault clears: watches open again and deliver changes without another list.
        cluster.api.setWatchFault('none');
        await until(() => cluster.api.activeWatches >= allFluxKinds.length, 40_000, 'every kind watching again');
        const listsBefore = cluster.api.requests.filter((r) => isList(r, 'HelmRelease')).length;
        cluster.api.store.patch('helmreleases', 'default', 'podinfo', { metadata: { labels: { after: fault } } });
        await until(() => cache.get('HelmRelease', 'default', 'podinfo')?.metadata.labels?.after === fault, 10_000, 'the change, through the watch');
        assert.equal(cluster.api.requests.filter((r) => isList(r, 'HelmRelease')).length, listsBefore, 'the change came through the watch, not a re-list');
        assert.equal(cache.state.state, 'connected');
      } finally {
        cache.dispose();
        await cluster.stop();
      }
    });
  }
});
