/**
 * Finds the YAML files of the workspace folders and extracts their index facts, parsing in worker
 * threads. The walk is streamed (one directory listing at a time, bounded queues) so that a workspace
 * of 100,000 files neither blocks the main thread nor holds every path in memory.
 */
import { closeSync, constants as fsConstants, fstatSync, openSync, promises as fs, readFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { pathToFileURL } from 'url';
import { Worker } from 'worker_threads';
import { FileModel } from '../service/model/fileModel';
import { extractFileFacts } from '../service/workspace/extract';
import type { FileFacts } from '../service/workspace/types';
import { walkWorkspace } from './walk';
import { reason } from './fsErrors';

export interface ScanOptions {
  /** Absolute paths of the workspace folders. */
  folders: string[];
  /**
   * Glob patterns relative to a folder, like the keys of VS Code's `files.exclude` (`**∕charts/**`,
   * `**∕*.tmp.yaml`). A directory is pruned when a pattern matches it, or matches everything in it
   * (`dir/**`). node_modules and .git are always skipped.
   */
  exclude: string[];
  /** Bytes; larger files are not parsed, only counted in `skipped`. */
  maxFileSize: number;
  /** Parsing threads. Default: min(2, number of CPUs); 0 parses in the calling thread, in time slices. */
  workers?: number;
  /** False for documents open in the editor: their text wins. Such files are counted in neither `files` nor `skipped`. */
  shouldIndex?: (uri: string) => boolean;
  /** Called on the calling thread as results arrive, in no particular order. */
  onFile: (uri: string, filePath: string, facts: FileFacts) => void;
  /** Told of every directory under the folders: listed, or excluded (what is inside is not known). */
  onDirectory?: (directory: string, excluded: boolean) => void;
  /** Cancels the scan (e.g. the folders changed): no `onFile` after the abort; the result has `cancelled: true`. */
  signal?: AbortSignal;
  /** How to start the parsing threads; default: dist/indexWorker.js beside the bundle. */
  workerScript?: WorkerScript;
}

export interface ScanResult {
  /** Files whose facts were passed to `onFile`. */
  files: number;
  /** Files larger than `maxFileSize`. */
  skipped: number;
  /** Paths that could not be listed or read (`path: reason`), and anything else that went wrong. */
  problems: string[];
  durationMs: number;
  cancelled: boolean;
}

/** What parsing makes of one file. Plain data: it crosses from the workers by structured clone. */
export type FileOutcome =
  | { kind: 'facts'; uri: string; filePath: string; facts: FileFacts }
  | { kind: 'skipped'; filePath: string }
  | { kind: 'problem'; filePath: string; problem: string };

/** Sent to an index worker at start. */
export interface IndexWorkerData {
  maxFileSize: number;
}
/** One batch of files for an index worker, and its answer. */
export interface IndexWorkerRequest {
  id: number;
  files: string[];
}
export interface IndexWorkerResponse {
  id: number;
  outcomes: FileOutcome[];
}

/** Files per message to a worker: big enough to amortise the messaging, small enough to share the work evenly. */
const BATCH_SIZE = 64;
/** Batches a worker may have queued; bounds what is in flight at any time. */
const BATCHES_PER_WORKER = 2;
/**
 * A worker's garbage is short-lived (one file's syntax tree at a time): a small young generation keeps
 * each worker ~35 MiB smaller at its peak for the same speed (25,000 files: peak RSS 160 MiB instead of
 * 229 MiB with two workers).
 */
const WORKER_YOUNG_GENERATION_MB = 8;
/** Parsing in the calling thread yields to the event loop after this long. */
const TIME_SLICE_MS = 8;
/** Files read at once when parsing in the calling thread. */
const PARALLEL_READS = 8;
/** Opening with O_NONBLOCK: a named pipe that replaced a file must not hang the reader. */
const OPEN_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0);

const utf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

/** UTF-8, with invalid sequences replaced rather than failing (as the CLI decodes). */
function decode(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return lenientUtf8.decode(bytes);
  }
}

