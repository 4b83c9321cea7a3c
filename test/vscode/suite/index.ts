// The suite that runs inside VS Code's real extension host (code-server), loaded through
// `extensionTestsPath`. VS Code calls `run()` and waits for its promise. A tiny runner, no mocha:
// each test is a named async function; results go to the harness over HTTP and to a JSON file.
import * as http from 'node:http';
import * as fs from 'node:fs';
import * as path from 'node:path';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the CommonJS module loader itself
import Module = require('node:module');
import * as vscode from 'vscode';
import type { ChartSourcesConfig, ClusterRequestsResponse, HarnessConfig, ScenarioRequest, SuiteResult, TestOutcome } from '../protocol';
import { installApiProbe, type ApiProbe } from './apiProbe';

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

/** Polls `probe` every `intervalMs` until it returns a value other than undefined, or throws after `timeoutMs`. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await sleep(intervalMs);
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

interface SuiteTest {
  name: string;
  fn: () => Promise<void>;
  /** The name of an earlier test this one needs; when that failed, this one is not run. */
  dependsOn?: string;
}

const tests: SuiteTest[] = [
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
      // Only what activation loaded: the cluster side may start right after it (a Flux manifest is open).
      assert(activation.loadedAtActivation, 'the activation probe did not see activate() settle');
      const cluster = activation.loadedAtActivation.filter((f) => /cluster/i.test(f));
      assert(cluster.length === 0, `cluster code loaded at activation: ${cluster.join(', ')}`);
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
    name: 'a file nobody opened shows its problems (workspace diagnostics pulled by VS Code), once, and loses them when fixed on disk',
    fn: async () => {
      const uri = ws('unopened/old-release.yaml');
      const lines = (apiVersion: string) => [`apiVersion: ${apiVersion}`, 'kind: HelmRelease', 'metadata:', '  name: never-opened', 'spec:', '  interval: 10m', '  chart:', '    spec:', '      chart: podinfo', '      sourceRef:', '        kind: HelmRepository', '        name: podinfo', ''].join('\n');
      await vscode.workspace.fs.writeFile(uri, Buffer.from(lines('helm.toolkit.fluxcd.io/v2beta1'), 'utf8'));
      const found = await diagnosticUntil(uri, 'api-version-removed on a file that is not open', (d) => codeOf(d) === 'api-version-removed');
      assert(!vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString()), 'the file was opened; the test needs it closed');
      // Pulled and pushed diagnostics are separate collections in VS Code: a server doing both would show each problem twice.
      const copies = vscode.languages.getDiagnostics(uri).filter((d) => codeOf(d) === 'api-version-removed').length;
      assert(copies === 1, `api-version-removed is listed ${copies} times`);
      log(`closed file: [${codeOf(found)}] ${found.message.split('\n')[0]}`);
      await vscode.workspace.fs.writeFile(uri, Buffer.from(lines('helm.toolkit.fluxcd.io/v2'), 'utf8'));
      await waitFor('the problem gone once the file is fixed on disk', () => (vscode.languages.getDiagnostics(uri).some((d) => codeOf(d) === 'api-version-removed') ? undefined : true));
      await vscode.workspace.fs.delete(uri);
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

const PODINFO = { kind: 'HelmRelease', namespace: 'podinfo', name: 'podinfo' };
const PODINFO_FILE = 'apps/base/podinfo/release.yaml';

/** What the extension gave VS Code (tree views, status bar items); installed at the start of run(). */
let probe: ApiProbe | undefined;

interface Row {
  kind: string;
  namespace: string;
  name: string;
  state: string;
  revision?: string;
}

/**
 * The object rows of a Flux view, read from its data provider as VS Code reads it: groups, then
 * their items. An item's state is what a screen reader says of it (the icon shows it).
 */
async function viewRows(viewId: 'flux.kustomizations' | 'flux.helmReleases' | 'flux.sources'): Promise<Row[]> {
  const tree = probe?.tree(viewId);
  assert(tree, `the extension created no tree view ${viewId}`);
  const { provider } = tree;
  const rows: Row[] = [];
  const walk = async (parent: unknown): Promise<void> => {
    for (const node of (await provider.getChildren(parent)) ?? []) {
      const item = await provider.getTreeItem(node);
      const spoken = /^\S+ \S+: (\w+)(?:, revision (.+))?$/.exec(item.accessibilityInformation?.label ?? '');
      const [kind, namespace, name] = (item.id ?? '').split('/');
      if (spoken && kind && namespace !== undefined && name) rows.push({ kind, namespace, name, state: spoken[1]!, revision: spoken[2] });
      else if (item.collapsibleState === vscode.TreeItemCollapsibleState.Expanded) await walk(node);
    }
  };
  await walk(undefined);
  return rows;
}

/** "connected", or what the status bar says is wrong (its tooltip). */
function connection(): string {
  const status = probe?.statusItem('flux.context');
  if (!status) return 'the cluster side has not started (no status bar item)';
  return status.item.text.startsWith('$(cloud)') ? 'connected' : String(status.item.tooltip ?? status.item.text);
}

/** The titles of the cluster CodeLenses of a document (those that run a flux.* command). */
async function clusterLensTitles(uri: vscode.Uri): Promise<string[]> {
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100);
  return (lenses ?? []).filter((l) => l.command?.command.startsWith('flux.')).map((l) => `${l.range.start.line}: ${l.command!.title}`);
}

