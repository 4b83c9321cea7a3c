// One LIST + WATCH per Flux kind (no polling): initial list, watch from its resourceVersion with
// bookmarks, re-list on 410 Gone, reconnect with capped exponential backoff and jitter.
// Every retry that follows a failure waits: an error, a watch that ends quickly or delivers
// nothing, and a 410 that comes again right after a fresh list. Only a healthy watch resets the
// backoff, so a server or proxy that ends every watch at once, or answers every watch with 410,
// gets a few requests per minute instead of a storm.
import { backoffDelay, type BackoffOptions } from './backoff';
import { ClusterError } from './errors';
import type { KubeApi, WatchEvent, WatchHandle } from './connection';
import { allFluxKinds, isRecord, resourcePath, type FluxKind, type KubeList, type KubeObject } from './types';

export type ConnectionState =
  | { state: 'connecting' }
  | { state: 'connected' }
  | { state: 'reconnecting'; message: string; attempt: number }
  | { state: 'error'; message: string; code: string; attempt: number }
  | { state: 'stopped' };

export interface Disposable {
  dispose(): void;
}

export interface ResourceCacheOptions {
  kinds?: readonly FluxKind[];
  /** Only this namespace (default: all namespaces). */
  namespace?: string;
  backoff?: BackoffOptions;
  /** Page size of the initial list (default 500). */
  pageSize?: number;
  /** Coalesce change events of a kind within this window (default 10 ms; 0 = one event per change). */
  coalesceMs?: number;
  /** Server-side watch timeout, randomised between min and 2×min (default 300 s, like client-go). */
  watchTimeoutSeconds?: number;
  /**
   * A watch is healthy when it lasted at least this long and delivered at least one event (a
   * bookmark counts). Only a healthy watch resets the backoff; any other end of a watch is retried
   * after the next backoff delay (default 5 s).
   */
  healthyWatchMs?: number;
}

export type ChangeListener = (kind: FluxKind, objects: readonly KubeObject[]) => void;
export type StateListener = (state: ConnectionState) => void;

const key = (object: KubeObject): string => `${object.metadata.namespace ?? ''}/${object.metadata.name}`;

class GoneError extends Error {}

/** How a watch ended: `error` undefined when the server ended it normally. */
interface WatchEnd {
  error: Error | undefined;
  healthy: boolean;
}

const permanentCodes = new Set(['Unauthorized', 'Forbidden', 'FluxNotInstalled', 'NotFound', 'KubeconfigInvalid', 'CredentialPluginFailed']);

class KindWatcher {
  readonly objects = new Map<string, KubeObject>();
  state: ConnectionState = { state: 'connecting' };
  synced = false;
  private resourceVersion: string | undefined;
  private watch: WatchHandle | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Failures since the last healthy watch (errors, short or empty watches, 410s): the backoff step. */
  private failures = 0;
  private wake: (() => void) | undefined;

  constructor(
    readonly kind: FluxKind,
    private readonly api: KubeApi,
    private readonly options: ResourceCacheOptions,
    private readonly changed: (kind: FluxKind) => void,
    private readonly stateChanged: () => void,
  ) {}

