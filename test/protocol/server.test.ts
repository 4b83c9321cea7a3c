import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'fs';
import type { CompletionItem, Hover } from 'vscode-languageserver-protocol';
import { SERVER, TestClient } from './lspClient';

const uri = 'file:///workspace/apps/podinfo.yaml';
const text = [
  'apiVersion: v1',
  'kind: Namespace',
  'metadata:',
  '  name: apps',
  '---',
  'apiVersion: helm.toolkit.fluxcd.io/v2',
  'kind: HelmRelease',
  'metadata:',
  '  name: podinfo',
  'spec:',
  '  interval: 5m',
  '  chart:',
  '    spec:',
  '      chart: podinfo',
  '      sourceRef:',
  '        kind: HelmRepository',
  '        name: podinfo',
  '  install:',
  '    remediation:',
  '      retries: 3',
  '',
].join('\n');

describe('the language server over stdio', () => {
  let client: TestClient;

  before(async () => {
    assert.ok(existsSync(SERVER), `${SERVER} is missing: run npm run build first`);
    client = new TestClient();
  });

  after(async () => {
    if (client.process.exitCode === null) client.process.kill();
  });

  test('initialize announces incremental sync, completion, hover and symbols', async () => {
    const { capabilities } = await client.initialize();
    assert.deepEqual((capabilities.textDocumentSync as { change: number }).change, 2);
    assert.ok(capabilities.completionProvider);
    assert.equal(capabilities.hoverProvider, true);
    assert.equal(capabilities.documentSymbolProvider, true);
  });

  test('didOpen publishes diagnostics for the version opened: none for a correct file', async () => {
    assert.deepEqual(await client.open(uri, text), []);
  });

  test('an incremental edit that makes a typo publishes a diagnostic at the typo', async () => {
    const next = client.nextDiagnostics(uri, 2);
    // `remediation:` on line 18 becomes `remediaton:`
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 18, character: 12 }, end: { line: 18, character: 13 } }, text: '' }],
    });
    const diagnostics = await next;
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]!.code, 'unknown-field');
    assert.deepEqual(diagnostics[0]!.range, { start: { line: 18, character: 4 }, end: { line: 18, character: 14 } });
    assert.match(String(diagnostics[0]!.message), /Did you mean `remediation`/);
  });

  test('several edits in one notification are applied in order', async () => {
    const next = client.nextDiagnostics(uri, 3);
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 3 },
      contentChanges: [
        { range: { start: { line: 18, character: 12 }, end: { line: 18, character: 12 } }, text: 'i' },
        { range: { start: { line: 10, character: 12 }, end: { line: 10, character: 14 } }, text: 'five' },
      ],
    });
    const diagnostics = await next;
    assert.deepEqual(diagnostics.map((d) => [d.code, d.range.start.line]), [['invalid-pattern', 10]]);
  });

  test('completion answers with the keys valid at the cursor', async () => {
    const next = client.nextDiagnostics(uri, 4);
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 4 },
      contentChanges: [{ range: { start: { line: 10, character: 12 }, end: { line: 10, character: 16 } }, text: '5m' }, { range: { start: { line: 20, character: 0 }, end: { line: 20, character: 0 } }, text: '  upgrade:\n    ' }],
    });
    await next;
    const items = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 21, character: 4 } })) as CompletionItem[];
    const labels = items.map((i) => i.label);
    assert.ok(labels.includes('remediation') && labels.includes('crds') && labels.includes('force'), labels.join(','));
  });

  test('hover answers with the field documentation', async () => {
    const result = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 19, character: 8 } })) as Hover;
    const value = (result.contents as { value: string }).value;
    assert.match(value, /spec.install.remediation.retries/);
    assert.deepEqual(result.range, { start: { line: 19, character: 6 }, end: { line: 19, character: 13 } });
  });

  test('document symbols list one object per document', async () => {
    const symbols = (await client.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } })) as Array<{ name: string; children: Array<{ name: string }> }>;
    assert.deepEqual(symbols.map((s) => s.name), ['Namespace apps', 'HelmRelease podinfo']);
    assert.deepEqual(symbols[1]!.children.map((c) => c.name), ['interval', 'chart', 'install', 'upgrade']);
  });

  test('settings pulled from the client change severities', async () => {
    client.configuration = { severity: { 'unknown-field': 'warning' } };
    const other = 'file:///workspace/other.yaml';
    const diagnostics = await client.open(other, text.replace('remediation:', 'remediaton:'));
    assert.equal(diagnostics[0]!.severity, 2);
  });

  test('requests for unknown documents answer empty, and the server never reports a failure', async () => {
    const items = await client.connection.sendRequest('textDocument/completion', { textDocument: { uri: 'file:///nope.yaml' }, position: { line: 0, character: 0 } });
    assert.deepEqual(items, []);
    assert.equal(await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: 'file:///nope.yaml' }, position: { line: 99, character: 99 } }), null);
  });

  test('didClose clears the diagnostics; shutdown and exit end the process with code 0', async () => {
    const cleared = client.nextDiagnostics(uri);
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    assert.deepEqual(await cleared, []);
    assert.equal(await client.shutdown(), 0);
    assert.deepEqual(client.logs.filter((l) => /failed|Unexpected/.test(l)), []);
  });
});
