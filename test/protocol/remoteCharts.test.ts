import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { Diagnostic, Hover } from 'vscode-languageserver-protocol';
import { TestClient } from './lspClient';
import { buildChart, startServer, type TestServer } from '../remoteCharts/helpers';
import { pushChart, startCountingProxy, startRegistry, type CountingProxy, type Registry } from '../remoteCharts/registry';

describe('values from a chart in an HTTP Helm repository, over the protocol', () => {
  let repository: TestServer;
  let client: TestClient;
  let uri: string;
  const release = (values: string) =>
    `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: podinfo\n  namespace: apps\nspec:\n  interval: 5m\n  chart:\n    spec:\n      chart: podinfo\n      version: ">=6.0.0 <7.0.0"\n      sourceRef:\n        kind: HelmRepository\n        name: charts\n  values:\n${values}`;

  before(async () => {
    const archive = await buildChart('podinfo', '6.5.0', { values: '# -- Number of pods.\nreplicaCount: 1\nui:\n  color: "#34577c"\n', schema: { type: 'object', properties: { replicaCount: { type: 'integer', minimum: 1 }, ui: { type: 'object', additionalProperties: false, properties: { color: { type: 'string' } } } } } });
    repository = await startServer((req, res) => {
      if (req.url === '/index.yaml') {
        res.end(`apiVersion: v1\nentries:\n  podinfo:\n    - name: podinfo\n      version: 6.5.0\n      created: "2026-01-01T00:00:00Z"\n      urls: [podinfo-6.5.0.tgz]\n    - name: podinfo\n      version: 7.0.0\n      urls: [podinfo-7.0.0.tgz]\n  redis:\n    - name: redis\n      version: 19.0.0\n      urls: [redis-19.0.0.tgz]\n`);
      } else if (req.url === '/podinfo-6.5.0.tgz') {
        res.end(archive);
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    const root = mkdtempSync(path.join(tmpdir(), 'hr-remote-'));
    mkdirSync(path.join(root, 'apps'));
    writeFileSync(path.join(root, 'apps/repository.yaml'), `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: charts\n  namespace: apps\nspec:\n  interval: 1h\n  url: ${repository.url}\n`);
    uri = pathToFileURL(path.join(root, 'apps/release.yaml')).toString();
    client = new TestClient();
    await client.initialize(true, [root], { globalStoragePath: mkdtempSync(path.join(tmpdir(), 'hr-storage-')), trusted: true });
    await client.ready;
  });

  after(async () => {
    await client.shutdown();
    await repository.close();
  });

  test('the chart is fetched in the background, then its schema checks the values; hover says where it came from', async () => {
    const text = release('    replicaCount: 0\n    ui:\n      colour: red\n');
    const seen: Diagnostic[][] = [await client.open(uri, text)];
    // The first answer comes before the download; the server publishes again when the chart arrives.
    const deadline = Date.now() + 15_000;
    while (!seen[seen.length - 1]!.some((d) => d.code === 'invalid-value') && Date.now() < deadline) seen.push(await client.nextDiagnostics(uri, undefined, 15_000));
    const codes = seen[seen.length - 1]!.map((d) => `${String(d.code)}@${d.range.start.line}`);
    // 7.0.0 is published too: a hint on the version constraint that picks 6.5.0.
    assert.deepEqual(codes, ['newer-major-version@10', 'invalid-value@15', 'invalid-value@17']);
    assert.equal(repository.hits.get('/podinfo-6.5.0.tgz'), 1, 'the highest 6.x version was downloaded once');
    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 15, character: 6 } })) as Hover;
    const value = (hover.contents as { value: string }).value;
    assert.match(value, /From chart `podinfo` 6\.5\.0 \(podinfo 6\.5\.0 from http:\/\/127\.0\.0\.1:\d+\/?\)/);
  });

  test('the version field completes the published versions, and its hover says what the constraint picks today', async () => {
    const items = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 10, character: 16 } })) as Array<{ label: string; detail?: string }>;
    assert.deepEqual(items.map((i) => i.label), ['7.0.0', '6.5.0']);
    assert.equal(items[0]!.detail, 'newest');
    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 10, character: 18 } })) as Hover;
    assert.match((hover.contents as { value: string }).value, /\*\*Today:\*\* resolves to \*\*6\.5\.0\*\*; newest published: 7\.0\.0/);
  });

  test('the chart field completes the charts the repository index lists', async () => {
    const items = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 9, character: 16 } })) as Array<{ label: string; detail?: string; textEdit?: { newText: string } }>;
    assert.deepEqual(items.map((i) => i.label), ['podinfo', 'redis']);
    assert.equal(items[1]!.detail, 'in the repository index');
    assert.equal(items[1]!.textEdit?.newText, 'redis');
  });

    test('a CodeLens above the HelmRelease names the chart, its version and where it came from', async () => {
    const lenses = (await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as Array<{ range: { start: { line: number } }; command: { title: string; command: string } }>;
    assert.equal(lenses.length, 1);
    assert.equal(lenses[0]!.range.start.line, 0, "above the first key of the object");
    assert.match(lenses[0]!.command.title, /^Chart podinfo 6\.5\.0 · podinfo 6\.5\.0 from http:\/\/127\.0\.0\.1:\d+/);
    assert.equal(lenses[0]!.command.command, 'helmRelease.showEffectiveValues');
  });

  test('Clear Chart Cache empties the cache; the chart is fetched again', async () => {
    const before = repository.hits.get('/podinfo-6.5.0.tgz') ?? 0;
    await client.connection.sendRequest('workspace/executeCommand', { command: 'helmRelease.clearChartCache', arguments: [] });
    const deadline = Date.now() + 10_000;
    while ((repository.hits.get('/podinfo-6.5.0.tgz') ?? 0) === before && Date.now() < deadline) {
      await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 15, character: 6 } });
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(repository.hits.get('/podinfo-6.5.0.tgz'), before + 1);
  });

  test('Refresh Charts reads the repository index again', async () => {
    const before = repository.hits.get('/index.yaml') ?? 0;
    await client.connection.sendRequest('workspace/executeCommand', { command: 'helmRelease.refreshCharts', arguments: [] });
    const deadline = Date.now() + 10_000;
    while ((repository.hits.get('/index.yaml') ?? 0) === before && Date.now() < deadline) {
      await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 15, character: 6 } });
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(repository.hits.get('/index.yaml'), before + 1);
  });
});