  start(): void {
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    this.watch?.stop();
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    this.setState({ state: 'stopped' });
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    this.stateChanged();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        if (this.resourceVersion === undefined) await this.list();
        if (this.stopped) return;
        const end = await this.watchOnce();
        if (end.healthy) this.failures = 0;
        if (end.error) throw end.error;
        // The server ended the watch: at once when it ran its course, after a backoff when it ended
        // quickly or delivered nothing (a proxy that cuts watches must not cause a storm).
        if (!end.healthy) await this.pause(this.nextDelay());
      } catch (error) {
        if (this.stopped) return;
        if (error instanceof GoneError) {
          // The first 410 re-lists at once (the history was compacted); a 410 again before a
          // healthy watch waits, growing like any other failure.
          this.resourceVersion = undefined;
          const delay = this.failures === 0 ? 0 : backoffDelay(this.failures - 1, this.options.backoff);
          this.failures++;
          if (delay > 0) await this.pause(delay);
          continue;
        }
        const err = error instanceof Error ? error : new Error(String(error));
        const code = err instanceof ClusterError ? err.code : 'Error';
        if (code === 'FluxNotInstalled' && !this.synced) {
          // The cluster does not serve this kind (e.g. no kustomize-controller): it has no objects,
          // which is a complete answer; the list is tried again, backing off, in case it is installed.
          this.synced = true;
          this.changed(this.kind);
        }
        this.setState(permanentCodes.has(code) ? { state: 'error', message: err.message, code, attempt: this.failures } : { state: 'reconnecting', message: err.message, attempt: this.failures });
        await this.pause(this.nextDelay());
      }
    }
  }

  private nextDelay(): number {
    return backoffDelay(this.failures++, this.options.backoff);
  }

  /** Waits `ms`, or less when the watcher stops. */
  private async pause(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
    this.wake = undefined;
    this.timer = undefined;
  }

  private async list(): Promise<void> {
    const base = resourcePath(this.kind, this.options.namespace);
    const limit = this.options.pageSize ?? 500;
    const items: KubeObject[] = [];
    let next: string | undefined;
    let version: string | undefined;
    do {
      const query = `?limit=${limit}${next ? `&continue=${encodeURIComponent(next)}` : ''}`;
      let page: KubeList;
      try {
        page = await this.api.request<KubeList>('GET', base + query);
      } catch (error) {
        if (error instanceof ClusterError && error.code === 'Gone') throw new GoneError('continue token expired');
        throw error;
      }
      for (const item of page.items) items.push(item);
      next = page.metadata.continue || undefined;
      version = page.metadata.resourceVersion;
    } while (next !== undefined && !this.stopped);
    if (this.stopped) return;
    this.objects.clear();
    const apiVersion = `${resourcePath(this.kind).split('/')[2]}/${resourcePath(this.kind).split('/')[3]}`;
    for (const item of items) {
      // Items of a list carry no kind/apiVersion: set them so consumers can use the objects alone.
      item.kind ??= this.kind;
      item.apiVersion ??= apiVersion;
      this.objects.set(key(item), item);
    }
    this.resourceVersion = version;
    this.synced = true;
    this.setState({ state: 'connected' });
    this.changed(this.kind);
  }

  /** One watch from the current resourceVersion; resolves when it ends, never rejects. */
  private watchOnce(): Promise<WatchEnd> {
    const min = this.options.watchTimeoutSeconds ?? 300;
    const timeoutSeconds = Math.floor(min + Math.random() * min);
    const path = `${resourcePath(this.kind, this.options.namespace)}?watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(this.resourceVersion ?? '')}&timeoutSeconds=${timeoutSeconds}`;
    const healthyMs = this.options.healthyWatchMs ?? 5000;
    const started = performance.now();
    let events = 0;
    return new Promise<WatchEnd>((resolve) => {
      let ended = false;
      const end = (error: Error | undefined): void => {
        if (ended) return;
        ended = true;
        resolve({ error, healthy: events > 0 && performance.now() - started >= healthyMs });
      };
      this.watch = this.api.watch(
        path,
        {
          onOpen: () => {
            if (this.state.state !== 'connected') this.setState({ state: 'connected' });
          },
          onEvent: (event) => {
            if (ended) return;
            try {
              this.apply(event);
              events++;
            } catch (error) {
              this.watch?.stop();
              end(error instanceof Error ? error : new Error(String(error)));
            }
          },
          onClose: (error) => {
            if (error instanceof ClusterError && error.code === 'Gone') end(new GoneError(error.message));
            else end(error);
          },
        },
        // A silent connection (no bookmarks, no events) is considered dead after this long.
        { idleTimeoutMs: (timeoutSeconds + 60) * 1000 },
      );
    });
  }

  private apply(event: WatchEvent): void {
    const object = event.object;
    if (event.type === 'ERROR') {
      const status = isRecord(object) ? object : {};
      const code = typeof status.code === 'number' ? status.code : 0;
      const message = typeof status.message === 'string' ? status.message : 'watch error';
      if (code === 410 || status.reason === 'Expired' || status.reason === 'Gone') throw new GoneError(message);
      throw new ClusterError('ApiError', `Watch of ${this.kind} failed: ${message}`, code || undefined);
    }
    if (!isRecord(object) || !isRecord(object.metadata)) return;
    const kubeObject = object as unknown as KubeObject;
    const version = kubeObject.metadata.resourceVersion;
    if (version !== undefined) this.resourceVersion = version;
    if (event.type === 'BOOKMARK') return;
    kubeObject.kind ??= this.kind;
    if (event.type === 'DELETED') this.objects.delete(key(kubeObject));
    else this.objects.set(key(kubeObject), kubeObject);
    this.changed(this.kind);
  }
}

export class ResourceCache implements Disposable {
  private readonly watchers = new Map<FluxKind, KindWatcher>();
  private readonly changeListeners = new Set<ChangeListener>();
  private readonly stateListeners = new Set<StateListener>();
  private readonly pending = new Map<FluxKind, NodeJS.Timeout>();
  private readonly syncWaiters = new Set<(disposed?: boolean) => void>();
  private lastState: ConnectionState = { state: 'connecting' };
  private started = false;

