import { readFile } from 'fs/promises';
import { performance } from 'perf_hooks';
import type { Connection, WorkDoneProgressServerReporter } from 'vscode-languageserver/node';
import type { DiagnosticsOutlet } from './diagnosticsOutlet';
import type { ChartResolution } from './chartResolution';
import { decode, modelDiagnostics } from './cli/check';
import type { DocumentStore } from './documentStore';
import { inPatchFolder, type KustomizePatches } from './node/kustomizePatches';
import { FileModel } from './service/model/fileModel';
import type { SettingsSource } from './settingsSource';
import type { WorkspaceSession } from './workspaceSession';
import { filePath } from './workspaceIndexing';

/** What a closed file's diagnostics were computed from, and whether any were sent. */
interface Checked {
  key: string;
  published: boolean;
}

/** How long a slice of checks runs before it steps aside for requests. */
const SLICE_MS = 8;
/** Files read ahead of the checks. */
const READ_AHEAD = 16;
/** After a change that other files may depend on, how long to wait for typing to pause. */
const SETTLE_MS = 300;

/**
 * The problems of files that are not open, so that the Problems view lists every problem of the
 * workspace (`helmRelease.diagnostics.scope: workspace`). After indexing, every indexed file is read
 * once in the background, in slices that step aside for requests; afterwards a file is checked again
 * only when it changes on disk or when something it refers to changes (its key). Nothing of a closed
 * file is kept but that key: its text and syntax trees are dropped after the check.
 */
export class ClosedFileDiagnostics {
  private readonly checked = new Map<string, Checked>();
  private readonly queue = new Set<string>();
  private running = false;
  private enabled = true;
  private progress?: { reporter: WorkDoneProgressServerReporter; total: number; done: number };
  private settle?: NodeJS.Timeout;

  constructor(
    private readonly connection: Connection,
    private readonly outlet: DiagnosticsOutlet,
    private readonly store: DocumentStore,
    private readonly session: WorkspaceSession,
    private readonly settings: SettingsSource,
    private readonly charts: ChartResolution,
    private readonly patches: KustomizePatches,
    private readonly messageArrived: () => boolean,
    /** The resource whose settings apply to a file: its workspace folder (one configuration request per folder, not per file). */
    private readonly settingsScope: (uri: string) => string,
  ) {}

  /** `helmRelease.diagnostics.scope`: `workspace` checks closed files, `openFiles` clears what was sent for them. */
  setEnabled(enabled: boolean): void {
    if (enabled === this.enabled) return;
    this.enabled = enabled;
    if (enabled) {
      this.indexReady();
      return;
    }
    this.queue.clear();
    for (const [uri, state] of this.checked) if (state.published && !this.store.get(uri)) this.outlet.closedFile(uri, []);
    this.checked.clear();
  }

  /** The index is complete (again): every closed file is checked, with progress shown the first time. */
  indexReady(): void {
    if (!this.enabled || !this.session.ready) return;
    // Files without a Flux object have nothing to report: they are not read again.
    const uris = this.session.index.uris().filter((uri) => !this.store.get(uri) && this.session.index.factsOf(uri)?.checked !== false);
    const first = this.checked.size === 0;
    for (const uri of uris) this.queue.add(uri);
    // Files no longer indexed (excluded, deleted) lose their problems.
    const indexed = new Set(this.session.index.uris());
    for (const [uri, state] of this.checked) {
      if (indexed.has(uri)) continue;
      if (state.published && !this.store.get(uri)) this.outlet.closedFile(uri, []);
      this.checked.delete(uri);
    }
    if (first && uris.length > 0) void this.startProgress(uris.length);
    this.run();
  }

  /**
   * Something other files may refer to changed: check again the closed files whose key changed. Looked
   * at once typing pauses, not on every keystroke: closed files need no keystroke latency.
   */
  indexChanged(): void {
    if (!this.enabled || !this.session.ready || this.settle) return;
    this.settle = setTimeout(() => {
      this.settle = undefined;
      for (const [uri, state] of this.checked) if (!this.store.get(uri) && state.key !== this.keyOf(uri)) this.queue.add(uri);
      this.run();
    }, SETTLE_MS);
  }

  /** A closed file changed on disk (or a document was closed, and its file is what is on disk again). */
  fileChanged(uri: string): void {
    if (!this.enabled || !this.session.ready || this.store.get(uri)) return;
    if (!this.session.index.hasFile(uri)) {
      // Deleted, or no longer indexed: its problems go with it.
      if (this.checked.get(uri)?.published) this.outlet.closedFile(uri, []);
      this.checked.delete(uri);
      return;
    }
    // Checked again; what was sent for it stays known, so that problems fixed on disk are cleared.
    const state = this.checked.get(uri);
    if (state) state.key = '';
    this.queue.add(uri);
    this.run();
  }

