import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestClient } from './lspClient';

const uri = 'file:///workspace/apps/podinfo.yaml';

// The objects the cluster CodeLens is placed above, however the manifest is written.
const text = [
  '# podinfo, with metadata indented by four spaces',
  'apiVersion: helm.toolkit.fluxcd.io/v2',
  'kind: HelmRelease',
  'metadata:',
  '    name: podinfo',
  '    namespace: podinfo',
  'spec:',
  '    interval: 5m',
  '    chartRef:',
  '        kind: OCIRepository',
  '        name: podinfo',
  '---',
  '{apiVersion: source.toolkit.fluxcd.io/v1, kind: OCIRepository, metadata: {name: podinfo, namespace: podinfo}, spec: {interval: 10m, url: "oci://ghcr.io/stefanprodan/charts/podinfo", ref: {semver: ">=6.5.0"}}}',
  '---',
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata: { name: podinfo-values }',
  'data: {}',
  '',
].join('\n');

describe('helmRelease/objects: the objects of an open document, over the protocol', () => {
  let client: TestClient;

  before(async () => {
    client = new TestClient();
    await client.initialize();
    await client.open(uri, text);
  });

  after(async () => {
    await client.shutdown();
  });

  test('block style with four-space metadata, flow style and a flow-style metadata, each at its first key', async () => {
    assert.deepEqual(await client.objects(uri), [
      { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name: 'podinfo', namespace: 'podinfo', line: 1 },
      { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'OCIRepository', name: 'podinfo', namespace: 'podinfo', line: 12 },
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'podinfo-values', line: 14 },
    ]);
  });

  test('after an edit, the answer follows the text the editor has', async () => {
    const next = client.nextDiagnostics(uri, 2);
    // A comment above everything moves each object down a line; the release is renamed.
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [
        { range: { start: { line: 4, character: 10 }, end: { line: 4, character: 17 } }, text: 'podinfo-canary' },
        { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# apps\n' },
      ],
    });
    await next;
    const objects = await client.objects(uri);
    assert.deepEqual(objects.map((o) => [o.kind, o.name, o.line]), [
      ['HelmRelease', 'podinfo-canary', 2],
      ['OCIRepository', 'podinfo', 13],
      ['ConfigMap', 'podinfo-values', 15],
    ]);
  });

  test('a document the server does not have: no objects', async () => {
    assert.deepEqual(await client.objects('file:///workspace/not-open.yaml'), []);
  });
});