  constructor(
    readonly api: KubeApi,
    private readonly options: ResourceCacheOptions = {},
  ) {
    for (const kind of options.kinds ?? allFluxKinds) {
      this.watchers.set(kind, new KindWatcher(kind, api, options, (k) => this.scheduleChange(k), () => this.updateState()));
    }
  }

  get namespace(): string | undefined {
    return this.options.namespace;
  }

  get kinds(): FluxKind[] {
    return [...this.watchers.keys()];
  }

  /** Starts every list+watch; resolves when each kind has listed once, or `timeoutMs` passed. */
  start(timeoutMs = 30_000): Promise<void> {
    if (!this.started) {
      this.started = true;
      for (const watcher of this.watchers.values()) watcher.start();
    }
    return this.whenSynced(timeoutMs);
  }

  /** Resolves when every kind has listed once; rejects after timeoutMs with the current state message. */
  whenSynced(timeoutMs = 30_000): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        subscription.dispose();
        const state = this.state;
        reject(new Error('message' in state ? state.message : `The cluster did not answer within ${timeoutMs} ms.`));
      }, timeoutMs);
      const check = (disposed = false): void => {
        if (this.synced || disposed) {
          clearTimeout(timer);
          subscription.dispose();
          if (disposed) reject(new Error('The cluster cache was disposed.'));
          else resolve();
        }
      };
      this.syncWaiters.add(check);
      const subscription = { dispose: () => this.syncWaiters.delete(check) };
    });
  }

  get synced(): boolean {
    return [...this.watchers.values()].every((w) => w.synced);
  }

  /** Overall state: error > reconnecting > connecting > connected. */
  get state(): ConnectionState {
    // A kind the cluster does not serve (e.g. Kustomization without kustomize-controller) does not
    // make the whole connection an error while other kinds are served.
    const all = [...this.watchers.values()].map((w) => w.state);
    const served = all.filter((s) => !(s.state === 'error' && s.code === 'FluxNotInstalled'));
    const states = served.length > 0 ? served : all;
    return (
      states.find((s) => s.state === 'error') ??
      states.find((s) => s.state === 'reconnecting') ??
      states.find((s) => s.state === 'connecting') ??
      states.find((s) => s.state === 'stopped') ?? { state: 'connected' }
    );
  }

  /** Per-kind states (e.g. 403 on one kind only). */
  stateOf(kind: FluxKind): ConnectionState | undefined {
    return this.watchers.get(kind)?.state;
  }

  list(kind: FluxKind): KubeObject[] {
    return [...(this.watchers.get(kind)?.objects.values() ?? [])];
  }

  get(kind: FluxKind, namespace: string, name: string): KubeObject | undefined {
    return this.watchers.get(kind)?.objects.get(`${namespace}/${name}`);
  }

  /** True when the cache watches this kind in this namespace. */
  covers(kind: FluxKind, namespace: string): boolean {
    return this.watchers.has(kind) && (this.options.namespace === undefined || this.options.namespace === namespace);
  }

  onDidChange(listener: ChangeListener): Disposable {
    this.changeListeners.add(listener);
    return { dispose: () => this.changeListeners.delete(listener) };
  }

  onDidChangeState(listener: StateListener): Disposable {
    this.stateListeners.add(listener);
    return { dispose: () => this.stateListeners.delete(listener) };
  }

  dispose(): void {
    for (const waiter of [...this.syncWaiters]) waiter(true);
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    for (const watcher of this.watchers.values()) watcher.stop();
    this.changeListeners.clear();
    this.stateListeners.clear();
  }

  private scheduleChange(kind: FluxKind): void {
    const coalesceMs = this.options.coalesceMs ?? 10;
    if (coalesceMs <= 0) {
      this.emitChange(kind);
      return;
    }
    if (this.pending.has(kind)) return;
    this.pending.set(
      kind,
      setTimeout(() => {
        this.pending.delete(kind);
        this.emitChange(kind);
      }, coalesceMs),
    );
  }

  private emitChange(kind: FluxKind): void {
    const objects = this.list(kind);
    for (const listener of [...this.changeListeners]) listener(kind, objects);
  }

  private updateState(): void {
    for (const waiter of [...this.syncWaiters]) waiter();
    const state = this.state;
    if (JSON.stringify(state) === JSON.stringify(this.lastState)) return;
    this.lastState = state;
    for (const listener of [...this.stateListeners]) listener(state);
  }
}
