/**
 * Every problem of the workspace in the Problems view: files that are not open get their
 * diagnostics after indexing, and keep them current as files change on disk, in editors, or when a
 * change in one file affects another.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { TestClient } from './lspClient';

const FIXTURE = path.resolve(__dirname, '../fixtures/gitops-repo');
const SOURCES = 'infrastructure/sources/helm-repositories.yaml';
const RELEASE = 'apps/base/grade-api/release.yaml';

describe('workspace diagnostics', () => {
  let root: string;
  let client: TestClient;
  const uri = (relative: string) => pathToFileURL(path.join(root, relative)).toString();
  const text = (relative: string) => readFileSync(path.join(root, relative), 'utf8');
  /** The diagnostics last published for a file, once the server has published one matching `until`. */
  const published = async (relative: string, until: (diagnostics: Diagnostic[]) => boolean): Promise<Diagnostic[]> => {
    const last = () => [...client.published].reverse().find((p) => p.uri === uri(relative))?.diagnostics;
    for (let i = 0; i < 200; i++) {
      const current = last();
      if (current && until(current)) return current;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no matching diagnostics for ${relative}; last: ${JSON.stringify(last())}`);
  };
  const codes = (diagnostics: Diagnostic[]) => diagnostics.map((d) => String(d.code));

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'hr-problems-'));
    cpSync(FIXTURE, root, { recursive: true });
    mkdirSync(path.join(root, 'charts/app/templates'), { recursive: true });
    writeFileSync(path.join(root, 'charts/app/templates/release.yaml'), 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  interval: {{ .Values.interval }}\n');
    client = new TestClient();
    client.configuration = {};
    await client.initialize(true, [root]);
    await client.ready;
  });

  after(async () => {
    await client.shutdown();
    rmSync(root, { recursive: true, force: true });
  });

  test('after indexing, a file nobody opened shows its removed apiVersion', async () => {
    const found = await published(SOURCES, (d) => d.length > 0);
    assert.deepEqual(codes(found), ['api-version-removed']);
    assert.ok(!client.published.some((p) => p.uri === uri(RELEASE) && p.diagnostics.length > 0), 'a file without problems gets none');
  });

  test('a file changed on disk is checked again', async () => {
    const broken = text(RELEASE).replace(/interval: \S+/, 'interval: 5 minutes');
    writeFileSync(path.join(root, RELEASE), broken);
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(RELEASE), type: 2 }] });
    assert.deepEqual(codes(await published(RELEASE, (d) => d.length > 0)), ['invalid-pattern']);
  });

  test('a file fixed on disk loses its problems', async () => {
    const relative = 'infrastructure/sources/fixed-later.yaml';
    const release = (interval: string) => ['apiVersion: source.toolkit.fluxcd.io/v1', 'kind: HelmRepository', 'metadata:', '  name: fixed-later', '  namespace: flux-system', 'spec:', `  interval: ${interval}`, '  url: https://charts.example.com', ''].join('\n');
    writeFileSync(path.join(root, relative), release('ten minutes'));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(relative), type: 1 }] });
    assert.ok(codes(await published(relative, (d) => codes(d).includes('invalid-pattern'))).includes('invalid-pattern'));
    writeFileSync(path.join(root, relative), release('10m'));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(relative), type: 2 }] });
    assert.deepEqual(await published(relative, (d) => d.length === 0), []);
    rmSync(path.join(root, relative));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(relative), type: 3 }] });
  });

  test('a folder created with files in it, reported by the watcher as the folder alone, is read; deleted as a whole, its problems go', async () => {
    // What a branch switch or `cp -r` can look like: the watcher sees the new folder before its files.
    const folder = 'clusters/staging';
    const relative = `${folder}/old/release.yaml`;
    mkdirSync(path.join(root, folder, 'old'), { recursive: true });
    writeFileSync(path.join(root, relative), ['apiVersion: helm.toolkit.fluxcd.io/v2beta1', 'kind: HelmRelease', 'metadata:', '  name: staged', '  namespace: apps', 'spec:', '  interval: 10m', '  chart:', '    spec:', '      chart: podinfo', '      sourceRef:', '        kind: HelmRepository', '        name: podinfo', ''].join('\n'));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(folder), type: 1 }] });
    assert.ok(codes(await published(relative, (d) => d.length > 0)).includes('api-version-removed'));
    rmSync(path.join(root, folder), { recursive: true });
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(folder), type: 3 }] });
    assert.deepEqual(await published(relative, (d) => d.length === 0), []);
  });

  test('a source renamed in an editor: the closed release that uses it shows the missing reference, and loses it when renamed back', async () => {
    const sources = text(SOURCES);
    await client.open(uri(SOURCES), sources);
    void client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: uri(SOURCES), version: 2 }, contentChanges: [{ text: sources.replace('name: grade-api-charts', 'name: renamed-charts') }] });
    assert.ok(codes(await published(RELEASE, (d) => codes(d).includes('missing-reference'))).includes('missing-reference'));
    void client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: uri(SOURCES), version: 3 }, contentChanges: [{ text: sources }] });
    assert.deepEqual(codes(await published(RELEASE, (d) => !codes(d).includes('missing-reference'))), ['invalid-pattern']);
  });

  test('a file closed without saving shows its problems as saved on disk again', async () => {
    void client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: uri(SOURCES) } });
    assert.deepEqual(codes(await published(SOURCES, (d) => d.length > 0)), ['api-version-removed']);
  });

  test('a deleted file loses its problems', async () => {
    rmSync(path.join(root, RELEASE));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(RELEASE), type: 3 }] });
    assert.deepEqual(await published(RELEASE, (d) => d.length === 0), []);
    // By now the first pass is long done.
    assert.ok(!client.published.some((p) => p.uri === uri('charts/app/templates/release.yaml')), 'a Helm template is not a manifest until rendered');
  });

  test('helmRelease.diagnostics.scope: openFiles clears the problems of closed files', async () => {
    client.configuration = { diagnostics: { scope: 'openFiles' } };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    assert.deepEqual(await published(SOURCES, (d) => d.length === 0), []);
  });
});
