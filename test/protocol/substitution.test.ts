/**
 * Post-build substitution in the language server, over the protocol, on the repository of
 * test/fixtures/postbuild-repo: which Kustomizations apply a file is worked out from the workspace,
 * open or closed; an edit to a Kustomization changes the problems of the files it applies.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { Diagnostic, Hover } from 'vscode-languageserver-protocol';
import { TestClient } from './lspClient';

const FIXTURE = path.resolve(__dirname, '../fixtures/postbuild-repo');
const RELEASE = 'apps/base/podinfo/release.yaml';
const APPS = 'clusters/production/flux-system/apps.yaml';
const INFRASTRUCTURE = 'clusters/production/flux-system/infrastructure.yaml';

describe('post-build substitution in the editor', () => {
  let root: string;
  let client: TestClient;
  const uri = (relative: string) => pathToFileURL(path.join(root, relative)).toString();
  const text = (relative: string) => readFileSync(path.join(root, relative), 'utf8');
  const lineOf = (relative: string, needle: string) => text(relative).split('\n').findIndex((l) => l.includes(needle));
  const brief = (diagnostics: Diagnostic[]) => diagnostics.map((d) => `${String(d.code)}@${d.range.start.line + 1}`);
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

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'hr-postbuild-'));
    cpSync(FIXTURE, root, { recursive: true });
    client = new TestClient();
    client.configuration = {};
    await client.initialize(true, [root]);
    await client.ready;
  });

  after(async () => {
    await client.shutdown();
    rmSync(root, { recursive: true, force: true });
  });

  test('closed files: the release gets the substituted timeout and the undefined variable; the Kustomization its variable names', async () => {
    assert.deepEqual(brief(await published(RELEASE, (d) => d.length === 2)), ['invalid-substituted-value@7', 'undefined-variable@20']);
    assert.deepEqual(brief(await published(INFRASTRUCTURE, (d) => d.length === 2)), ['invalid-variable-name@16', 'invalid-variable-name@19']);
  });

  test('an open release names the Kustomization; hover shows the value and where it comes from', async () => {
    const diagnostics = await client.open(uri(RELEASE), text(RELEASE));
    assert.deepEqual(brief(diagnostics), ['invalid-substituted-value@7', 'undefined-variable@20']);
    assert.match(String(diagnostics[0]!.message), /Kustomization flux-system\/apps/);
    const line = lineOf(RELEASE, 'timeout: ${HELM_TIMEOUT}');
    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: uri(RELEASE) }, position: { line, character: 16 } })) as Hover;
    const value = (hover.contents as { value: string }).value;
    assert.match(value, /\*\*Kustomization flux-system\/apps\*\*/);
    assert.match(value, /`HELM_TIMEOUT` = `five minutes`, from its `spec.postBuild.substitute`/);
    const tokenLine = lineOf(RELEASE, 'token: ${SLACK_TOKEN}');
    const secret = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: uri(RELEASE) }, position: { line: tokenLine, character: 16 } })) as Hover;
    assert.match((secret.contents as { value: string }).value, /`SLACK_TOKEN` = \(a Secret value, not shown\), from Secret `cluster-secrets`/);
  });

  test('fixing the variable in the Kustomization clears the problem in the open release', async () => {
    const before = text(APPS);
    await client.open(uri(APPS), before);
    const after = before.replace('HELM_TIMEOUT: five minutes', 'HELM_TIMEOUT: 5m');
    const next = client.nextDiagnostics(uri(RELEASE));
    void client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: uri(APPS), version: 2 }, contentChanges: [{ text: after }] });
    assert.deepEqual(brief(await next), ['undefined-variable@20']);
  });
});