async function openFluxView(): Promise<void> {
  await vscode.commands.executeCommand('workbench.view.extension.fluxExplorer');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a live object as JSON, read freely by the assertions
async function clusterObject(resource: string, namespace: string, name: string): Promise<Record<string, any>> {
  return get(`/cluster/object?resource=${resource}&namespace=${namespace}&name=${name}`);
}

async function scenario(r: ScenarioRequest): Promise<void> {
  await post('/cluster/scenario', r);
}

async function stateOf(namespace: string, name: string): Promise<string | undefined> {
  return (await viewRows('flux.helmReleases')).find((r) => r.namespace === namespace && r.name === name)?.state;
}

const LENS_PROBE = 'apps/lens-probe/podinfo.yaml';

const clusterTests: SuiteTest[] = [
  {
    name: 'cluster: with a Flux manifest open and a kubeconfig, the status bar and the CodeLens start without the Flux view',
    fn: async () => {
      const releasesView = probe?.tree('flux.helmReleases')?.view;
      assert(releasesView, 'the extension created no HelmReleases view');
      assert(!releasesView.visible, 'the Flux view is open already');
      assert(!(activation.loadedAtActivation ?? []).includes('clusterUi.js'), 'dist/clusterUi.js was loaded during activation');
      const uri = ws(PODINFO_FILE);
      await show(uri);
      const status = await waitFor('the Flux status bar item showing the connected context', () => {
        const item = probe?.statusItem('flux.context');
        return item?.shown && connection() === 'connected' ? item.item : undefined;
      }, 30_000).catch((err: unknown) => {
        throw new Error(`${String(err)}; connection: ${connection()}`);
      });
      log(`status bar: ${status.text}`);
      const lenses = await waitFor('the cluster CodeLens above podinfo', async () => {
        const titles = await clusterLensTitles(uri);
        return titles.some((t) => /^0: Ready/.test(t)) ? titles : undefined;
      }, 20_000);
      log(`CodeLens without the view: ${lenses.join(' | ')}`);
      assert(!releasesView.visible, 'the Flux view was opened');
      assert(distLoads.includes('clusterUi.js'), 'the cluster side is not loaded');
      await sleep(800);
      await screenshot('status-bar');
    },
  },
  {
    name: 'cluster: the CodeLens finds objects with metadata indented by four spaces and in flow style',
    fn: async () => {
      const lines = [
        'apiVersion: helm.toolkit.fluxcd.io/v2',
        'kind: HelmRelease',
        'metadata:',
        '    name: podinfo',
        '    namespace: podinfo',
        '---',
        '# the chart source, in flow style',
        '{apiVersion: source.toolkit.fluxcd.io/v1, kind: OCIRepository, metadata: {name: podinfo, namespace: flux-system}}',
        '',
      ];
      const editor = await writeAndShow(LENS_PROBE, lines);
      try {
        const uri = editor.document.uri;
        const titles = await waitFor('cluster CodeLenses on lines 0 and 7', async () => {
          const all = await clusterLensTitles(uri);
          return all.some((t) => /^0: Ready/.test(t)) && all.some((t) => /^7: Ready .*\(flux-system\)/.test(t)) ? all : undefined;
        }, 20_000).catch(async (err: unknown) => {
          throw new Error(`${String(err)}; cluster CodeLenses: ${(await clusterLensTitles(uri)).join(' | ') || '(none)'}`);
        });
        log(`CodeLens (four spaces, flow style): ${titles.join(' | ')}`);
        assert(titles.filter((t) => t.startsWith('0: ')).length === 4 && titles.filter((t) => t.startsWith('7: ')).length === 3, `expected four lenses on the HelmRelease (state, Reconcile, Deployed ↔ manifest, Suspend) and three on the source: ${titles.join(' | ')}`);
      } finally {
        await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
        await vscode.workspace.fs.delete(ws(LENS_PROBE));
      }
    },
  },
  {
    name: 'cluster: the HelmReleases view lists the demo releases with their state',
    fn: async () => {
      await openFluxView();
      const ok = async () =>
        (await stateOf('podinfo', 'podinfo')) === 'Ready' && ['Failed', 'Stalled'].includes((await stateOf('grade-api', 'grade-api')) ?? '') && (await stateOf('grade-api', 'postgres')) === 'Ready';
      const releases = await waitFor('the three demo releases', async () => ((await ok()) ? viewRows('flux.helmReleases') : undefined), 20_000).catch(async (err: unknown) => {
        throw new Error(`${String(err)}; connection: ${connection()}; releases: ${JSON.stringify(await viewRows('flux.helmReleases'))}`);
      });
      log(`releases: ${releases.map((r) => `${r.namespace}/${r.name}=${r.state}@${r.revision ?? '-'}`).join(', ')}`);
      assert(connection() === 'connected', `connection: ${connection()}`);
      const sources = await viewRows('flux.sources');
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
      if (config.cluster?.kind === 'real') {
        // The real API server records who changed what: our merge patch under our field manager.
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- managedFields entries as JSON
        const ours = (after.metadata?.managedFields ?? []).find((f: any) => f.manager === 'flux-client-side-apply' && f.operation === 'Update');
        assert(ours && JSON.stringify(ours.fieldsV1).includes('reconcile.fluxcd.io/requestedAt'), `no managedFields entry of flux-client-side-apply for requestedAt: ${JSON.stringify(after.metadata?.managedFields)}`);
      } else {
        const patchesAfter = await podinfoMergePatches();
        assert(patchesAfter > patchesBefore, `the API server saw no new merge patch of podinfo (${patchesBefore} → ${patchesAfter})`);
      }
    },
  },
  {
    name: 'cluster: flux.suspend with { confirm: false } sets spec.suspend, flux.resume clears it',
    fn: async () => {
      const message = await vscode.commands.executeCommand<string>('flux.suspend', PODINFO, { confirm: false });
      log(`flux.suspend: ${message}`);
      const suspended = await clusterObject('helmreleases', 'podinfo', 'podinfo');
      assert(suspended.spec?.suspend === true, `spec.suspend is ${JSON.stringify(suspended.spec?.suspend)}`);
      await waitFor('podinfo Suspended in the tree', async () => ((await stateOf('podinfo', 'podinfo')) === 'Suspended' ? true : undefined), 10_000);
      const resumed = await vscode.commands.executeCommand<string>('flux.resume', PODINFO);
      log(`flux.resume: ${resumed}`);
      const after = await clusterObject('helmreleases', 'podinfo', 'podinfo');
      assert(!after.spec?.suspend, `spec.suspend still ${JSON.stringify(after.spec?.suspend)}`);
    },
  },
  {
    name: 'cluster: the CodeLens above podinfo follows its state (failing upgrade, then recovery)',
    fn: async () => {
      const uri = ws(PODINFO_FILE);
      await show(uri);
      const first = await waitFor('CodeLens titles for podinfo', async () => {
        const titles = await clusterLensTitles(uri);
        return titles.length > 0 && (await stateOf('podinfo', 'podinfo')) === 'Ready' ? titles : undefined;
      }, 20_000);
      log(`CodeLens (Ready): ${first.join(' | ')}`);
      await sleep(1000);
      await screenshot('codelens');
      await scenario({ scenario: 'failingUpgrade', namespace: 'podinfo', name: 'podinfo', values: { replicaCount: 4 } });
      let state: string | undefined;
      const failing = await waitFor('changed CodeLens titles after the failing upgrade', async () => {
        const titles = await clusterLensTitles(uri);
        state = await stateOf('podinfo', 'podinfo');
        return (state === 'Failed' || state === 'Stalled') && titles.join('|') !== first.join('|') ? titles : undefined;
      }, 25_000);
      log(`CodeLens (${state ?? '?'}): ${failing.join(' | ')}`);
      assert(failing.some((t) => t.startsWith(`0: ${state ?? '?'}`)), `the CodeLens does not show ${state ?? '?'}: ${failing.join(' | ')}`);
      await sleep(1000);
      await screenshot('codelens-failed');
      await scenario({ scenario: 'recover', namespace: 'podinfo', name: 'podinfo', values: { replicaCount: 5 }, wait: true });
      const recovered = await waitFor('CodeLens titles after recovery', async () => {
        const titles = await clusterLensTitles(uri);
        return (await stateOf('podinfo', 'podinfo')) === 'Ready' && titles.join('|') !== failing.join('|') ? titles : undefined;
      }, 20_000);
      log(`CodeLens (recovered): ${recovered.join(' | ')}`);
    },
  },
  {
    name: "cluster: flux.showEvents on podinfo lists the controller's events (install, and on the real cluster the failed upgrade and its rollback)",
    fn: async () => {
      const message = await vscode.commands.executeCommand<string>('flux.showEvents', PODINFO);
      log(`flux.showEvents: ${message}`);
      const events = await waitFor('the events document', () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'flux-live' && d.uri.path === '/podinfo.events.txt'), 5_000);
      const text = events.getText();
      assert(/InstallSucceeded/.test(text), `no InstallSucceeded event:\n${text}`);
      if (config.cluster?.kind === 'real') assert(/UpgradeFailed/.test(text) && /RollbackSucceeded/.test(text), `the real helm-controller's events of the failing upgrade are missing:\n${text}`);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    },
  },
  {
    name: 'cluster: flux.compareWithLive diffs the spec in the editor with the spec on the cluster (post-build substitution done there)',
    fn: async () => {
      await show(ws(PODINFO_FILE));
      const message = await vscode.commands.executeCommand<string>('flux.compareWithLive', PODINFO);
      assert(message === 'compared', `flux.compareWithLive returned ${JSON.stringify(message)}`);
      const spec = (name: string) => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'flux-live' && d.uri.path === `/podinfo.${name}-spec.yaml`);
      const [local, live] = await waitFor('both sides of the diff', () => (spec('local') && spec('live') ? [spec('local')!, spec('live')!] : undefined), 5_000);
      assert(local.getText().includes('Hello from ${cluster_name}'), `the editor's side:\n${local.getText()}`);
      assert(live.getText().includes('Hello from production'), `the cluster's side:\n${live.getText()}`);
      const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
      assert(tab?.input instanceof vscode.TabInputTextDiff, `the active tab is not a diff: ${tab?.label ?? '(none)'}`);
      await sleep(800);
      await screenshot('compare-with-live');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    },
  },
  {
    name: 'cluster: 2,000 HelmReleases reach the tree after a reconnect, and a status change follows',
    fn: async () => {
      await post('/cluster/bulk', { count: 2000 });
      const started = Date.now();
      // Reconnect: a fresh list of every kind, then the tree rendered from it.
      await vscode.commands.executeCommand('flux.refresh');
      const rows = await waitFor('2,003 releases in the tree', async () => {
        const count = (await viewRows('flux.helmReleases')).length;
        return count >= 2003 ? count : undefined;
      }, 20_000, 20);
      const treeMs = Date.now() - started;
      log(`tree: ${rows} releases rendered ${treeMs} ms after connecting`);
      const revisionOf = async () => (await viewRows('flux.helmReleases')).find((r) => r.namespace === 'bulk' && r.name === 'hr-0007')?.revision;
      const changed = Date.now();
      await post('/cluster/status', { namespace: 'bulk', name: 'hr-0007', chartVersion: '1.0.1' });
      await waitFor('the status change in the tree', async () => ((await revisionOf()) === '1.0.1' ? true : undefined), 10_000, 20);
      const changeMs = Date.now() - changed;
      log(`status change reached the tree in ${changeMs} ms`);
      // Figures for the record (test-results/vscode-figures.json); timing is the bench's job, not a pass condition.
      await post('/figures', { releases: rows, treeMs, statusChangeMs: changeMs });
    },
  },
];

