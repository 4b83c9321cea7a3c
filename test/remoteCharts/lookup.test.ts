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
