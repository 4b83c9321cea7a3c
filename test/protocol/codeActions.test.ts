import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import { TestClient } from './lspClient';

const oldRepository = '# charts\napiVersion: source.toolkit.fluxcd.io/v1beta2\nkind: HelmRepository\nmetadata:\n  name: charts\nspec:\n  interval: 1h\n  url: https://charts.example.com\n';
const oldRelease = 'apiVersion: helm.toolkit.fluxcd.io/v2beta1\nkind: HelmRelease\nmetadata:\n  name: app\nspec:\n  interval: 5m\n  chart:\n    spec:\n      chart: app\n      sourceRef: {kind: HelmRepository, name: charts}\n';
const current = 'apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: fine\nspec:\n  url: https://charts.example.com\n';

describe('code actions and commands over the protocol', () => {
  let client: TestClient;
  let workspace: string;

  before(async () => {
    workspace = mkdtempSync(path.join(tmpdir(), 'hr-ws-'));
    mkdirSync(path.join(workspace, 'infra'));
    mkdirSync(path.join(workspace, 'node_modules'));
    writeFileSync(path.join(workspace, 'infra/repository.yaml'), oldRepository);
    writeFileSync(path.join(workspace, 'infra/release.yaml'), oldRelease);
    writeFileSync(path.join(workspace, 'infra/current.yaml'), current);
    writeFileSync(path.join(workspace, 'node_modules/ignored.yaml'), oldRepository);
    client = new TestClient();
    const { capabilities } = await client.initialize(false, [workspace]);
    assert.deepEqual(capabilities.executeCommandProvider, { commands: ['helmRelease.migrateWorkspace', 'helmRelease.clearChartCache', 'helmRelease.refreshCharts'] });
  });

  after(async () => {
    await client.shutdown();
  });

  test('the quick fixes for a diagnostic come back as workspace edits', async () => {
    const uri = pathToFileURL(path.join(workspace, 'infra/repository.yaml')).toString();
    const diagnostics: Diagnostic[] = await client.open(uri, oldRepository);
    assert.deepEqual(diagnostics.map((d) => d.code), ['api-version-removed']);
    const actions = (await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0]!.range, context: { diagnostics } })) as CodeAction[];
    const migrate = actions.find((a) => a.title === 'Migrate to source.toolkit.fluxcd.io/v1')!;
    assert.equal(migrate.kind, 'quickfix');
    assert.equal(migrate.isPreferred, true);
    assert.deepEqual(migrate.edit!.changes![uri], [{ range: { start: { line: 1, character: 12 }, end: { line: 1, character: 44 } }, newText: 'source.toolkit.fluxcd.io/v1' }]);
  });

  test('Migrate All Manifests asks to apply one edit over every old manifest, with confirmation', async () => {
    await client.connection.sendRequest('workspace/executeCommand', { command: 'helmRelease.migrateWorkspace', arguments: [] });
    assert.equal(client.appliedEdits.length, 1);
    const { edit, label } = client.appliedEdits[0]!;
    assert.match(label!, /Migrate 2 Flux object/);
    const changes = edit.documentChanges as Array<{ textDocument: { uri: string; version: number | null }; edits: Array<{ newText: string; annotationId: string }> }>;
    assert.deepEqual(changes.map((c) => path.relative(workspace, new URL(c.textDocument.uri).pathname)).sort(), ['infra/release.yaml', 'infra/repository.yaml']);
    const open = changes.find((c) => c.textDocument.uri.endsWith('repository.yaml'))!;
    assert.equal(open.textDocument.version, 1, 'an open document is edited at its open version');
    assert.ok(changes.every((c) => c.edits.every((e) => e.annotationId === 'flux-migration')));
    assert.deepEqual(edit.changeAnnotations, { 'flux-migration': { label: 'Migrate Flux API versions', needsConfirmation: true, description: 'Rewrites apiVersion and the fields that changed between versions' } });
  });

  test('Migrate All Manifests leaves out what helmRelease.exclude and files.exclude leave out of the workspace', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'hr-ws-'));
    for (const folder of ['infra', 'legacy', 'vendor']) mkdirSync(path.join(root, folder));
    writeFileSync(path.join(root, 'infra/repository.yaml'), oldRepository);
    writeFileSync(path.join(root, 'legacy/repository.yaml'), oldRepository);
    writeFileSync(path.join(root, 'vendor/release.yaml'), oldRelease);
    const excluding = new TestClient();
    // One answer for every section asked: `helmRelease` reads `exclude`, `files.exclude` the globs set to true.
    excluding.configuration = { exclude: ['legacy/**'], 'vendor/**': true };
    try {
      await excluding.initialize(true, [root]);
      await excluding.ready;
      await excluding.connection.sendRequest('workspace/executeCommand', { command: 'helmRelease.migrateWorkspace', arguments: [] });
      const changes = excluding.appliedEdits[0]!.edit.documentChanges as Array<{ textDocument: { uri: string } }>;
      assert.deepEqual(changes.map((c) => path.relative(root, new URL(c.textDocument.uri).pathname)), ['infra/repository.yaml']);
    } finally {
      await excluding.shutdown();
    }
  });
});
