/** A small LSP client over stdio that records what the benchmark measures. */
import { spawn, type ChildProcessWithoutNullStreams } from 'child_process';
import { readFileSync } from 'fs';
import { performance } from 'perf_hooks';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type {
  CompletionItem,
  CompletionList,
  ConfigurationParams,
  Hover,
  InitializeParams,
  InitializeResult,
  Position,
  PublishDiagnosticsParams,
  TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol';

export class TimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`timeout: ${what} took more than ${ms} ms`);
  }
}

/** Resolves or rejects with `promise`, or rejects with a TimeoutError after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

export interface Publication {
  seq: number;
  at: number;
  params: PublishDiagnosticsParams;
}

export interface Memory {
  rssMiB: number;
  hwmMiB: number;
}

export interface SessionOptions {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  /** Answers one item of a `workspace/configuration` request. */
  configuration: (item: ConfigurationParams['items'][number]) => unknown;
}

const MESSAGE_TYPES = ['', 'error', 'warning', 'info', 'log', 'debug'];

export class LspSession {
  readonly process: ChildProcessWithoutNullStreams;
  readonly connection: MessageConnection;
  readonly stderr: string[] = [];
  /** window/logMessage and window/showMessage of type error or warning. */
  readonly problems: string[] = [];
  /** Requests the server sent us, by method. */
  readonly serverRequests = new Map<string, number>();
  readonly publications: Publication[] = [];
  exit: { code: number | null; signal: string | null } | undefined;
  private seq = 0;
  private waiters: Array<{ test: (p: Publication) => boolean; resolve: (p: Publication) => void }> = [];
  private configurationWaiters: Array<() => void> = [];
  private readonly exited: Promise<void>;

  constructor(readonly options: SessionOptions) {
    this.process = spawn(options.command, options.args, { cwd: options.cwd, stdio: 'pipe' });
    this.process.stderr.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
    this.exited = new Promise((resolve) =>
      this.process.on('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve();
      }),
    );
    this.connection = createMessageConnection(new StreamMessageReader(this.process.stdout), new StreamMessageWriter(this.process.stdin));
    this.connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      const publication = { seq: ++this.seq, at: performance.now(), params };
      this.publications.push(publication);
      for (const waiter of [...this.waiters]) {
        if (waiter.test(publication)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(publication);
        }
      }
    });
    const message = (kind: string) => (params: { type: number; message: string }) => {
      if (params.type <= 2) this.problems.push(`${kind} ${MESSAGE_TYPES[params.type] ?? params.type}: ${params.message}`);
    };
    this.connection.onNotification('window/logMessage', message('logMessage'));
    this.connection.onNotification('window/showMessage', message('showMessage'));
    this.connection.onNotification(() => undefined); // telemetry, custom notifications
    this.connection.onRequest('workspace/configuration', (params: ConfigurationParams) => {
      this.count('workspace/configuration');
      const answer = params.items.map((item) => options.configuration(item));
      const waiters = this.configurationWaiters;
      this.configurationWaiters = [];
      setImmediate(() => waiters.forEach((w) => w()));
      return answer;
    });
    this.connection.onRequest((method: string) => {
      this.count(method);
      return null; // client/registerCapability, window/workDoneProgress/create, …
    });
    this.connection.onError(([error]) => this.problems.push(`connection error: ${error.message}`));
    this.connection.listen();
  }

  private count(method: string): void {
    this.serverRequests.set(method, (this.serverRequests.get(method) ?? 0) + 1);
  }

  /** Rejects when the server process exits: races every step so that a crash does not wait for the timeout. */
  crashed(): Promise<never> {
    return this.exited.then(() => {
      throw new Error(`server exited (code ${this.exit?.code ?? '-'}, signal ${this.exit?.signal ?? '-'}); stderr: ${this.stderr.join('').trim().slice(0, 1000)}`);
    });
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  get lastSeq(): number {
    return this.seq;
  }

  initialize(params: InitializeParams): Promise<InitializeResult> {
    return this.connection.sendRequest<InitializeResult>('initialize', params);
  }

  /** Resolves on the next `workspace/configuration` request once it has been answered. */
  nextConfigurationRequest(): Promise<void> {
    return new Promise((resolve) => this.configurationWaiters.push(resolve));
  }

  notify(method: string, params: unknown): Promise<void> {
    return this.connection.sendNotification(method, params);
  }

  /** The first publication after `afterSeq` that passes `test` (also one already received). */
  diagnosticsAfter(afterSeq: number, test: (p: PublishDiagnosticsParams) => boolean): Promise<Publication> {
    const seen = this.publications.find((p) => p.seq > afterSeq && test(p.params));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ test: (p) => p.seq > afterSeq && test(p.params), resolve }));
  }

  /** Resolves once no diagnostics have been published for `quietMs`. */
  async quiet(quietMs: number): Promise<void> {
    for (;;) {
      const seq = this.seq;
      await new Promise((resolve) => setTimeout(resolve, quietMs));
      if (this.seq === seq) return;
    }
  }

  didChange(uri: string, version: number, change: TextDocumentContentChangeEvent): Promise<void> {
    return this.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
  }

  completion(uri: string, position: Position): Promise<CompletionItem[] | CompletionList | null> {
    return this.connection.sendRequest('textDocument/completion', {
      textDocument: { uri },
      position,
      context: { triggerKind: 1 },
    });
  }

  hover(uri: string, position: Position): Promise<Hover | null> {
    return this.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position });
  }

  /** VmRSS and VmHWM of the server process, from /proc. */
  memory(): Memory | undefined {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
      return { rssMiB: kib('VmRSS') / 1024, hwmMiB: kib('VmHWM') / 1024 };
    } catch {
      return undefined;
    }
  }

  /** shutdown + exit, then kill if the server does not go within `ms`. */
  async stop(ms = 5000): Promise<void> {
    if (this.exit) return;
    try {
      await withTimeout(this.connection.sendRequest('shutdown'), ms, 'shutdown');
      await this.connection.sendNotification('exit');
      await withTimeout(this.exited, ms, 'exit');
    } catch {
      this.process.kill('SIGKILL');
      await withTimeout(this.exited, ms, 'kill').catch(() => undefined);
    } finally {
      this.connection.dispose();
    }
  }
}