const APPS = { kind: 'Kustomization', namespace: 'flux-system', name: 'apps' };

/** The children of a tree node, with their items, as VS Code reads them. */
async function childItems(viewId: string, parent: unknown): Promise<Array<{ node: unknown; item: vscode.TreeItem }>> {
  const provider = probe?.tree(viewId)?.provider;
  assert(provider, `the extension created no tree view ${viewId}`);
  const nodes = (await provider.getChildren(parent)) ?? [];
  return Promise.all(nodes.map(async (node) => ({ node, item: await provider.getTreeItem(node) })));
}

const itemLabel = (item: vscode.TreeItem) => (typeof item.label === 'string' ? item.label : (item.label?.label ?? ''));

/** Tests that need the real controllers: the simulator has no kustomize-controller. */
const realClusterTests: SuiteTest[] = [
  {
    name: "cluster: the Kustomizations view lists infrastructure and apps (applied by the real kustomize-controller), and apps' inventory opens podinfo in the HelmReleases view",
    fn: async () => {
      await openFluxView();
      const rows = await waitFor('infrastructure and apps Ready in the Kustomizations view', async () => {
        const all = await viewRows('flux.kustomizations');
        return ['infrastructure', 'apps'].every((name) => all.some((r) => r.name === name && r.state === 'Ready')) ? all : undefined;
      }, 20_000);
      log(`kustomizations: ${rows.map((r) => `${r.namespace}/${r.name}=${r.state}@${r.revision ?? '-'}`).join(', ')}`);
      const applied = rows.filter((r) => r.name === 'infrastructure' || r.name === 'apps');
      assert(applied.every((r) => /^main@sha1:[0-9a-f]{8}$/.test(r.revision ?? '')), `revisions: ${JSON.stringify(rows)}`);
      // flux-system → apps → Inventory → HelmRelease → podinfo/podinfo
      const [namespace] = await childItems('flux.kustomizations', undefined);
      const apps = (await childItems('flux.kustomizations', namespace!.node)).find((c) => itemLabel(c.item) === 'apps');
      assert(apps, 'no apps item');
      const inventory = (await childItems('flux.kustomizations', apps.node)).find((c) => itemLabel(c.item).startsWith('Inventory'));
      assert(inventory, 'no Inventory section under apps');
      const kinds = await childItems('flux.kustomizations', inventory.node);
      log(`inventory of apps: ${kinds.map((k) => `${itemLabel(k.item)} (${String(k.item.description)})`).join(', ')}`);
      const releasesGroup = kinds.find((k) => itemLabel(k.item) === 'HelmRelease');
      assert(releasesGroup && String(releasesGroup.item.description) === '3', `HelmRelease group: ${JSON.stringify(kinds.map((k) => k.item.label))}`);
      const podinfo = (await childItems('flux.kustomizations', releasesGroup.node)).find((c) => itemLabel(c.item) === 'podinfo/podinfo');
      assert(podinfo, 'podinfo/podinfo not in the inventory');
      assert(/^HelmRelease podinfo: Ready/.test(podinfo.item.accessibilityInformation?.label ?? ''), `podinfo in the inventory: ${podinfo.item.accessibilityInformation?.label}`);
      assert(String(podinfo.item.contextValue).startsWith('fluxObject.HelmRelease.'), 'the inventory item does not take the HelmRelease commands');
      const command = podinfo.item.command;
      assert(command?.command === 'flux.revealObject', `the inventory item's command: ${JSON.stringify(command)}`);
      const revealed = await vscode.commands.executeCommand<string>(command.command, ...(command.arguments ?? []));
      assert(revealed === 'revealed in releases', `flux.revealObject: ${revealed}`);
      const selected = await waitFor('podinfo selected in the HelmReleases view', async () => {
        const view = probe?.tree('flux.helmReleases')?.view;
        const items = await Promise.all((view?.selection ?? []).map((n) => probe!.tree('flux.helmReleases')!.provider.getTreeItem(n)));
        return items.find((i) => i.id === 'HelmRelease/podinfo/podinfo');
      }, 10_000);
      log(`selected: ${String(selected.id)}`);
      await sleep(800);
      await screenshot('kustomizations');
    },
  },
  {
    name: "cluster: grade-api's release history says what the real helm-controller did (failed · install)",
    fn: async () => {
      const group = (await childItems('flux.helmReleases', undefined)).find((g) => itemLabel(g.item) === 'grade-api');
      const release = group && (await childItems('flux.helmReleases', group.node)).find((r) => itemLabel(r.item) === 'grade-api');
      assert(release, 'no grade-api item');
      const history = (await childItems('flux.helmReleases', release.node)).find((s) => itemLabel(s.item) === 'Release history');
      assert(history, 'no Release history section');
      const entries = await childItems('flux.helmReleases', history.node);
      log(`grade-api history: ${entries.map((e) => `${itemLabel(e.item)} (${String(e.item.description)})`).join(', ')}`);
      assert(entries.length > 0 && /^v1 grade-api@1\.2\.0$/.test(itemLabel(entries[0]!.item)) && entries[0]!.item.description === 'failed · install', `history: ${entries.map((e) => `${itemLabel(e.item)} (${String(e.item.description)})`).join(', ')}`);
    },
  },
  {
    name: 'cluster: flux.reconcileWithSource on the apps Kustomization reconciles its GitRepository first and reports "applied revision main@sha1:…"',
    fn: async () => {
      const message = await vscode.commands.executeCommand<string>('flux.reconcileWithSource', APPS);
      log(`flux.reconcileWithSource apps: ${message}`);
      assert(typeof message === 'string' && /^applied revision main@sha1:[0-9a-f]{40}$/.test(message), `flux.reconcileWithSource returned ${JSON.stringify(message)}`);
    },
  },
  {
    name: "cluster: Deployed ↔ manifest on grade-api reads the real Helm release from its storage Secret: values diff and manifest, the Secret's value masked unless revealed this once",
    fn: async () => {
      await show(ws(RELEASE));
      const ref = { kind: 'HelmRelease', namespace: 'grade-api', name: 'grade-api' };
      const doc = (suffix: string) => vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'flux-live' && d.uri.path === `/grade-api.${suffix}`).at(-1);
      const message = await vscode.commands.executeCommand<string>('flux.compareDeployed', ref);
      log(`flux.compareDeployed: ${message}`);
      assert(message === 'compared', `flux.compareDeployed returned ${JSON.stringify(message)}`);
      const [deployed, desired, manifest] = await waitFor('the values diff and the manifest', () => {
        const all = [doc('deployed-values.yaml'), doc('desired-values.yaml'), doc('deployed-manifest.yaml')];
        return all.every(Boolean) ? (all as vscode.TextDocument[]) : undefined;
      }, 10_000);
      log(`deployed side:\n${deployed.getText()}`);
      assert(/revision 1, chart grade-api 1\.2\.0/.test(deployed.getText()), 'the deployed side does not name the release');
      assert(deployed.getText().includes('••••••') && !deployed.getText().includes('not-a-real-password'), 'the Secret value is not masked');
      assert(/image:\s*\n\s+repository: ghcr.io\/example\/grade-api\n\s+tag: 1\.4\.2/.test(desired.getText()), `the desired side:\n${desired.getText()}`);
      assert(/kind: ConfigMap/.test(manifest.getText()) && /grade-api-grade-api-settings/.test(manifest.getText()), 'the deployed manifest does not hold the chart\'s ConfigMap');
      const tab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputTextDiff && t.label.startsWith('grade-api: values deployed'));
      assert(tab, 'no diff tab of the deployed and desired values');
      await sleep(800);
      await screenshot('deployed-vs-desired');
      const revealed = await vscode.commands.executeCommand<string>('flux.compareDeployed', ref, { reveal: true });
      assert(revealed === 'compared', revealed);
      const shown = await waitFor('the revealed deployed values', () => (doc('deployed-values.yaml')?.getText().includes('not-a-real-password') ? doc('deployed-values.yaml') : undefined), 10_000);
      assert(!shown.getText().includes('••••••'), 'still masked after revealing');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    },
  },
  {
    name: 'cluster: the Dependencies view shows infrastructure → monitoring → dashboards with dashboards waiting for the failed monitoring, and Show in Dependency Graph finds apps from its manifest',
    fn: async () => {
      await openFluxView();
      const dependencyRows = async () => {
        const rows: string[] = [];
        const walk = async (parent: unknown, depth: number): Promise<void> => {
          for (const { node, item } of await childItems('flux.dependencies', parent)) {
            rows.push(`${'  '.repeat(depth)}${item.accessibilityInformation?.label ?? itemLabel(item)}`);
            if (item.collapsibleState === vscode.TreeItemCollapsibleState.Expanded) await walk(node, depth + 1);
          }
        };
        await walk(undefined, 0);
        return rows;
      };
      const rows = await waitFor('dashboards waiting for the failed monitoring', async () => {
        const all = await dependencyRows();
        return all.some((r) => /^ {4}Kustomization flux-system\/dashboards: Waiting, waiting for flux-system\/monitoring: Failed — kustomization path not found/.test(r)) ? all : undefined;
      }, 60_000).catch(async (err: unknown) => {
        throw new Error(`${String(err)}; rows:\n${(await dependencyRows()).join('\n')}`);
      });
      log(`dependencies:\n${rows.join('\n')}`);
      assert(rows.includes('HelmRelease grade-api/postgres: Ready') && rows.some((r) => /^ {2}HelmRelease grade-api\/grade-api: (Failed|Stalled)$/.test(r)), `the HelmRelease chain:\n${rows.join('\n')}`);
      assert(rows.includes('Kustomization flux-system/infrastructure: Ready') && rows.includes('  Kustomization flux-system/apps: Ready'), `the Kustomization chain:\n${rows.join('\n')}`);
      // From the manifest: the cursor in the apps Kustomization of gotk-sync.yaml.
      await show(ws('clusters/production/flux-system/gotk-sync.yaml'), new vscode.Position(18, 4));
      const shown = await vscode.commands.executeCommand<string>('flux.showInDependencyGraph');
      log(`flux.showInDependencyGraph: ${shown}`);
      assert(shown === 'shown under Kustomization/flux-system/infrastructure > Kustomization/flux-system/apps', `flux.showInDependencyGraph returned ${JSON.stringify(shown)}`);
      const selected = await waitFor('apps selected in the Dependencies view', async () => {
        const tree = probe?.tree('flux.dependencies');
        const items = await Promise.all((tree?.view.selection ?? []).map((n) => tree!.provider.getTreeItem(n)));
        return items.find((i) => itemLabel(i) === 'apps');
      }, 10_000);
      log(`selected: ${String(selected.id)}`);
      await sleep(800);
      await screenshot('dependency-graph');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    },
  },
  {
    name: 'cluster: two contexts side by side (helmRelease.cluster.contexts), each with its own state: flux-local lists the releases, flux-local-no-rights says RBAC refused; a folder mapped to a context sets the status bar',
    fn: async () => {
      const settings = vscode.workspace.getConfiguration('helmRelease.cluster');
      await settings.update('contexts', ['flux-local', 'flux-local-no-rights'], vscode.ConfigurationTarget.Global);
      try {
        await openFluxView();
        const roots = await waitFor('two context roots, one listing podinfo, one refused', async () => {
          const contexts = await childItems('flux.helmReleases', undefined);
          if (contexts.length !== 2) return undefined;
          const [local, noRights] = contexts;
          const localGroups = await childItems('flux.helmReleases', local!.node);
          const refused = await childItems('flux.helmReleases', noRights!.node);
          const ok = itemLabel(local!.item) === 'flux-local' && localGroups.some((g) => itemLabel(g.item) === 'podinfo') && itemLabel(noRights!.item) === 'flux-local-no-rights' && refused.length === 1 && /forbidden|not allowed|403/i.test(itemLabel(refused[0]!.item));
          return ok ? { contexts, refused: itemLabel(refused[0]!.item) } : undefined;
        }, 30_000);
        log(`contexts: ${roots.contexts.map((c) => `${itemLabel(c.item)} (${String(c.item.description)})`).join(', ')}; no-rights: ${roots.refused}`);
        // Commands act on the node's cluster: podinfo under flux-local.
        const podinfoGroup = (await childItems('flux.helmReleases', roots.contexts[0]!.node)).find((g) => itemLabel(g.item) === 'podinfo')!;
        const [podinfo] = await childItems('flux.helmReleases', podinfoGroup.node);
        assert(podinfo?.item.id === 'flux-local:HelmRelease/podinfo/podinfo', `the id of podinfo under flux-local: ${String(podinfo?.item.id)}`);
        const reconciled = await vscode.commands.executeCommand<string>('flux.reconcile', podinfo.node);
        assert(/^applied revision /.test(reconciled), `flux.reconcile on the node under flux-local: ${reconciled}`);
        await sleep(800);
        await screenshot('two-contexts');
        // The workspace folder mapped to flux-local-no-rights: the status bar follows the active file.
        const folder = vscode.workspace.workspaceFolders![0]!.name;
        await settings.update('folderContexts', { [folder]: 'flux-local-no-rights' }, vscode.ConfigurationTarget.Global);
        await show(ws(PODINFO_FILE));
        const status = await waitFor('the status bar naming flux-local-no-rights', () => {
          const item = probe?.statusItem('flux.context')?.item;
          return item?.text.includes('flux-local-no-rights') ? item : undefined;
        }, 15_000);
        log(`status bar with a mapped folder: ${status.text} (${String(status.tooltip)})`);
        assert(status.text.startsWith('$(warning)'), `the refused context is not shown as a problem: ${status.text}`);
      } finally {
        await settings.update('contexts', undefined, vscode.ConfigurationTarget.Global);
        await settings.update('folderContexts', undefined, vscode.ConfigurationTarget.Global);
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      }
      await waitFor('one context again', () => (probe?.statusItem('flux.context')?.item.text.includes('Flux: flux-local') && !probe?.statusItem('flux.context')?.item.text.includes('no-rights') ? true : undefined), 15_000);
    },
  },
];

