import { BoundedMap } from '../boundedMap';
import type { ChartReference, ChartValues } from '../service/values/chartValues';
import type { LocalCharts } from './localCharts';
import { displayUrl, normalizeUrl, RemoteChartCache, RemoteChartError, type BasicAuth } from './remoteCharts';
import { RegistryCredentials } from './registryCredentials';

/** What the workspace says about the HelmRepository a release names. */
export interface RepositoryInfo {
  url: string;
  insecure?: boolean;
}

export interface RemoteLookupOptions {
  /** Downloads only happen in a trusted workspace (the lookup still answers from the cache). */
  allowDownload: () => boolean;
  /** A chart became available, or could not be fetched: diagnostics and status lines may change. */
  onChanged: () => void;
  log: (message: string) => void;
  /** A repository answered 401 or 403: the user may want to enter credentials. */
  onRefused?: (url: string, status: number) => void;
  /**
   * How long a chart name must stay the same before the network is asked about it, so that typing
   * `postgresql` asks about `postgresql` only, not `p`, `po`, … Default 500 ms.
   */
  settleMs?: number;
  /** Most charts whose last failure is remembered (the oldest is forgotten first). Default 256. */
  maxFailures?: number;
  now?: () => number;
}

/** After a failed download, how long before the same chart is tried again. */
const RETRY_AFTER_MS = [10_000, 60_000, 5 * 60_000];

type Source = { url: string; insecure?: boolean };
type Work = (auth: BasicAuth | undefined) => Promise<{ stale: boolean }>;

/** Network work about one chart of a repository: fetching it, reading its index or tag list, or both. */
interface ChartJob {
  /** `<url> <chart>`: what failures are remembered by. */
  key: string;
  chart: string;
  source: Source;
  /** By task (`(index)` or a version constraint). */
  tasks: Map<string, Work>;
  /** The name has not changed for the pause: the job may start. */
  settled: boolean;
  timer?: ReturnType<typeof setTimeout>;
}

/** Per repository: the one job on the network, and the one waiting for its name to settle. */
interface RepositoryQueue {
  running?: { key: string; tasks: Set<string> };
  waiting?: ChartJob;
}

/**
 * Charts from HTTP Helm repositories and OCI registries. A lookup never waits for the network: it
 * answers from the disk cache (offline too) and, when the chart is missing or the index is stale,
 * fetches it in the background and reports when it arrives.
 */
export class RemoteChartLookup {
  private readonly failures: BoundedMap<string, { count: number; retryAt: number; message: string }>;
  /** Only repositories with work running or waiting; removed when idle. */
  private readonly queues = new Map<string, RepositoryQueue>();
  private readonly now: () => number;

  constructor(
    private readonly cache: RemoteChartCache,
    private readonly charts: LocalCharts,
    private readonly options: RemoteLookupOptions,
    private readonly credentials: RegistryCredentials = new RegistryCredentials(),
  ) {
    this.failures = new BoundedMap({ maxEntries: options.maxFailures ?? 256 });
    this.now = options.now ?? Date.now;
  }

  lookup(ref: ChartReference, repository: RepositoryInfo | undefined): ChartValues | undefined {
    if (ref.sourceKind !== 'HelmRepository' || !repository || !ref.chart || ref.chart.includes('${') || ref.version?.includes('${')) return undefined;
    // Credentials are looked up only when the network is used (a credential helper is a process).
    const source = { url: repository.url, insecure: repository.insecure };
    const constraint = ref.version ?? '';
    let hit;
    try {
      hit = this.cache.peek(source, ref.chart, constraint);
    } catch {
      hit = undefined; // a cached index without a matching version: refresh below
    }
    if (!hit || hit.stale) this.refresh(source, ref.chart, constraint);
    if (!hit) return undefined;
    return this.charts.readDirectory(hit.directory, `${ref.chart} ${hit.key.version} from ${displayUrl(repository.url)}${hit.stale ? ', cached (repository unreachable)' : ''}`);
  }

  /** The published versions of a chart, from the cached index or tag list; a stale or missing one is read again in the background. */
  versions(repository: RepositoryInfo | undefined, chart: string | undefined): Array<{ version: string; created?: string }> | undefined {
    if (!repository || !chart || chart.includes('${')) return undefined;
    const source = { url: repository.url, insecure: repository.insecure };
    if (!this.cache.hasFreshIndex(source, chart)) this.refreshIndex(source, chart);
    return this.cache.versions(source, chart);
  }

  /** The charts an HTTP repository lists, from its cached index (read again in the background when stale). */
  chartNames(repository: RepositoryInfo | undefined): string[] | undefined {
    if (!repository || repository.url.startsWith('oci://')) return undefined;
    const source = { url: repository.url, insecure: repository.insecure };
    if (!this.cache.hasFreshIndex(source)) this.refreshIndex(source, undefined);
    return this.cache.chartNames(source);
  }

  /** Forget failures, so that charts are tried again at once. */
  resetFailures(): void {
    this.failures.clear();
  }

  /** The last error fetching a chart, for a hover or a status line. */
  problemOf(url: string, chart: string): string | undefined {
    return (this.failures.peek(`${url} ${chart}`) ?? this.failures.peek(repositoryKey(url)))?.message;
  }

  /** How many charts have a failure remembered. */
  get failureCount(): number {
    return this.failures.size;
  }

  /** Drops the work waiting for a pause (the language server is shutting down). */
  dispose(): void {
    for (const queue of this.queues.values()) if (queue.waiting?.timer) clearTimeout(queue.waiting.timer);
    this.queues.clear();
  }

