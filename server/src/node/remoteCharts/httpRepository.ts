import { createHash } from 'crypto';
import { parse } from 'yaml';
import { selectVersion } from '../../service/semver/constraint';
import { RemoteChartError, displayUrl } from './errors';
import { basicAuthHeader, request, statusError, type BasicAuth } from './fetchUtil';

export interface ChartVersionEntry {
  version: string;
  created?: string;
  /** As written in the index: relative to the repository URL or absolute. */
  urls: string[];
  /** sha256 of the .tgz, hex, when the index gives one. */
  digest?: string;
}

/** The part of a repository's index.yaml this module needs (much smaller than the file). */
export interface RepositoryIndex {
  entries: Record<string, ChartVersionEntry[]>;
}

export interface HttpRepositoryOptions {
  auth?: BasicAuth;
  /** Send the credentials to chart URLs on other hosts too (HelmRepository `passCredentials`). */
  passCredentials?: boolean;
  /** Per request, body included. Default 30 s for charts, 60 s for the index. */
  timeoutMs?: number;
  /** Largest chart .tgz downloaded. Default 20 MB. */
  maxChartBytes?: number;
  /** Largest index.yaml downloaded. Default 100 MB. */
  maxIndexBytes?: number;
  signal?: AbortSignal;
}

export const DEFAULT_MAX_CHART_BYTES = 20 * 1024 * 1024;
export const DEFAULT_MAX_INDEX_BYTES = 100 * 1024 * 1024;

/** `<url>/index.yaml`, like Helm: the repository URL with a trailing `/` ensured. */
export function indexUrl(repoUrl: string): string {
  return new URL('index.yaml', withSlash(repoUrl)).toString();
}

/** Downloads and parses `<repo>/index.yaml`. */
export async function fetchRepositoryIndex(repoUrl: string, options: HttpRepositoryOptions = {}): Promise<RepositoryIndex> {
  const url = indexUrl(repoUrl);
  const response = await request(
    url,
    { timeoutMs: options.timeoutMs ?? 60_000, maxBytes: options.maxIndexBytes ?? DEFAULT_MAX_INDEX_BYTES, headers: authHeaders(options.auth), signal: options.signal },
    'the Helm repository index',
  );
  if (response.status < 200 || response.status > 299) throw statusError(response.status, 'the Helm repository index', url);
  return parseRepositoryIndex(response.body.toString('utf8'), url);
}

/** Reads the entries of an index.yaml text (anything else in it is dropped). */
export function parseRepositoryIndex(text: string, url = 'index.yaml'): RepositoryIndex {
  let doc: unknown;
  try {
    // failsafe: every scalar stays the string written (`version: 1.10` is not the number 1.1)
    doc = parse(text, { schema: 'failsafe', uniqueKeys: false, prettyErrors: false });
  } catch (error) {
    throw new RemoteChartError('invalid-index', `the Helm repository index at ${displayUrl(url)} is not valid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  const entries = isRecord(doc) ? doc.entries : undefined;
  if (!isRecord(doc) || (entries !== undefined && entries !== null && !isRecord(entries))) {
    throw new RemoteChartError('invalid-index', `the Helm repository index at ${displayUrl(url)} has no \`entries\` mapping`);
  }
  const out: RepositoryIndex = { entries: {} };
  for (const [chart, list] of Object.entries(isRecord(entries) ? entries : {})) {
    if (!Array.isArray(list)) continue;
    const versions: ChartVersionEntry[] = [];
    for (const item of list) {
      if (!isRecord(item)) continue;
      const version = scalarString(item.version);
      if (version === undefined) continue;
      const urls = Array.isArray(item.urls) ? item.urls.filter((u): u is string => typeof u === 'string') : [];
      const created = item.created instanceof Date ? item.created.toISOString() : scalarString(item.created);
      const digest = scalarString(item.digest);
      const entry: ChartVersionEntry = { version, urls };
      if (created !== undefined) entry.created = created;
      if (digest !== undefined && /^(sha256:)?[0-9a-f]{64}$/i.test(digest)) entry.digest = digest.replace(/^sha256:/i, '').toLowerCase();
      versions.push(entry);
    }
    out.entries[chart] = versions;
  }
  return out;
}

/** The entry Flux would pick for `constraint` (empty means latest stable). */
export function resolveChartVersion(index: RepositoryIndex, chart: string, constraint: string): ChartVersionEntry {
  const versions = Object.prototype.hasOwnProperty.call(index.entries, chart) ? index.entries[chart] : undefined;
  if (!versions || versions.length === 0) throw new RemoteChartError('no-version', `no chart named '${chart}' in the repository index`);
  const picked = selectVersion(constraint.trim(), versions);
  if (!picked) throw new RemoteChartError('no-version', `no '${chart}' chart with version matching '${constraint}' found`);
  const entry = versions.find((v) => v.version === picked.version);
  if (!entry) throw new RemoteChartError('no-version', `no '${chart}' chart with version matching '${constraint}' found`);
  return entry;
}

/** The download URL of an entry: its first URL, resolved against the repository URL. */
export function chartDownloadUrl(repoUrl: string, entry: ChartVersionEntry): string {
  const first = entry.urls[0];
  if (first === undefined) throw new RemoteChartError('invalid-index', `chart version ${entry.version} has no download URL in the index`);
  try {
    return new URL(first, withSlash(repoUrl)).toString();
  } catch {
    throw new RemoteChartError('invalid-index', `chart version ${entry.version} has an invalid download URL in the index`);
  }
}

/**
 * Downloads the chart .tgz of an index entry; checks the index digest when there is one.
 * Credentials go to the repository's own origin only, unless `passCredentials`.
 */
export async function downloadChartArchive(repoUrl: string, entry: ChartVersionEntry, options: HttpRepositoryOptions = {}): Promise<Buffer> {
  const url = chartDownloadUrl(repoUrl, entry);
  const sameOrigin = new URL(url).origin === new URL(withSlash(repoUrl)).origin;
  const protocol = new URL(url).protocol;
  if (protocol !== 'http:' && protocol !== 'https:') throw new RemoteChartError('unsupported', `chart URL ${displayUrl(url)} is not an http(s) URL`);
  const response = await request(
    url,
    {
      timeoutMs: options.timeoutMs ?? 30_000,
      maxBytes: options.maxChartBytes ?? DEFAULT_MAX_CHART_BYTES,
      headers: sameOrigin || options.passCredentials ? authHeaders(options.auth) : {},
      signal: options.signal,
    },
    'the chart archive',
  );
  if (response.status < 200 || response.status > 299) throw statusError(response.status, 'the chart archive', url);
  if (entry.digest) {
    const actual = createHash('sha256').update(response.body).digest('hex');
    if (actual !== entry.digest) throw new RemoteChartError('digest-mismatch', `the chart archive at ${displayUrl(url)} has digest sha256:${actual}, but the index says sha256:${entry.digest}`);
  }
  return response.body;
}

function authHeaders(auth: BasicAuth | undefined): Record<string, string> {
  return auth ? { authorization: basicAuthHeader(auth) } : {};
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function scalarString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}
