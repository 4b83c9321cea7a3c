import { createHash, randomBytes } from 'crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'fs';
import * as path from 'path';
import { BoundedMap } from '../../boundedMap';
import { isExactVersion } from '../../service/semver/constraint';
import { RemoteChartError } from './errors';
import { extractChartArchive, type ExtractLimits } from './extract';
import type { BasicAuth } from './fetchUtil';
import { downloadChartArchive, fetchRepositoryIndex, resolveChartVersion, type ChartVersionEntry, type RepositoryIndex } from './httpRepository';
import { OciClient, chartVersionsFromTags, ociChartRef, pickOciVersion } from './ociRegistry';

/** Where a chart comes from: a HelmRepository (default type or `type: oci`). */
export interface ChartSource {
  /** `https://…` for an HTTP repository, `oci://host/path` for OCI. */
  url: string;
  auth?: BasicAuth;
  /** HTTP: send credentials to chart URLs on other hosts too. */
  passCredentials?: boolean;
  /** OCI: plain HTTP (HelmRepository `insecure: true`). */
  insecure?: boolean;
}

/** Identifies one downloaded chart in the cache. */
export interface ChartKey {
  url: string;
  chart: string;
  version: string;
  /** sha256 (hex) of the archive when the index gives it. */
  digest?: string;
}

export interface ResolvedChart {
  key: ChartKey;
  /** The chart directory (Chart.yaml, values.yaml, values.schema.json, charts/…). */
  directory: string;
  /** The version list came from a cached index older than the TTL because the repository could not be reached. */
  stale: boolean;
}

export interface RemoteChartCacheOptions {
  /** How long a downloaded index.yaml / tag list is used before asking again. Default 15 min. */
  indexTtlMs?: number;
  /** Per request. Default 30 s (60 s for index.yaml). */
  timeoutMs?: number;
  /** Largest chart archive. Default 20 MB. */
  maxChartBytes?: number;
  extractLimits?: ExtractLimits;
  now?: () => number;
  /** Most indexes and tag lists kept parsed in memory. Default 64. */
  maxIndexesInMemory?: number;
  /** Most chart versions, all indexes together, kept parsed in memory. Default 200 000. */
  maxVersionsInMemory?: number;
  /** How long a parsed index in memory is trusted before its file is looked at (stat) again. Default 10 s. */
  recheckMs?: number;
}

interface StoredIndex {
  url: string;
  fetchedAt: number;
  index: RepositoryIndex;
}

/** A parsed index file (or its absence) in memory, with the file's stamp when it was read. */
interface IndexInMemory {
  stamp: string;
  checkedAt: number;
  stored: StoredIndex | undefined;
}

const INDEX_FORMAT = 1;

/**
 * Disk cache of remote charts under `root` (the extension's global storage):
 * `root/charts/<chart>-<version>-<hash>/` chart directories and `root/index/<hash>.json`
 * compact copies of repository indexes (HTTP) or tag lists (OCI, per chart).
 * Reads are synchronous and need no network; downloads are de-duplicated per key.
 */
export class RemoteChartCache {
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly indexInflight = new Map<string, Promise<{ index: RepositoryIndex; stale: boolean }>>();
  /** Parsed index files, so that a lookup per HelmRelease per diagnostics pass reads no file. */
  private readonly indexes: BoundedMap<string, IndexInMemory>;
  private readonly ttl: number;
  private readonly recheck: number;
  private readonly now: () => number;

  constructor(
    readonly root: string,
    private readonly options: RemoteChartCacheOptions = {},
  ) {
    this.ttl = options.indexTtlMs ?? 15 * 60 * 1000;
    this.recheck = options.recheckMs ?? 10_000;
    this.now = options.now ?? Date.now;
    this.indexes = new BoundedMap({
      maxEntries: options.maxIndexesInMemory ?? 64,
      maxWeight: options.maxVersionsInMemory ?? 200_000,
      weigh: (entry) => 1 + versionCount(entry.stored?.index),
    });
  }

