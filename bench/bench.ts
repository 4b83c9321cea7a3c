/**
 * Benchmark: our language server against yaml-language-server configured with the HelmRelease JSON
 * Schema, on files of about 60, 6,000 and 60,000 lines of HelmReleases.
 *
 *   npm run bench                      # everything, then the scale section (bench/scale.ts)
 *   node dist/bench.js --sizes 60,6000 --servers ours --iterations 5
 *   node dist/bench.js --scale-only    # only the scale section: a workspace of 5,000 applications
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { performance } from 'perf_hooks';
import type { ClientCapabilities, CompletionItem, CompletionList, Hover, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { helmReleaseJsonSchema } from './crdSchema';
import { generateFile, workspaceFiles, type GeneratedFile, type ReleaseTargets, type Spot } from './generate';
import { LspSession, TimeoutError, withTimeout, type Memory, type SessionOptions } from './lspSession';
import { runScaleBench } from './scale';
import { runValuesBench } from './values';

const REPO = path.resolve(__dirname, '..');
const STEP_TIMEOUT_MS = 120_000;
/** After the first diagnostics of a document, wait until none came for this long before editing. */
const SETTLE_MS = 1_000;

// ---------------------------------------------------------------------------------------------
// Options

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const ITERATIONS = Math.max(1, Number(option('iterations') ?? 30));
const SIZES = (option('sizes') ?? '60,6000,60000,300000').split(',').map(Number);
/** yaml-language-server takes seconds per request from about 60,000 lines on: larger files are ours only. */
const OTHER_SERVERS_UP_TO_LINES = 100_000;
const SERVER_IDS = (option('servers') ?? 'ours,yaml-language-server').split(',');

// ---------------------------------------------------------------------------------------------
// Statistics

interface Samples {
  n: number;
  median: number | null;
  p95: number | null;
  min: number | null;
  max: number | null;
  /** Whether the series was cut short by a timeout. */
  timedOut: boolean;
  samples: number[];
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

function summarize(samples: number[], timedOut: boolean): Samples {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 1000);
  return {
    n: samples.length,
    median: round(percentile(sorted, 0.5)),
    p95: round(percentile(sorted, 0.95)),
    min: round(sorted[0] ?? null),
    max: round(sorted[sorted.length - 1] ?? null),
    timedOut,
    samples: samples.map((s) => round(s)!),
  };
}

// ---------------------------------------------------------------------------------------------
// Servers

interface ServerDefinition {
  id: string;
  label: string;
  version: string;
  session: (workdir: string) => SessionOptions;
  /** What the client does after `initialized`, before opening documents. */
  afterInitialized: (session: LspSession) => Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function packageVersion(file: string): string {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? '?';
  } catch {
    return '?';
  }
}

function servers(schemaUri: string, glob: string): ServerDefinition[] {
  const yamlSettings = {
    schemas: { [schemaUri]: glob },
    validate: true,
    completion: true,
    hover: true,
    format: { enable: true },
    // No network here: the schema store catalogue and the CRD store would only be fetched in vain.
    schemaStore: { enable: false },
    kubernetesCRDStore: { enable: false },
  };
  const yamlLanguageServer = path.join(REPO, 'node_modules/yaml-language-server');
  return [
    {
      id: 'ours',
      label: 'ours',
      version: packageVersion(path.join(REPO, 'package.json')),
      session: (cwd) => ({
        name: 'ours',
        command: process.execPath,
        // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles our server during the runs.
        args: [...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), path.join(REPO, 'dist/server.js'), '--stdio'],
        cwd,
        configuration: () => null,
      }),
      afterInitialized: async (session) => {
        // What vscode-languageclient does in pull mode once the server registered for changes.
        await session.notify('workspace/didChangeConfiguration', { settings: null });
        await sleep(500);
      },
    },
    {
      id: 'yaml-language-server',
      label: 'yaml-language-server',
      version: packageVersion(path.join(yamlLanguageServer, 'package.json')),
      session: (cwd) => ({
        name: 'yaml-language-server',
        command: process.execPath,
        args: [path.join(yamlLanguageServer, 'bin/yaml-language-server'), '--stdio'],
        cwd,
        configuration: (item) => {
          switch (item.section) {
            case 'yaml':
              return yamlSettings;
            case 'http':
              return { proxy: '', proxyStrictSSL: true };
            case '[yaml]':
              return { 'editor.tabSize': 2, 'editor.insertSpaces': true, 'editor.autoIndent': 'keep' };
            case 'editor':
              return { tabSize: 4, insertSpaces: true, detectIndentation: true };
            default:
              return null;
          }
        },
      }),
      afterInitialized: async (session) => {
        // As VS Code does: the server then pulls `yaml`, `http`, `[yaml]` and `editor`.
        const pulled = session.nextConfigurationRequest();
        await session.notify('workspace/didChangeConfiguration', { settings: { yaml: yamlSettings } });
        await withTimeout(pulled, 10_000, 'configuration pull after didChangeConfiguration').catch(() => undefined);
        await sleep(500);
      },
    },
  ];
}