async function podinfoMergePatches(): Promise<number> {
  const { requests } = await get<ClusterRequestsResponse>('/cluster/requests');
  return (requests ?? []).filter(
    (r) => r.method === 'PATCH' && r.url.startsWith('/apis/helm.toolkit.fluxcd.io/v2/namespaces/podinfo/helmreleases/podinfo') && r.contentType.startsWith('application/merge-patch+json'),
  ).length;
}

// ---- chart values from the four kinds of chart source (test/vscode/chartSources.ts) ----
//
// Each source serves real charts on 127.0.0.1. Charts download in the background after the first
// lookup, so the first answers may lack them: every probe waits for the chart's answer.

const PROBES = 'apps/charts-probe';

/** The facts of the chart sources; the chart tests only run when the harness started them. */
function charts(): ChartSourcesConfig {
  assert(config.charts, 'the harness started no chart sources');
  return config.charts;
}

function releaseLines(name: string, source: string[], values: string[]): string[] {
  return ['apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', `  name: ${name}`, '  namespace: flux-system', 'spec:', '  interval: 10m', ...source, '  values:', ...values];
}

const helmRepositoryChart = (chart: string, version: string, repository: string): string[] => [
  '  chart:',
  '    spec:',
  `      chart: ${chart}`,
  `      version: "${version}"`,
  '      sourceRef:',
  '        kind: HelmRepository',
  `        name: ${repository}`,
];