  /** How many parsed indexes (and chart versions in them) are kept in memory. */
  memoryUse(): { indexes: number; versions: number } {
    return { indexes: this.indexes.size, versions: this.indexes.weight - this.indexes.size };
  }

  /** Where the chart of this key lives (whether or not it is there yet). */
  directoryFor(key: ChartKey): string {
    const id = createHash('sha256').update(JSON.stringify([normalizeUrl(key.url), key.chart, key.version, key.digest ?? ''])).digest('hex').slice(0, 16);
    return path.join(this.root, 'charts', `${safeName(key.chart)}-${safeName(key.version)}-${id}`);
  }

  /** The cached chart directory, or undefined. Synchronous, offline. */
  get(key: ChartKey): string | undefined {
    const dir = this.directoryFor(key);
    return existsSync(path.join(dir, 'Chart.yaml')) ? dir : undefined;
  }

  /**
   * The chart directory of `key`, downloading with `download` and unpacking when it is not cached.
   * Concurrent calls for the same key share one download.
   */
  fetch(key: ChartKey, download: () => Promise<Uint8Array>): Promise<string> {
    const cached = this.get(key);
    if (cached) return Promise.resolve(cached);
    const dir = this.directoryFor(key);
    const running = this.inflight.get(dir);
    if (running) return running;
    const job = (async () => {
      const archive = await download();
      const extracted = await extractChartArchive(archive, dir, this.options.extractLimits);
      return extracted.directory;
    })().finally(() => this.inflight.delete(dir));
    this.inflight.set(dir, job);
    return job;
  }

  /**
   * Synchronous, offline: the cached chart Flux would pick for `constraint`, resolved against the
   * last index / tag list seen (whatever its age). For OCI, an exact version needs no tag list.
   */
  peek(source: ChartSource, chart: string, constraint: string): ResolvedChart | undefined {
    try {
      if (isOci(source.url)) {
        const wanted = constraint.trim();
        let version: string;
        let stale = false;
        if (wanted !== '' && isExactVersion(wanted)) version = wanted;
        else {
          const stored = this.storedIndex(indexId(source.url, chart));
          if (!stored) return undefined;
          stale = this.now() - stored.fetchedAt > this.ttl;
          version = pickOciVersion(stored.index.entries[chart]?.map((e) => e.version) ?? [], wanted, ociChartRef(source.url, chart));
        }
        const key: ChartKey = { url: normalizeUrl(source.url), chart, version };
        const dir = this.get(key);
        return dir ? { key, directory: dir, stale } : undefined;
      }
      const stored = this.storedIndex(indexId(source.url));
      if (!stored) return undefined;
      const entry = resolveChartVersion(stored.index, chart, constraint);
      const key = httpKey(source.url, chart, entry);
      const dir = this.get(key);
      return dir ? { key, directory: dir, stale: this.now() - stored.fetchedAt > this.ttl } : undefined;
    } catch {
      return undefined;
    }
  }

  /** Synchronous, offline: the versions of a chart in the last index / tag list seen, if any. */
  versions(source: ChartSource, chart: string): Array<{ version: string; created?: string }> | undefined {
    try {
      const stored = this.storedIndex(isOci(source.url) ? indexId(source.url, chart) : indexId(source.url));
      return stored?.index.entries[chart]?.map((e) => ({ version: e.version, created: e.created }));
    } catch {
      return undefined;
    }
  }

  /** Synchronous, offline: the charts an HTTP repository's last index lists (an OCI registry has no such list). */
  chartNames(source: ChartSource): string[] | undefined {
    if (isOci(source.url)) return undefined;
    const stored = this.storedIndex(indexId(source.url));
    return stored ? Object.keys(stored.index.entries).sort() : undefined;
  }

