import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { CompletionItem, Diagnostic, DocumentLink, Hover, Location, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { TestClient } from './lspClient';

const FIXTURE = path.resolve(__dirname, '../fixtures/gitops-repo');

describe('references across a GitOps repository, over the protocol', () => {
  let client: TestClient;
  let root: string;
  const uri = (relative: string) => pathToFileURL(path.join(root, relative)).toString();
  const text = (relative: string) => readFileSync(path.join(root, relative), 'utf8');
  const lineOf = (relative: string, needle: string) => text(relative).split('\n').findIndex((l) => l.includes(needle));
  const release = 'apps/base/grade-api/release.yaml';
  const sources = 'infrastructure/sources/helm-repositories.yaml';

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'hr-ws-'));
    cpSync(FIXTURE, root, { recursive: true });
    client = new TestClient();
    await client.initialize(true, [root]);
  });

  after(async () => {
    await client.shutdown();
  });

  test('the server indexes the workspace in the background and says when it is ready', async () => {
    const status = await client.ready;
    assert.equal(status.files, 11);
    assert.equal(client.indexStatus[0]!.state, 'indexing');
  });

  test('a release whose references all resolve has no diagnostics', async () => {
    assert.deepEqual(await client.open(uri(release), text(release)), []);
  });

  test('go to definition jumps from a sourceRef to the HelmRepository in another file', async () => {
    const line = lineOf(release, 'name: grade-api-charts');
    const locations = (await client.connection.sendRequest('textDocument/definition', { textDocument: { uri: uri(release) }, position: { line, character: 16 } })) as Location[];
    assert.deepEqual(locations.map((l) => [l.uri, l.range.start.line]), [[uri(sources), lineOf(sources, 'name: grade-api-charts')]]);
  });

  test('find references from a source lists the releases that use it', async () => {
    await client.open(uri(sources), text(sources));
    const line = lineOf(sources, 'name: bitnami');
    const locations = (await client.connection.sendRequest('textDocument/references', { textDocument: { uri: uri(sources) }, position: { line, character: 9 }, context: { includeDeclaration: false } })) as Location[];
    assert.deepEqual(locations.map((l) => [l.uri, l.range.start.line]), [[uri(release), lineOf(release, 'name: bitnami')]]);
  });

  test('rename of a source updates the definition and every reference', async () => {
    const line = lineOf(sources, 'name: bitnami');
    const edit = (await client.connection.sendRequest('textDocument/rename', { textDocument: { uri: uri(sources) }, position: { line, character: 9 }, newName: 'bitnami-charts' })) as WorkspaceEdit;
    const touched: string[] = [];
    for (const change of edit.documentChanges ?? []) if ('textDocument' in change) for (const e of change.edits) touched.push(`${path.relative(root, new URL(change.textDocument.uri).pathname)}:${e.range.start.line}:${'newText' in e ? e.newText : ''}`);
    // Clients use documentChanges when present and ignore changes.
    if (!edit.documentChanges) for (const [u, edits] of Object.entries(edit.changes ?? {})) for (const e of edits) touched.push(`${path.relative(root, new URL(u).pathname)}:${e.range.start.line}:${e.newText}`);
    assert.deepEqual(touched.sort(), [`${release}:${lineOf(release, 'name: bitnami')}:bitnami-charts`, `${sources}:${line}:bitnami-charts`].sort());
  });

  test('completion of a reference name offers the objects of the right kind', async () => {
    const line = lineOf(release, 'name: grade-api-charts');
    const items = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri: uri(release) }, position: { line, character: 14 } })) as CompletionItem[];
    const labels = items.map((i) => i.label);
    assert.ok(labels.includes('grade-api-charts') && labels.includes('bitnami'), labels.join(','));
    assert.ok(!labels.includes('podinfo'), 'the OCIRepository is not a HelmRepository');
  });

  test('hover on a reference summarises its target', async () => {
    const line = lineOf(release, 'name: postgres');
    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: uri(release) }, position: { line, character: 14 } })) as Hover;
    const value = (hover.contents as { value: string }).value;
    assert.match(value, /HelmRelease/);
    assert.match(value, /postgres/);
  });

  test('document links point at the definitions', async () => {
    const links = (await client.connection.sendRequest('textDocument/documentLink', { textDocument: { uri: uri(release) } })) as DocumentLink[];
    assert.ok(links.some((l) => l.target?.startsWith(`${uri(sources)}#L`)), JSON.stringify(links.map((l) => l.target)));
  });

  test('an edit that makes a dependsOn cycle is reported across files', async () => {
    const next = client.nextDiagnostics(uri(release), 2);
    const current = text(release);
    const modified = current.replace('  values:\n    auth:', '  dependsOn:\n    - name: grade-api\n  values:\n    auth:');
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: uri(release), version: 2 }, contentChanges: [{ text: modified }] });
    const diagnostics: Diagnostic[] = await next;
    assert.deepEqual(diagnostics.map((d) => d.code), ['dependency-cycle', 'dependency-cycle']);
  });

  test('a file changed on disk updates the diagnostics of open documents', async () => {
    const secret = 'apps/base/grade-api/db-secret.yaml';
    writeFileSync(path.join(root, secret), text(secret).replace('name: grade-api-db\n  data:', 'name: other\n  data:'));
    const next = client.nextDiagnostics(uri(release));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(secret), type: 2 }] });
    const diagnostics: Diagnostic[] = await next;
    assert.ok(diagnostics.some((d) => d.code === 'missing-secret'), JSON.stringify(diagnostics.map((d) => d.code)));
  });

  test('changing helmRelease.exclude re-indexes the workspace without the excluded files', async () => {
    const before = client.indexStatus.length;
    client.configuration = { exclude: ['infrastructure/**'] };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const deadline = Date.now() + 10_000;
    while (!client.indexStatus.slice(before).some((s) => s.state === 'ready') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const ready = client.indexStatus.slice(before).find((s) => s.state === 'ready');
    assert.ok(ready, 'the server re-indexed');
    // Two files under infrastructure/ are left out; the two open documents stay in the index.
    assert.equal(ready.files, 10);
  });
});
