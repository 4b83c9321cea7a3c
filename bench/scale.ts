/**
 * Scale benchmark: a workspace of 5,000 applications (Namespace, source, HelmRelease and values
 * ConfigMap, each in its own file, plus a kustomization.yaml per application giving the namespace).
 *
 * (a) scanWorkspace in this process, with two workers and in the calling thread: time to a complete
 *     index, heap and RSS afterwards;
 * (b) our server over stdio: `initialized` → `helmRelease/indexStatus` ready, the server's memory, and
 *     how fast a change on disk (a source renamed, then renamed back) reaches the diagnostics of the
 *     open HelmRelease that refers to it.
 *
 *   node dist/bench.js --scale-only [--apps 5000] [--saves 20]
 */
import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { pathToFileURL } from 'url';
import type { ClientCapabilities, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { scanWorkspace, type ScanResult } from '../server/src/node/workspaceScanner';
import { WorkspaceIndex } from '../server/src/service/workspace/workspaceIndex';
import { LspSession, withTimeout, type Memory } from './lspSession';

const REPO = path.resolve(__dirname, '..');
const INDEX_STATUS = 'helmRelease/indexStatus';
const MISSING_REFERENCE = 'missing-reference';
const STEP_TIMEOUT_MS = 120_000;
const SAVE_TIMEOUT_MS = 10_000;
const TARGETS = { indexMs: 3_000, memoryMiB: 300, updateMs: 50, problemsMs: 10_000 };

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

// ---------------------------------------------------------------------------------------------
// The workspace

interface Workspace {
  root: string;
  apps: number;
  files: number;
  bytes: number;
  /** The application whose source the update measure renames. */
  release: { path: string; uri: string; text: string };
  source: { path: string; text: string; renamed: string };
}

const appName = (i: number) => `app-${String(i).padStart(4, '0')}`;

function sourceFile(i: number, name: string): string {
  if (i % 2 === 0) {
    return `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: ${name}
spec:
  interval: 1h
  url: https://charts.example.com/${appName(i)}
`;
  }
  return `apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata:
  name: ${name}
spec:
  interval: 1h
  url: oci://registry.example.com/charts/${appName(i)}
  ref:
    semver: ">=1.0.0"
`;
}

function releaseFile(i: number): string {
  const name = appName(i);
  const chart =
    i % 2 === 0
      ? `  chart:
    spec:
      chart: ${name}
      version: "1.x"
      sourceRef:
        kind: HelmRepository
        name: ${name}-charts
`
      : `  chartRef:
    kind: OCIRepository
    name: ${name}-charts
`;
  return `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: ${name}
spec:
  interval: 10m
${chart}  install:
    remediation:
      retries: 3
  valuesFrom:
    - kind: ConfigMap
      name: ${name}-values
      valuesKey: values.yaml
  values:
    replicaCount: ${1 + (i % 3)}
`;
}

function generateWorkspace(apps: number): Workspace {
  const root = mkdtempSync(path.join(os.tmpdir(), 'helmrelease-scale-'));
  let files = 0;
  let bytes = 0;
  // `--layout flat`: exactly the issue's 20,000 files, namespaces written in metadata, no kustomizations.
  const flat = option('layout') === 'flat';
  const put = (file: string, original: string) => {
    if (flat && path.basename(file) === 'kustomization.yaml') return;
    const text = flat && !original.includes('kind: Namespace') ? original.replace(/^metadata:\n {2}name: (.*)\n/m, (m) => `${m}  namespace: ${path.basename(path.dirname(file))}\n`) : original;
    writeFileSync(file, text);
    files++;
    bytes += Buffer.byteLength(text);
  };
  for (let i = 0; i < apps; i++) {
    const name = appName(i);
    const dir = path.join(root, 'apps', name);
    mkdirSync(dir, { recursive: true });
    put(path.join(dir, 'namespace.yaml'), `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`);
    put(path.join(dir, 'source.yaml'), sourceFile(i, `${name}-charts`));
    put(path.join(dir, 'release.yaml'), releaseFile(i));
    put(
      path.join(dir, 'values.yaml'),
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}-values\ndata:\n  values.yaml: |\n    image:\n      repository: registry.example.com/${name}\n      tag: "1.${i % 10}.0"\n    resources:\n      requests:\n        cpu: 100m\n`,
    );
    put(
      path.join(dir, 'kustomization.yaml'),
      `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ${name}\nresources:\n  - namespace.yaml\n  - source.yaml\n  - values.yaml\n  - release.yaml\n`,
    );
  }
  const dir = path.join(root, 'apps', appName(0));
  const releasePath = path.join(dir, 'release.yaml');
  const sourcePath = path.join(dir, 'source.yaml');
  return {
    root,
    apps,
    files,
    bytes,
    release: { path: releasePath, uri: pathToFileURL(releasePath).href, text: readFileSync(releasePath, 'utf8') },
    source: { path: sourcePath, text: readFileSync(sourcePath, 'utf8'), renamed: sourceFile(0, `${appName(0)}-charts-renamed`) },
  };
}

// ---------------------------------------------------------------------------------------------
// Statistics and formatting

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function p95(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]!;
}

function ms(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (value < 10) return `${value.toFixed(2)} ms`;
  if (value < 100) return `${value.toFixed(1)} ms`;
  return `${Math.round(value).toLocaleString('en-US')} ms`;
}

function mib(value: number | null | undefined): string {
  return value === null || value === undefined || Number.isNaN(value) ? '—' : `${value.toFixed(0)} MiB`;
}

const toMiB = (bytes: number) => bytes / 2 ** 20;

function verdict(value: number | null | undefined, target: number): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  return value <= target ? 'yes' : '**no**';
}

const gc = () => (globalThis as { gc?: () => void }).gc?.();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// (a) In process

interface InProcessRun {
  workers: number;
  durationMs: number[];
  result: ScanResult;
  indexFiles: number;
  heapUsedMiB: number;
  rssMiB: number;
  /** Longest the event loop of this thread went without a turn during the last scan. */
  longestStallMs: number;
}

async function inProcess(workspace: Workspace, workers: number, runs: number): Promise<InProcessRun> {
  const durations: number[] = [];
  let last: { result: ScanResult; index: WorkspaceIndex; stall: number } | undefined;
  for (let run = 0; run < runs; run++) {
    last = undefined;
    gc();
    const index = new WorkspaceIndex();
    index.setFolders([workspace.root]);
    let stall = 0;
    let tick = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      stall = Math.max(stall, now - tick);
      tick = now;
    }, 5);
    const started = performance.now();
    const result = await scanWorkspace({
      folders: [workspace.root],
      exclude: [],
      maxFileSize: 10 * 2 ** 20,
      workers,
      onFile: (uri, filePath, facts) => index.setFile(uri, facts, filePath),
    });
    durations.push(performance.now() - started);
    clearInterval(timer);
    last = { result, index, stall };
  }
  gc();
  const memory = process.memoryUsage();
  return {
    workers,
    durationMs: durations,
    result: last!.result,
    indexFiles: last!.index.fileCount,
    heapUsedMiB: toMiB(memory.heapUsed),
    rssMiB: toMiB(memory.rss),
    longestStallMs: last!.stall,
  };
}

// ---------------------------------------------------------------------------------------------
// (b) Our server over stdio

interface IndexStatusParams {
  state: 'indexing' | 'ready';
  files: number;
  durationMs?: number;
  skipped?: number;
  problems?: number;
}

interface ServerRun {
  /** `initialized` sent → `helmRelease/indexStatus` ready received. */
  readyMs: number | null;
  /** `initialized` sent → the background check of every closed file done (its progress ends). */
  checkedMs: number | null;
  /** Closed files the server published problems for. */
  filesWithProblems: number;
  /** Completion after an edit in an open document, ms, while the closed files were being checked. */
  typingDuringCheck: number[];
  status: IndexStatusParams | null;
  afterIndex: Memory | null;
  afterSaves: Memory | null;
  /** The open release's diagnostics before any change had no missing-reference. */
  cleanAtOpen: boolean | null;
  show: number[];
  clear: number[];
  failure: string | null;
  stderr: string;
  problems: string[];
}

const CAPABILITIES: ClientCapabilities = {
  workspace: {
    configuration: true,
    workspaceFolders: true,
    didChangeConfiguration: { dynamicRegistration: true },
    didChangeWatchedFiles: { dynamicRegistration: true },
  },
  textDocument: {
    synchronization: { dynamicRegistration: true, didSave: true },
    publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
  },
  // As VS Code: the server's background checks show their progress.
  window: { workDoneProgress: true },
};

const hasMissingReference = (p: PublishDiagnosticsParams) => p.diagnostics.some((d) => d.code === MISSING_REFERENCE);

async function overStdio(workspace: Workspace, saves: number): Promise<ServerRun> {
  const out: ServerRun = { readyMs: null, checkedMs: null, filesWithProblems: 0, typingDuringCheck: [], status: null, afterIndex: null, afterSaves: null, cleanAtOpen: null, show: [], clear: [], failure: null, stderr: '', problems: [] };
  const session = new LspSession({
    name: 'ours',
    command: process.execPath,
    args: [path.join(REPO, 'dist/server.js'), '--stdio'],
    cwd: workspace.root,
    configuration: () => null,
  });
  const crashed = session.crashed();
  crashed.catch(() => undefined);
  const step = <T>(promise: Promise<T>, what: string, ms = STEP_TIMEOUT_MS) => withTimeout(Promise.race([promise, crashed]), ms, what);
  let resolveReady: (at: { at: number; params: IndexStatusParams }) => void = () => undefined;
  const ready = new Promise<{ at: number; params: IndexStatusParams }>((resolve) => (resolveReady = resolve));
  session.connection.onNotification(INDEX_STATUS, (params: IndexStatusParams) => {
    if (params.state === 'ready') resolveReady({ at: performance.now(), params });
  });
  let resolveChecked: (at: number) => void = () => undefined;
  const checked = new Promise<number>((resolve) => (resolveChecked = resolve));
  session.connection.onNotification('$/progress', (params: { value?: { kind?: string } }) => {
    if (params.value?.kind === 'end') resolveChecked(performance.now());
  });
  const { uri } = workspace.release;
  try {
    const rootUri = pathToFileURL(workspace.root).href;
    await step(
      session.initialize({
        processId: process.pid,
        clientInfo: { name: 'flux-helmrelease-bench', version: '1' },
        initializationOptions: { trusted: false },
        rootUri,
        workspaceFolders: [{ uri: rootUri, name: path.basename(workspace.root) }],
        capabilities: CAPABILITIES,
      }),
      'initialize',
    );
    const sent = performance.now();
    await session.notify('initialized', {});
    const status = await step(ready, `initialized → ${INDEX_STATUS} ready`);
    out.readyMs = status.at - sent;
    out.status = status.params;
    // While every closed file is checked in the background, the user types in an editor: completion
    // after each edit must not wait for the background work.
    let checkedAt: number | undefined;
    void checked.then((at) => (checkedAt = at));
    const typingUri = 'untitled:typing.yaml';
    const lines = workspace.release.text.split('\n');
    const installLine = lines.indexOf('  install:');
    lines.splice(installLine + 1, 0, '    ');
    await session.notify('textDocument/didOpen', { textDocument: { uri: typingUri, languageId: 'yaml', version: 1, text: lines.join('\n') } });
    const retriesLine = lines.indexOf('      retries: 3');
    for (let i = 0; i < 200 && checkedAt === undefined; i++) {
      const digit = String((i % 9) + 1);
      await session.didChange(typingUri, i + 2, { range: { start: { line: retriesLine, character: 15 }, end: { line: retriesLine, character: 16 } }, text: digit });
      const t = performance.now();
      await step(session.completion(typingUri, { line: installLine + 1, character: 4 }), 'completion while the background check runs');
      out.typingDuringCheck.push(performance.now() - t);
      await sleep(20);
    }
    out.checkedMs = (await step(checked, 'every closed file checked (progress end)')) - sent;
    out.filesWithProblems = new Set(session.publications.filter((p) => p.params.diagnostics.length > 0).map((p) => p.params.uri)).size;
    await sleep(200);
    out.afterIndex = session.memory() ?? null;

    const before = session.lastSeq;
    await session.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text: workspace.release.text } });
    const opened = await step(session.diagnosticsAfter(before, (p) => p.uri === uri), 'didOpen → diagnostics');
    await step(session.quiet(500), 'settling after open');
    const latest = [...session.publications].reverse().find((p) => p.params.uri === uri) ?? opened;
    out.cleanAtOpen = !hasMissingReference(latest.params);

    const sourceUri = pathToFileURL(workspace.source.path).href;
    for (let i = 0; i < saves; i++) {
      const rename = i % 2 === 0;
      const seq = session.lastSeq;
      const started = performance.now();
      writeFileSync(workspace.source.path, rename ? workspace.source.renamed : workspace.source.text);
      await session.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: sourceUri, type: 2 }] });
      const published = await step(
        session.diagnosticsAfter(seq, (p) => p.uri === uri && hasMissingReference(p) === rename),
        `save #${i + 1} → ${rename ? 'missing-reference shown' : 'missing-reference cleared'}`,
        SAVE_TIMEOUT_MS,
      );
      (rename ? out.show : out.clear).push(published.at - started);
      await session.quiet(100);
    }
    out.afterSaves = session.memory() ?? null;
  } catch (error) {
    out.failure = error instanceof Error ? error.message : String(error);
  } finally {
    writeFileSync(workspace.source.path, workspace.source.text);
    await session.stop();
    out.stderr = session.stderr.join('');
    out.problems = session.problems;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

/** Runs the scale benchmark and returns its report as markdown. */
export async function runScaleBench(): Promise<string> {
  const apps = Math.max(1, Number(option('apps') ?? 5000));
  const saves = Math.max(10, Number(option('saves') ?? 20));
  const runs = Math.max(1, Number(option('scan-runs') ?? 3));
  const lines: string[] = [];
  const generationStarted = performance.now();
  const workspace = generateWorkspace(apps);
  const generationMs = performance.now() - generationStarted;
  // Let the kernel write the new files back first, so that writeback does not compete with the measures.
  spawnSync('sync', { stdio: 'ignore' });
  process.stderr.write(`scale: generated ${workspace.files.toLocaleString('en-US')} files in ${Math.round(generationMs)} ms under ${workspace.root}\n`);
  try {
    const baseline = (gc(), process.memoryUsage());
    process.stderr.write('scale: in-process scans… ');
    const threaded = await inProcess(workspace, 2, runs);
    const inline = await inProcess(workspace, 0, runs);
    process.stderr.write('done\nscale: server over stdio… ');
    const server = await overStdio(workspace, saves);
    process.stderr.write(`${server.failure ?? 'done'}\n`);

    lines.push(`## Scale: a workspace of ${apps.toLocaleString('en-US')} applications\n`);
    lines.push(
      `${workspace.files.toLocaleString('en-US')} YAML files, ${(workspace.bytes / 2 ** 20).toFixed(1)} MiB: per application \`apps/<name>/\` holds a Namespace, ` +
        `a source (HelmRepository or OCIRepository, alternately), a HelmRelease referring to it (\`chart.spec.sourceRef\` or \`chartRef\`) and to a values ConfigMap ` +
        `(\`valuesFrom\`), each in its own file, ${option('layout') === 'flat' ? 'with `metadata.namespace` written in each object (no kustomizations)' : 'and a kustomization.yaml that sets the namespace (objects have no `metadata.namespace`)'}. Files freshly written and synced (in the page cache). ` +
        `${os.cpus().length} cores, Node ${process.version}.\n`,
    );
    lines.push('| measure | value | target | met |');
    lines.push('|---|---|---|---|');
    const scanRow = (r: InProcessRun) => {
      const best = Math.min(...r.durationMs);
      lines.push(
        `| \`scanWorkspace\` → complete index, workers: ${r.workers} (median of ${r.durationMs.length}; best ${ms(best)}) | ${ms(median(r.durationMs))} | ≤ ${ms(TARGETS.indexMs)} | ${verdict(median(r.durationMs), TARGETS.indexMs)} |`,
      );
    };
    scanRow(threaded);
    scanRow(inline);
    lines.push(`| in-process heap after indexing (index alive; bench process at start: ${mib(toMiB(baseline.heapUsed))}) | ${mib(threaded.heapUsedMiB)} | | |`);
    lines.push(`| in-process RSS after indexing (bench process at start: ${mib(toMiB(baseline.rss))}) | ${mib(threaded.rssMiB)} | | |`);
    lines.push(`| longest event-loop stall during a scan, workers: 2 / 0 | ${ms(threaded.longestStallMs)} / ${ms(inline.longestStallMs)} | | |`);
    lines.push(`| server: \`initialized\` → \`${INDEX_STATUS}\` ready | ${ms(server.readyMs)} | ≤ ${ms(TARGETS.indexMs)} | ${verdict(server.readyMs, TARGETS.indexMs)} |`);
    lines.push(`| server: \`initialized\` → every closed file checked, Problems view complete (${server.filesWithProblems} files with problems) | ${ms(server.checkedMs)} | ≤ ${ms(TARGETS.problemsMs)} | ${verdict(server.checkedMs, TARGETS.problemsMs)} |`);
    const typing = median(server.typingDuringCheck);
    lines.push(`| … completion after an edit while that check runs, median of ${server.typingDuringCheck.length} (p95) | ${ms(typing)} (${ms(p95(server.typingDuringCheck))}) | ≤ 5 ms | ${verdict(typing, 5)} |`);
    lines.push(`| server: indexing time it reports (\`durationMs\`) | ${ms(server.status?.durationMs)} | | |`);
    lines.push(`| server RSS after indexing (VmRSS) | ${mib(server.afterIndex?.rssMiB)} | ≤ ${TARGETS.memoryMiB} MiB | ${verdict(server.afterIndex?.rssMiB, TARGETS.memoryMiB)} |`);
    lines.push(`| server peak RSS (VmHWM) after indexing / after the saves | ${mib(server.afterIndex?.hwmMiB)} / ${mib(server.afterSaves?.hwmMiB)} | ≤ ${TARGETS.memoryMiB} MiB | ${verdict(server.afterSaves?.hwmMiB ?? server.afterIndex?.hwmMiB, TARGETS.memoryMiB)} |`);
    const all = [...server.show, ...server.clear];
    lines.push(`| one-file change on disk → diagnostics of the open release, median of ${all.length} (p95) | ${ms(median(all))} (${ms(p95(all))}) | ≤ ${ms(TARGETS.updateMs)} | ${verdict(median(all), TARGETS.updateMs)} |`);
    lines.push(`| … source renamed: \`${MISSING_REFERENCE}\` shown, median of ${server.show.length} | ${ms(median(server.show))} | | |`);
    lines.push(`| … renamed back: \`${MISSING_REFERENCE}\` cleared, median of ${server.clear.length} | ${ms(median(server.clear))} | | |`);

    lines.push('');
    lines.push(
      `In process: files found ${threaded.result.files.toLocaleString('en-US')} (workers: 2) / ${inline.result.files.toLocaleString('en-US')} (workers: 0), ` +
        `index ${threaded.indexFiles.toLocaleString('en-US')} files, ${threaded.result.problems.length + inline.result.problems.length} problems. ` +
        `Server: ${server.status ? `ready with ${server.status.files.toLocaleString('en-US')} files` : 'never ready'}` +
        `${server.cleanAtOpen === null ? '' : server.cleanAtOpen ? '; the open release had no missing reference before the changes' : `; **the open release already had a \`${MISSING_REFERENCE}\` before the changes**`}. ` +
        `Update: the source file of \`${appName(0)}\` is rewritten with its name changed (or back) and \`workspace/didChangeWatchedFiles\` sent; timed from the write ` +
        `to the \`publishDiagnostics\` of the open HelmRelease that shows (or no longer shows) \`${MISSING_REFERENCE}\`.`,
    );
    const notes: string[] = [];
    if (threaded.result.files !== workspace.files) notes.push(`workers: 2 found ${threaded.result.files} files of ${workspace.files}`);
    if (inline.result.files !== workspace.files) notes.push(`workers: 0 found ${inline.result.files} files of ${workspace.files}`);
    for (const p of [...threaded.result.problems, ...inline.result.problems].slice(0, 5)) notes.push(`scan problem: ${p}`);
    if (server.status && server.status.files !== workspace.files) notes.push(`the server reported ${server.status.files} files of ${workspace.files}`);
    if (server.failure) notes.push(`server: ${server.failure}`);
    if (server.stderr.trim()) notes.push(`server stderr: ${server.stderr.trim().slice(0, 1000)}`);
    for (const p of server.problems.slice(0, 5)) notes.push(`server: ${p.slice(0, 500)}`);
    if (notes.length) lines.push(`\n### Scale notes\n\n${notes.map((n) => `- ${n}`).join('\n')}`);
  } finally {
    rmSync(workspace.root, { recursive: true, force: true });
  }
  return lines.join('\n');
}
