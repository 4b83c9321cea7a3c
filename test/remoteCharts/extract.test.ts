import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RemoteChartError } from '../../server/src/node/remoteCharts/errors';
import { extractChartArchive } from '../../server/src/node/remoteCharts/extract';
import { buildChart, buildLargeChart, buildTgz } from './helpers';

const isKind = (kind: string, pattern?: RegExp) => (e: unknown) => e instanceof RemoteChartError && e.kind === kind && (pattern === undefined || pattern.test(e.message));

describe('extractChartArchive', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'extract-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('keeps chart files, JSON $ref files and subcharts (nested packages too), skips templates', async () => {
    const inner = await buildChart('inner', '0.0.1');
    const sub = await buildChart('sub', '0.1.0', { extra: [{ name: 'sub/charts/inner-0.0.1.tgz', content: inner }] });
    const archive = await buildChart('app', '1.0.0', {
      schema: { $ref: 'schemas/a.json' },
      extra: [
        { name: 'app/schemas/a.json', content: '{"type":"object"}' },
        { name: 'app/templates/x.json', content: '{}' },
        { name: 'app/charts/sub-0.1.0.tgz', content: sub },
        { name: 'app/charts/dir/Chart.yaml', content: 'name: dir\nversion: 1.0.0\n' },
        { name: 'app/crds/', type: 'directory' },
        { name: 'app/crds/crd.yaml', content: 'kind: CustomResourceDefinition\n' },
      ],
    });
    const target = path.join(root, 'a');
    const out = await extractChartArchive(archive, target);
    assert.equal(out.name, 'app');
    assert.deepEqual(out.files, [
      'Chart.yaml',
      'charts/dir/Chart.yaml',
      'charts/sub/Chart.yaml',
      'charts/sub/charts/inner/Chart.yaml',
      'charts/sub/charts/inner/values.yaml',
      'charts/sub/values.yaml',
      'schemas/a.json',
      'values.schema.json',
      'values.yaml',
    ]);
    assert.equal(readFileSync(path.join(target, 'schemas/a.json'), 'utf8'), '{"type":"object"}');
    // extracting again replaces the directory, leaving no temporary siblings
    writeFileSync(path.join(target, 'stale.txt'), 'x');
    await extractChartArchive(archive, target);
    assert.ok(!existsSync(path.join(target, 'stale.txt')));
    assert.deepEqual(readdirSync(root), ['a']);
  });

  it('rejects unsafe or broken archives and writes nothing', async () => {
    const dir = path.join(root, 'unsafe');
    mkdirSync(dir);
    const target = path.join(dir, 'chart');
    const cases: Array<[Buffer, string, RegExp]> = [
      [await buildTgz([{ name: '/etc/app/Chart.yaml', content: 'x' }]), 'archive', /absolute path/],
      [await buildTgz([{ name: 'app/Chart.yaml', content: 'x' }, { name: 'app/../../evil.json', content: '{}' }]), 'archive', /`\.\.` path/],
      [await buildTgz([{ name: 'app/Chart.yaml', content: 'x' }, { name: 'app/values.yaml', type: 'link', linkname: 'app/Chart.yaml' }]), 'archive', /link/],
      [await buildTgz([{ name: 'app/Chart.yaml', content: 'x' }, { name: 'other/Chart.yaml', content: 'x' }]), 'archive', /more than one top-level/],
      [Buffer.from('not gzip at all'), 'archive', /not a valid gzip/],
      [await buildTgz([]), 'archive', /empty/],
    ];
    for (const [archive, kind, pattern] of cases) await assert.rejects(extractChartArchive(archive, target), isKind(kind, pattern), String(pattern));
    const many = await buildTgz(Array.from({ length: 30 }, (_, i) => ({ name: `app/f${i}.yaml`, content: 'x' })));
    await assert.rejects(extractChartArchive(many, target, { maxEntries: 10 }), isKind('too-large', /more than 10 entries/));
    const big = await buildChart('app', '1.0.0', { values: 'x'.repeat(100_000) });
    await assert.rejects(extractChartArchive(big, target, { maxBytes: 50_000 }), isKind('too-large', /unpacks to more than 50000 bytes/));
    assert.deepEqual(readdirSync(dir), []);
    assert.ok(!existsSync(path.join(root, 'evil.json')));
  });

  it('unpacks a chart that decompresses to almost the 100 MB limit, while the event loop keeps turning', async () => {
    const target = path.join(root, 'large');
    const archive = await buildLargeChart('big', 95 * 1024 * 1024);
    // The language server answers requests between chunks: count the turns of its event loop meanwhile.
    let extracting = true;
    let turns = 0;
    const turning = (async () => {
      while (extracting) {
        await new Promise((resolve) => setImmediate(resolve));
        turns++;
      }
    })();
    const out = await extractChartArchive(archive, target).finally(() => (extracting = false));
    await turning;
    console.log(`${archive.length} bytes of gzip, 95 MB unpacked: ${turns} event loop turns while extracting`);
    assert.ok(turns >= 50, `only ${turns} turns of the event loop while 95 MB were decompressed`);
    assert.deepEqual(out.files, ['Chart.yaml', 'values.yaml']);
    assert.equal(readFileSync(path.join(target, 'values.yaml'), 'utf8'), 'replicaCount: 1\n');
  });

  it('refuses a chart that decompresses to more than 100 MB, and writes nothing', async () => {
    const dir = path.join(root, 'oversized');
    mkdirSync(dir);
    const archive = await buildLargeChart('huge', 101 * 1024 * 1024);
    await assert.rejects(extractChartArchive(archive, path.join(dir, 'chart')), isKind('too-large', /unpacks to more than 104857600 bytes/));
    assert.deepEqual(readdirSync(dir), []);
  });
});