async function writeAndShow(rel: string, lines: string[]): Promise<vscode.TextEditor> {
  await vscode.workspace.fs.writeFile(ws(rel), Buffer.from(lines.join('\n'), 'utf8'));
  return show(ws(rel));
}

/** The first line at or after `from` that matches. */
function lineOf(doc: vscode.TextDocument, pattern: RegExp, from = 0): number {
  for (let line = from; line < doc.lineCount; line++) if (pattern.test(doc.lineAt(line).text)) return line;
  throw new Error(`no line matching ${String(pattern)} in ${doc.uri.fsPath} after line ${from}`);
}

/** Inside the first `key:` at or after line `from`. */
function keyPosition(doc: vscode.TextDocument, key: string, from = 0): vscode.Position {
  const line = lineOf(doc, new RegExp(`^\\s*${key}:`), from);
  return new vscode.Position(line, doc.lineAt(line).text.indexOf(key) + 1);
}

function insertTextOf(item: vscode.CompletionItem): string {
  const text = item.insertText ?? labelOf(item);
  return typeof text === 'string' ? text : text.value;
}

/** Polls completion at `pos` until `accept` likes the items. */
async function completionUntil(uri: vscode.Uri, pos: vscode.Position, what: string, accept: (items: vscode.CompletionItem[]) => boolean, timeoutMs = 30_000): Promise<vscode.CompletionItem[]> {
  let seen: string[] = [];
  return waitFor(what, async () => {
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, pos);
    const items = list?.items ?? [];
    seen = items.map(labelOf);
    return accept(items) ? items : undefined;
  }, timeoutMs).catch((err: unknown) => {
    throw new Error(`${String(err)}; last items: ${seen.slice(0, 40).join(', ') || '(none)'}`);
  });
}

