import type { ChartResolution } from './chartResolution';
import type { DiagnosticsOutlet } from './diagnosticsOutlet';
import { DiagnosticsScheduler } from './diagnosticsScheduler';
import type { DocumentStore, OpenDocument } from './documentStore';
import { inPatchFolder, type KustomizePatches } from './node/kustomizePatches';
import { filePath } from './workspaceIndexing';
import { diagnosticsPass } from './service/languageService';
import type { SettingsSource } from './settingsSource';
import type { Settings } from './service/settings';
import type { WorkspaceSession } from './workspaceSession';

/**
 * Diagnostics of the open documents: passes scheduled after edits and index changes, the index
 * brought up to date with the editors on demand, results published to the client.
 */
export class DiagnosticsPublisher {
  private readonly scheduler: DiagnosticsScheduler;

  constructor(
    private readonly outlet: DiagnosticsOutlet,
    log: (message: string) => void,
    private readonly store: DocumentStore,
    private readonly session: WorkspaceSession,
    private readonly settings: SettingsSource,
    private readonly charts: ChartResolution,
    private readonly patches: KustomizePatches,
    messageArrived: () => boolean,
    /** An open document's edit changed what other files may refer to. */
    private readonly indexChanged: () => void = () => undefined,
  ) {
    this.scheduler = new DiagnosticsScheduler((uri) => this.createPass(uri), log, messageArrived);
  }

  /** The document was opened or edited. */
  schedule(uri: string): void {
    this.outlet.edited(uri);
    this.scheduler.schedule(uri);
  }

  /** Resolves once the diagnostics of an open document are current (for a client that pulls them). */
  settled(uri: string): Promise<void> {
    return this.scheduler.settled(uri);
  }

  scheduleAll(): void {
    for (const uri of this.store.uris()) this.scheduler.schedule(uri);
  }

  /** The document was closed: its diagnostics go away. */
  closed(uri: string): void {
    this.scheduler.cancel(uri);
    this.outlet.documentClosed(uri);
  }

  /**
   * Gives the index the latest text of an open document. Edits only mark the document; the index is
   * brought up to date by the next diagnostics pass or request that needs it, not on every keystroke.
   */
  flushIndex(uri: string): void {
    const entry = this.store.get(uri);
    if (!entry?.indexDirty) return;
    entry.indexDirty = false;
    const before = this.session.index.revision;
    this.session.updateOpen(uri, entry.model);
    // Other open documents need a pass only when something they may refer to changed.
    if (this.session.index.revision === before) return;
    for (const other of this.store.uris()) if (other !== uri) this.scheduler.schedule(other);
    this.indexChanged();
  }

  /** Before work that reads the index: every open document's latest text in it. */
  flushAll(): void {
    for (const uri of this.store.uris()) this.flushIndex(uri);
  }

  /** Whether a file holds partial objects (a patch), and whether it is a patch nothing applies. */
  private patchState(uri: string): { isPatch: boolean; unlistedPatch: boolean } {
    const file = filePath(uri);
    if (!file || !this.patches.isPartial(file)) return { isPatch: false, unlistedPatch: false };
    return { isPatch: true, unlistedPatch: this.session.ready && inPatchFolder(file) && !this.session.index.isListed(file) };
  }

  /** A diagnostics pass over an open document; it publishes when done, unless a newer edit stopped it. */
  private async createPass(uri: string): Promise<Generator<boolean | void, void> | undefined> {
    const settings = await this.settings.for(uri);
    const entry = this.store.get(uri);
    return entry ? this.pass(uri, entry, settings) : undefined;
  }

  private *pass(uri: string, entry: OpenDocument, settings: Settings): Generator<boolean | void, void> {
    // Requests that came with the edit go first.
    yield true;
    const { charts, session } = this;
    const version = entry.text.version;
    const result = yield* diagnosticsPass(
      entry.model,
      settings,
      {
        ...this.patchState(uri),
        uri,
        ...charts.context,
        baselineChart: (ref, current) => charts.baselines.baselineOf(uri, ref.release ?? '', current),
        valuesFrom: (ref) => charts.valuesFromContent(uri, undefined)?.(ref),
        index: session.ready ? session.index : undefined,
        // The index catches up with every open editor before references are checked.
        syncIndex: () => this.flushAll(),
        chartGeneration: charts.generation,
      },
      entry.diagnostics,
    );
    // The edited document is published on every edit, for its new version; others only when their problems changed.
    if (!result.changed && entry.publishedVersion === version) return;
    entry.publishedVersion = version;
    this.outlet.openDocument(uri, result.diagnostics, version);
  }
}