/** Roughly what VS Code declares, for the parts these servers look at. */
const CAPABILITIES: ClientCapabilities = {
  workspace: {
    configuration: true,
    workspaceFolders: true,
    didChangeConfiguration: { dynamicRegistration: true },
    didChangeWatchedFiles: { dynamicRegistration: true },
  },
  textDocument: {
    synchronization: { dynamicRegistration: true, didSave: true, willSave: true },
    completion: {
      dynamicRegistration: true,
      contextSupport: true,
      completionItem: {
        snippetSupport: true,
        documentationFormat: ['markdown', 'plaintext'],
        insertReplaceSupport: true,
        labelDetailsSupport: true,
      },
    },
    hover: { dynamicRegistration: true, contentFormat: ['markdown', 'plaintext'] },
    publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
    formatting: { dynamicRegistration: true },
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
  },
};

// ---------------------------------------------------------------------------------------------
// One run: one server process, one file

interface BenchFile {
  label: string;
  targetLines: number;
  lines: number;
  bytes: number;
  releases: number;
  problems: number;
  path: string;
  uri: string;
  generated: GeneratedFile;
}

interface RunResult {
  server: string;
  file: string;
  /** ms from didOpen to the first publishDiagnostics for the document; null: not measured. */
  openMs: number | null;
  openDiagnostics: number | null;
  /** Diagnostics of the last publication seen. */
  finalDiagnostics: number | null;
  /** ms from didOpen to the last publication before the server went quiet (cross-file checks wait for the workspace index). */
  settledMs: number | null;
  settledDiagnostics: number | null;
  /** Whether the settled diagnostics after the edits (which change no validity) equal the settled ones on open. */
  settledEqual: boolean | null;
  sampleOpenDiagnostics: string[];
  publishesVersion: boolean | null;
  completion: Samples;
  hover: Samples;
  editDiagnostics: Samples;
  /** Completion answers: item counts, and how many lacked the expected `disableWait`. */
  completionItems: number[];
  completionMissingExpected: number;
  /** Hover answers: characters of content; how many were empty. */
  hoverChars: number[];
  hoverEmpty: number;
  memory: Memory | null;
  /** What went wrong: a timeout, an exception, a crash. */
  failure: string | null;
  stderr: string;
  problems: string[];
  serverRequests: Record<string, number>;
  exit: string | null;
  wallSeconds: number;
}

/** Diagnostics as sorted comparable lines: code, range, severity, message. */
function comparable(diagnostics: PublishDiagnosticsParams['diagnostics']): string[] {
  return diagnostics.map((d) => `${String(d.code)} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.severity} ${typeof d.message === 'string' ? d.message : ''}`).sort();
}

function completionLabels(answer: CompletionItem[] | CompletionList | null): string[] {
  if (!answer) return [];
  const items = Array.isArray(answer) ? answer : answer.items;
  return items.map((item) => item.label);
}

