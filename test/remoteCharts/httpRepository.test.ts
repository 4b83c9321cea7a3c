import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { LocalCharts } from '../../server/src/node/localCharts';
import { RemoteChartCache } from '../../server/src/node/remoteCharts/cache';
import { RemoteChartError } from '../../server/src/node/remoteCharts/errors';
import { fetchRepositoryIndex, parseRepositoryIndex, resolveChartVersion } from '../../server/src/node/remoteCharts/httpRepository';
import { buildChart, buildTgz, startServer, type TestServer } from './helpers';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function rejectsKind(promise: Promise<unknown>, kind: string, pattern?: RegExp): Promise<RemoteChartError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof RemoteChartError, `expected a RemoteChartError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    if (pattern) assert.match(error.message, pattern);
    return error;
  }
  assert.fail(`expected a ${kind} error`);
}

describe('HTTP Helm repository + cache', () => {
  let server: TestServer;
  let root: string;
  const files = new Map<string, Buffer>();
  let indexYaml = '';
  const slowIndex = false;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'remote-charts-'));
    const sub = await buildChart('sub', '0.1.0', { values: 'subKey: 1\n' });
    const main15 = await buildChart('app', '1.5.0', {
      values: 'replicaCount: 1\nimage:\n  tag: latest\n',
      schema: { type: 'object', properties: { replicaCount: { type: 'integer' }, image: { type: 'object' } } },
      dependencies: [{ name: 'sub' }, { name: 'dirsub', alias: 'aliased' }],
      extra: [
        { name: 'app/charts/sub-0.1.0.tgz', content: sub },
        { name: 'app/charts/dirsub/Chart.yaml', content: 'apiVersion: v2\nname: dirsub\nversion: 0.2.0\n' },
        { name: 'app/charts/dirsub/values.yaml', content: 'dirKey: true\n' },
        { name: 'app/charts/dirsub/templates/x.yaml', content: 'x: 1\n' },
        { name: 'app/README.md', content: '# app\n' },
      ],
    });
    files.set('/repo/charts/app-1.0.0.tgz', await buildChart('app', '1.0.0'));
    files.set('/repo/charts/app-1.5.0.tgz', main15);
    files.set('/abs/app-2.0.0.tgz', await buildChart('app', '2.0.0'));
    files.set('/repo/charts/app-2.1.0-rc.1.tgz', await buildChart('app', '2.1.0-rc.1'));
    const good = await buildChart('bad', '1.0.0');
    files.set('/repo/bad-truncated.tgz', good.subarray(0, Math.floor(good.length / 2)));
    files.set('/repo/bad-big.tgz', Buffer.concat([good, Buffer.alloc(300 * 1024)]));
    files.set('/repo/bad-evil.tgz', await buildTgz([{ name: 'bad/Chart.yaml', content: 'name: bad\nversion: 1.0.0\n' }, { name: 'bad/../../evil.json', content: '{}' }]));
    files.set('/repo/bad-link.tgz', await buildTgz([{ name: 'bad/Chart.yaml', content: 'name: bad\nversion: 1.0.0\n' }, { name: 'bad/values.yaml', type: 'symlink', linkname: '/etc/passwd' }]));
    files.set('/repo/bad-digest.tgz', good);
    server = await startServer(async (req, res) => {
      const url = req.url ?? '/';
      if (url.startsWith('/slow/')) {
        res.writeHead(200, { 'content-type': 'text/yaml' });
        res.write('apiVersion: v1\n');
        return; // never finishes
      }
      const status = /^\/status\/(\d+)\//.exec(url);
      if (status) {
        res.writeHead(Number(status[1]));
        res.end('no');
        return;
      }
      if (url.startsWith('/private/')) {
        if (req.headers.authorization !== `Basic ${Buffer.from('alice:s3cret').toString('base64')}`) {
          res.writeHead(401, { 'www-authenticate': 'Basic realm="charts"' });
          res.end();
          return;
        }
        if (url === '/private/index.yaml') {
          res.end(indexYaml);
          return;
        }
        const file = files.get(url.replace('/private/', '/repo/'));
        if (file) {
          res.end(file);
          return;
        }
      }
      if (url === '/repo/index.yaml') {
        if (slowIndex) await new Promise((r) => setTimeout(r, 2000));
        res.end(indexYaml);
        return;
      }
      if (url === '/repo/chunked-big.tgz') {
        res.writeHead(200); // no content-length: chunked
        for (let i = 0; i < 10; i++) res.write(Buffer.alloc(50 * 1024));
        res.end();
        return;
      }
      const file = files.get(url);
      if (!file) {
        res.writeHead(404);
        res.end();
        return;
      }
      res.writeHead(200, { 'content-length': String(file.length) });
      res.end(file);
    });
    const entry = (name: string, version: string, url: string, created: string, digest?: Buffer) =>
      `  - apiVersion: v2\n    name: ${name}\n    version: ${version}\n    created: "${created}"\n    description: The ${name} chart\n    urls:\n      - ${url}\n${digest ? `    digest: ${sha(digest)}\n` : ''}`;
    indexYaml =
      'apiVersion: v1\nentries:\n  app:\n' +
      entry('app', '1.0.0', 'charts/app-1.0.0.tgz', '2024-01-01T00:00:00Z', files.get('/repo/charts/app-1.0.0.tgz')) +
      entry('app', '1.5.0', 'charts/app-1.5.0.tgz', '2024-02-01T00:00:00Z', files.get('/repo/charts/app-1.5.0.tgz')) +
      entry('app', '2.0.0', `${server.url}/abs/app-2.0.0.tgz`, '2024-03-01T00:00:00Z', files.get('/abs/app-2.0.0.tgz')) +
      entry('app', '2.1.0-rc.1', 'charts/app-2.1.0-rc.1.tgz', '2024-04-01T00:00:00Z') +
      '  bad:\n' +
      entry('bad', '1.0.0', 'bad-truncated.tgz', '2024-01-01T00:00:00Z') +
      entry('bad', '2.0.0', 'bad-big.tgz', '2024-01-01T00:00:00Z') +
      entry('bad', '3.0.0', 'bad-evil.tgz', '2024-01-01T00:00:00Z') +
      entry('bad', '4.0.0', 'bad-link.tgz', '2024-01-01T00:00:00Z') +
      entry('bad', '5.0.0', 'bad-digest.tgz', '2024-01-01T00:00:00Z', Buffer.from('something else')) +
      entry('bad', '6.0.0', 'chunked-big.tgz', '2024-01-01T00:00:00Z') +
      entry('bad', '7.0.0', 'missing.tgz', '2024-01-01T00:00:00Z') +
      'generated: "2024-04-01T00:00:00Z"\n';
  });

  after(async () => {
    await server?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('parses the index and resolves versions like Flux', async () => {
    const index = await fetchRepositoryIndex(`${server.url}/repo`);
    assert.equal(resolveChartVersion(index, 'app', '>=1.0.0 <2.0.0').version, '1.5.0');
    assert.equal(resolveChartVersion(index, 'app', '1.0.0').version, '1.0.0');
    assert.equal(resolveChartVersion(index, 'app', '*').version, '2.0.0');
    assert.equal(resolveChartVersion(index, 'app', '').version, '2.0.0');
    assert.equal(resolveChartVersion(index, 'app', '2.1.0-rc.1').version, '2.1.0-rc.1');
    assert.throws(() => resolveChartVersion(index, 'app', '>=3.0.0'), /no 'app' chart with version matching '>=3.0.0' found/);
    assert.throws(() => resolveChartVersion(index, 'nope', '*'), /no chart named 'nope'/);
    // version strings stay as written
    assert.equal(parseRepositoryIndex('entries:\n  x:\n    - version: 1.10\n      urls: [a.tgz]\n').entries.x[0].version, '1.10');
  });

  it('downloads, unpacks (subcharts, no templates) and reads with LocalCharts', async () => {
    const cache = new RemoteChartCache(path.join(root, 'c1'));
    const source = { url: `${server.url}/repo/` };
    const resolved = await cache.ensure(source, 'app', '>=1.0.0 <2.0.0');
    assert.equal(resolved.key.version, '1.5.0');
    assert.equal(resolved.stale, false);
    const dir = resolved.directory;
    assert.match(readFileSync(path.join(dir, 'Chart.yaml'), 'utf8'), /version: 1.5.0/);
    assert.match(readFileSync(path.join(dir, 'values.yaml'), 'utf8'), /replicaCount/);
    assert.ok(existsSync(path.join(dir, 'values.schema.json')));
    assert.ok(existsSync(path.join(dir, 'charts/sub/Chart.yaml')), 'packaged subchart unpacked into charts/sub');
    assert.match(readFileSync(path.join(dir, 'charts/sub/values.yaml'), 'utf8'), /subKey/);
    assert.ok(existsSync(path.join(dir, 'charts/dirsub/values.yaml')));
    assert.ok(!existsSync(path.join(dir, 'templates')), 'templates are skipped');
    assert.ok(!existsSync(path.join(dir, 'charts/dirsub/templates')));
    assert.ok(!existsSync(path.join(dir, 'charts/sub-0.1.0.tgz')));
    assert.equal(cache.get(resolved.key), dir);
    assert.equal(cache.peek(source, 'app', '>=1.0.0 <2.0.0')?.directory, dir);
    assert.equal(cache.peek(source, 'app', '1.0.0'), undefined, 'not downloaded yet');

    // the same reading code as workspace charts
    const charts = new LocalCharts(() => [root]);
    const values = charts.lookup({ uri: pathToFileURL(path.join(root, 'hr.yaml')).toString(), sourceKind: 'GitRepository', chart: path.relative(root, dir) });
    assert.ok(values);
    assert.equal(values.chart, 'app');
    assert.equal(values.version, '1.5.0');
    assert.ok(values.compiled, 'values.schema.json compiled');
    assert.ok(values.schema.properties?.sub, 'packaged subchart values');
    assert.ok(values.schema.properties?.aliased, 'directory subchart under its alias');
  });

  it('resolves an absolute chart URL and exact versions', async () => {
    const cache = new RemoteChartCache(path.join(root, 'c2'));
    const resolved = await cache.ensure({ url: `${server.url}/repo` }, 'app', '*');
    assert.equal(resolved.key.version, '2.0.0');
    assert.match(readFileSync(path.join(resolved.directory, 'Chart.yaml'), 'utf8'), /version: 2.0.0/);
    assert.equal((await cache.ensure({ url: `${server.url}/repo` }, 'app', '1.0.0')).key.version, '1.0.0');
  });

  it('de-duplicates concurrent downloads and caches the index', async () => {
    const cache = new RemoteChartCache(path.join(root, 'c3'));
    const before = server.hits.get('/repo/charts/app-1.0.0.tgz') ?? 0;
    const indexBefore = server.hits.get('/repo/index.yaml') ?? 0;
    const results = await Promise.all([1, 2, 3, 4].map(() => cache.ensure({ url: `${server.url}/repo` }, 'app', '~1.0')));
    assert.equal(new Set(results.map((r) => r.directory)).size, 1);
    assert.equal((server.hits.get('/repo/charts/app-1.0.0.tgz') ?? 0) - before, 1);
    assert.equal((server.hits.get('/repo/index.yaml') ?? 0) - indexBefore, 1);
    await cache.ensure({ url: `${server.url}/repo` }, 'app', '~1.0');
    assert.equal((server.hits.get('/repo/index.yaml') ?? 0) - indexBefore, 1, 'index within TTL is not fetched again');
  });

  it('times out on a slow server with a clear error', async () => {
    const cache = new RemoteChartCache(path.join(root, 'c4'), { timeoutMs: 300 });
    await rejectsKind(cache.ensure({ url: `${server.url}/slow` }, 'app', '*'), 'timeout', /timed out/);
  });

  it('reports 401, 403, 404 and 500', async () => {
    const cache = new RemoteChartCache(path.join(root, 'c5'));
    await rejectsKind(cache.ensure({ url: `${server.url}/status/401` }, 'app', '*'), 'unauthorized', /401/);
    await rejectsKind(cache.ensure({ url: `${server.url}/status/403` }, 'app', '*'), 'forbidden', /403/);
    await rejectsKind(cache.ensure({ url: `${server.url}/status/404` }, 'app', '*'), 'not-found', /404/);
    const e = await rejectsKind(cache.ensure({ url: `${server.url}/status/500` }, 'app', '*'), 'http', /HTTP 500/);
    assert.equal(e.status, 500);
    await rejectsKind(cache.ensure({ url: `${server.url}/repo` }, 'bad', '7.0.0'), 'not-found', /chart archive.*404/);
  });

  it('sends basic auth and never shows the password', async () => {
    const cache = new RemoteChartCache(path.join(root, 'c6'));
    const ok = await cache.ensure({ url: `${server.url}/private`, auth: { username: 'alice', password: 's3cret' } }, 'app', '1.0.0');
    assert.ok(existsSync(path.join(ok.directory, 'Chart.yaml')));
    const fresh = new RemoteChartCache(path.join(root, 'c6b'));
    const e = await rejectsKind(fresh.ensure({ url: `${server.url}/private`, auth: { username: 'alice', password: 'wrong-pw' } }, 'app', '1.0.0'), 'unauthorized');
    assert.ok(!e.message.includes('wrong-pw') && !e.message.includes('alice'));
  });

  it('rejects truncated, oversized, `..`, symlinked and mis-digested archives, leaving nothing behind', async () => {
    const dir = path.join(root, 'c7');
    const cache = new RemoteChartCache(dir, { maxChartBytes: 200 * 1024 });
    const source = { url: `${server.url}/repo` };
    await rejectsKind(cache.ensure(source, 'bad', '1.0.0'), 'archive', /truncated or corrupt/);
    await rejectsKind(cache.ensure(source, 'bad', '2.0.0'), 'too-large', /limit of 204800 bytes/);
    await rejectsKind(cache.ensure(source, 'bad', '6.0.0'), 'too-large', /limit of 204800 bytes/);
    await rejectsKind(cache.ensure(source, 'bad', '3.0.0'), 'archive', /`\.\.` path/);
    await rejectsKind(cache.ensure(source, 'bad', '4.0.0'), 'archive', /link/);
    await rejectsKind(cache.ensure(source, 'bad', '5.0.0'), 'digest-mismatch');
    const charts = path.join(dir, 'charts');
    assert.deepEqual(existsSync(charts) ? readdirSync(charts) : [], [], 'no chart or partial directory left');
    assert.ok(!existsSync(path.join(dir, 'evil.json')) && !existsSync(path.join(root, 'evil.json')) && !existsSync(path.join(dir, 'charts', 'evil.json')));
  });

  it('answers from the cache when the repository is offline', async () => {
    const dir = path.join(root, 'c8');
    const local = await startServer((req, res) => {
      const url = req.url ?? '/';
      if (url === '/index.yaml') {
        res.end(indexYaml.replace(`${server.url}/abs/`, `${server.url}/abs/`));
        return;
      }
      const file = files.get(`/repo${url}`);
      if (file) res.end(file);
      else {
        res.writeHead(404);
        res.end();
      }
    });
    const source = { url: local.url };
    const first = await new RemoteChartCache(dir).ensure(source, 'app', '^1.0.0');
    await local.close();
    // a new session (fresh memory), TTL expired, server gone
    const offline = new RemoteChartCache(dir, { indexTtlMs: 0, now: () => Date.now() + 1000 });
    const peeked = offline.peek(source, 'app', '^1.0.0');
    assert.equal(peeked?.directory, first.directory);
    assert.equal(peeked?.stale, true);
    const again = await offline.ensure(source, 'app', '^1.0.0');
    assert.equal(again.directory, first.directory);
    assert.equal(again.stale, true);
    // not cached and offline → a network error naming the URL
    await rejectsKind(offline.ensure(source, 'app', '1.0.0'), 'network', /cannot be reached/);
    offline.clear();
    assert.equal(offline.peek(source, 'app', '^1.0.0'), undefined);
    assert.ok(!existsSync(first.directory));
  });
});