async function hoverUntil(uri: vscode.Uri, pos: vscode.Position, what: string, shows: string[], timeoutMs = 30_000): Promise<string> {
  let last = '';
  return waitFor(what, async () => {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, pos);
    last = (hovers ?? []).map(hoverText).join('\n---\n');
    return shows.every((s) => last.includes(s)) ? last : undefined;
  }, timeoutMs).catch((err: unknown) => {
    throw new Error(`${String(err)}; last hover:\n${last || '(none)'}`);
  });
}

async function diagnosticUntil(uri: vscode.Uri, what: string, accept: (d: vscode.Diagnostic) => boolean, timeoutMs = 30_000): Promise<vscode.Diagnostic> {
  return waitFor(what, () => vscode.languages.getDiagnostics(uri).find((d) => d.source === 'helmrelease' && accept(d)), timeoutMs).catch((err: unknown) => {
    const have = vscode.languages.getDiagnostics(uri).map((d) => `${d.range.start.line + 1}: [${codeOf(d)}] ${d.message}`);
    throw new Error(`${String(err)}; diagnostics now:\n${have.join('\n') || '(none)'}`);
  });
}

/** The titles of every CodeLens of a document (the language server's chart lines among them). */
async function lensTitles(uri: vscode.Uri): Promise<string[]> {
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100);
  return (lenses ?? []).map((l) => l.command?.title ?? '').filter(Boolean);
}

async function lensUntil(uri: vscode.Uri, what: string, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  let last: string[] = [];
  return waitFor(what, async () => {
    last = await lensTitles(uri);
    return last.find((t) => pattern.test(t));
  }, timeoutMs).catch((err: unknown) => {
    throw new Error(`${String(err)}; CodeLens titles: ${last.join(' | ') || '(none)'}`);
  });
}

/** One HelmRelease whose values come from a chart of one source kind, and what the user should see. */
interface ValuesProbe {
  /** Names the source kind in the test name. */
  kind: string;
  file: string;
  /** The `spec` lines naming the chart. */
  source: () => string[];
  /** The lines of `spec.values`; completion runs on a new line at the values' top level after them. */
  values: string[];
  /** Completion offers these keys that only this chart has ... */
  offers: string[];
  /** ... and this key's inserted snippet holds the chart default. */
  placeholder: { key: string; text: string };
  /** Hover on this key (its first occurrence in the values) shows these texts. */
  hover: { key: string; shows: string[] };
  /** The key on whose line this diagnostic code appears, its message matching. */
  wrong: { key: string; code: string; message: RegExp };
  screenshot?: string;
}

function valuesProbeTest(probe: ValuesProbe, dependsOn?: string): SuiteTest {
  return {
    name: `charts: ${probe.kind}: values completion with defaults, hover from the chart, ${probe.wrong.code}`,
    dependsOn,
    fn: async () => {
      const lines = releaseLines(path.basename(probe.file, '.yaml').replace(/[^a-z0-9-]/g, '-') + '-probe', probe.source(), [...probe.values, '    ', '']);
      const editor = await writeAndShow(probe.file, lines);
      const { document: doc } = editor;
      const uri = doc.uri;
      const valuesLine = lineOf(doc, /^ {2}values:/);
      const pos = new vscode.Position(lines.length - 2, 4);
      const items = await completionUntil(uri, pos, `completion of ${probe.offers.join(', ')} from the chart`, (list) => probe.offers.every((key) => list.some((i) => labelOf(i) === key)));
      const withDefault = items.find((i) => labelOf(i) === probe.placeholder.key);
      assert(withDefault, `completion lacks ${probe.placeholder.key}; items: ${items.map(labelOf).join(', ')}`);
      const inserted = insertTextOf(withDefault);
      assert(inserted.includes(probe.placeholder.text), `${probe.placeholder.key} inserts ${JSON.stringify(inserted)}, expected the chart default ${probe.placeholder.text}`);
      log(`values completion (${probe.kind}): ${items.length} items; ${probe.placeholder.key} inserts ${JSON.stringify(inserted)}`);
      if (probe.screenshot) {
        editor.selection = new vscode.Selection(pos, pos);
        await vscode.commands.executeCommand('notifications.clearAll');
        await vscode.commands.executeCommand('editor.action.triggerSuggest');
        await sleep(1500);
        await screenshot(probe.screenshot);
        await vscode.commands.executeCommand('hideSuggestWidget');
      }
      const hover = await hoverUntil(uri, keyPosition(doc, probe.hover.key, valuesLine), `a hover on ${probe.hover.key} from the chart`, probe.hover.shows);
      log(`values hover (${probe.kind}): ${hover.replace(/\n+/g, ' / ')}`);
      const wrongLine = lineOf(doc, new RegExp(`^\\s*${probe.wrong.key}:`), valuesLine);
      const found = await diagnosticUntil(uri, `a ${probe.wrong.code} diagnostic on line ${wrongLine + 1}`, (d) => codeOf(d) === probe.wrong.code && d.range.start.line === wrongLine);
      assert(probe.wrong.message.test(found.message), `the ${probe.wrong.code} message does not match ${String(probe.wrong.message)}: ${found.message}`);
      log(`values diagnostic (${probe.kind}): [${codeOf(found)}] ${found.message}`);
    },
  };
}