  /** Whether the index (HTTP) or tag list (OCI, of `chart`) in the cache is younger than the TTL. */
  hasFreshIndex(source: ChartSource, chart?: string): boolean {
    if (isOci(source.url) && !chart) return false;
    const stored = this.storedIndex(isOci(source.url) ? indexId(source.url, chart) : indexId(source.url));
    return stored !== undefined && this.now() - stored.fetchedAt <= this.ttl;
  }

  /** Reads the repository index (HTTP) or the chart's tag list (OCI) again when it is older than the TTL; downloads no chart. */
  async refreshIndex(source: ChartSource, chart?: string, signal?: AbortSignal): Promise<{ stale: boolean }> {
    if (!isOci(source.url)) return { stale: (await this.loadIndex(source, indexId(source.url), signal)).stale };
    if (!chart) return { stale: false };
    const client = new OciClient({ auth: source.auth, plainHttp: source.insecure, timeoutMs: this.options.timeoutMs, maxChartBytes: this.options.maxChartBytes, signal });
    return { stale: (await this.loadIndex(source, indexId(source.url, chart), signal, () => tagIndex(client, source.url, chart))).stale };
  }

  /**
   * Resolves `constraint` (index / tag list from cache while fresh, else from the network, falling
   * back to the stale cached copy when the repository cannot be reached) and makes sure the chart
   * is downloaded and unpacked. Throws {@link RemoteChartError}.
   */
  async ensure(source: ChartSource, chart: string, constraint: string, signal?: AbortSignal): Promise<ResolvedChart> {
    if (isOci(source.url)) return this.ensureOci(source, chart, constraint, signal);
    const { index, stale } = await this.loadIndex(source, indexId(source.url), signal);
    const entry = resolveChartVersion(index, chart, constraint);
    const key = httpKey(source.url, chart, entry);
    const directory = await this.fetch(key, () =>
      downloadChartArchive(source.url, entry, { auth: source.auth, passCredentials: source.passCredentials, timeoutMs: this.options.timeoutMs, maxChartBytes: this.options.maxChartBytes, signal }),
    );
    return { key, directory, stale };
  }

  /** Forgets the repository indexes and tag lists (downloaded charts stay): the next lookup reads them anew. */
  forgetIndexes(): void {
    this.indexes.clear();
    rmSync(path.join(this.root, 'index'), { recursive: true, force: true });
  }

  /** Removes every cached chart and index. */
  clear(): void {
    this.indexes.clear();
    rmSync(path.join(this.root, 'charts'), { recursive: true, force: true });
    rmSync(path.join(this.root, 'index'), { recursive: true, force: true });
  }

  private async ensureOci(source: ChartSource, chart: string, constraint: string, signal: AbortSignal | undefined): Promise<ResolvedChart> {
    const ref = ociChartRef(source.url, chart);
    const client = new OciClient({ auth: source.auth, plainHttp: source.insecure, timeoutMs: this.options.timeoutMs, maxChartBytes: this.options.maxChartBytes, signal });
    const wanted = constraint.trim();
    let version: string;
    let stale = false;
    if (wanted !== '' && isExactVersion(wanted)) version = wanted;
    else {
      const loaded = await this.loadIndex(source, indexId(source.url, chart), signal, () => tagIndex(client, source.url, chart));
      stale = loaded.stale;
      version = pickOciVersion(loaded.index.entries[chart]?.map((e) => e.version) ?? [], wanted, ref);
    }
    const key: ChartKey = { url: normalizeUrl(source.url), chart, version };
    const directory = await this.fetch(key, async () => (await client.pullChart(ref, version)).archive);
    return { key, directory, stale };
  }

