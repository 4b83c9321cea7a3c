// Caches that live as long as VS Code runs: each has a bound, and the bound holds.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { GONE_TEXT, ReadOnlyContents } from '../../client/src/readOnlyContents';
import { BoundedMap } from '../../server/src/boundedMap';
import { ConfigMapContents } from '../../server/src/node/configMapContent';
import { LocalCharts } from '../../server/src/node/localCharts';
import { RemoteChartCache } from '../../server/src/node/remoteCharts/cache';
import type { ObjectRecord } from '../../server/src/service/workspace/types';
import { startServer, type TestServer } from './helpers';

describe('BoundedMap', () => {
  it('forgets the least recently used entry beyond its count; get counts as use, peek does not', () => {
    const map = new BoundedMap<string, number>({ maxEntries: 3 });
    map.set('a', 1).set('b', 2).set('c', 3);
    assert.equal(map.get('a'), 1);
    assert.equal(map.peek('b'), 2);
    map.set('d', 4);
    assert.deepEqual([...map.keys()], ['c', 'a', 'd'], 'b, used least recently, is gone');
    map.set('c', 30);
    assert.equal(map.size, 3);
    assert.deepEqual([...map.keys()], ['a', 'd', 'c']);
  });

  it('keeps the total weight under its bound; an entry heavier than the bound alone is kept alone', () => {
    const map = new BoundedMap<string, string>({ maxEntries: 100, maxWeight: 10, weigh: (v) => v.length });
    for (const key of ['a', 'b', 'c', 'd']) map.set(key, 'xxxx');
    assert.deepEqual([...map.keys()], ['c', 'd']);
    assert.equal(map.weight, 8);
    map.set('big', 'x'.repeat(50));
    assert.deepEqual([...map.keys()], ['big']);
    assert.equal(map.weight, 50);
    map.set('e', 'x');
    assert.deepEqual([...map.keys()], ['e']);
    assert.equal(map.delete('e'), true);
    assert.equal(map.weight, 0);
  });
});

describe('parsed repository indexes', () => {
  let server: TestServer;
  /** Versions each repository `/r<n>/` lists. */
  const published = new Map<string, string[]>();

  before(async () => {
    server = await startServer((req, res) => {
      const m = /^\/(r\d+)\/index\.yaml$/.exec(req.url ?? '');
      const versions = m ? published.get(m[1]!) : undefined;
      if (!versions) {
        res.statusCode = 404;
        res.end();
        return;
      }
      res.end(`apiVersion: v1\nentries:\n  app:\n${versions.map((v) => `    - name: app\n      version: ${v}\n      urls: [app-${v}.tgz]\n`).join('')}`);
    });
  });
  after(() => server.close());

  it('are answered from memory, not read from disk on every call; a file another window rewrote is read again', async () => {
    let now = 1_000_000;
    const root = mkdtempSync(path.join(tmpdir(), 'hr-index-memory-'));
    const cache = new RemoteChartCache(root, { now: () => now, recheckMs: 10_000 });
    published.set('r1', ['1.0.0', '1.1.0']);
    const source = { url: `${server.url}/r1` };
    await cache.refreshIndex(source);
    assert.deepEqual(cache.versions(source, 'app')?.map((v) => v.version), ['1.0.0', '1.1.0']);
    // Another VS Code window (sharing the cache folder) writes a newer index.
    const [file] = readdirSync(path.join(root, 'index'));
    const stored = JSON.parse(readFileSync(path.join(root, 'index', file!), 'utf8')) as { index: { entries: Record<string, unknown[]> } };
    stored.index.entries.app = [...stored.index.entries.app!, { version: '2.0.0', urls: ['app-2.0.0.tgz'] }];
    writeFileSync(path.join(root, 'index', file!), JSON.stringify(stored));
    for (let i = 0; i < 100; i++) assert.deepEqual(cache.versions(source, 'app')?.map((v) => v.version), ['1.0.0', '1.1.0'], 'the copy in memory answers');
    now += 10_000;
    assert.deepEqual(cache.versions(source, 'app')?.map((v) => v.version), ['1.0.0', '1.1.0', '2.0.0'], 'after a while, the rewritten file is noticed');
  });

  it('a missing index is not looked for on disk on every call either (downloads off: nothing is fetched)', async () => {
    let now = 1_000_000;
    const root = mkdtempSync(path.join(tmpdir(), 'hr-index-missing-'));
    const cache = new RemoteChartCache(root, { now: () => now, recheckMs: 10_000 });
    published.set('r2', ['3.0.0']);
    const source = { url: `${server.url}/r2` };
    for (let i = 0; i < 100; i++) {
      assert.equal(cache.versions(source, 'app'), undefined);
      assert.equal(cache.peek(source, 'app', '3.x'), undefined);
    }
    // Another window fetches the index into the shared cache folder.
    await new RemoteChartCache(root).refreshIndex(source);
    assert.equal(cache.versions(source, 'app'), undefined, 'not looked for again yet');
    now += 10_000;
    assert.deepEqual(cache.versions(source, 'app')?.map((v) => v.version), ['3.0.0']);
  });

  it('are kept in memory up to a number of indexes and of versions; older ones are read from disk again when asked', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'hr-index-bound-'));
    const cache = new RemoteChartCache(root, { maxIndexesInMemory: 3, maxVersionsInMemory: 100 });
    const sources = Array.from({ length: 8 }, (_, i) => ({ url: `${server.url}/r${10 + i}` }));
    for (const [i, source] of sources.entries()) {
      published.set(`r${10 + i}`, Array.from({ length: 30 }, (_, v) => `${i}.${v}.0`));
      await cache.refreshIndex(source);
      assert.ok(cache.memoryUse().indexes <= 3, JSON.stringify(cache.memoryUse()));
      assert.ok(cache.memoryUse().versions <= 100, JSON.stringify(cache.memoryUse()));
    }
    assert.deepEqual(cache.memoryUse(), { indexes: 3, versions: 90 });
    // The first index left memory but not the disk cache.
    assert.equal(cache.versions(sources[0]!, 'app')?.length, 30);
    assert.equal(cache.chartNames(sources[0]!)?.join(), 'app');
    assert.deepEqual(cache.memoryUse(), { indexes: 3, versions: 90 });
  });
});