  /** Settings changed (severities, Flux version): every closed file is checked again. */
  settingsChanged(): void {
    if (!this.enabled || !this.session.ready) return;
    for (const uri of this.checked.keys()) if (!this.store.get(uri)) this.queue.add(uri);
    this.run();
  }

  /** A file was opened: its diagnostics now come from the editor's text. */
  opened(uri: string): void {
    this.queue.delete(uri);
    this.checked.delete(uri);
    this.outlet.documentOpened(uri);
  }

  /** What a closed file's diagnostics depend on outside it: the names it refers to, kustomizations, charts, settings. */
  private keyOf(uri: string): string {
    const index = this.session.index;
    const facts = index.factsOf(uri);
    // Charts matter only to HelmReleases (and only charts in the workspace: see check()).
    const usesCharts = facts?.objects.some((o) => o.kind === 'HelmRelease') === true;
    // The variables of the Kustomizations applying the file, by the revisions they come from.
    let key = `${index.structureRevision}|${usesCharts ? this.charts.generation : ''}|${this.settings.maxFileSize}|${this.charts.substitutions?.forFile(uri)?.key ?? ''}`;
    for (const ref of facts?.references ?? []) key += `,${ref.name}:${index.revisionOf(ref.name)}${ref.field === 'dependsOn' ? `:${index.dependencyRevision}` : ''}`;
    for (const object of facts?.objects ?? []) if (index.definitionCount(object.name) > 1) key += `;${object.name}:${index.revisionOf(object.name)}`;
    return key;
  }

  private async startProgress(total: number): Promise<void> {
    try {
      const reporter = await this.connection.window.createWorkDoneProgress();
      reporter.begin('Checking Flux manifests', 0, `0 of ${total} files`);
      this.progress = { reporter, total, done: 0 };
    } catch {
      // The client shows no progress; the check goes on.
    }
  }

  private run(): void {
    if (this.running || this.queue.size === 0) return;
    this.running = true;
    void this.drain().finally(() => {
      this.running = false;
      if (this.queue.size > 0) this.run();
    });
  }

  private async drain(): Promise<void> {
    let sliceStart = performance.now();
    while (this.queue.size > 0 && this.enabled) {
      // A few files are read at once, so that the disk works while the thread checks.
      const batch = [...this.queue].slice(0, READ_AHEAD);
      for (const uri of batch) this.queue.delete(uri);
      const reads = batch.map((uri) => this.read(uri));
      for (const [i, read] of reads.entries()) {
        try {
          const bytes = await read;
          if (bytes) await this.check(batch[i]!, bytes);
        } catch (error) {
          this.connection.console.error(`Checking ${batch[i]} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        }
        this.advanceProgress();
        if (this.messageArrived() || performance.now() - sliceStart >= SLICE_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          sliceStart = performance.now();
        }
      }
    }
    if (this.progress && this.queue.size === 0) {
      this.progress.reporter.done();
      this.progress = undefined;
    }
  }

  private advanceProgress(): void {
    if (!this.progress) return;
    this.progress.done++;
    if (this.progress.done >= this.progress.total) {
      this.progress.reporter.done();
      this.progress = undefined;
    } else if (this.progress.done % 100 === 0) {
      this.progress.reporter.report(Math.round((this.progress.done / this.progress.total) * 100), `${this.progress.done} of ${this.progress.total} files`);
    }
  }

  /** A closed, indexed file's bytes, or undefined when there is nothing to check. */
  private async read(uri: string): Promise<Buffer | undefined> {
    const file = filePath(uri);
    if (!file || this.store.get(uri) || !this.session.index.hasFile(uri)) return undefined;
    try {
      return await readFile(file);
    } catch {
      return undefined; // gone: the index hears of it from the file events
    }
  }

  private async check(uri: string, bytes: Buffer): Promise<void> {
    const file = filePath(uri)!;
    const previous = this.checked.get(uri);
    const key = this.keyOf(uri);
    if (this.store.get(uri) || !this.enabled) return; // opened while we read
    const settings = await this.settings.for(this.settingsScope(uri));
    const { text, valid } = decode(bytes);
    const model = FileModel.fromText(text, settings.maxFileSize);
    const partial = this.patches.isPartial(file);
    const diagnostics = modelDiagnostics(model, valid, settings, {
      uri,
      isPatch: partial,
      unlistedPatch: partial && inPatchFolder(file) && !this.session.index.isListed(file),
      // Only charts kept in the workspace: checking a closed file never downloads a chart. Values
      // against a chart from a Helm repository are checked once the file is opened.
      charts: (ref) => this.charts.local.lookup(ref),
      valuesFrom: (ref) => this.charts.valuesFromContent(uri, undefined)?.(ref),
      index: this.session.index,
      chartGeneration: this.charts.generation,
      substitutions: this.charts.context.substitutions,
    });
    this.checked.set(uri, { key, published: diagnostics.length > 0 });
    if (diagnostics.length > 0 || previous?.published) this.outlet.closedFile(uri, diagnostics);
  }
}