function hoverText(answer: Hover | null): string {
  if (!answer) return '';
  const contents = answer.contents;
  const one = (c: unknown): string => (typeof c === 'string' ? c : ((c as { value?: string }).value ?? ''));
  return Array.isArray(contents) ? contents.map(one).join('\n') : one(contents);
}

/** The local copy of the document and the small edits the benchmark types into it. */
class EditedDocument {
  readonly lines: string[];
  version = 1;
  private typed = 0;
  /** The line of a blank line typed with Enter and not yet removed: positions below it move down one. */
  private inserted?: number;

  constructor(private readonly file: GeneratedFile) {
    this.lines = [...file.lines];
  }

  target(i: number): ReleaseTargets {
    return this.file.targets[i % 3]!;
  }

  /** A position of the generated file in the document as edited now. */
  at(spot: Spot): Spot {
    return { line: spot.line + (this.inserted !== undefined && this.inserted <= spot.line ? 1 : 0), character: spot.character };
  }

  /**
   * Edit i, in turn: a digit changed in `values.replicaCount`; a character typed at the end of
   * `values.image.repository`; Enter pressed at the end of that line (a new indented line); that
   * line removed again (the text has as many lines as before).
   */
  next(i: number): { version: number; range: { start: Spot; end: Spot }; text: string } {
    const t = this.target(i);
    this.version++;
    switch (i % 4) {
      case 0: {
        const { line, character } = this.at(t.number);
        const old = Number(this.lines[line]![character]);
        const digit = String((old % 9) + 1);
        this.lines[line] = this.lines[line]!.slice(0, character) + digit + this.lines[line]!.slice(character + 1);
        return { version: this.version, range: { start: { line, character }, end: { line, character: character + 1 } }, text: digit };
      }
      case 1: {
        const { line } = this.at(t.typing);
        const character = this.lines[line]!.length;
        const text = 'abcdefghijklmnopqrstuvwxyz'[this.typed++ % 26]!;
        this.lines[line] += text;
        return { version: this.version, range: { start: { line, character }, end: { line, character } }, text };
      }
      case 2: {
        const { line } = this.at(t.typing);
        const character = this.lines[line]!.length;
        this.lines.splice(line + 1, 0, '      ');
        this.inserted = line + 1;
        return { version: this.version, range: { start: { line, character }, end: { line, character } }, text: '\n      ' };
      }
      default: {
        const line = this.inserted!;
        const start = { line: line - 1, character: this.lines[line - 1]!.length };
        const end = { line, character: this.lines[line]!.length };
        this.lines.splice(line, 1);
        this.inserted = undefined;
        return { version: this.version, range: { start, end }, text: '' };
      }
    }
  }
}

