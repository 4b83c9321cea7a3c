// The suite that runs inside VS Code's real extension host (code-server), loaded through
// `extensionTestsPath`. VS Code calls `run()` and waits for its promise. A tiny runner, no mocha:
// each test is a named async function; results go to the harness over HTTP and to a JSON file.
import * as http from 'node:http';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Module = require('node:module');
import * as vscode from 'vscode';
import type { ClusterRequestsResponse, HarnessConfig, ScenarioRequest, SuiteResult, TestOutcome } from '../protocol';

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

function get<T>(path: string): Promise<T> {
  const url = new URL(path, config.controlUrl);
  return new Promise((resolve, reject) => {
    http
      .get({ host: url.hostname, port: url.port, path: url.pathname + url.search }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text) as T) : reject(new Error(`${path}: HTTP ${res.statusCode} ${text}`))));
      })
      .on('error', reject);
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
      await waitFor('activate() to settle', () => activation.activateResolvedMs, 20_000).catch(() => undefined);
      activation.vscodeMarks = vscodeMarks();
      log(`activation: ${JSON.stringify(activation)}`);
      const cluster = (activation.loadedAtActivation ?? distLoads).filter((f) => /cluster/i.test(f));
      assert(cluster.length === 0, `cluster code loaded at activation: ${cluster.join(', ')}`);
      const cached = Object.keys((Module as unknown as { _cache: Record<string, unknown> })._cache).filter((f) => f.startsWith(ext.extensionPath) && /clusterUi/.test(f));
      assert(cached.length === 0, `dist/clusterUi.js is in require.cache right after activation: ${cached.join(', ')}`);
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


// ---- activation cost, measured inside the real extension host ----
//
// Installed at the start of run(), before anything can activate the extension: a wrapper around
// Node's Module._load (the extension host loads extensions through it; VS Code's own `vscode`
// interceptor sits below ours) that times the `require` of dist/client.js and wraps its
// `activate` to time the synchronous call (what blocks the extension host, VS Code's
// "activateCallTime") and the settling of its promise ("activateResolvedTime"). It also records
// every file of dist/ that gets loaded, to prove dist/clusterUi.js is not loaded at activation.

interface ActivationFigures {
  requireMs?: number;
  activateCallMs?: number;
  activateResolvedMs?: number;
  /** files of <extension>/dist loaded up to the moment activate() resolved */
  loadedAtActivation?: string[];
  /** files of <extension>/dist loaded by the end of the suite */
  loadedAtEnd?: string[];
  /** VS Code's own perf marks for this extension (globalThis.MonacoPerformanceMarks), ms since the first */
  vscodeMarks?: Record<string, number>;
  activationEvent?: string;
}

const activation: ActivationFigures = {};
const distLoads: string[] = [];

function installActivationProbe(): void {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) return;
  const dist = path.join(ext.extensionPath, 'dist') + path.sep;
  const main = path.join(ext.extensionPath, 'dist', 'client.js');
  const M = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown; _resolveFilename: (request: string, parent: unknown, isMain: boolean) => string };
  const original = M._load;
  M._load = function (this: unknown, request: string, parent: unknown, isMain: boolean): unknown {
    let file: string | undefined;
    try {
      file = request.startsWith('/') || request.startsWith('.') ? M._resolveFilename(request, parent, isMain) : undefined;
    } catch {
      file = undefined;
    }
    if (!file?.startsWith(dist)) return original.call(this, request, parent, isMain);
    if (!distLoads.includes(path.basename(file))) distLoads.push(path.basename(file));
    if (file !== main || activation.requireMs !== undefined) return original.call(this, request, parent, isMain);
    const t = performance.now();
    const exports = original.call(this, request, parent, isMain) as Record<string, unknown>;
    activation.requireMs = performance.now() - t;
    const activate = exports.activate as ((...a: unknown[]) => unknown) | undefined;
    if (typeof activate !== 'function') return exports;
    return {
      ...exports,
      activate(...args: unknown[]): unknown {
        const t0 = performance.now();
        const r = activate(...args);
        activation.activateCallMs = performance.now() - t0;
        void Promise.resolve(r).finally(() => {
          activation.activateResolvedMs = performance.now() - t0;
          activation.loadedAtActivation = [...distLoads];
        });
        return r;
      },
    };
  };
}

function vscodeMarks(): Record<string, number> | undefined {
  const marks = (globalThis as { MonacoPerformanceMarks?: unknown[] }).MonacoPerformanceMarks;
  if (!Array.isArray(marks)) return undefined;
  const out: Record<string, number> = {};
  let first: number | undefined;
  for (let i = 0; i + 1 < marks.length; i += 2) {
    const [name, time] = [String(marks[i]), Number(marks[i + 1])];
    first ??= time;
    if (name.includes(EXTENSION_ID) || name.includes('flux-helmrelease')) out[name] = Math.round((time - first) * 10) / 10;
  }
  return out;
}

