import { fileURLToPath, pathToFileURL } from 'url';
import type { SettingsSource } from './settingsSource';
import type { WorkspaceSession } from './workspaceSession';

/** The path of a `file:` URI, or undefined for other schemes and malformed URIs. */
export function filePath(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The workspace folders and their indexing: started when the server is initialized, again when
 * folders or excludes change; cross-file checks start when it is done.
 */
export class WorkspaceIndexing {
  folders: string[] = [];
  /** What the current index was built from; a change of folders or excludes re-indexes. */
  private indexedWith = '';

  constructor(
    private readonly session: WorkspaceSession,
    private readonly settings: SettingsSource,
    private readonly logError: (message: string) => void,
  ) {}

  setFolders(uris: string[], rootUri?: string | null): void {
    this.folders = uris.map(filePath).filter((p): p is string => p !== undefined);
    if (this.folders.length === 0 && rootUri) {
      const root = filePath(rootUri);
      if (root) this.folders = [root];
    }
  }

  foldersChanged(added: string[], removed: string[]): void {
    const gone = new Set(removed.map(filePath));
    this.folders = [...this.folders.filter((f) => !gone.has(f)), ...added.map(filePath).filter((p): p is string => p !== undefined)];
    void this.start();
  }

  private get scope(): string {
    return this.folders[0] ? pathToFileURL(this.folders[0]).toString() : '';
  }

  private async excludes(): Promise<{ key: string; globs: string[]; maxFileSize: number }> {
    const settings = await this.settings.for(this.scope);
    const filesExclude = await this.settings.filesExclude(this.scope);
    return { key: JSON.stringify([this.folders, filesExclude, settings.exclude]), globs: [...filesExclude, ...settings.exclude], maxFileSize: settings.maxFileSize };
  }

  /** Globs of files the index and workspace-wide commands leave out (`files.exclude` and `helmRelease.exclude`). */
  async excludedGlobs(): Promise<string[]> {
    return (await this.excludes()).globs;
  }

  async start(): Promise<void> {
    try {
      const { key, globs, maxFileSize } = await this.excludes();
      this.indexedWith = key;
      await this.session.start(this.folders, globs, maxFileSize);
    } catch (error) {
      this.logError(`Indexing the workspace failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }

  /** Settings changed: index again only if the folders or excludes it was built from did. */
  async refresh(): Promise<void> {
    if ((await this.excludes()).key !== this.indexedWith) void this.start();
  }
}
