/**
 * Diagnostics for a client that pulls them (LSP 3.17, as VS Code does): the workspace report lists
 * the problems of files nobody opened and, given the result ids the client has, only what changed;
 * a document's report is "unchanged" when its problems are; a change in one file that affects an
 * open document makes the server ask the client to pull again.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { CancellationTokenSource, WorkspaceDiagnosticRequest, type Diagnostic, type DocumentDiagnosticReport, type WorkspaceDiagnosticReport, type WorkspaceDocumentDiagnosticReport } from 'vscode-languageserver-protocol';
import { TestClient } from './lspClient';

const FIXTURE = path.resolve(__dirname, '../fixtures/gitops-repo');
const SOURCES = 'infrastructure/sources/helm-repositories.yaml';
const RELEASE = 'apps/base/grade-api/release.yaml';

describe('diagnostics pulled by the client', () => {
  let root: string;
  let client: TestClient;
  let capabilities: Record<string, unknown>;
  /** What the client holds from workspace reports: uri → result id and problems. */
  const held = new Map<string, { resultId: string; items: Diagnostic[] }>();
  const uri = (relative: string) => pathToFileURL(path.join(root, relative)).toString();
  const text = (relative: string) => readFileSync(path.join(root, relative), 'utf8');
  const codes = (diagnostics: Diagnostic[] | undefined) => (diagnostics ?? []).map((d) => String(d.code));

  /** One workspace pull naming the result ids held; what it reported is held afterwards. */
  const pullWorkspace = async (): Promise<WorkspaceDocumentDiagnosticReport[]> => {
    const previousResultIds = [...held].map(([u, { resultId }]) => ({ uri: u, value: resultId }));
    const report = (await client.connection.sendRequest('workspace/diagnostic', { previousResultIds })) as WorkspaceDiagnosticReport;
    for (const item of report.items) {
      if (item.kind === 'full') held.set(item.uri, { resultId: item.resultId ?? '', items: item.items });
    }
    return report.items;
  };
  /** Pulls the workspace until what is held for `relative` matches. */
  const workspaceUntil = async (relative: string, until: (diagnostics: Diagnostic[] | undefined) => boolean): Promise<Diagnostic[] | undefined> => {
    for (let i = 0; i < 20 && !until(held.get(uri(relative))?.items); i++) await pullWorkspace();
    return held.get(uri(relative))?.items;
  };
  const pullDocument = (relative: string, previousResultId?: string) =>
    client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri: uri(relative) }, previousResultId }) as Promise<DocumentDiagnosticReport>;
  const change = (relative: string, version: number, newText: string) =>
    client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: uri(relative), version }, contentChanges: [{ text: newText }] });

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'hr-pull-'));
    cpSync(FIXTURE, root, { recursive: true });
    client = new TestClient();
    client.configuration = {};
    client.pullsDiagnostics = true;
    ({ capabilities } = await client.initialize(true, [root]));
    await client.ready;
  });

  after(async () => {
    await client.shutdown();
    rmSync(root, { recursive: true, force: true });
  });

  test('the server offers document and workspace diagnostics to a client that pulls', () => {
    assert.deepEqual(capabilities.diagnosticProvider, { identifier: 'helmRelease', interFileDependencies: true, workspaceDiagnostics: true });
  });

  test('the workspace report lists the problems of a file nobody opened, and no file without problems', async () => {
    assert.deepEqual(codes(await workspaceUntil(SOURCES, (d) => d !== undefined)), ['api-version-removed']);
    assert.equal(held.get(uri(RELEASE)), undefined, 'a clean file is not reported');
    assert.equal(client.published.length, 0, 'nothing is pushed to a client that pulls');
  });

  test('a workspace pull that has nothing new waits for a change, then reports only the changed file', async () => {
    await workspaceUntil(SOURCES, (d) => d !== undefined);
    const pending = pullWorkspace();
    writeFileSync(path.join(root, RELEASE), text(RELEASE).replace(/interval: \S+/, 'interval: 5 minutes'));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(RELEASE), type: 2 }] });
    // Files the first pass over the workspace was still checking may come first, in this answer or the next.
    const reported = (await pending).map((item) => item.uri);
    for (let i = 0; i < 20 && !codes(held.get(uri(RELEASE))?.items).includes('invalid-pattern'); i++) reported.push(...(await pullWorkspace()).map((item) => item.uri));
    assert.ok(reported.includes(uri(RELEASE)), `the changed file is reported: ${reported.join(', ')}`);
    assert.ok(!reported.includes(uri(SOURCES)), 'a file whose problems did not change is not sent again');
    assert.deepEqual(codes(held.get(uri(RELEASE))?.items), ['invalid-pattern']);
  });

  test('with a partial result token, changes are streamed while the request is held, and it ends empty when cancelled', async () => {
    const chunks: WorkspaceDocumentDiagnosticReport[][] = [];
    const partialResultToken = 'stream-1';
    const listening = client.connection.onNotification('$/progress', (progress: { token: string; value: { items: WorkspaceDocumentDiagnosticReport[] } }) => {
      if (progress.token === partialResultToken) chunks.push(progress.value.items);
    });
    const cancel = new CancellationTokenSource();
    const previousResultIds = [...held].map(([u, { resultId }]) => ({ uri: u, value: resultId }));
    const pending = client.connection.sendRequest(WorkspaceDiagnosticRequest.type, { previousResultIds, partialResultToken }, cancel.token);
    const streamed = async (relative: string, until: (d: Diagnostic[]) => boolean) => {
      for (let i = 0; i < 200; i++) {
        const item = chunks.flat().find((report) => report.uri === uri(relative) && report.kind === 'full' && until(report.items));
        if (item) return item;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`nothing streamed for ${relative}: ${JSON.stringify(chunks)} ${JSON.stringify(await Promise.race([pending, new Promise((r) => setTimeout(() => r("pending"), 100))]))}`);
    };
    const fixed = text(RELEASE);
    writeFileSync(path.join(root, RELEASE), fixed.replace('interval: 5 minutes', 'interval: 5m'));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(RELEASE), type: 2 }] });
    await streamed(RELEASE, (d) => d.length === 0);
    // Still held: a second change comes through the same request.
    writeFileSync(path.join(root, RELEASE), fixed);
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(RELEASE), type: 2 }] });
    const again = await streamed(RELEASE, (d) => codes(d).includes('invalid-pattern'));
    assert.ok(!chunks.flat().some((report) => report.uri === uri(SOURCES)), 'an unchanged file is not streamed');
    cancel.cancel();
    assert.deepEqual((await pending).items, [], 'the final answer is empty: everything went as partial results');
    listening.dispose();
    if (again.kind === 'full') held.set(again.uri, { resultId: again.resultId ?? '', items: again.items });
  });

  test('a document report is full first, "unchanged" for the result id the client has, and full again after an edit', async () => {
    const original = text(SOURCES);
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(SOURCES), languageId: 'yaml', version: 1, text: original } });
    const first = await pullDocument(SOURCES);
    assert.equal(first.kind, 'full');
    assert.deepEqual(codes(first.kind === 'full' ? first.items : []), ['api-version-removed']);
    const again = await pullDocument(SOURCES, first.resultId);
    assert.deepEqual(again, { kind: 'unchanged', resultId: first.resultId });
    await change(SOURCES, 2, original.replace(/source\.toolkit\.fluxcd\.io\/v1beta\d/g, 'source.toolkit.fluxcd.io/v1'));
    const edited = await pullDocument(SOURCES, first.resultId);
    assert.equal(edited.kind, 'full');
    assert.deepEqual(edited.kind === 'full' ? edited.items : undefined, [], 'the fixed document has no problems');
    await change(SOURCES, 3, original);
  });

  test('a source renamed in one editor: the server asks for a pull, and the release open in another shows the missing reference', async () => {
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(RELEASE), languageId: 'yaml', version: 1, text: text(RELEASE) } });
    const before = await pullDocument(RELEASE);
    assert.ok(!codes(before.kind === 'full' ? before.items : []).includes('missing-reference'));
    const refreshes = client.refreshRequests;
    await change(SOURCES, 4, text(SOURCES).replace('name: grade-api-charts', 'name: renamed-charts'));
    // The editor pulls the edited document; the server then finds that the other one changed.
    await pullDocument(SOURCES);
    for (let i = 0; i < 200 && client.refreshRequests === refreshes; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    assert.ok(client.refreshRequests > refreshes, 'the server asked the client to pull again');
    const after = await pullDocument(RELEASE, before.resultId);
    assert.equal(after.kind, 'full');
    assert.ok(codes(after.kind === 'full' ? after.items : []).includes('missing-reference'));
  });

  test('documents closed without saving show their problems as saved on disk again in the workspace report', async () => {
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: uri(SOURCES) } });
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: uri(RELEASE) } });
    // The editor forgets what it pulled for a closed document; the workspace report brings the file's problems back.
    held.delete(uri(SOURCES));
    held.delete(uri(RELEASE));
    assert.deepEqual(codes(await workspaceUntil(SOURCES, (d) => d !== undefined)), ['api-version-removed']);
    assert.deepEqual(codes(await workspaceUntil(RELEASE, (d) => d !== undefined)), ['invalid-pattern']);
  });

  test('helmRelease.diagnostics.scope: openFiles empties the problems of closed files in the next workspace report', async () => {
    client.configuration = { diagnostics: { scope: 'openFiles' } };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    assert.deepEqual(await workspaceUntil(SOURCES, (d) => d?.length === 0), []);
    assert.deepEqual(await workspaceUntil(RELEASE, (d) => d?.length === 0), []);
  });
});