/** The index facts of a file read from disk. */
export function factsOfFile(filePath: string, bytes: Uint8Array, maxFileSize: number): FileFacts {
  const model = FileModel.fromText(decode(bytes), maxFileSize);
  return extractFileFacts(pathToFileURL(filePath).href, filePath, model);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function outcomeOf(filePath: string, bytes: Uint8Array, maxFileSize: number): FileOutcome {
  try {
    return { kind: 'facts', uri: pathToFileURL(filePath).href, filePath, facts: factsOfFile(filePath, bytes, maxFileSize) };
  } catch (error) {
    return { kind: 'problem', filePath, problem: `${filePath}: could not be indexed: ${message(error)}` };
  }
}

/** Reads and parses one file synchronously (in a worker). Never throws. */
export function parseFileSync(filePath: string, maxFileSize: number): FileOutcome {
  let bytes: Buffer;
  try {
    const fd = openSync(filePath, OPEN_FLAGS);
    try {
      const stat = fstatSync(fd);
      if (!stat.isFile()) return { kind: 'problem', filePath, problem: `${filePath}: not a regular file` };
      if (stat.size > maxFileSize) return { kind: 'skipped', filePath };
      bytes = readFileSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    return { kind: 'problem', filePath, problem: `${filePath}: ${reason(error)}` };
  }
  return outcomeOf(filePath, bytes, maxFileSize);
}

async function readFileAsync(filePath: string, maxFileSize: number): Promise<Buffer | FileOutcome> {
  try {
    const handle = await fs.open(filePath, OPEN_FLAGS);
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) return { kind: 'problem', filePath, problem: `${filePath}: not a regular file` };
      if (stat.size > maxFileSize) return { kind: 'skipped', filePath };
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (error) {
    return { kind: 'problem', filePath, problem: `${filePath}: ${reason(error)}` };
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing

type Deliver = (outcome: FileOutcome) => void;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Parser {
  /** Resolves once the batch has been accepted (there is room in the queues) or the scan was aborted. */
  submit(files: string[]): Promise<void>;
  /** Resolves once every accepted batch has been delivered, or the scan was aborted. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** Parses in the calling thread, yielding to the event loop every few milliseconds. */
class InlineParser implements Parser {
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly maxFileSize: number,
    private readonly deliver: Deliver,
    private readonly signal: AbortSignal | undefined,
  ) {}

  async submit(files: string[]): Promise<void> {
    await this.track(this.parse(files));
  }

  /** For batches handed back by a failed worker: runs without holding up the caller. */
  enqueue(files: string[]): void {
    void this.track(this.parse(files));
  }

  private track(work: Promise<void>): Promise<void> {
    this.running.add(work);
    return work.finally(() => this.running.delete(work));
  }

  private async parse(files: string[]): Promise<void> {
    let sliceStart = performance.now();
    // A few reads at a time: overlapped with each other, but never a whole batch of large files in memory.
    for (let start = 0; start < files.length; start += PARALLEL_READS) {
      const chunk = files.slice(start, start + PARALLEL_READS);
      const read: Array<Buffer | FileOutcome | undefined> = await Promise.all(chunk.map((file) => readFileAsync(file, this.maxFileSize)));
      for (let i = 0; i < chunk.length; i++) {
        if (this.signal?.aborted) return;
        const bytes = read[i]!;
        read[i] = undefined;
        if (bytes) this.deliver(Buffer.isBuffer(bytes) ? outcomeOf(chunk[i]!, bytes, this.maxFileSize) : bytes);
        if (performance.now() - sliceStart > TIME_SLICE_MS) {
          await nextTurn();
          sliceStart = performance.now();
        }
      }
    }
  }

  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  async close(): Promise<void> {
    await this.drain().catch(() => undefined);
  }
}

interface WorkerSlot {
  worker: Worker;
  inFlight: Map<number, string[]>;
  alive: boolean;
}

/** How to start a parsing thread: a script file, or (with `eval`) the code itself. */
export interface WorkerScript {
  script: string;
  eval: boolean;
}

/** The worker script beside the bundle: dist/indexWorker.js. */
const bundledWorker = (): WorkerScript => ({ script: path.join(__dirname, 'indexWorker.js'), eval: false });

/** Hands batches to worker threads, at most BATCHES_PER_WORKER each; falls back to the calling thread if a worker dies. */
class WorkerParser implements Parser {
  private slots: WorkerSlot[] = [];
  private nextId = 0;
  private closed = false;
  private waiters: Array<() => void> = [];
  private readonly fallback: InlineParser;
  private reportedFailure = false;

  constructor(
    private readonly count: number,
    private readonly maxFileSize: number,
    private readonly deliver: Deliver,
    private readonly problems: string[],
    private readonly signal: AbortSignal | undefined,
    private readonly script: WorkerScript,
  ) {
    this.fallback = new InlineParser(maxFileSize, deliver, signal);
    signal?.addEventListener('abort', () => this.wake(), { once: true });
  }

  /** Workers start with the first batch: an empty workspace costs no thread. */
  private start(): void {
    const script = this.script;
    const workerData: IndexWorkerData = { maxFileSize: this.maxFileSize };
    for (let i = 0; i < this.count; i++) {
      let worker: Worker;
      try {
        worker = new Worker(script.script, { eval: script.eval, workerData, stdout: false, stderr: false, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
      } catch (error) {
        this.reportFailure(error);
        continue;
      }
      const slot: WorkerSlot = { worker, inFlight: new Map(), alive: true };
      worker.on('message', (response: IndexWorkerResponse) => {
        if (this.closed || !slot.alive) return;
        if (!slot.inFlight.delete(response.id)) return;
        for (const outcome of response.outcomes) this.deliver(outcome);
        this.wake();
      });
      worker.on('error', (error) => this.fail(slot, error));
      worker.on('exit', (code) => this.fail(slot, new Error(`exited with code ${code}`)));
      this.slots.push(slot);
    }
  }

  private reportFailure(error: unknown): void {
    if (this.reportedFailure) return;
    this.reportedFailure = true;
    this.problems.push(`index worker failed (${message(error)}); parsing in the main thread instead`);
  }

  private fail(slot: WorkerSlot, error: unknown): void {
    if (!slot.alive || this.closed) return;
    slot.alive = false;
    this.reportFailure(error);
    for (const files of slot.inFlight.values()) this.fallback.enqueue(files);
    slot.inFlight.clear();
    void slot.worker.terminate().catch(() => undefined);
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async submit(files: string[]): Promise<void> {
    if (this.slots.length === 0 && !this.reportedFailure) this.start();
    for (;;) {
      if (this.signal?.aborted) return;
      const alive = this.slots.filter((s) => s.alive);
      if (alive.length === 0) return this.fallback.submit(files);
      let best: WorkerSlot | undefined;
      for (const slot of alive) if (slot.inFlight.size < BATCHES_PER_WORKER && (!best || slot.inFlight.size < best.inFlight.size)) best = slot;
      if (best) {
        const id = ++this.nextId;
        best.inFlight.set(id, files);
        const request: IndexWorkerRequest = { id, files };
        best.worker.postMessage(request);
        return;
      }
      await this.changed();
    }
  }

  async drain(): Promise<void> {
    while (!this.signal?.aborted && this.slots.some((s) => s.alive && s.inFlight.size > 0)) await this.changed();
    await this.fallback.drain();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake();
    await Promise.all(this.slots.map((s) => s.worker.terminate().catch(() => undefined)));
    await this.fallback.close();
  }
}

// ---------------------------------------------------------------------------------------------

/** Walks the workspace folders and passes the facts of every YAML file to `onFile`. Never throws. */
export async function scanWorkspace(options: ScanOptions): Promise<ScanResult> {
  const started = performance.now();
  const { signal, shouldIndex, onFile, maxFileSize } = options;
  const result: ScanResult = { files: 0, skipped: 0, problems: [], durationMs: 0, cancelled: false };
  const finish = (): ScanResult => ({ ...result, durationMs: Math.round((performance.now() - started) * 10) / 10, cancelled: signal?.aborted ?? false });
  if (signal?.aborted) return finish();

  const deliver: Deliver = (outcome) => {
    if (signal?.aborted) return;
    switch (outcome.kind) {
      case 'facts':
        // The document may have been opened in the editor while it was parsed.
        if (shouldIndex && !shouldIndex(outcome.uri)) return;
        try {
          onFile(outcome.uri, outcome.filePath, outcome.facts);
          result.files++;
        } catch (error) {
          result.problems.push(`${outcome.filePath}: ${message(error)}`);
        }
        return;
      case 'skipped':
        result.skipped++;
        return;
      case 'problem':
        result.problems.push(outcome.problem);
        return;
    }
  };

  const requested = options.workers ?? Math.min(2, Math.max(1, os.cpus().length));
  const workers = Number.isFinite(requested) ? Math.max(0, Math.floor(requested)) : 0;
  const parser: Parser = workers > 0 ? new WorkerParser(workers, maxFileSize, deliver, result.problems, signal, options.workerScript ?? bundledWorker()) : new InlineParser(maxFileSize, deliver, signal);
  try {
    let batch: string[] = [];
    for await (const file of walkWorkspace(options.folders, options.exclude, result.problems, signal, options.onDirectory)) {
      if (signal?.aborted) break;
      // `shouldIndex` is asked when the facts arrive: a document may be opened meanwhile, and asking
      // here too would cost a URL per file on this thread to spare the parsing of a few open files.
      batch.push(file);
      if (batch.length >= BATCH_SIZE) {
        const full = batch;
        batch = [];
        await parser.submit(full);
      }
    }
    if (!signal?.aborted && batch.length > 0) await parser.submit(batch);
    if (!signal?.aborted) await parser.drain();
  } catch (error) {
    result.problems.push(`workspace scan: ${message(error)}`);
  } finally {
    await parser.close();
  }
  return finish();
}
