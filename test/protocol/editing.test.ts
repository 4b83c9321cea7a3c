/**
 * Editing through the real server: bursts of edits sent without waiting (so that passes are
 * stopped by newer edits), closing and reopening with unsaved changes, and the settled diagnostics
 * compared with those of a server started fresh on the same text.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic, Hover, TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol';
import { TestClient } from './lspClient';
import { asSet, random } from '../editingHarness';

const FIXTURE = path.resolve(__dirname, '../fixtures/gitops-repo');
const RELEASE = 'apps/base/grade-api/release.yaml';
const SOURCES = 'infrastructure/sources/helm-repositories.yaml';

async function startedOn(root: string): Promise<TestClient> {
  const client = new TestClient();
  await client.initialize(true, [root]);
  await client.ready;
  return client;
}

/** Waits until the server has published nothing for `uri` for a while, and returns the last it published. */
async function settled(client: TestClient, uri: string, quietMs = 400): Promise<Diagnostic[]> {
  for (;;) {
    const count = client.published.length;
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    if (client.published.length === count) break;
  }
  return [...client.published].reverse().find((p) => p.uri === uri)?.diagnostics ?? [];
}

describe('editing through the server', () => {
  let root: string;
  let client: TestClient;
  const uri = (relative: string) => pathToFileURL(path.join(root, relative)).toString();
  const text = (relative: string) => readFileSync(path.join(root, relative), 'utf8');

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'hr-editing-'));
    cpSync(FIXTURE, root, { recursive: true });
    client = await startedOn(root);
  });

  after(async () => {
    await client.shutdown();
  });

  test('a source renamed without saving, closed and opened again, is still the renamed one for the files that use it', async () => {
    const sources = text(SOURCES);
    const release = text(RELEASE);
    assert.ok(sources.includes('name: grade-api-charts') && release.includes('name: grade-api-charts'));
    assert.deepEqual(await client.open(uri(RELEASE), release), []);
    await client.open(uri(SOURCES), sources);
    // Rename the source in its editor and in the release's, saving neither.
    const renamedSources = sources.replace('name: grade-api-charts', 'name: grade-api-repo');
    const renamedRelease = release.replace('name: grade-api-charts', 'name: grade-api-repo');
    void client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: uri(SOURCES), version: 2 }, contentChanges: [{ text: renamedSources }] });
    void client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: uri(RELEASE), version: 2 }, contentChanges: [{ text: renamedRelease }] });
    assert.deepEqual(await settled(client, uri(RELEASE)), []);
    // Close and reopen the sources with their unsaved text, again and again: the disk copy read after a close must never win.
    for (let i = 0; i < 20; i++) {
      void client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: uri(SOURCES) } });
      void client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(SOURCES), languageId: 'yaml', version: 1, text: renamedSources } });
    }
    assert.deepEqual(await settled(client, uri(RELEASE)), [], 'no "No HelmRepository grade-api-repo"');
    const line = renamedRelease.split('\n').findIndex((l) => l.includes('name: grade-api-repo'));
    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: uri(RELEASE) }, position: { line, character: line >= 0 ? renamedRelease.split('\n')[line]!.indexOf('grade-api-repo') + 2 : 0 } })) as Hover | null;
    assert.match(JSON.stringify(hover?.contents ?? ''), /HelmRepository/);
    assert.doesNotMatch(JSON.stringify(hover?.contents ?? ''), /not defined|No HelmRepository/);
  });

  test('after bursts of random edits the settled diagnostics equal those of a server started on the final text', async () => {
    const file = RELEASE;
    let current = text(file);
    void client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: uri(file) } });
    await client.open(uri(file), current, 1);
    const next = random(20261204);
    const tokens = ['a', ' ', ':', '-', '\n', '\r\n', '\r', '#', '"', '{', '}', '---\n', '  name: x\n', '    - name: podinfo\n', '${X}'];
    let version = 1;
    for (let burst = 0; burst < 30; burst++) {
      for (let i = 0; i < 8; i++) {
        const doc = TextDocument.create('file:///scratch', 'yaml', 1, current);
        const boundary = (offset: number) => (current[offset - 1] === '\r' && current[offset] === '\n' ? offset - 1 : offset);
        // Edits below the object's kind, so that it stays a HelmRelease to check.
        const base = current.indexOf('metadata:') + 1;
        const start = boundary(base + Math.floor(next() * (current.length - base + 1)));
        const end = next() < 0.5 ? start : boundary(Math.min(current.length, start + 1 + Math.floor(next() * 6)));
        const insert = next() < 0.7 ? tokens[Math.floor(next() * tokens.length)]! : '';
        const change: TextDocumentContentChangeEvent = { range: { start: doc.positionAt(start), end: doc.positionAt(end) }, text: insert };
        current = current.slice(0, start) + insert + current.slice(end);
        void client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: uri(file), version: ++version }, contentChanges: [change] });
      }
      // Now and then a pause long enough for a pass to start, so that the next burst stops it midway.
      if (burst % 3 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const incremental = await client.nextDiagnostics(uri(file), version);
    const fresh = await startedOn(root);
    try {
      // The fresh server sees the other editor's unsaved rename too.
      await fresh.open(uri(SOURCES), text(SOURCES).replace('name: grade-api-charts', 'name: grade-api-repo'));
      const expected = await fresh.open(uri(file), current);
      assert.ok(expected.length > 0, 'the random edits broke something to report');
      assert.deepEqual(asSet(incremental), asSet(expected));
    } finally {
      await fresh.shutdown();
    }
  });
});
