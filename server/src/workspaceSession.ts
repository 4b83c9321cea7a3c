import { readFile, stat } from 'fs/promises';
import { fileURLToPath, pathToFileURL } from 'url';
import { isExcludedPath, isInSkippedDirectory, walkWorkspace } from './node/walk';
import { FileChangeType, type FileEvent } from 'vscode-languageserver/node';
import type { FileModel } from './service/model/fileModel';
import { WorkspaceIndex } from './service/workspace/workspaceIndex';
import { extractFileFacts } from './service/workspace/extract';
import { factsOfFile, scanWorkspace, type ScanResult } from './node/workspaceScanner';
import { repositoryUrls } from './node/gitRemotes';

export type { IndexStatus } from './protocol';
import type { IndexStatus } from './protocol';

export interface SessionHooks {
  /** The index changed: diagnostics of open documents may change too. */
  changed(): void;
  /** A scan of the workspace completed. */
  indexed?(): void;
  /** These files were read again from disk (changed, created, deleted, or closed in the editor). */
  reloaded?(uris: string[]): void;
  status(status: IndexStatus): void;
  log(message: string): void;
  isOpen(uri: string): boolean;
}

function pathOf(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The workspace index of a running server: filled in the background from disk, kept current from
 * file events, with open editor contents winning over what is on disk.
 */
export class WorkspaceSession {
  readonly index = new WorkspaceIndex();
  private folders: string[] = [];
  private exclude: readonly string[] = [];
  private abort?: AbortController;
  private scanned = false;

  constructor(private readonly hooks: SessionHooks) {}

  /** Cross-file checks run only in a workspace, and only once it is indexed (no false "missing" meanwhile). */
  get ready(): boolean {
    return this.scanned && this.folders.length > 0;
  }

  async start(folders: string[], exclude: string[], maxFileSize: number): Promise<ScanResult | undefined> {
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    this.folders = folders;
    this.exclude = exclude;
    this.scanned = false;
    this.index.setFolders(folders);
    // A new scan starts from the open documents only: files now excluded or outside must go.
    for (const uri of this.index.uris()) if (!this.hooks.isOpen(uri)) this.index.removeFile(uri);
    if (folders.length === 0) return undefined;
    this.hooks.status({ state: 'indexing', files: 0 });
    const listed: string[] = [];
    const excluded: string[] = [];
    const result = await scanWorkspace({
      onDirectory: (directory, isExcluded) => (isExcluded ? excluded : listed).push(directory),
      folders,
      exclude,
      maxFileSize,
      signal: abort.signal,
      shouldIndex: (uri) => !this.hooks.isOpen(uri),
      onFile: (uri, filePath, facts) => {
        if (!this.hooks.isOpen(uri)) this.index.setFile(uri, facts, filePath);
      },
    });
    if (result.cancelled || abort.signal.aborted) return result;
    // Every directory is known now: a Kustomization's spec.path naming none of them is missing.
    this.index.addDirectories(listed, excluded, result.problems.length === 0);
    for (const folder of folders) this.index.setRepositoryUrls(folder, await repositoryUrls(folder));
    if (abort.signal.aborted) return result;
    this.scanned = true;
    if (result.problems.length > 0) this.hooks.log(`Indexing: ${result.problems.length} file(s) could not be read, e.g. ${result.problems.slice(0, 3).join('; ')}`);
    this.hooks.status({ state: 'ready', files: this.index.fileCount, durationMs: Math.round(result.durationMs), skipped: result.skipped, problems: result.problems.length });
    this.hooks.changed();
    this.hooks.indexed?.();
    return result;
  }

  /**
   * An open document's current text is what the index knows of its file. Documents unchanged since
   * the last update cost nothing; the caller learns from `index.revision` whether others may be affected.
   */
  updateOpen(uri: string, model: FileModel): void {
    const filePath = pathOf(uri);
    this.index.setFile(uri, extractFileFacts(uri, filePath, model, { parts: true }), filePath);
  }

  /** A closed document falls back to what is on disk (unless it was opened again meanwhile). */
  async closed(uri: string, maxFileSize: number): Promise<void> {
    await this.reload(uri, maxFileSize);
    if (this.hooks.isOpen(uri)) return;
    this.hooks.changed();
    this.hooks.reloaded?.([uri]);
  }

  async filesChanged(events: FileEvent[], maxFileSize: number): Promise<void> {
    let changed = false;
    const reloaded: string[] = [];
    const seen = new Set<string>();
    for (const event of events) {
      // Two watchers may report the same file.
      if (seen.has(`${event.type} ${event.uri}`)) continue;
      seen.add(`${event.type} ${event.uri}`);
      if (!/\.(ya?ml|json)$|\/Kustomization$/.test(event.uri)) {
        // A folder created or deleted (a branch switch, a copy, `rm -r`): the watcher may report the
        // folder alone, so its files are found, or forgotten, here.
        const uris = event.type === FileChangeType.Deleted ? this.forgetFolder(event.uri) : await this.readFolder(event.uri, maxFileSize);
        if (uris.length > 0) changed = true;
        reloaded.push(...uris);
        continue;
      }
      if (this.hooks.isOpen(event.uri)) continue;
      if (event.type === FileChangeType.Deleted) {
        this.index.removeFile(event.uri);
        changed = true;
      } else {
        await this.reload(event.uri, maxFileSize);
        changed = true;
      }
      reloaded.push(event.uri);
    }
    if (changed) this.hooks.changed();
    if (reloaded.length > 0) this.hooks.reloaded?.(reloaded);
  }

  /** The indexed files under a deleted folder leave the index (open documents stay). */
  private forgetFolder(uri: string): string[] {
    if (isInSkippedDirectory(uri)) return [];
    const prefix = uri.endsWith('/') ? uri : `${uri}/`;
    const removed = this.index.uris().filter((u) => u.startsWith(prefix) && !this.hooks.isOpen(u));
    for (const u of removed) this.index.removeFile(u);
    return removed;
  }

  /** The manifests under a created folder, read into the index; nothing for a file or a path outside. */
  private async readFolder(uri: string, maxFileSize: number): Promise<string[]> {
    const directory = pathOf(uri);
    const folder = directory && this.folders.find((f) => directory.startsWith(`${f}/`));
    // `npm install` creates thousands of entries: what the walk skips is dropped before any I/O.
    if (!directory || !folder || isInSkippedDirectory(directory)) return [];
    try {
      if (!(await stat(directory)).isDirectory()) return [];
    } catch {
      return [];
    }
    if (isExcludedPath(folder, directory, this.exclude)) return [];
    const uris: string[] = [];
    for await (const filePath of walkWorkspace([directory], [], [])) {
      const fileUri = pathToFileURL(filePath).toString();
      if (this.hooks.isOpen(fileUri) || isExcludedPath(folder, filePath, this.exclude)) continue;
      await this.reload(fileUri, maxFileSize);
      uris.push(fileUri);
    }
    return uris;
  }

  private async reload(uri: string, maxFileSize: number): Promise<void> {
    const filePath = pathOf(uri);
    if (!filePath || !this.insideFolders(filePath)) {
      this.index.removeFile(uri);
      return;
    }
    try {
      const bytes = await readFile(filePath);
      // Opened again while we read: the editor's text wins over the disk.
      if (this.hooks.isOpen(uri)) return;
      this.index.setFile(uri, factsOfFile(filePath, bytes, maxFileSize), filePath);
    } catch {
      if (!this.hooks.isOpen(uri)) this.index.removeFile(uri); // deleted or unreadable: it defines nothing now
    }
  }

  private insideFolders(filePath: string): boolean {
    return this.folders.some((folder) => filePath === folder || filePath.startsWith(`${folder}/`));
  }

  dispose(): void {
    this.abort?.abort();
  }
}