describe('typing a chart name for an OCI HelmRepository, over the protocol', () => {
  let registry: Registry;
  let proxy: CountingProxy;
  let client: TestClient;
  let uri: string;
  const release = (chart: string) =>
    `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: db\n  namespace: apps\nspec:\n  interval: 5m\n  chart:\n    spec:\n      chart: ${chart}\n      version: "^16.0.0"\n      sourceRef:\n        kind: HelmRepository\n        name: bitnami\n  values:\n    pushed: "x"\n`;

  before(async () => {
    registry = await startRegistry(false);
    for (const version of ['16.1.0', '16.2.0']) await pushChart(registry.url, 'charts/postgresql', 'postgresql', version);
    proxy = await startCountingProxy(registry.url);
    const root = mkdtempSync(path.join(tmpdir(), 'hr-typing-'));
    mkdirSync(path.join(root, 'apps'));
    writeFileSync(path.join(root, 'apps/repository.yaml'), `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: bitnami\n  namespace: apps\nspec:\n  type: oci\n  insecure: true\n  url: oci://127.0.0.1:${proxy.port}/charts\n`);
    uri = pathToFileURL(path.join(root, 'apps/release.yaml')).toString();
    client = new TestClient();
    await client.initialize(true, [root], { globalStoragePath: mkdtempSync(path.join(tmpdir(), 'hr-storage-')), trusted: true });
    await client.ready;
  });

  after(async () => {
    await client.shutdown();
    await proxy.close();
    await registry.stop();
  });

  test('typing `postgresql` key by key asks the registry for one tag list, once the name stops changing', async () => {
    const name = 'postgresql';
    await client.open(uri, release(''));
    // A quick typist: one key every 50 ms, each answered with diagnostics as the editor sees them.
    for (let i = 1; i <= name.length; i++) {
      const published = client.nextDiagnostics(uri, i + 1);
      await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: i + 1 }, contentChanges: [{ text: release(name.slice(0, i)) }] });
      await published;
      await new Promise((r) => setTimeout(r, 50));
    }
    const title = await client.codeLensTitle(uri, /^Chart postgresql/);
    assert.match(title, /^Chart postgresql 16\.2\.0 · postgresql 16\.2\.0 from oci:\/\//);
    const lists = proxy.tagLists();
    const total = [...lists.values()].reduce((a, b) => a + b, 0);
    console.log(`tag-list requests while typing "${name}": ${total} (${JSON.stringify(Object.fromEntries(lists))})`);
    assert.ok(total <= 2, `${total} tag-list requests: ${JSON.stringify(Object.fromEntries(lists))}`);
    assert.equal(lists.get('charts/postgresql'), 1, 'the name typed in the end is asked for once');
  });
});