async function run(server: ServerDefinition, file: BenchFile, workdir: string): Promise<RunResult> {
  const started = performance.now();
  const session = new LspSession(server.session(workdir));
  const result: RunResult = {
    server: server.id,
    file: file.label,
    openMs: null,
    openDiagnostics: null,
    finalDiagnostics: null,
    settledMs: null,
    settledDiagnostics: null,
    settledEqual: null,
    sampleOpenDiagnostics: [],
    publishesVersion: null,
    completion: summarize([], false),
    hover: summarize([], false),
    editDiagnostics: summarize([], false),
    completionItems: [],
    completionMissingExpected: 0,
    hoverChars: [],
    hoverEmpty: 0,
    memory: null,
    failure: null,
    stderr: '',
    problems: [],
    serverRequests: {},
    exit: null,
    wallSeconds: 0,
  };
  const completionMs: number[] = [];
  const hoverMs: number[] = [];
  const editMs: number[] = [];
  let phase = 'initialize';
  const crashed = session.crashed();
  crashed.catch(() => undefined);
  const step = <T>(promise: Promise<T>, what: string) =>
    withTimeout(Promise.race([promise, crashed]), STEP_TIMEOUT_MS, `${server.id} ${file.label}: ${what}`);
  const { uri } = file;
  const forVersion = (version: number) => (p: PublishDiagnosticsParams) =>
    p.uri === uri && (result.publishesVersion ? p.version === version : true);

  try {
    const dirUri = pathToFileURL(workdir).href;
    await step(
      session.initialize({
        processId: process.pid,
        clientInfo: { name: 'flux-helmrelease-bench', version: '1' },
        initializationOptions: { trusted: false },
        locale: 'en',
        rootUri: dirUri,
        workspaceFolders: [{ uri: dirUri, name: path.basename(workdir) }],
        capabilities: CAPABILITIES,
      }),
      'initialize',
    );
    await session.notify('initialized', {});
    await server.afterInitialized(session);

    phase = 'open';
    const text = file.generated.lines.join('\n');
    const before = session.lastSeq;
    const sent = performance.now();
    await session.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    const first = await step(session.diagnosticsAfter(before, (p) => p.uri === uri), 'didOpen → diagnostics');
    result.openMs = first.at - sent;
    result.openDiagnostics = first.params.diagnostics.length;
    result.publishesVersion = first.params.version !== undefined && first.params.version !== null;
    result.sampleOpenDiagnostics = first.params.diagnostics
      .slice(0, 4)
      .map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${(typeof d.message === 'string' ? d.message : d.message.value).split('\n')[0]}`);
    await step(session.quiet(SETTLE_MS), 'settling after open');
    const settledOnOpen = [...session.publications].reverse().find((p) => p.params.uri === uri)!;
    result.settledMs = settledOnOpen.at - sent;
    result.settledDiagnostics = settledOnOpen.params.diagnostics.length;

    const doc = new EditedDocument(file.generated);

    phase = 'completion and hover after edits';
    for (let i = 0; i < ITERATIONS; i++) {
      const edit = doc.next(i);
      const target = doc.target(i);
      const seq = session.lastSeq;
      await session.didChange(uri, edit.version, { range: edit.range, text: edit.text });
      let t = performance.now();
      const completion = await step(session.completion(uri, doc.at(target.completion)), `completion #${i + 1}`);
      completionMs.push(performance.now() - t);
      const labels = completionLabels(completion);
      result.completionItems.push(labels.length);
      if (!labels.includes('disableWait')) result.completionMissingExpected++;
      t = performance.now();
      const hover = await step(session.hover(uri, doc.at(target.hover)), `hover #${i + 1}`);
      hoverMs.push(performance.now() - t);
      const content = hoverText(hover);
      result.hoverChars.push(content.length);
      if (content.trim() === '') result.hoverEmpty++;
      // Let the diagnostics of this edit come before the next one.
      await step(session.diagnosticsAfter(seq, forVersion(edit.version)), `diagnostics after edit #${i + 1}`);
    }

    phase = 'edit → diagnostics';
    for (let i = 0; i < ITERATIONS; i++) {
      const edit = doc.next(i + ITERATIONS);
      const seq = session.lastSeq;
      const sentAt = performance.now();
      await session.didChange(uri, edit.version, { range: edit.range, text: edit.text });
      const publication = await step(session.diagnosticsAfter(seq, forVersion(edit.version)), `edit #${i + 1} → diagnostics`);
      editMs.push(publication.at - sentAt);
    }
    phase = 'settling after the edits';
    await step(session.quiet(SETTLE_MS), 'settling after the edits');
    const settledAfterEdits = [...session.publications].reverse().find((p) => p.params.uri === uri)!;
    result.settledEqual = JSON.stringify(comparable(settledAfterEdits.params.diagnostics)) === JSON.stringify(comparable(settledOnOpen.params.diagnostics));
    phase = 'done';
  } catch (error) {
    result.failure =
      error instanceof TimeoutError
        ? `${error.message} (during ${phase})`
        : `${phase}: ${error instanceof Error ? error.message : String(error)}`;
  }
  const timedOut = result.failure !== null && result.failure.startsWith('timeout');
  result.completion = summarize(completionMs, timedOut && completionMs.length < ITERATIONS);
  result.hover = summarize(hoverMs, timedOut && hoverMs.length < ITERATIONS);
  result.editDiagnostics = summarize(editMs, timedOut && editMs.length < ITERATIONS);
  const last = [...session.publications].reverse().find((p) => p.params.uri === uri);
  result.finalDiagnostics = last ? last.params.diagnostics.length : null;
  result.memory = session.memory() ?? null;
  if (session.exit && !result.failure) result.failure = `server exited during ${phase}`;
  await session.stop();
  result.exit = session.exit ? `code ${session.exit.code ?? '-'} signal ${session.exit.signal ?? '-'}` : null;
  result.stderr = session.stderr.join('');
  result.problems = session.problems;
  result.serverRequests = Object.fromEntries(session.serverRequests);
  result.wallSeconds = Math.round((performance.now() - started) / 100) / 10;
  return result;
}

