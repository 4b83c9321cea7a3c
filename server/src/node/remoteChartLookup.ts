import type { ChartReference, ChartValues } from '../service/values/chartValues';
import type { LocalCharts } from './localCharts';
import { displayUrl, RemoteChartCache, RemoteChartError, type BasicAuth } from './remoteCharts';
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
}

/** After a failed download, how long before the same chart is tried again. */
const RETRY_AFTER_MS = [10_000, 60_000, 5 * 60_000];

/**
 * Charts from HTTP Helm repositories and OCI registries. A lookup never waits for the network: it
 * answers from the disk cache (offline too) and, when the chart is missing or the index is stale,
 * fetches it in the background and reports when it arrives.
 */
export class RemoteChartLookup {
  private readonly failures = new Map<string, { count: number; retryAt: number; message: string }>();
  private readonly pending = new Set<string>();

  constructor(
    private readonly cache: RemoteChartCache,
    private readonly charts: LocalCharts,
    private readonly options: RemoteLookupOptions,
    private readonly credentials: RegistryCredentials = new RegistryCredentials(),
  ) {}

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
    return this.failures.get(`${url} ${chart}`)?.message;
  }

  private refresh(source: { url: string; insecure?: boolean }, chart: string, constraint: string): void {
    this.background(source, chart, constraint, (auth) => this.cache.ensure({ ...source, auth }, chart, constraint));
  }

  private refreshIndex(source: { url: string; insecure?: boolean }, chart: string | undefined): void {
    this.background(source, chart ?? '', '(index)', (auth) => this.cache.refreshIndex({ ...source, auth }, chart));
  }

  /** Network work for one chart of a repository, at most one at a time per task, backing off after failures. */
  private background(source: { url: string; insecure?: boolean }, chart: string, task: string, work: (auth: BasicAuth | undefined) => Promise<{ stale: boolean }>): void {
    const key = `${source.url} ${chart}`;
    const id = `${key} ${task}`;
    const failure = this.failures.get(key);
    if (this.pending.has(id) || (failure && Date.now() < failure.retryAt) || !this.options.allowDownload()) return;
    this.pending.add(id);
    this.credentials
      .resolve(source.url)
      .then(work)
      .then(
        ({ stale }) => {
          if (stale) {
            // Unreachable, answered from the cached index: wait before asking the network again.
            const count = (failure?.count ?? 0) + 1;
            this.failures.set(key, { count, retryAt: Date.now() + RETRY_AFTER_MS[Math.min(count, RETRY_AFTER_MS.length) - 1]!, message: 'the repository cannot be reached; the cached index is used' });
          } else {
            this.failures.delete(key);
          }
          this.options.onChanged();
        },
        (error: unknown) => {
          const count = (failure?.count ?? 0) + 1;
          const message = error instanceof RemoteChartError ? error.message : 'the chart could not be fetched';
          this.failures.set(key, { count, retryAt: Date.now() + RETRY_AFTER_MS[Math.min(count, RETRY_AFTER_MS.length) - 1]!, message });
          this.options.log(`${chart ? `Chart ${chart}` : 'Index'} from ${displayUrl(source.url)}: ${message}`);
          this.options.onChanged();
          if (error instanceof RemoteChartError && (error.kind === 'unauthorized' || error.kind === 'forbidden')) this.options.onRefused?.(source.url, error.status ?? 401);
        },
      )
      .finally(() => this.pending.delete(id));
  }
}