describe('charts in the workspace, looked up by the path typed in `chart:`', () => {
  it('remembers a bounded number of directories while a path is typed', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'hr-local-bound-'));
    mkdirSync(path.join(root, 'charts', 'grade-api'), { recursive: true });
    writeFileSync(path.join(root, 'charts', 'grade-api', 'Chart.yaml'), 'apiVersion: v2\nname: grade-api\nversion: 1.0.0\n');
    writeFileSync(path.join(root, 'charts', 'grade-api', 'values.yaml'), 'replicaCount: 1\n');
    const charts = new LocalCharts(() => [root], { maxDirectories: 4 });
    const uri = pathToFileURL(path.join(root, 'release.yaml')).toString();
    const typed = './charts/grade-api';
    for (let i = 1; i <= typed.length; i++) {
      const found = charts.lookup({ uri, sourceKind: 'GitRepository', sourceName: 'repo', chart: typed.slice(0, i) });
      assert.equal(found?.chart, i === typed.length ? 'grade-api' : undefined);
      assert.ok(charts.memoryUse().directories <= 4, JSON.stringify(charts.memoryUse()));
    }
    assert.equal(charts.memoryUse().directories, 4);
  });

  it('keeps the chart files read under a byte bound', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'hr-local-bytes-'));
    const charts = new LocalCharts(() => [root], { maxBytes: 3000 });
    const uri = pathToFileURL(path.join(root, 'release.yaml')).toString();
    for (let i = 0; i < 6; i++) {
      const dir = path.join(root, `chart${i}`);
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'Chart.yaml'), `apiVersion: v2\nname: chart${i}\nversion: 1.0.0\n`);
      writeFileSync(path.join(dir, 'values.yaml'), `# ${'x'.repeat(1000)}\nkey${i}: 1\n`);
      assert.equal(charts.lookup({ uri, sourceKind: 'GitRepository', chart: `./chart${i}` })?.chart, `chart${i}`);
      assert.ok(charts.memoryUse().bytes <= 3000, JSON.stringify(charts.memoryUse()));
    }
    assert.equal(charts.memoryUse().directories, 2);
  });
});

describe('valuesFrom ConfigMap content', () => {
  const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  values.yaml: |\n    replicaCount: 2\n`;
  const record = (file: string, name: string) => ({ kind: 'ConfigMap', name, uri: pathToFileURL(file).toString() }) as ObjectRecord;

  it('keeps a bounded number of parsed files while their editor text changes on every keystroke', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'hr-configmaps-'));
    const contents = new ConfigMapContents({ maxFiles: 3 });
    for (let f = 0; f < 6; f++) {
      const file = path.join(root, `cm${f}.yaml`);
      // Typing in the open ConfigMap: every version of its text is different.
      for (let k = 0; k < 20; k++) {
        const text = `${configMap(`cm${f}`)}# ${'x'.repeat(k)}\n`;
        assert.equal(contents.data(record(file, `cm${f}`), 'values.yaml', () => text), 'replicaCount: 2\n');
      }
      assert.ok(contents.memoryUse().files <= 3);
    }
    assert.equal(contents.memoryUse().files, 3);
  });

  it('keeps the text of the parsed files under a size bound', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'hr-configmaps-size-'));
    const contents = new ConfigMapContents({ maxChars: 10_000 });
    for (let f = 0; f < 10; f++) {
      const text = `${configMap(`big${f}`)}# ${'x'.repeat(4000)}\n`;
      assert.equal(contents.data(record(path.join(root, `big${f}.yaml`), `big${f}`), 'values.yaml', () => text), 'replicaCount: 2\n');
      assert.ok(contents.memoryUse().chars <= 10_000, JSON.stringify(contents.memoryUse()));
    }
    assert.equal(contents.memoryUse().files, 2);
  });
});

describe('read-only documents (effective values, live objects, events, history)', () => {
  it('keep the texts of the most recently used documents only; an older one says it is gone', () => {
    const contents = new ReadOnlyContents({ maxDocuments: 5 });
    const uris: string[] = [];
    for (let i = 0; i < 40; i++) {
      const uri = `helmrelease-values:/podinfo.yaml?${contents.nextQuery()}`;
      uris.push(uri);
      contents.set(uri, `replicaCount: ${i}\n`);
      assert.ok(contents.memoryUse().documents <= 5);
    }
    assert.equal(new Set(uris).size, 40, 'every command opens a new document');
    assert.equal(contents.get(uris[39]!), 'replicaCount: 39\n');
    assert.equal(contents.get(uris[35]!), 'replicaCount: 35\n');
    assert.equal(contents.get(uris[0]!), GONE_TEXT);
    assert.deepEqual(contents.memoryUse(), { documents: 5, chars: 5 * 'replicaCount: 3x\n'.length });
  });

  it('keep their characters under a bound', () => {
    const contents = new ReadOnlyContents({ maxChars: 100_000 });
    for (let i = 0; i < 20; i++) {
      contents.set(`flux-live:/HelmRelease/app${i}.yaml?${contents.nextQuery()}`, 'x'.repeat(30_000));
      assert.ok(contents.memoryUse().chars <= 100_000, JSON.stringify(contents.memoryUse()));
    }
    assert.equal(contents.memoryUse().documents, 3);
  });
});
