import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { Diagnostic, Hover } from 'vscode-languageserver-protocol';
import { TestClient } from './lspClient';
import { pushChart, startRegistry, type Registry } from '../remoteCharts/registry';

describe('values from a chart in an OCI registry through an OCIRepository chartRef, over the protocol', () => {
  let registry: Registry;
  let client: TestClient;
  let uri: string;
  let sourceText: string;
  let sourceUri: string;

  before(async () => {
    registry = await startRegistry(false);
    for (const version of ['6.4.0', '6.5.0', '7.0.0']) await pushChart(registry.url, 'charts/podinfo', 'podinfo', version);
    const root = mkdtempSync(path.join(tmpdir(), 'hr-ocirepo-'));
    mkdirSync(path.join(root, 'apps'));
    const host = registry.url.replace('http://', '');
    sourceText = `apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: podinfo\n  namespace: apps\nspec:\n  interval: 10m\n  url: oci://${host}/charts/podinfo\n  insecure: true\n  ref:\n    semver: ">=6.0.0 <7.0.0"\n  layerSelector:\n    mediaType: application/vnd.cncf.helm.chart.content.v1.tar+gzip\n    operation: copy\n`;
    writeFileSync(path.join(root, 'apps/source.yaml'), sourceText);
    sourceUri = pathToFileURL(path.join(root, 'apps/source.yaml')).toString();
    uri = pathToFileURL(path.join(root, 'apps/release.yaml')).toString();
    client = new TestClient();
    await client.initialize(true, [root], { globalStoragePath: mkdtempSync(path.join(tmpdir(), 'hr-storage-')), trusted: true });
    await client.ready;
  });

  after(async () => {
    await client.shutdown();
    await registry.stop();
  });

  test('the chart the semver picks is pulled from the registry and describes spec.values', async () => {
    const text = 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: podinfo\n  namespace: apps\nspec:\n  interval: 10m\n  chartRef:\n    kind: OCIRepository\n    name: podinfo\n  values:\n    pushed: "mine"\n';
    await client.open(uri, text);
    const deadline = Date.now() + 20_000;
    let title = '';
    while (!title.startsWith('Chart podinfo') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      const lenses = (await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as Array<{ command: { title: string } }>;
      title = lenses[0]?.command.title ?? '';
    }
    assert.match(title, /^Chart podinfo 6\.5\.0 · podinfo 6\.5\.0 from oci:\/\/127\.0\.0\.1:\d+\/charts/);
    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 11, character: 6 } })) as Hover;
    assert.match((hover.contents as { value: string }).value, /Default: `"6\.5\.0"`/);
  });

  test('in the OCIRepository, ref.semver and ref.tag complete the registry\'s tags; hover says what the range picks; a range that matches no tag is a warning', async () => {
    await client.open(sourceUri, sourceText);
    const semverLine = sourceText.split('\n').findIndex((l) => l.includes('semver:'));
    const at = { textDocument: { uri: sourceUri }, position: { line: semverLine, character: 14 } };
    // The tag list is read in the background (or was, for the release above): ask until it is there.
    let labels: string[] = [];
    const deadline = Date.now() + 15_000;
    while (labels.length === 0 && Date.now() < deadline) {
      labels = ((await client.connection.sendRequest('textDocument/completion', at)) as Array<{ label: string }>).map((i) => i.label);
      if (labels.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(labels, ['7.0.0', '6.5.0', '6.4.0']);
    const hover = (await client.connection.sendRequest('textDocument/hover', at)) as Hover;
    assert.match((hover.contents as { value: string }).value, /\*\*Today:\*\* resolves to \*\*6\.5\.0\*\*; newest published: 7\.0\.0 \(3 versions in the registry tags\)/);

    const tagged = sourceText.replace('semver: ">=6.0.0 <7.0.0"', 'tag: "6.9.9"');
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: sourceUri, version: 2 }, contentChanges: [{ text: tagged }] });
    const diagnostics: Diagnostic[] = await client.nextDiagnostics(sourceUri, 2);
    const missing = diagnostics.find((d) => d.code === 'no-matching-version');
    assert.ok(missing, JSON.stringify(diagnostics));
    assert.match(String(missing.message), /No published version of `podinfo` matches `6\.9\.9` \(newest: 7\.0\.0\); the OCIRepository fails to pull/);
    assert.equal(missing.range.start.line, semverLine);
    const tagItems = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri: sourceUri }, position: { line: semverLine, character: 11 } })) as Array<{ label: string }>;
    assert.deepEqual(tagItems.map((i) => i.label), ['7.0.0', '6.5.0', '6.4.0']);
  });
});
