import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { RemoteChartCache } from '../../server/src/node/remoteCharts';
import { RemoteChartLookup } from '../../server/src/node/remoteChartLookup';
import { LocalCharts } from '../../server/src/node/localCharts';
import { RegistryCredentials } from '../../server/src/node/registryCredentials';
import { buildChart, startServer, type TestServer } from './helpers';
import { pushChart, startCountingProxy, startRegistry, type CountingProxy, type Registry } from './registry';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('background chart lookups when the repository goes down', () => {
  let repository: TestServer;
  let down = false;

  before(async () => {
    const archive = await buildChart('app', '1.0.0', { values: 'replicaCount: 1\n' });
    repository = await startServer((req, res) => {
      if (down) {
        res.statusCode = 503;
        res.end();
      } else if (req.url === '/index.yaml') {
        res.end('apiVersion: v1\nentries:\n  app:\n    - name: app\n      version: 1.0.0\n      urls: [app-1.0.0.tgz]\n');
      } else if (req.url === '/app-1.0.0.tgz') {
        res.end(archive);
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
  });

  after(() => repository.close());

  test('the cached chart keeps answering, and the repository is asked again only after a back-off, not on every pass', { timeout: 20_000 }, async () => {
    let now = Date.now();
    const cache = new RemoteChartCache(mkdtempSync(path.join(tmpdir(), 'hr-lookup-')), { now: () => now, indexTtlMs: 60_000 });
    const empty = mkdtempSync(path.join(tmpdir(), 'hr-lookup-home-'));
    let changes = 0;
    const ref = { uri: 'file:///r.yaml', sourceKind: 'HelmRepository', sourceName: 'charts', chart: 'app', version: '1.x' };
    const repo = { url: repository.url };
    // As the server does: every change re-runs diagnostics, which looks the chart up again.
    const lookup: RemoteChartLookup = new RemoteChartLookup(cache, new LocalCharts(() => []), {
      allowDownload: () => true,
      onChanged: () => {
        changes++;
        lookup.lookup(ref, repo);
        lookup.versions(repo, 'app');
      },
      log: () => undefined,
      settleMs: 20,
    }, new RegistryCredentials({}, empty));
    assert.equal(lookup.lookup(ref, repo), undefined, 'nothing cached yet: no answer, a fetch in the background');
    for (let i = 0; i < 50 && !lookup.lookup(ref, repo); i++) await sleep(20);
    assert.match(lookup.lookup(ref, repo)?.origin ?? '', /^app 1\.0\.0 from http:\/\/127\.0\.0\.1/);

    down = true;
    now += 120_000; // the index is older than its TTL
    const before = repository.hits.get('/index.yaml') ?? 0;
    assert.match(lookup.lookup(ref, repo)?.origin ?? '', /^app 1\.0\.0 from .*, cached \(repository unreachable\)$/, 'the cached chart answers, and says so');
    await sleep(500);
    const asked = (repository.hits.get('/index.yaml') ?? 0) - before;
    assert.equal(asked, 1, `the index was requested ${asked} times in 0.5 s`);
    assert.ok(changes < 10, `${changes} change notifications`);
    assert.match(lookup.lookup(ref, repo)?.origin ?? '', /^app 1\.0\.0/);
  });
});

describe('a repository that fails for every chart', () => {
  let repository: TestServer;

  before(async () => {
    repository = await startServer((_req, res) => {
      res.statusCode = 503;
      res.end();
    });
  });

  after(() => repository.close());

  test('300 releases with 300 charts of it: one request, one change, and every chart says why', { timeout: 20_000 }, async () => {
    const cache = new RemoteChartCache(mkdtempSync(path.join(tmpdir(), 'hr-down-')));
    const repo = { url: repository.url };
    const refs = Array.from({ length: 300 }, (_, i) => ({ uri: 'file:///r.yaml', sourceKind: 'HelmRepository', sourceName: 'charts', chart: `app-${i}`, version: '1.x' }));
    let changes = 0;
    // As the server does: every change re-runs diagnostics, which look every chart up again.
    const pass = () => refs.forEach((ref) => lookup.lookup(ref, repo));
    const lookup: RemoteChartLookup = newLookup(cache, { settleMs: 20, onChanged: () => (changes++, pass()) });
    pass();
    await sleep(1000);
    const asked = [...repository.hits.values()].reduce((a, b) => a + b, 0);
    assert.equal(asked, 1, `the repository was asked ${asked} times (the charts took turns instead of backing off together)`);
    assert.equal(changes, 1, `${changes} change notifications: each one republishes the diagnostics of the workspace`);
    for (const ref of [refs[0]!, refs[299]!]) assert.match(lookup.problemOf(repo.url, ref.chart) ?? '', /HTTP 503/);
  });
});

/** A lookup as the server makes it: every change runs diagnostics, which ask for the chart and its versions. */
function newLookup(cache: RemoteChartCache, options: { settleMs: number; maxFailures?: number; onChanged?: () => void }): RemoteChartLookup {
  const home = mkdtempSync(path.join(tmpdir(), 'hr-lookup-home-'));
  return new RemoteChartLookup(
    cache,
    new LocalCharts(() => []),
    { allowDownload: () => true, onChanged: () => options.onChanged?.(), log: () => undefined, settleMs: options.settleMs, maxFailures: options.maxFailures },
    new RegistryCredentials({}, home),
  );
}

describe('lookups while a chart name is typed, against a real OCI registry', () => {
  let registry: Registry;
  let proxy: CountingProxy;

  before(async () => {
    registry = await startRegistry(false);
    for (const version of ['16.1.0', '16.2.0']) await pushChart(registry.url, 'charts/postgresql', 'postgresql', version);
    await pushChart(registry.url, 'charts/redis', 'redis', '19.0.0');
    proxy = await startCountingProxy(registry.url);
  });

  after(async () => {
    await proxy.close();
    await registry.stop();
  });

  test('typing `postgresql` key by key asks for the tag list of the finished name only, once', async () => {
    const before = proxy.requests.length;
    const repo = { url: `oci://127.0.0.1:${proxy.port}/typing`, insecure: true };
    await pushChart(registry.url, 'typing/postgresql', 'postgresql', '16.2.0');
    let changed!: () => void;
    const arrived = new Promise<void>((resolve) => (changed = resolve));
    const lookup = newLookup(new RemoteChartCache(mkdtempSync(path.join(tmpdir(), 'hr-typing-'))), { settleMs: 300, onChanged: () => changed() });
    const ref = (chart: string) => ({ uri: 'file:///r.yaml', release: 'db', sourceKind: 'HelmRepository', sourceName: 'bitnami', chart, version: '^16.0.0' });
    // Each key: a diagnostics pass that looks the chart up and asks for its versions.
    for (const name of ['p', 'po', 'pos', 'post', 'postg', 'postgr', 'postgre', 'postgres', 'postgresq', 'postgresql']) {
      assert.equal(lookup.lookup(ref(name), repo), undefined);
      assert.equal(lookup.versions(repo, name), undefined);
      await sleep(10);
    }
    await arrived;
    const tagLists = proxy.requests.slice(before).filter((r) => r.endsWith('/tags/list'));
    console.log(`tag-list requests while typing: ${tagLists.length} (${tagLists.join(', ')})`);
    assert.ok(tagLists.length <= 2, tagLists.join(', '));
    assert.deepEqual(tagLists.slice(-1), ['GET /v2/typing/postgresql/tags/list']);
    assert.match(lookup.lookup(ref('postgresql'), repo)?.origin ?? '', /^postgresql 16\.2\.0 from oci:/);
    assert.deepEqual(lookup.versions(repo, 'postgresql')?.map((v) => v.version).sort(), ['16.2.0']);
    for (const partial of ['p', 'po', 'postgres']) assert.equal(lookup.problemOf(repo.url, partial), undefined, `no failure remembered for ${partial}`);
    assert.equal(lookup.failureCount, 0);
  });

  test('two releases with two charts of one registry: both arrive, one request on the way at a time', async () => {
    const repo = { url: `oci://127.0.0.1:${proxy.port}/charts`, insecure: true };
    const before = proxy.requests.length;
    proxy.maxInFlight = 0;
    const releases = [
      { uri: 'file:///a.yaml', release: 'db', sourceKind: 'HelmRepository', sourceName: 'bitnami', chart: 'postgresql', version: '16.x' },
      { uri: 'file:///a.yaml', release: 'cache', sourceKind: 'HelmRepository', sourceName: 'bitnami', chart: 'redis', version: '>=19' },
    ];
    let done!: () => void;
    const bothArrived = new Promise<void>((resolve) => (done = resolve));
    const pass = () => {
      const found = releases.map((r) => lookup.lookup(r, repo));
      releases.forEach((r) => lookup.versions(repo, r.chart));
      if (found.every((f) => f !== undefined)) done();
    };
    const lookup: RemoteChartLookup = newLookup(new RemoteChartCache(mkdtempSync(path.join(tmpdir(), 'hr-two-'))), { settleMs: 50, onChanged: pass });
    pass();
    await bothArrived;
    assert.match(lookup.lookup(releases[0]!, repo)?.origin ?? '', /^postgresql 16\.2\.0/);
    assert.match(lookup.lookup(releases[1]!, repo)?.origin ?? '', /^redis 19\.0\.0/);
    const asked = proxy.requests.slice(before);
    assert.deepEqual(asked.filter((r) => r.endsWith('/tags/list')).sort(), ['GET /v2/charts/postgresql/tags/list', 'GET /v2/charts/redis/tags/list']);
    assert.equal(proxy.maxInFlight, 1, `requests: ${asked.join(', ')}`);
  });
});

describe('failures remembered', () => {
  let repository: TestServer;
  before(async () => {
    repository = await startServer((_req, res) => {
      res.statusCode = 404;
      res.end();
    });
  });
  after(() => repository.close());

  test('only the most recent ones are kept: the oldest is forgotten first', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `repo${i}`);
    let failed = 0;
    let allFailed!: () => void;
    const finished = new Promise<void>((resolve) => (allFailed = resolve));
    // Twelve repositories that answer 404, one after the other: one failure each.
    const ask = (name: string) => lookup.lookup({ uri: 'file:///r.yaml', sourceKind: 'HelmRepository', sourceName: name, chart: 'app', version: '1.x' }, { url: `${repository.url}/${name}` });
    const lookup = newLookup(new RemoteChartCache(mkdtempSync(path.join(tmpdir(), 'hr-failures-'))), {
      settleMs: 0,
      maxFailures: 5,
      onChanged: () => {
        failed++;
        if (failed === names.length) allFailed();
        else ask(names[failed]!);
      },
    });
    ask(names[0]!);
    await finished;
    assert.equal(lookup.failureCount, 5);
    assert.equal(lookup.problemOf(`${repository.url}/repo0`, 'app'), undefined, 'the oldest failure is forgotten');
    assert.match(lookup.problemOf(`${repository.url}/repo11`, 'app') ?? '', /404 Not Found/);
  });
});
