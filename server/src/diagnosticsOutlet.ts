import type { Connection, Diagnostic, DocumentDiagnosticReport, WorkspaceDocumentDiagnosticReport } from 'vscode-languageserver/node';

/**
 * Where computed diagnostics go. A client that can pull (LSP 3.17 `textDocument/diagnostic` and
 * `workspace/diagnostic`, as VS Code does) asks for them, naming the result it already has, and gets
 * only what changed; any other client gets them pushed (`textDocument/publishDiagnostics`).
 */
export interface DiagnosticsOutlet {
  /** The problems of an open document, for its version. */
  openDocument(uri: string, diagnostics: Diagnostic[], version: number): void;
  /** The problems of a file that is not open (empty: it has none any more). */
  closedFile(uri: string, diagnostics: Diagnostic[]): void;
  /** A document was closed: what was reported for its editor text goes away. */
  documentClosed(uri: string): void;
  /** A document was opened: what was found in its file on disk is replaced by what its editor text gives. */
  documentOpened(uri: string): void;
  /** A document was opened or edited in the editor, which asks for its problems after telling us. */
  edited(uri: string): void;
}

export class PushOutlet implements DiagnosticsOutlet {
  constructor(private readonly connection: Connection) {}

  openDocument(uri: string, diagnostics: Diagnostic[], version: number): void {
    void this.connection.sendDiagnostics({ uri, version, diagnostics });
  }

  closedFile(uri: string, diagnostics: Diagnostic[]): void {
    void this.connection.sendDiagnostics({ uri, diagnostics });
  }

  documentClosed(uri: string): void {
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  documentOpened(): void {
    // The open document's own pass publishes over what was sent for the file.
  }

  edited(): void {
    // Everything is pushed.
  }
}

/** The result id of "no problems", whatever the file: a client that has it for a clean file is up to date. */
export const NO_PROBLEMS = 'none';

interface Result {
  resultId: string;
  diagnostics: Diagnostic[];
  /** What the diagnostics say, to tell a new result that says the same from a change. */
  text: string;
  version?: number;
}

/** Waits for a change before answering a workspace pull that has nothing new. */
interface WorkspaceWaiter {
  wake: () => void;
}

/** How long a workspace pull with nothing new waits before answering empty (the client asks again). */
const WORKSPACE_HOLD_MS = 60_000;
/** Changes that come close together are answered together. */
const GATHER_MS = 50;
/** A change of an open document that no pull asked for is announced once, after this long. */
const REFRESH_MS = 30;

/**
 * Diagnostics kept for clients that pull. Each file's current result has an id that changes when
 * (and only when) its problems change, so a client naming the id it has is answered "unchanged" (for
 * a document) or not at all (in the workspace report). A workspace pull with nothing new is held
 * until something changes; a change of an open document that the client did not pull for (another
 * file changed what it refers to) is announced with `workspace/diagnostic/refresh`.
 */
export class PullOutlet implements DiagnosticsOutlet {
  private readonly open = new Map<string, Result>();
  private readonly closed = new Map<string, Result>();
  private nextId = 1;
  private readonly waiters = new Set<WorkspaceWaiter>();
  /** Open documents edited since their last pull: the client pulls for them, no refresh is needed. */
  private readonly expectingPull = new Set<string>();
  private refreshTimer?: NodeJS.Timeout;

  constructor(private readonly connection: Connection) {}

  openDocument(uri: string, diagnostics: Diagnostic[], version: number): void {
    const changed = this.store(this.open, uri, diagnostics, version);
    if (!changed) return;
    this.wakeWorkspace();
    if (!this.expectingPull.has(uri)) this.scheduleRefresh();
  }

  closedFile(uri: string, diagnostics: Diagnostic[]): void {
    if (this.store(this.closed, uri, diagnostics)) this.wakeWorkspace();
  }

  documentClosed(uri: string): void {
    this.expectingPull.delete(uri);
    if (this.open.delete(uri)) this.wakeWorkspace();
  }

  documentOpened(uri: string): void {
    if (this.closed.delete(uri)) this.wakeWorkspace();
  }

  edited(uri: string): void {
    this.expectingPull.add(uri);
  }

  /** The id a client holding the current problems of `uri` has. */
  resultIdOf(uri: string): string {
    return (this.open.get(uri) ?? this.closed.get(uri))?.resultId ?? NO_PROBLEMS;
  }

  /** The answer to a document pull, once the document's diagnostics are current. */
  documentReport(uri: string, previousResultId: string | undefined): DocumentDiagnosticReport {
    this.expectingPull.delete(uri);
    const result = this.open.get(uri) ?? this.closed.get(uri);
    const resultId = result?.resultId ?? NO_PROBLEMS;
    if (previousResultId === resultId) return { kind: 'unchanged', resultId };
    return { kind: 'full', resultId, items: result?.diagnostics ?? [] };
  }