const LOCAL_PROBE: ValuesProbe = {
  kind: 'GitRepository chart directory (./charts/grade-api-local)',
  file: `${PROBES}/local.yaml`,
  source: () => ['  chart:', '    spec:', `      chart: ./${charts().localChart}`, '      sourceRef:', '        kind: GitRepository', '        name: flux-system'],
  values: ['    image:', '      repository: registry.example.com/grade-api', '    database:', '      auth:', '        databse: grades'],
  offers: ['replicaCount', 'service', 'podAnnotations'],
  placeholder: { key: 'replicaCount', text: '${1:1}' },
  hover: { key: 'repository', shows: ['Image repository of the API.', 'Default: `"ghcr.io/example/grade-api"`', 'From chart `grade-api` 1.4.2'] },
  wrong: { key: 'databse', code: 'unknown-value', message: /`database`/ },
};

const HTTP_PROBE: ValuesProbe = {
  kind: 'HTTP HelmRepository (postgresql 16.x)',
  file: `${PROBES}/http.yaml`,
  source: () => helmRepositoryChart('postgresql', '16.x', 'bitnami'),
  values: ['    auth:', '      database: grades', '      usrname: grades', '    primary:', '      persistence:', '        size: 20Gi'],
  offers: ['architecture', 'readReplicas', 'metrics'],
  placeholder: { key: 'architecture', text: '${1:standalone}' },
  hover: { key: 'size', shows: ['Size of the data volume.', 'Default: `"8Gi"`', 'From chart `postgresql` 16.4.2'] },
  wrong: { key: 'usrname', code: 'unknown-value', message: /`username`/ },
  screenshot: 'values-completion',
};

const OCI_REPOSITORY_PROBE: ValuesProbe = {
  kind: 'OCIRepository chartRef (podinfo, semver >=6.5.0 <7.0.0)',
  file: `${PROBES}/oci-repository.yaml`,
  source: () => ['  chartRef:', '    kind: OCIRepository', '    name: podinfo'],
  values: ['    ui:', '      color: "#ff6f00"', '    logLvl: debug'],
  offers: ['replicaCount', 'logLevel', 'service'],
  placeholder: { key: 'logLevel', text: '${1:info}' },
  hover: { key: 'color', shows: ['Background color of the UI.', 'Default: `"#34577c"`', 'From chart `podinfo` 6.7.0'] },
  wrong: { key: 'logLvl', code: 'unknown-value', message: /`logLevel`/ },
};

const OCI_HELM_PROBE: ValuesProbe = {
  kind: 'OCI HelmRepository, private (grade-api >=1.0.0 <2.0.0, values.schema.json)',
  file: `${PROBES}/oci-helm.yaml`,
  source: () => helmRepositoryChart('grade-api', '>=1.0.0 <2.0.0', 'grade-api-charts'),
  values: ['    replicaCount: 0'],
  offers: ['image', 'ingress', 'logLevel'],
  // An enum with a default: a choice led by the default.
  placeholder: { key: 'logLevel', text: '${1|info,' },
  hover: { key: 'replicaCount', shows: ['Number of grade-api pods; at least one.', 'Default: `1`', 'From chart `grade-api` 1.2.0'] },
  wrong: { key: 'replicaCount', code: 'invalid-value', message: /replicaCount.*>= 1/ },
};

const CREDENTIALS_TEST = 'charts: private OCI registry: 401 in the CodeLens, then helmRelease.setRegistryCredentials makes grade-api 1.2.0 available';

/** The postgres release in the fixture's release.yaml (the second document). */
function postgresStart(doc: vscode.TextDocument): number {
  return lineOf(doc, /^ {2}name: postgres$/);
}

