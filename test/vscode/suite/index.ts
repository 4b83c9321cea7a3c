// The suite that runs inside VS Code's real extension host (code-server), loaded through
// `extensionTestsPath`. VS Code calls `run()` and waits for its promise. A tiny runner, no mocha:
// each test is a named async function; results go to the harness over HTTP and to a JSON file.
import * as http from 'node:http';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { HarnessConfig, SuiteResult, TestOutcome } from '../protocol';

declare const __HARNESS_CONFIG__: HarnessConfig;
const config: HarnessConfig = __HARNESS_CONFIG__;

const EXTENSION_ID = 'flux-helmrelease.flux-helmrelease';
const TEST_TIMEOUT_MS = 60_000;

function post(path: string, body: unknown): Promise<string> {
  const data = JSON.stringify(body);
  const url = new URL(path, config.controlUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`${path}: HTTP ${res.statusCode} ${text}`))));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

function log(line: string): void {
  post('/log', { line }).catch(() => undefined);
}

async function screenshot(name: string): Promise<void> {
  await post('/screenshot', { name });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value other than undefined, or throws after `timeoutMs`. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await sleep(250);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

function codeOf(d: vscode.Diagnostic): string {
  const c = d.code;
  if (c === undefined) return '';
  if (typeof c === 'string' || typeof c === 'number') return String(c);
  return String(c.value);
}

function hoverText(h: vscode.Hover): string {
  return h.contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n');
}

function labelOf(item: vscode.CompletionItem): string {
  return typeof item.label === 'string' ? item.label : item.label.label;
}

const ws = (rel: string): vscode.Uri => vscode.Uri.file(`${config.workspace}/${rel}`);

async function show(uri: vscode.Uri, position?: vscode.Position): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(doc, { preview: false });
  if (position) {
    editor.selection = new vscode.Selection(position, position);
    editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenter);
  }
  return editor;
}

const RELEASE = 'apps/base/grade-api/release.yaml';
const TYPO = 'apps/base/grade-api/typo.yaml';
const COMPLETION = 'apps/base/grade-api/completion.yaml';

const HEADER = [
  'apiVersion: helm.toolkit.fluxcd.io/v2',
  'kind: HelmRelease',
  'metadata:',
  '  name: typo-demo',
  '  namespace: default',
  'spec:',
  '  interval: 5m',
  '  chart:',
  '    spec:',
  '      chart: grade-api',
  '      sourceRef:',
  '        kind: HelmRepository',
  '        name: grade-api-charts',
  '        namespace: flux-system',
];

const tests: Array<{ name: string; fn: () => Promise<void> }> = [
  {
    name: 'the extension is present and activates',
    fn: async () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID);
      assert(ext, `extension ${EXTENSION_ID} not loaded; have: ${vscode.extensions.all.map((e) => e.id).filter((id) => !id.startsWith('vscode.')).join(', ')}`);
      await show(ws(RELEASE));
      await ext.activate();
      assert(ext.isActive, 'extension did not activate');
    },
  },
  {
    name: 'the language client answers (hover on spec.interval is our markdown)',
    fn: async () => {
      const uri = ws(RELEASE);
      const editor = await show(uri);
      const line = editor.document.getText().split('\n').findIndex((l) => l.startsWith('  interval:'));
      assert(line >= 0, 'no interval line in release.yaml');
      const pos = new vscode.Position(line, 4);
      // The first hover waits for the language server to start: that is "waiting for the client".
      const text = await waitFor('a hover from the language server', async () => {
        const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, pos);
        const all = (hovers ?? []).map(hoverText).join('\n---\n');
        return all.includes('spec.interval') ? all : undefined;
      }, 45_000);
      assert(text.includes('[HelmRelease documentation]'), `hover lacks the documentation link:\n${text}`);
      editor.selection = new vscode.Selection(pos, pos);
      await vscode.commands.executeCommand('editor.action.showHover');
      await sleep(1500);
      await screenshot('hover');
    },
  },
  {
    name: 'a typo gives an unknown-field diagnostic from source helmrelease',
    fn: async () => {
      const uri = ws(TYPO);
      const content = [...HEADER, '  intervall: 10m', ''].join('\n');
      await vscode.workspace.fs.writeFile(uri, Buffer.from(content, 'utf8'));
      await show(uri, new vscode.Position(HEADER.length, 2));
      const found = await waitFor('an unknown-field diagnostic', () => {
        const diags = vscode.languages.getDiagnostics(uri);
        return diags.find((d) => d.source === 'helmrelease' && codeOf(d) === 'unknown-field');
      });
      assert(found.range.start.line === HEADER.length, `diagnostic on line ${found.range.start.line}, expected ${HEADER.length}: ${found.message}`);
      log(`diagnostic: [${codeOf(found)}] ${found.message}`);
      await vscode.commands.executeCommand('workbench.actions.view.problems');
      await sleep(1500);
      await screenshot('diagnostics');
      await vscode.commands.executeCommand('workbench.action.closePanel');
    },
  },
  {
    name: 'completion at a spec position offers install',
    fn: async () => {
      const uri = ws(COMPLETION);
      const content = [...HEADER.map((l) => l.replace('typo-demo', 'completion-demo')), '  ins', ''].join('\n');
      await vscode.workspace.fs.writeFile(uri, Buffer.from(content, 'utf8'));
      const pos = new vscode.Position(HEADER.length, 5);
      const editor = await show(uri, pos);
      let seen: string[] = [];
      const labels = await waitFor('completion items including install', async () => {
        const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, pos);
        seen = (list?.items ?? []).map(labelOf);
        return seen.includes('install') ? seen : undefined;
      }).catch((err: unknown) => {
        throw new Error(`${String(err)}; last items: ${seen.join(', ') || '(none)'}`);
      });
      log(`completion: ${labels.length} items, e.g. ${labels.slice(0, 8).join(', ')}`);
      editor.selection = new vscode.Selection(pos, pos);
      await vscode.commands.executeCommand('editor.action.triggerSuggest');
      await sleep(2000);
      await screenshot('completion');
      await vscode.commands.executeCommand('hideSuggestWidget');
    },
  },
];

function withTimeout<T>(p: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`test "${name}" timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export async function run(): Promise<void> {
  const outcomes: TestOutcome[] = [];
  log(`suite started in VS Code ${vscode.version}, extension host pid ${process.pid}`);
  for (const t of tests) {
    const start = Date.now();
    try {
      await withTimeout(t.fn(), TEST_TIMEOUT_MS, t.name);
      outcomes.push({ name: t.name, ok: true, ms: Date.now() - start });
      log(`ok   ${t.name} (${Date.now() - start} ms)`);
    } catch (err) {
      const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      outcomes.push({ name: t.name, ok: false, ms: Date.now() - start, error });
      log(`FAIL ${t.name}: ${error}`);
      await screenshot(`failure-${outcomes.length}`).catch(() => undefined);
    }
  }
  const result: SuiteResult = { passed: outcomes.filter((o) => o.ok).length, failed: outcomes.filter((o) => !o.ok).length, tests: outcomes };
  fs.writeFileSync(config.resultFile, JSON.stringify(result, null, 2));
  await post('/result', result).catch(() => undefined);
  // Resolve even when tests failed: the harness judges by the result, and a rejection here only
  // makes VS Code try to close the window.
}