  private refresh(source: { url: string; insecure?: boolean }, chart: string, constraint: string): void {
    this.background(source, chart, constraint, (auth) => this.cache.ensure({ ...source, auth }, chart, constraint));
  }

  private refreshIndex(source: { url: string; insecure?: boolean }, chart: string | undefined): void {
    this.background(source, chart ?? '', '(index)', (auth) => this.cache.refreshIndex({ ...source, auth }, chart));
  }

  /**
   * Network work for one chart of a repository. It starts once the chart name has stayed the same
   * for the pause (a new name for the same repository replaces the one waiting and starts the pause
   * again), one chart at a time per repository, and backs off after failures.
   */
  private background(source: Source, chart: string, task: string, work: Work): void {
    const key = `${source.url} ${chart}`;
    if (!this.mayTry(key, source.url)) return;
    const repository = `${normalizeUrl(source.url)}${source.insecure ? ' insecure' : ''}`;
    let queue = this.queues.get(repository);
    if (!queue) this.queues.set(repository, (queue = {}));
    if (queue.running?.key === key && queue.running.tasks.has(task)) return;
    if (queue.waiting?.key === key) {
      // The same name again (another diagnostics pass): the pause goes on as it was.
      if (!queue.waiting.tasks.has(task)) queue.waiting.tasks.set(task, work);
      return;
    }
    if (queue.waiting?.timer) clearTimeout(queue.waiting.timer);
    const job: ChartJob = { key, chart, source, tasks: new Map([[task, work]]), settled: false };
    queue.waiting = job;
    job.timer = setTimeout(() => {
      job.timer = undefined;
      job.settled = true;
      this.startWaiting(repository);
    }, this.options.settleMs ?? 500);
    job.timer.unref?.();
  }

  /** Whether the network may be asked about a chart: not while it, or its whole repository, is backing off. */
  private mayTry(key: string, url: string): boolean {
    if (!this.options.allowDownload()) return false;
    const now = this.now();
    const failure = this.failures.peek(key);
    const repositoryFailure = this.failures.peek(repositoryKey(url));
    return !(failure && now < failure.retryAt) && !(repositoryFailure && now < repositoryFailure.retryAt);
  }

  /** Starts the job waiting for a repository when its name has settled and nothing else runs there. */
  private startWaiting(repository: string): void {
    const queue = this.queues.get(repository);
    if (!queue) return;
    const job = queue.waiting;
    if (queue.running || !job?.settled) {
      if (!queue.running && !job) this.queues.delete(repository);
      return;
    }
    queue.waiting = undefined;
    if (!this.mayTry(job.key, job.source.url)) {
      this.queues.delete(repository);
      return;
    }
    queue.running = { key: job.key, tasks: new Set(job.tasks.keys()) };
    const previous = this.failures.peek(job.key) ?? this.failures.peek(repositoryKey(job.source.url));
    const run = async (): Promise<Array<PromiseSettledResult<{ stale: boolean }>>> => {
      try {
        const auth = await this.credentials.resolve(job.source.url);
        return await Promise.allSettled([...job.tasks.values()].map((work) => work(auth)));
      } catch (error) {
        return [{ status: 'rejected', reason: error }];
      }
    };
    void run().then((results) => {
      queue.running = undefined;
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      const stale = results.some((r) => r.status === 'fulfilled' && r.value.stale);
      const count = (previous?.count ?? 0) + 1;
      const retryAt = this.now() + RETRY_AFTER_MS[Math.min(count, RETRY_AFTER_MS.length) - 1]!;
      if (failed) {
        const error: unknown = failed.reason;
        const message = error instanceof RemoteChartError ? error.message : 'the chart could not be fetched';
        // A repository that cannot be reached (or refuses us) fails for every chart of it alike: all
        // of them back off together, so that a thousand releases on it do not each try in turn.
        this.failures.set(isRepositoryWide(error, job.source.url) ? repositoryKey(job.source.url) : job.key, { count, retryAt, message });
        this.options.log(`${job.chart ? `Chart ${job.chart}` : 'Index'} from ${displayUrl(job.source.url)}: ${message}`);
        if (error instanceof RemoteChartError && (error.kind === 'unauthorized' || error.kind === 'forbidden')) this.options.onRefused?.(job.source.url, error.status ?? 401);
      } else if (stale) {
        // Unreachable, answered from the cached index: wait before asking the network again.
        this.failures.set(repositoryKey(job.source.url), { count, retryAt, message: 'the repository cannot be reached; the cached index is used' });
      } else {
        this.failures.delete(job.key);
        this.failures.delete(repositoryKey(job.source.url));
      }
      try {
        this.options.onChanged();
      } finally {
        this.startWaiting(repository);
      }
    });
  }
}

/** What a failure of a whole repository is remembered by. */
function repositoryKey(url: string): string {
  return `${normalizeUrl(url)} (repository)`;
}

/**
 * Failures that say nothing about the chart asked for: the repository cannot be reached, answers
 * with a server error, or refuses the credentials (an HTTP repository's index serves every chart;
 * an OCI registry may grant one chart and refuse another, so there a refusal stays with the chart).
 */
function isRepositoryWide(error: unknown, url: string): boolean {
  if (!(error instanceof RemoteChartError)) return false;
  if (error.kind === 'network' || error.kind === 'timeout') return true;
  if (error.kind === 'http') return (error.status ?? 0) >= 500;
  if (error.kind === 'unauthorized' || error.kind === 'forbidden') return !url.startsWith('oci://');
  return false;
}