// ---- the demo cluster ----

interface Testing {
  releases(): Array<{ namespace: string; name: string; state: string; revision?: string }>;
  sources(): Array<{ kind: string; namespace: string; name: string; state: string; revision?: string }>;
  connection(): string;
  codeLenses(uri: string): Promise<string[]>;
  treeRows(): Promise<number>;
}

const PODINFO = { kind: 'HelmRelease', namespace: 'podinfo', name: 'podinfo' };
const PODINFO_FILE = 'apps/base/podinfo/release.yaml';

async function testing(): Promise<Testing> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert(ext, 'extension missing');
  await vscode.commands.executeCommand('workbench.view.extension.fluxExplorer');
  return waitFor('activate().testing', () => (ext.exports as { testing?: Testing } | undefined)?.testing, 15_000);
}

async function clusterObject(resource: string, namespace: string, name: string): Promise<Record<string, any>> {
  return get(`/cluster/object?resource=${resource}&namespace=${namespace}&name=${name}`);
}

async function scenario(r: ScenarioRequest): Promise<void> {
  await post('/cluster/scenario', r);
}

const stateOf = (t: Testing, namespace: string, name: string): string | undefined => t.releases().find((r) => r.namespace === namespace && r.name === name)?.state;

const clusterTests: Array<{ name: string; fn: () => Promise<void> }> = [
  {
    name: 'cluster: the HelmReleases view lists the demo releases with their state',
    fn: async () => {
      const t = await testing();
      const releases = await waitFor('the three demo releases', () => {
        const list = t.releases();
        const ok = stateOf(t, 'podinfo', 'podinfo') === 'Ready' && ['Failed', 'Stalled'].includes(stateOf(t, 'grade-api', 'grade-api') ?? '') && stateOf(t, 'grade-api', 'postgres') === 'Ready';
        return ok ? list : undefined;
      }, 20_000).catch((err: unknown) => {
        throw new Error(`${String(err)}; connection: ${t.connection()}; releases: ${JSON.stringify(t.releases())}`);
      });
      log(`releases: ${releases.map((r) => `${r.namespace}/${r.name}=${r.state}@${r.revision ?? '-'}`).join(', ')}`);
      assert(t.connection() === 'connected', `connection: ${t.connection()}`);
      const sources = t.sources();
      log(`sources: ${sources.map((s) => `${s.kind} ${s.namespace}/${s.name}=${s.state}`).join(', ')}`);
      assert(sources.some((s) => s.kind === 'OCIRepository' && s.name === 'podinfo'), `no OCIRepository podinfo in ${JSON.stringify(sources)}`);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await sleep(800);
      await screenshot('flux-view');
    },
  },
  {
    name: 'cluster: flux.reconcile on podinfo merge-patches requestedAt and returns "applied revision"',
    fn: async () => {
      const before = await clusterObject('helmreleases', 'podinfo', 'podinfo');
      const patchesBefore = await podinfoMergePatches();
      const message = await vscode.commands.executeCommand<string>('flux.reconcile', PODINFO);
      log(`flux.reconcile: ${message}`);
      assert(typeof message === 'string' && /^applied revision /.test(message), `flux.reconcile returned ${JSON.stringify(message)}`);
      const after = await clusterObject('helmreleases', 'podinfo', 'podinfo');
      const key = 'reconcile.fluxcd.io/requestedAt';
      const was = before.metadata?.annotations?.[key];
      const now = after.metadata?.annotations?.[key];
      assert(now && now !== was, `requestedAt not changed (${String(was)} → ${String(now)})`);
      const patchesAfter = await podinfoMergePatches();
      assert(patchesAfter > patchesBefore, `the API server saw no new merge patch of podinfo (${patchesBefore} → ${patchesAfter})`);
    },
  },
  {
    name: 'cluster: flux.suspend with { confirm: false } sets spec.suspend, flux.resume clears it',
    fn: async () => {
      const message = await vscode.commands.executeCommand<string>('flux.suspend', PODINFO, { confirm: false });
      log(`flux.suspend: ${message}`);
      const suspended = await clusterObject('helmreleases', 'podinfo', 'podinfo');
      assert(suspended.spec?.suspend === true, `spec.suspend is ${JSON.stringify(suspended.spec?.suspend)}`);
      const t = await testing();
      await waitFor('podinfo Suspended in the tree', () => (stateOf(t, 'podinfo', 'podinfo') === 'Suspended' ? true : undefined), 10_000);
      const resumed = await vscode.commands.executeCommand<string>('flux.resume', PODINFO);
      log(`flux.resume: ${resumed}`);
      const after = await clusterObject('helmreleases', 'podinfo', 'podinfo');
      assert(!after.spec?.suspend, `spec.suspend still ${JSON.stringify(after.spec?.suspend)}`);
    },
  },
  {
    name: 'cluster: the CodeLens above podinfo follows its state (failing upgrade, then recovery)',
    fn: async () => {
      const t = await testing();
      const uri = ws(PODINFO_FILE);
      await show(uri);
      const first = await waitFor('CodeLens titles for podinfo', async () => {
        const titles = await t.codeLenses(uri.toString());
        return titles.length > 0 && stateOf(t, 'podinfo', 'podinfo') === 'Ready' ? titles : undefined;
      }, 20_000);
      log(`CodeLens (Ready): ${first.join(' | ')}`);
      await sleep(1000);
      await screenshot('codelens');
      await scenario({ scenario: 'failingUpgrade', namespace: 'podinfo', name: 'podinfo', values: { replicaCount: 4 } });
      const failing = await waitFor('changed CodeLens titles after the failing upgrade', async () => {
        const titles = await t.codeLenses(uri.toString());
        const state = stateOf(t, 'podinfo', 'podinfo');
        return (state === 'Failed' || state === 'Stalled') && titles.join('|') !== first.join('|') ? titles : undefined;
      }, 25_000);
      log(`CodeLens (${stateOf(t, 'podinfo', 'podinfo')}): ${failing.join(' | ')}`);
      await sleep(1000);
      await screenshot('codelens-failed');
      await scenario({ scenario: 'recover', namespace: 'podinfo', name: 'podinfo', values: { replicaCount: 5 }, wait: true });
      const recovered = await waitFor('CodeLens titles after recovery', async () => {
        const titles = await t.codeLenses(uri.toString());
        return stateOf(t, 'podinfo', 'podinfo') === 'Ready' && titles.join('|') !== failing.join('|') ? titles : undefined;
      }, 20_000);
      log(`CodeLens (recovered): ${recovered.join(' | ')}`);
    },
  },
  {
    name: 'cluster: 2,000 HelmReleases reach the tree within 1 s of connecting; a status change within 500 ms',
    fn: async () => {
      const t = await testing();
      await post('/cluster/bulk', { count: 2000 });
      const started = Date.now();
      // Reconnect: a fresh list of every kind, then the tree rendered from it.
      await vscode.commands.executeCommand('flux.refresh');
      let rows = 0;
      while (Date.now() - started < 10_000) {
        rows = await t.treeRows();
        if (rows >= 2003) break;
        await sleep(5);
      }
      const treeMs = Date.now() - started;
      log(`tree: ${rows} releases rendered ${treeMs} ms after connecting`);
      assert(rows >= 2003, `only ${rows} releases in the tree`);
      const revisionOf = () => t.releases().find((r) => r.namespace === 'bulk' && r.name === 'hr-0007')?.revision;
      const changed = Date.now();
      await post('/cluster/status', { namespace: 'bulk', name: 'hr-0007', chartVersion: '1.0.1' });
      while (revisionOf() !== '1.0.1' && Date.now() - changed < 5_000) await sleep(5);
      const changeMs = Date.now() - changed;
      log(`status change reached the tree in ${changeMs} ms`);
      await post('/figures', { releases: rows, treeMs, statusChangeMs: changeMs });
      assert(revisionOf() === '1.0.1', 'the status change never arrived');
      assert(treeMs <= 1000, `the tree took ${treeMs} ms`);
      assert(changeMs <= 500, `the status change took ${changeMs} ms`);
    },
  },
];

