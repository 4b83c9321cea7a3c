import { EventEmitter, workspace, type Disposable, type Uri } from 'vscode';
import { ClusterSession } from './session';

/**
 * The cluster sessions the extension keeps: the default one (the selected or current context),
 * one per context of `helmRelease.cluster.contexts` shown side by side, and one per context a
 * workspace folder is mapped to (`helmRelease.cluster.folderContexts`). Each has its own
 * connection, watches and errors.
 */
export class ClusterSessions implements Disposable {
  private readonly changed = new EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  readonly default = new ClusterSession();
  private readonly named = new Map<string, ClusterSession>();

  constructor() {
    this.default.onDidChange(() => this.changed.fire());
  }

  private settings() {
    const config = workspace.getConfiguration('helmRelease.cluster');
    return {
      contexts: (config.get<string[]>('contexts') ?? []).filter((c) => typeof c === 'string' && c !== ''),
      folders: Object.entries(config.get<Record<string, string>>('folderContexts') ?? {}).filter(([, c]) => typeof c === 'string' && c !== ''),
    };
  }

  /** The sessions shown in the views, in the order of the setting; the default one when it is empty. */
  shown(): ClusterSession[] {
    const { contexts } = this.settings();
    return contexts.length === 0 ? [this.default] : contexts.map((name) => this.forContext(name));
  }

  /** The session of a context; the default one for `undefined` or the default's own context. */
  forContext(name: string | undefined): ClusterSession {
    if (name === undefined || name === this.default.context) return this.default;
    let session = this.named.get(name);
    if (!session) {
      session = new ClusterSession(name);
      this.named.set(name, session);
      session.onDidChange(() => this.changed.fire());
      void session.connect();
    }
    return session;
  }

  /** The session of the context the document's workspace folder is mapped to, else the default. */
  forUri(uri: Uri | undefined): ClusterSession {
    const folder = uri ? workspace.getWorkspaceFolder(uri) : undefined;
    const mapped = folder ? this.settings().folders.find(([name]) => name === folder.name)?.[1] : undefined;
    return this.forContext(mapped);
  }

  /** Reconnects every session, and drops those no setting names any more. */
  async connectAll(): Promise<void> {
    await this.default.connect();
    const { contexts, folders } = this.settings();
    const wanted = new Set([...contexts, ...folders.map(([, c]) => c)]);
    for (const [name, session] of this.named) {
      if (!wanted.has(name) || name === this.default.context) {
        session.dispose();
        this.named.delete(name);
      }
    }
    const connecting: Array<Promise<void>> = [];
    for (const name of wanted) {
      if (name === this.default.context) continue;
      const existing = this.named.get(name);
      if (existing) connecting.push(existing.connect());
      else this.forContext(name);
    }
    await Promise.all(connecting);
  }

  dispose(): void {
    this.default.dispose();
    for (const session of this.named.values()) session.dispose();
    this.named.clear();
    this.changed.dispose();
  }
}