  private loadIndex(source: ChartSource, id: string, signal: AbortSignal | undefined, download?: () => Promise<RepositoryIndex>): Promise<{ index: RepositoryIndex; stale: boolean }> {
    const stored = this.storedIndex(id);
    if (stored && this.now() - stored.fetchedAt <= this.ttl) return Promise.resolve({ index: stored.index, stale: false });
    const running = this.indexInflight.get(id);
    if (running) return running;
    const job = (async () => {
      try {
        const index = download
          ? await download()
          : await fetchRepositoryIndex(source.url, { auth: source.auth, timeoutMs: this.options.timeoutMs, signal });
        this.writeIndex(id, { url: normalizeUrl(source.url), fetchedAt: this.now(), index });
        return { index, stale: false };
      } catch (error) {
        // Offline or the server is down: the last index still answers.
        if (stored && error instanceof RemoteChartError && (error.kind === 'network' || error.kind === 'timeout' || (error.kind === 'http' && (error.status ?? 0) >= 500))) {
          return { index: stored.index, stale: true };
        }
        throw error;
      }
    })().finally(() => this.indexInflight.delete(id));
    this.indexInflight.set(id, job);
    return job;
  }

  /**
   * The index (or tag list) in the cache: parsed from memory; its file is looked at again (a stat)
   * only after `recheckMs`, and read and parsed again only when another window rewrote it.
   */
  private storedIndex(id: string): StoredIndex | undefined {
    const now = this.now();
    const memory = this.indexes.get(id);
    if (memory && now - memory.checkedAt < this.recheck) return memory.stored;
    const file = this.indexFile(id);
    const stamp = fileStamp(file);
    if (memory && memory.stamp === stamp) {
      memory.checkedAt = now;
      return memory.stored;
    }
    const stored = stamp === MISSING ? undefined : readIndexFile(file);
    this.indexes.set(id, { stamp, checkedAt: now, stored });
    return stored;
  }

  private writeIndex(id: string, stored: StoredIndex): void {
    const file = this.indexFile(id);
    let stamp = MISSING;
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      const temp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
      writeFileSync(temp, JSON.stringify({ format: INDEX_FORMAT, ...stored }));
      renameSync(temp, file);
      stamp = fileStamp(file);
    } catch {
      // the in-memory copy still serves this session
    }
    this.indexes.set(id, { stamp, checkedAt: this.now(), stored });
  }

  private indexFile(id: string): string {
    return path.join(this.root, 'index', `${id}.json`);
  }
}

const MISSING = 'missing';

/** Changes when the file is written again (rename of a new file, or another size or time). */
function fileStamp(file: string): string {
  try {
    const stat = statSync(file);
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  } catch {
    return MISSING;
  }
}

function readIndexFile(file: string): StoredIndex | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { format?: unknown } & Partial<StoredIndex>;
    if (parsed.format !== INDEX_FORMAT || typeof parsed.fetchedAt !== 'number' || typeof parsed.url !== 'string' || typeof parsed.index !== 'object' || parsed.index === null) return undefined;
    return { url: parsed.url, fetchedAt: parsed.fetchedAt, index: parsed.index };
  } catch {
    return undefined;
  }
}

function versionCount(index: RepositoryIndex | undefined): number {
  let count = 0;
  for (const versions of Object.values(index?.entries ?? {})) count += Array.isArray(versions) ? versions.length : 0;
  return count;
}

/** An OCI chart's tags as an index with one entry per version (Helm's `_` for `+` undone). */
async function tagIndex(client: OciClient, url: string, chart: string): Promise<RepositoryIndex> {
  const versions = chartVersionsFromTags(await client.listTags(ociChartRef(url, chart)));
  return { entries: { [chart]: versions.map((version) => ({ version, urls: [] })) } };
}

function httpKey(url: string, chart: string, entry: ChartVersionEntry): ChartKey {
  const key: ChartKey = { url: normalizeUrl(url), chart, version: entry.version };
  if (entry.digest) key.digest = entry.digest;
  return key;
}

function indexId(url: string, chart?: string): string {
  return createHash('sha256').update(JSON.stringify([normalizeUrl(url), chart ?? ''])).digest('hex').slice(0, 32);
}

function isOci(url: string): boolean {
  return url.trim().toLowerCase().startsWith('oci://');
}

/** Trailing slashes do not make a different repository. */
export function normalizeUrl(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60) || '_';
}