// ---------------------------------------------------------------------------------------------
// Report

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) return match[1]!.trim();
  } catch {
    // not Linux
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

function ms(value: number | null): string {
  if (value === null) return '—';
  if (value < 10) return `${value.toFixed(2)} ms`;
  if (value < 100) return `${value.toFixed(1)} ms`;
  return `${Math.round(value).toLocaleString('en-US')} ms`;
}

function mib(value: number | null | undefined): string {
  return value === null || value === undefined || Number.isNaN(value) ? '—' : `${value.toFixed(0)} MiB`;
}

function ratio(ours: number | null | undefined, theirs: number | null | undefined): string {
  if (ours === null || ours === undefined || theirs === null || theirs === undefined || theirs === 0) return '—';
  const r = ours / theirs;
  return r < 0.01 ? r.toExponential(1) : r < 10 ? r.toFixed(2) : r.toFixed(0);
}

function samplesCell(s: Samples, pick: 'median' | 'p95'): string {
  if (s.n === 0) return s.timedOut ? 'timeout' : '—';
  return `${ms(s[pick])}${s.timedOut ? ` (timeout after ${s.n})` : ''}`;
}

function table(files: BenchFile[], results: RunResult[], serverDefs: ServerDefinition[]): string {
  const [a, b] = [serverDefs[0], serverDefs[1]];
  const header = b
    ? `| File | Measure | ${a!.label} | ${b.label} | ratio ${a!.label}/theirs |\n|---|---|--:|--:|--:|`
    : `| File | Measure | ${a!.label} |\n|---|---|--:|`;
  const rows: string[] = [header];
  for (const file of files) {
    const ra = results.find((r) => r.server === a!.id && r.file === file.label);
    const rb = b ? results.find((r) => r.server === b.id && r.file === file.label) : undefined;
    const fileCell = `${file.lines.toLocaleString('en-US')} lines (${file.releases.toLocaleString('en-US')} HelmRelease${file.releases === 1 ? '' : 's'}, ${Math.round(file.bytes / 1024).toLocaleString('en-US')} KiB)`;
    let first = true;
    const row = (measure: string, cell: (r: RunResult) => string, value?: (r: RunResult) => number | null | undefined) => {
      const cells = [ra ? cell(ra) : '—'];
      if (b) {
        cells.push(rb ? cell(rb) : '—');
        cells.push(value && ra && rb ? ratio(value(ra), value(rb)) : '');
      }
      rows.push(`| ${first ? fileCell : ''} | ${measure} | ${cells.join(' | ')} |`);
      first = false;
    };
    const openCell = (r: RunResult) => (r.openMs === null ? (r.failure?.includes('didOpen') ? 'timeout' : '—') : ms(r.openMs));
    row('open → first diagnostics', openCell, (r) => r.openMs);
    row('open → settled diagnostics (with cross-file checks)', (r) => ms(r.settledMs), (r) => r.settledMs);
    row('completion after edit, median', (r) => samplesCell(r.completion, 'median'), (r) => r.completion.median);
    row('completion after edit, p95', (r) => samplesCell(r.completion, 'p95'), (r) => r.completion.p95);
    row('hover after edit, median', (r) => samplesCell(r.hover, 'median'), (r) => r.hover.median);
    row('hover after edit, p95', (r) => samplesCell(r.hover, 'p95'), (r) => r.hover.p95);
    row('edit → diagnostics, median', (r) => samplesCell(r.editDiagnostics, 'median'), (r) => r.editDiagnostics.median);
    row('edit → diagnostics, p95', (r) => samplesCell(r.editDiagnostics, 'p95'), (r) => r.editDiagnostics.p95);
    row('server RSS after the runs (VmRSS)', (r) => mib(r.memory?.rssMiB), (r) => r.memory?.rssMiB);
    row('server peak RSS (VmHWM)', (r) => mib(r.memory?.hwmMiB), (r) => r.memory?.hwmMiB);
    row(`diagnostics on open, first / settled (${file.problems} planted in the file)`, (r) => (r.openDiagnostics === null ? '—' : `${r.openDiagnostics} / ${r.settledDiagnostics ?? '—'}`));
    row('settled diagnostics after the edits equal those on open', (r) => (r.settledEqual === null ? '—' : r.settledEqual ? 'yes' : 'NO'));
    row('completion items (runs lacking `disableWait`)', (r) =>
      r.completionItems.length === 0 ? '—' : `${Math.min(...r.completionItems)}–${Math.max(...r.completionItems)} (${r.completionMissingExpected})`,
    );
    row('hover chars (empty hovers)', (r) => (r.hoverChars.length === 0 ? '—' : `${Math.min(...r.hoverChars)}–${Math.max(...r.hoverChars)} (${r.hoverEmpty})`));
  }
  return rows.join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const benchStarted = performance.now();
  const workdir = mkdtempSync(path.join(os.tmpdir(), 'helmrelease-bench-'));
  const { schema, source } = helmReleaseJsonSchema(REPO);
  const schemaPath = path.join(workdir, 'helmrelease.schema.json');
  writeFileSync(schemaPath, JSON.stringify(schema, null, 2));
  const glob = 'helmreleases-*.yaml';
  const files: BenchFile[] = SIZES.map((target) => {
    const generated = generateFile(target);
    const label = `~${target.toLocaleString('en-US')} lines`;
    // Each file in a workspace folder of its own, beside the sources, ConfigMaps and charts it refers to.
    const folder = path.join(workdir, `workspace-${target}`);
    for (const [relative, content] of workspaceFiles()) {
      mkdirSync(path.dirname(path.join(folder, relative)), { recursive: true });
      writeFileSync(path.join(folder, relative), content);
    }
    const file = path.join(folder, `helmreleases-${target}.yaml`);
    const text = generated.lines.join('\n');
    writeFileSync(file, text);
    return {
      label,
      targetLines: target,
      lines: generated.lines.length,
      bytes: Buffer.byteLength(text),
      releases: generated.releases,
      problems: generated.problems,
      path: file,
      uri: pathToFileURL(file).href,
      generated,
    };
  });
  const serverDefs = servers(pathToFileURL(schemaPath).href, glob).filter((s) => SERVER_IDS.includes(s.id));
  const machine = { cpu: cpuModel(), cores: os.cpus().length, node: process.version, os: `${os.type()} ${os.release()}`, memoryGiB: Math.round(os.totalmem() / 2 ** 30) };
  const date = new Date().toISOString();
  console.log(`# Benchmark: Flux HelmRelease language server vs yaml-language-server\n`);
  console.log(`${date} — ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.os}`);
  console.log(`Servers: ${serverDefs.map((s) => `${s.label} ${s.version}`).join(', ')}`);
  console.log(`yaml-language-server is set up as users do: \`yaml.schemas\` maps the HelmRelease JSON Schema (from ${source}, objects closed with additionalProperties: false) to \`${glob}\`; validate, completion and hover on; schema store and CRD store off (no network here).`);
  console.log(`${ITERATIONS} iterations per measure; files in ${workdir}\n`);

  const results: RunResult[] = [];
  for (const file of files) {
    for (const server of serverDefs) {
      if (server.id !== 'ours' && file.lines > OTHER_SERVERS_UP_TO_LINES) continue;
      process.stdout.write(`running ${server.label} on ${file.label} (${file.bytes.toLocaleString('en-US')} bytes)… `);
      const result = await run(server, file, path.dirname(file.path));
      results.push(result);
      console.log(`${result.wallSeconds} s${result.failure ? ` — ${result.failure}` : ''}`);
      (globalThis as { gc?: () => void }).gc?.();
    }
  }

  console.log(`\n## Results (${date.slice(0, 10)}; ${machine.cpu}, ${machine.cores} cores, Node ${machine.node})\n`);
  console.log(table(files, results, serverDefs));
  console.log(
    `\nLatencies are wall time at the client over stdio. Completion is asked on a blank line under \`install:\`, hover on \`upgrade.remediation\`, ` +
      `each right after a small incremental edit (in turn: a digit of \`values.replicaCount\`, a character typed in \`values.image.repository\`, ` +
      `Enter at the end of that line, and that new line removed again; in the first, middle and last HelmRelease in turn). ` +
      `The file sits in a workspace folder with the HelmRepositories, GitRepository, ConfigMaps and chart directories its releases refer to ` +
      `(a quarter of the releases take their chart from the repository, so spec.values is checked against it). ` +
      `Edit → diagnostics: didChange to the next publishDiagnostics for that version ` +
      `(for a server that sends no version: the next one for the document). yaml-language-server validates after a 200 ms debounce. ` +
      `Ratio < 1: ours is faster / smaller.`,
  );

  const notes: string[] = [];
  for (const r of results) {
    const tag = `${r.server} / ${r.file}`;
    if (r.failure) notes.push(`${tag}: ${r.failure}`);
    if (r.exit && !/code 0 /.test(r.exit)) notes.push(`${tag}: server exit ${r.exit}`);
    if (r.stderr.trim()) notes.push(`${tag}: stderr: ${r.stderr.trim().slice(0, 2000)}`);
    for (const p of r.problems.slice(0, 10)) notes.push(`${tag}: ${p.slice(0, 500)}`);
    if (r.problems.length > 10) notes.push(`${tag}: … ${r.problems.length - 10} more error/warning messages`);
    if (r.publishesVersion === false) notes.push(`${tag}: publishDiagnostics carry no version`);
    if (r.completionMissingExpected > 0) notes.push(`${tag}: ${r.completionMissingExpected} completion answers lacked \`disableWait\``);
    if (r.hoverEmpty > 0) notes.push(`${tag}: ${r.hoverEmpty} hovers were empty`);
    if (r.settledEqual === false) notes.push(`${tag}: the settled diagnostics after the edits (${r.finalDiagnostics}) differ from those settled on open (${r.settledDiagnostics}), although the edits change no validity`);
  }
  if (notes.length) console.log(`\n### Notes\n\n${notes.map((n) => `- ${n}`).join('\n')}`);
  for (const r of results) {
    if (r.sampleOpenDiagnostics.length) console.log(`\n${r.server} / ${r.file}, first diagnostics: ${r.sampleOpenDiagnostics.join(' · ')}`);
  }

  const out = path.join(REPO, '.bench');
  mkdirSync(out, { recursive: true });
  const json = {
    date,
    machine,
    iterations: ITERATIONS,
    stepTimeoutMs: STEP_TIMEOUT_MS,
    schemaSource: source,
    servers: serverDefs.map((s) => ({ id: s.id, version: s.version })),
    files: files.map(({ generated: _generated, ...f }) => f),
    results,
    totalSeconds: Math.round((performance.now() - benchStarted) / 1000),
  };
  writeFileSync(path.join(out, 'results.json'), `${JSON.stringify(json, null, 2)}\n`);
  console.log(`\nResults written to ${path.relative(process.cwd(), path.join(out, 'results.json')) || '.bench/results.json'}; total ${json.totalSeconds} s`);
  rmSync(workdir, { recursive: true, force: true });
}

async function entry(): Promise<void> {
  if (process.argv.includes('--values-only')) {
    console.log(await runValuesBench(REPO));
    return;
  }
  if (!process.argv.includes('--scale-only')) await main();
  console.log(`\n${await runValuesBench(REPO)}`);
  console.log(`\n${await runScaleBench()}`);
}

entry().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