async function podinfoMergePatches(): Promise<number> {
  const { requests } = await get<ClusterRequestsResponse>('/cluster/requests');
  return requests.filter(
    (r) => r.method === 'PATCH' && r.url.startsWith('/apis/helm.toolkit.fluxcd.io/v2/namespaces/podinfo/helmreleases/podinfo') && r.contentType.startsWith('application/merge-patch+json'),
  ).length;
}

function withTimeout<T>(p: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`test "${name}" timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export async function run(): Promise<void> {
  const outcomes: TestOutcome[] = [];
  installActivationProbe();
  log(`suite started in VS Code ${vscode.version}, extension host pid ${process.pid}`);
  const all = config.cluster ? [...tests, ...clusterTests] : tests;
  for (const t of all) {
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
  activation.loadedAtEnd = [...distLoads];
  await post('/activation', activation).catch(() => undefined);
  const result: SuiteResult = { passed: outcomes.filter((o) => o.ok).length, failed: outcomes.filter((o) => !o.ok).length, tests: outcomes };
  fs.writeFileSync(config.resultFile, JSON.stringify(result, null, 2));
  await post('/result', result).catch(() => undefined);
  // Resolve even when tests failed: the harness judges by the result, and a rejection here only
  // makes VS Code try to close the window.
}