  /**
   * The files whose problems differ from what the client has (`previous`: uri → result id), open or
   * not. A file the client knows nothing of is reported only when it has problems; a file the client
   * has problems for that has none any more is reported empty.
   */
  changedSince(previous: ReadonlyMap<string, string>): WorkspaceDocumentDiagnosticReport[] {
    const reports: WorkspaceDocumentDiagnosticReport[] = [];
    const seen = new Set<string>();
    const consider = (uri: string): void => {
      if (seen.has(uri)) return;
      seen.add(uri);
      const result = this.open.get(uri) ?? this.closed.get(uri);
      const resultId = result?.resultId ?? NO_PROBLEMS;
      const had = previous.get(uri);
      if (had === resultId || (had === undefined && resultId === NO_PROBLEMS)) return;
      reports.push({ kind: 'full', uri, resultId, version: result?.version ?? null, items: result?.diagnostics ?? [] });
    };
    for (const uri of this.open.keys()) consider(uri);
    for (const uri of this.closed.keys()) consider(uri);
    for (const uri of previous.keys()) consider(uri);
    return reports;
  }

  /**
   * Resolves with what changed since `previous` as soon as there is something (after a moment to
   * gather changes that come together), or with nothing after a while or on cancellation. With
   * `stream` (the client gave a partial result token), changes are sent through it as they come,
   * for as long as the request is held, and the request ends empty.
   */
  async workspaceReport(
    previous: ReadonlyMap<string, string>,
    cancelled: () => boolean,
    onCancel: (listener: () => void) => void,
    stream?: (items: WorkspaceDocumentDiagnosticReport[]) => void,
  ): Promise<WorkspaceDocumentDiagnosticReport[]> {
    const known = new Map(previous);
    const deadline = Date.now() + WORKSPACE_HOLD_MS;
    let stop = false;
    onCancel(() => {
      stop = true;
      this.wakeWorkspace();
    });
    for (;;) {
      const reports = this.changedSince(known);
      if (reports.length > 0) {
        if (!stream) return reports;
        stream(reports);
        for (const report of reports) known.set(report.uri, report.resultId ?? NO_PROBLEMS);
      }
      const left = deadline - Date.now();
      if (stop || cancelled() || left <= 0) return [];
      const woken = await this.nextChange(left);
      if (stop || cancelled() || !woken) return [];
      await new Promise((resolve) => setTimeout(resolve, GATHER_MS));
    }
  }

  /** Resolves true at the next change, false after `waitMs` without one. */
  private nextChange(waitMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const waiter: WorkspaceWaiter = { wake: () => finish(true) };
      const timer = setTimeout(() => finish(false), waitMs).unref();
      const finish = (changed: boolean): void => {
        this.waiters.delete(waiter);
        clearTimeout(timer);
        resolve(changed);
      };
      this.waiters.add(waiter);
    });
  }

  /** Stores a result; whether the problems changed. A file without problems keeps no entry. */
  private store(results: Map<string, Result>, uri: string, diagnostics: Diagnostic[], version?: number): boolean {
    const existing = results.get(uri);
    if (diagnostics.length === 0) {
      if (!existing) return false;
      results.delete(uri);
      return true;
    }
    const text = JSON.stringify(diagnostics);
    if (existing?.text === text) {
      existing.version = version;
      return false;
    }
    results.set(uri, { resultId: String(this.nextId++), diagnostics, text, version });
    return true;
  }

  private wakeWorkspace(): void {
    for (const waiter of [...this.waiters]) waiter.wake();
  }

  private scheduleRefresh(): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      void this.connection.languages.diagnostics.refresh().catch(() => undefined);
    }, REFRESH_MS);
  }
}

/** Push until the client says, at initialization, that it pulls. */
export class ClientDiagnostics implements DiagnosticsOutlet {
  private outlet: DiagnosticsOutlet;
  /** Set when the client pulls. */
  pull?: PullOutlet;

  constructor(private readonly connection: Connection) {
    this.outlet = new PushOutlet(connection);
  }

  usePull(): PullOutlet {
    this.pull ??= new PullOutlet(this.connection);
    this.outlet = this.pull;
    return this.pull;
  }

  openDocument(uri: string, diagnostics: Diagnostic[], version: number): void {
    this.outlet.openDocument(uri, diagnostics, version);
  }

  closedFile(uri: string, diagnostics: Diagnostic[]): void {
    this.outlet.closedFile(uri, diagnostics);
  }

  documentClosed(uri: string): void {
    this.outlet.documentClosed(uri);
  }

  documentOpened(uri: string): void {
    this.outlet.documentOpened(uri);
  }

  edited(uri: string): void {
    this.outlet.edited(uri);
  }
}
