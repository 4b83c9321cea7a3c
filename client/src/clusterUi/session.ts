import { EventEmitter, workspace, type Disposable } from 'vscode';
import { ClusterError, loadKubeconfig, ResourceCache, type ClusterConnection, type ConnectionState, type Kubeconfig } from '../cluster';

/** The connection to the cluster of the selected kubeconfig context, with its live cache of Flux objects. */
export class ClusterSession implements Disposable {
  private readonly changed = new EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  kubeconfig?: Kubeconfig;
  context?: string;
  api?: ClusterConnection;
  cache?: ResourceCache;
  /** What the views show when there is no cache: "no cluster" or a clear error, never a stack trace. */
  problem?: string;
  private subscriptions: Array<{ dispose(): void }> = [];

  /** `fixedContext`: this context always; without it, the selected context, else the current one. */
  constructor(readonly fixedContext?: string) {}

  async connect(): Promise<void> {
    this.disconnect();
    const settings = workspace.getConfiguration('helmRelease.cluster');
    const explicitPath = settings.get<string>('kubeconfig') || undefined;
    try {
      this.kubeconfig = loadKubeconfig({ path: explicitPath });
      this.context = this.fixedContext ?? (settings.get<string>('context') || this.kubeconfig.currentContext);
      if (!this.context) {
        this.problem = 'no cluster';
        return;
      }
      this.api = this.kubeconfig.connect(this.context, { requestTimeoutMs: 15_000 });
      this.cache = new ResourceCache(this.api);
      this.subscriptions.push(this.cache.onDidChange(() => this.changed.fire()), this.cache.onDidChangeState(() => this.changed.fire()));
      this.problem = undefined;
      this.changed.fire();
      // The views fill as the lists arrive; a slow or failing start is shown through the state.
      await this.cache.start(30_000).catch(() => undefined);
    } catch (error) {
      this.problem = error instanceof ClusterError || error instanceof Error ? error.message : String(error);
      if (error instanceof ClusterError && error.code === 'KubeconfigNotFound') this.problem = 'no cluster';
    } finally {
      this.changed.fire();
    }
  }

  /** The API server of the context, as the kubeconfig names it. */
  get server(): string | undefined {
    return this.kubeconfig?.contexts().find((c) => c.name === this.context)?.server;
  }

  /** "connected", "no cluster", or what is wrong, for the views and the status bar. */
  get status(): string {
    if (this.problem) return this.problem;
    const state: ConnectionState | undefined = this.cache?.state;
    if (!state || state.state === 'connecting') return 'connecting';
    if (state.state === 'connected') return 'connected';
    if (state.state === 'reconnecting' || state.state === 'error') return state.message;
    return 'disconnected';
  }

  private disconnect(): void {
    for (const s of this.subscriptions) s.dispose();
    this.subscriptions = [];
    this.cache?.dispose();
    this.cache = undefined;
    this.api = undefined;
  }

  dispose(): void {
    this.disconnect();
    this.changed.dispose();
  }
}
