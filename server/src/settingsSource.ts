import type { Connection } from 'vscode-languageserver/node';
import { defaultSettings, normalizeSettings, type Settings } from './service/settings';

/**
 * The user's settings as the server sees them: pulled per resource from the client when it can
 * answer `workspace/configuration`, else the ones it pushed (or passed at start-up).
 */
export class SettingsSource {
  private canPull = false;
  private global: Settings = defaultSettings;
  private readonly byUri = new Map<string, Promise<Settings>>();

  constructor(private readonly connection: Connection) {}

  initialize(canPull: boolean, initial: unknown): void {
    this.canPull = canPull;
    if (initial) this.global = normalizeSettings(initial);
  }

  /** Whether settings come from the client on request (and changes must be asked for). */
  get pulled(): boolean {
    return this.canPull;
  }

  /** The size limit models are built with (one for all files: the first open file's). */
  get maxFileSize(): number {
    return this.global.maxFileSize;
  }

  set maxFileSize(value: number) {
    this.global = { ...this.global, maxFileSize: value };
  }

  for(uri: string): Promise<Settings> {
    if (!this.canPull) return Promise.resolve(this.global);
    const cached = this.byUri.get(uri);
    if (cached) return cached;
    const pending: Promise<Settings> = this.connection.workspace
      .getConfiguration({ scopeUri: uri, section: 'helmRelease' })
      .then(normalizeSettings, () => defaultSettings);
    this.byUri.set(uri, pending);
    return pending;
  }

  /** The client said settings changed: forget what was pulled; take what was pushed. */
  changed(pushed: unknown): void {
    this.byUri.clear();
    if (this.canPull) return;
    const raw = (pushed as { helmRelease?: unknown } | null)?.helmRelease;
    if (raw) this.global = normalizeSettings(raw);
  }

  forget(uri: string): void {
    this.byUri.delete(uri);
  }

  /** The globs of `files.exclude` that are on, for a resource. */
  async filesExclude(scopeUri: string): Promise<string[]> {
    if (!this.canPull) return [];
    const raw = (await this.connection.workspace.getConfiguration({ scopeUri, section: 'files.exclude' }).catch(() => null)) as Record<string, unknown> | null;
    return Object.entries(raw ?? {})
      .filter(([, on]) => on === true)
      .map(([glob]) => glob);
  }
}