const chartTests: SuiteTest[] = [
  valuesProbeTest(LOCAL_PROBE),
  valuesProbeTest(HTTP_PROBE),
  valuesProbeTest(OCI_REPOSITORY_PROBE),
  {
    name: 'charts: chart.spec.version completes the versions of the HTTP index (16.4.2, 17.0.0)',
    fn: async () => {
      const editor = await show(ws(RELEASE));
      const doc = editor.document;
      const line = lineOf(doc, /^ {6}version: "16\.x"/, postgresStart(doc));
      const pos = new vscode.Position(line, doc.lineAt(line).text.indexOf('"') + 1);
      const items = await completionUntil(doc.uri, pos, 'the published postgresql versions', (list) => ['16.4.2', '17.0.0'].every((v) => list.some((i) => labelOf(i) === v)));
      log(`version completion: ${items.map((i) => `${labelOf(i)} (${i.detail ?? ''})`).join(', ')}`);
    },
  },
  {
    name: 'charts: OCIRepository ref.tag and ref.semver complete the registry tags (6.5.4, 6.7.0)',
    fn: async () => {
      const file = `${PROBES}/oci-tags.yaml`;
      const lines = ['apiVersion: source.toolkit.fluxcd.io/v1', 'kind: OCIRepository', 'metadata:', '  name: podinfo-pinned', '  namespace: flux-system', 'spec:', '  interval: 10m', `  url: ${charts().ociRepository}`, '  insecure: true', '  ref:', '    tag: ', ''];
      const editor = await writeAndShow(file, lines);
      const tagLine = lineOf(editor.document, /^ {4}tag: $/);
      const wanted = (list: vscode.CompletionItem[]) => ['6.5.4', '6.7.0'].every((v) => list.some((i) => labelOf(i) === v));
      const missing: string[] = [];
      await completionUntil(editor.document.uri, new vscode.Position(tagLine, 9), 'tags at ref.tag', wanted, 10_000).catch((err: unknown) => missing.push(`ref.tag: ${String(err)}`));
      const sources = await show(ws('infrastructure/sources/helm-repositories.yaml'));
      const semverLine = lineOf(sources.document, /^ {4}semver: "/);
      const semverPos = new vscode.Position(semverLine, sources.document.lineAt(semverLine).text.indexOf('"') + 1);
      await completionUntil(sources.document.uri, semverPos, 'tags at ref.semver', wanted, 10_000).catch((err: unknown) => missing.push(`ref.semver: ${String(err)}`));
      assert(missing.length === 0, missing.join('\n'));
    },
  },
  {
    name: 'charts: editing version 16.x to 17.x flags a value that 17.0.0 no longer has (values-key-removed)',
    fn: async () => {
      const editor = await show(ws(RELEASE));
      const doc = editor.document;
      try {
        await lensUntil(doc.uri, 'the postgres release resolved to postgresql 16.4.2', /^Chart postgresql 16\.4\.2/);
        // The fixture's values lack the key 17.0.0 renames: add it, as a user would.
        const database = lineOf(doc, /^ {6}database: grades/, postgresStart(doc));
        await editor.edit((e) => e.insert(doc.lineAt(database).range.end, '\n      postgresPassword: change-me'));
        const passwordPos = keyPosition(doc, 'postgresPassword', database);
        await hoverUntil(doc.uri, passwordPos, 'a hover on postgresPassword from postgresql 16.4.2', ['Password of the `postgres` admin user', 'From chart `postgresql` 16.4.2']);
        await sleep(500); // diagnostics of this version ran with 16.4.2, the version compared with
        const versionLine = lineOf(doc, /^ {6}version: "16\.x"/, postgresStart(doc));
        const at = doc.lineAt(versionLine).text.indexOf('16.x');
        await editor.edit((e) => e.replace(new vscode.Range(versionLine, at, versionLine, at + 4), '17.x'));
        const found = await diagnosticUntil(doc.uri, 'a values-key-removed diagnostic on postgresPassword', (d) => codeOf(d) === 'values-key-removed' && d.range.start.line === passwordPos.line);
        assert(found.message.includes('16.4.2') && found.message.includes('17.0.0'), `the message does not name both versions: ${found.message}`);
        log(`version change: [${codeOf(found)}] ${found.message}`);
        await show(doc.uri, passwordPos);
        await vscode.commands.executeCommand('notifications.clearAll');
        await vscode.commands.executeCommand('editor.action.showHover');
        await sleep(1000);
        await screenshot('values-key-removed');
      } finally {
        // Back to the file on disk, for the tests after this one.
        await show(doc.uri);
        await vscode.commands.executeCommand('workbench.action.files.revert');
      }
      assert(!doc.isDirty, 'release.yaml is still modified after the revert');
    },
  },
  {
    name: CREDENTIALS_TEST,
    fn: async () => {
      const { ociHelmRepository, credentials } = charts();
      const uri = ws(RELEASE);
      await show(uri);
      const denied = await lensUntil(uri, 'the 401 CodeLens above grade-api', /^Chart not available: .*401 Unauthorized/);
      log(`before credentials: ${denied}`);
      await vscode.commands.executeCommand('helmRelease.setRegistryCredentials', { url: ociHelmRepository, ...credentials });
      const probe = `${PROBES}/private.yaml`;
      const lines = releaseLines('private-probe', helmRepositoryChart('grade-api', '>=1.0.0 <2.0.0', 'grade-api-charts'), ['    replicaCount: 2', '    ', '']);
      await writeAndShow(probe, lines);
      await completionUntil(ws(probe), new vscode.Position(lines.length - 2, 4), 'image from the grade-api schema', (list) => list.some((i) => labelOf(i) === 'image'));
      await show(uri);
      const resolved = await lensUntil(uri, 'the CodeLens naming grade-api 1.2.0', /^Chart grade-api 1\.2\.0/);
      log(`after credentials: ${resolved}`);
      const titles = await lensTitles(uri);
      assert(!titles.some((t) => t.includes(credentials.password)), 'a CodeLens shows the password');
    },
  },
  valuesProbeTest(OCI_HELM_PROBE, CREDENTIALS_TEST),
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
  installActivationProbe();
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  if (extension) probe = installApiProbe(extension.extensionPath);
  log(`suite started in VS Code ${vscode.version}, extension host pid ${process.pid}`);
  // Without the demo cluster or the chart sources (VSCODE_TEST_NO_CLUSTER=1, VSCODE_TEST_NO_CHARTS=1)
  // their tests cannot run: each is reported as not run, a failure, never left out of the count.
  const unless = (group: SuiteTest[], notRun: string | undefined): Array<SuiteTest & { notRun: string | undefined }> => group.map((t) => ({ ...t, notRun }));
  const all = [
    ...unless(tests, undefined),
    ...unless(clusterTests, config.cluster ? undefined : 'the harness started no demo cluster (VSCODE_TEST_NO_CLUSTER=1)'),
    ...unless(realClusterTests, config.cluster?.kind === 'real' ? undefined : 'the demo cluster is the simulator: build the real one (npm run cluster:build)'),
    ...unless(chartTests, config.charts ? undefined : 'the harness started no chart sources (VSCODE_TEST_NO_CHARTS=1)'),
  ];
  for (const t of all) {
    const start = Date.now();
    if (t.notRun) {
      outcomes.push({ name: t.name, ok: false, ms: 0, error: `not run: ${t.notRun}` });
      log(`FAIL ${t.name}: not run, ${t.notRun}`);
      continue;
    }
    const needed = t.dependsOn === undefined ? undefined : outcomes.find((o) => o.name === t.dependsOn);
    if (needed && !needed.ok) {
      outcomes.push({ name: t.name, ok: false, ms: 0, error: `not run: it needs "${t.dependsOn}", which failed` });
      log(`FAIL ${t.name}: not run, "${t.dependsOn}" failed`);
      continue;
    }
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
