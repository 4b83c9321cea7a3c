// Helm's release record as helm-controller stores it (a Secret `sh.helm.release.v1.<name>.v<N>` in
// the storage namespace), and the masking of values that came from Secrets. Pure Node: no `vscode`.
// A decoded record is secret data: nothing here logs it or puts any of it in an error message.
import { gunzipSync } from 'node:zlib';
import { isAlias, isMap, isPair, isScalar, parse, parseAllDocuments, parseDocument, type Document, type Node } from 'yaml';
import { splitTargetPath } from '../../../server/src/service/values/effectiveValues';
import type { KubeApi } from './connection';
import { ClusterError } from './errors';
import { isRecord, pathSegment, type KubeObject } from './types';

export type Values = Record<string, unknown>;

/** The fields of Helm's release record (`pkg/release/v1/release.go`, JSON names) the extension shows. */
export interface HelmReleaseRecord {
  name: string;
  namespace: string;
  version: number;
  info: { status: string; description: string; first_deployed?: string; last_deployed?: string };
  chart: { metadata: { name: string; version: string; appVersion?: string }; values: Values };
  /** The user-supplied values only (valuesFrom + spec.values), not merged with the chart's defaults. */
  config: Values;
  /** The rendered manifests, without hooks. */
  manifest: string;
}

/** One `status.history` entry of a HelmRelease (helm-controller's snapshot of a release). */
export interface HistorySnapshot {
  name?: string;
  namespace?: string;
  version: number;
  status?: string;
  chartName?: string;
  chartVersion?: string;
  appVersion?: string;
  configDigest?: string;
  [key: string]: unknown;
}

export type DeployedRelease =
  | { source: 'storage'; entry: HistorySnapshot; record: HelmReleaseRecord; storageNamespace: string; secretName: string }
  | { source: 'history'; entry: HistorySnapshot; reason: string };

const decodeError = (why: string) => new ClusterError('ApiError', `Helm's release record could not be decoded: ${why}.`);

/** Limit of the gunzipped record: a Secret holds at most 1 MiB, so more means a hostile payload. */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;

function fromBase64(text: string, layer: string): Buffer {
  const compact = text.replace(/\s+/g, '');
  // Buffer.from(…, 'base64') accepts anything, so garbage is refused here.
  if (compact === '' || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) throw decodeError(`the ${layer} base64 layer is not base64`);
  return Buffer.from(compact, 'base64');
}

const isGzip = (bytes: Buffer) => bytes.length >= 3 && bytes[0] === 0x1f && bytes[1] === 0x8b && bytes[2] === 0x08;
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * The Secret's `data.release` as the API returns it: base64 (the API's encoding of Secret data) of
 * base64 (Helm's) of gzip (older records: plain) of JSON. Text already decoded once (a ConfigMap
 * driver record, or a client that decoded the API's layer) is accepted too: gzip and JSON cannot
 * be mistaken for base64.
 */
export function decodeReleaseData(data: string): HelmReleaseRecord {
  let bytes = fromBase64(data, 'outer');
  if (!isGzip(bytes) && bytes[0] !== 0x7b) bytes = fromBase64(bytes.toString('latin1'), 'inner');
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: MAX_RECORD_BYTES });
    } catch (error) {
      throw decodeError(`gunzip failed (${(error as NodeJS.ErrnoException).code ?? 'invalid data'})`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    // JSON.parse's message quotes the input: it is not passed on.
    throw decodeError('it is not JSON');
  }
  return releaseRecord(parsed);
}

function releaseRecord(parsed: unknown): HelmReleaseRecord {
  const chart = isRecord(parsed) && isRecord(parsed.chart) ? parsed.chart : {};
  const metadata = isRecord(chart.metadata) ? chart.metadata : {};
  const info = isRecord(parsed) && isRecord(parsed.info) ? parsed.info : undefined;
  if (!isRecord(parsed) || typeof parsed.name !== 'string' || typeof parsed.version !== 'number' || !info) throw decodeError('the JSON is not a Helm release record');
  return {
    name: parsed.name,
    namespace: str(parsed.namespace) ?? '',
    version: parsed.version,
    info: { status: str(info.status) ?? 'unknown', description: str(info.description) ?? '', first_deployed: str(info.first_deployed), last_deployed: str(info.last_deployed) },
    chart: {
      metadata: { name: str(metadata.name) ?? '', version: str(metadata.version) ?? '', appVersion: str(metadata.appVersion) },
      values: isRecord(chart.values) ? chart.values : {},
    },
    // Helm omits an empty config (`omitempty`).
    config: isRecord(parsed.config) ? parsed.config : {},
    manifest: str(parsed.manifest) ?? '',
  };
}

/** The latest `status.history` entry: the highest revision (the controller keeps the newest first, but that is not relied on). */
export function latestSnapshot(helmRelease: KubeObject): HistorySnapshot | undefined {
  const history: unknown = helmRelease.status?.history;
  if (!Array.isArray(history)) return undefined;
  let latest: HistorySnapshot | undefined;
  for (const entry of history) {
    if (isRecord(entry) && typeof entry.version === 'number' && (!latest || entry.version > latest.version)) latest = entry as HistorySnapshot;
  }
  return latest;
}

/**
 * The release helm-controller last recorded for a HelmRelease, read from Helm's storage Secret.
 * When that Secret cannot be read (403: read-only users usually may not get Secrets; 404: trimmed
 * or uninstalled) or decoded, the `status.history` entry is returned with the reason instead.
 */
export async function readDeployedRelease(api: KubeApi, helmRelease: KubeObject): Promise<DeployedRelease> {
  const label = `HelmRelease ${helmRelease.metadata.namespace ?? ''}/${helmRelease.metadata.name}`;
  const entry = latestSnapshot(helmRelease);
  if (!entry) throw new ClusterError('NotFound', `${label} has no release in status.history: helm-controller has not installed it yet.`);
  const historyOnly = (why: string): DeployedRelease => ({ source: 'history', entry, reason: `${why}, so only status.history is shown.` });
  if (typeof entry.name !== 'string' || entry.name === '') return historyOnly(`Helm's storage Secret was not read: status.history of ${label} does not record the release name`);
  const storageNamespace = str(helmRelease.status?.storageNamespace) ?? helmRelease.metadata.namespace ?? 'default';
  const secretName = `sh.helm.release.v1.${entry.name}.v${entry.version}`;
  const where = `Helm's storage Secret ${storageNamespace}/${secretName}`;
  let secret: { data?: { release?: unknown } } | undefined;
  try {
    secret = await api.request<{ data?: { release?: unknown } }>('GET', `/api/v1/namespaces/${pathSegment(storageNamespace, 'namespace')}/secrets/${pathSegment(secretName, 'name')}`);
  } catch (error) {
    if (error instanceof ClusterError && error.code === 'Forbidden') {
      return historyOnly(`Secrets could not be read: access to ${where} was denied (your user needs "get" on secrets in namespace ${storageNamespace})`);
    }
    if (error instanceof ClusterError && error.code === 'NotFound') return historyOnly(`Secrets could not be read: ${where} does not exist (uninstalled, or removed by Helm's history limit)`);
    throw error;
  }
  const data = secret?.data?.release;
  if (typeof data !== 'string') return historyOnly(`${where} has no release data`);
  try {
    return { source: 'storage', entry, record: decodeReleaseData(data), storageNamespace, secretName };
  } catch (error) {
    if (!(error instanceof ClusterError)) throw error;
    return historyOnly(`${where} could not be read: ${error.message.replace(/\.$/, '')}`);
  }
}

// ---- Values that come from Secrets ----

/** A path into values: map keys and list indexes. */
export type ValuePath = ReadonlyArray<string | number>;

/** Reads one key of a Secret as text; undefined when the Secret lacks the key. Throws (ClusterError) when the Secret cannot be read. */
export type SecretKeyReader = (namespace: string, name: string, key: string) => Promise<string | undefined>;

/** A SecretKeyReader over the Kubernetes API. */
export function secretKeyReader(api: KubeApi): SecretKeyReader {
  return async (namespace, name, key) => {
    const secret = await api.request<{ data?: Record<string, unknown> }>('GET', `/api/v1/namespaces/${pathSegment(namespace, 'namespace')}/secrets/${pathSegment(name, 'name')}`);
    const value = secret?.data?.[key];
    return typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : undefined;
  };
}

export interface SecretValuePaths {
  paths: ValuePath[];
  /** Secrets merged as whole values files whose keys are not known: values from them are not masked. */
  unidentified: Array<{ name: string; valuesKey: string; reason: string }>;
}

/** Every leaf path a values file defines (lists count as leaves: Helm replaces them whole). */
function leafPaths(value: Values, prefix: ValuePath = []): ValuePath[] {
  return Object.entries(value).flatMap(([key, child]) => (isRecord(child) && Object.keys(child).length > 0 ? leafPaths(child, [...prefix, key]) : [[...prefix, key]]));
}

/**
 * The value paths that come from Secrets: each `valuesFrom` Secret with `targetPath` gives that
 * path; one without merges a whole values file, which is read (through `read`) to learn its paths.
 */
export async function secretValuePaths(helmRelease: KubeObject, read: SecretKeyReader): Promise<SecretValuePaths> {
  const namespace = helmRelease.metadata.namespace ?? 'default';
  const entries: unknown = helmRelease.spec?.valuesFrom;
  const result: SecretValuePaths = { paths: [], unidentified: [] };
  for (const entry of Array.isArray(entries) ? entries : []) {
    if (!isRecord(entry) || entry.kind !== 'Secret' || typeof entry.name !== 'string') continue;
    const targetPath = str(entry.targetPath);
    if (targetPath) {
      const path = splitTargetPath(targetPath);
      if (path.length > 0) result.paths.push(path);
      continue;
    }
    const valuesKey = str(entry.valuesKey) || 'values.yaml';
    const unidentified = (reason: string) => result.unidentified.push({ name: entry.name as string, valuesKey, reason });
    let text: string | undefined;
    try {
      text = await read(namespace, entry.name, valuesKey);
    } catch (error) {
      unidentified(error instanceof Error ? error.message : String(error));
      continue;
    }
    if (text === undefined) {
      unidentified(`the Secret has no key "${valuesKey}"`);
      continue;
    }
    let values: unknown;
    try {
      values = parse(text);
    } catch {
      // The parser's message quotes the text: it is not passed on.
      unidentified(`key "${valuesKey}" is not valid YAML`);
      continue;
    }
    if (isRecord(values)) result.paths.push(...leafPaths(values));
    else if (values !== null && values !== undefined) unidentified(`key "${valuesKey}" is not a YAML map of values`);
  }
  return result;
}

/** The container holding the last segment of `path`, if the values have it. */
function parentOf(values: unknown, path: ValuePath): Record<string | number, unknown> | undefined {
  let node: unknown = values;
  for (const segment of path.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return typeof node === 'object' && node !== null ? (node as Record<string | number, unknown>) : undefined;
}

const hasOwn = (object: object, key: string | number) => Object.prototype.hasOwnProperty.call(object, key);

/** A deep copy of `values` with the value at each path (that exists) replaced by `mask`. */
export function maskValues<T>(values: T, paths: readonly ValuePath[], mask = '••••••'): T {
  const copy = structuredClone(values);
  for (const path of paths) {
    const parent = parentOf(copy, path);
    const last = path[path.length - 1];
    if (parent && last !== undefined && hasOwn(parent, last)) parent[last] = mask;
  }
  return copy;
}

/**
 * A deep copy of `values` with `mask` at each path it lacks: for the workspace side, where values
 * from Secrets are unknown but present on the cluster (list indexes are not created).
 */
export function fillMasked(values: Values, paths: readonly ValuePath[], mask = '••••••'): Values {
  const copy = structuredClone(values);
  for (const path of paths) {
    if (path.length === 0 || path.some((segment) => typeof segment === 'number')) continue;
    let node: Values | undefined = copy;
    for (const segment of path.slice(0, -1) as string[]) {
      if (!hasOwn(node, segment)) node[segment] = {};
      const next: unknown = node[segment];
      // A value the workspace has where a map would be is left alone.
      node = isRecord(next) ? next : undefined;
      if (!node) break;
    }
    const last = path[path.length - 1] as string;
    if (node && !hasOwn(node, last)) node[last] = mask;
  }
  return copy;
}

/**
 * The text of every string or number at the given paths, of at least 4 characters like `redact`
 * (shorter ones, and booleans, would mask ordinary words).
 */
export function secretStrings(values: Values, paths: readonly ValuePath[]): string[] {
  const out = new Set<string>();
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(collect);
    else if (isRecord(value)) Object.values(value).forEach(collect);
    else if ((typeof value === 'string' || typeof value === 'number') && String(value).length >= 4) out.add(String(value));
  };
  for (const path of paths) {
    const parent = parentOf(values, path);
    const last = path[path.length - 1];
    if (parent && last !== undefined && hasOwn(parent, last)) collect(parent[last]);
  }
  return [...out];
}

/**
 * The rendered manifest with the `data`/`stringData` values of every Secret, and every occurrence
 * of the given strings (values from Secrets rendered into other objects), replaced by `mask`.
 */
export function maskManifest(manifest: string, secrets: readonly string[], mask = '••••••'): string {
  const ranges: Array<[number, number]> = [];
  for (const doc of parseAllDocuments(manifest)) {
    if (!isMap(doc.contents) || doc.get('kind') !== 'Secret') continue;
    for (const field of ['data', 'stringData']) {
      const map = doc.get(field, true);
      if (!isMap(map)) continue;
      for (const pair of map.items) {
        const range = (pair.value as Node | null)?.range;
        if (range) ranges.push([range[0], range[1]]);
      }
    }
  }
  let text = manifest;
  for (const [start, end] of ranges.sort((a, b) => b[0] - a[0])) {
    // A block scalar's range includes its final line break: keep it.
    const ending = text.slice(start, end).endsWith('\n') ? '\n' : '';
    text = `${text.slice(0, start)}${JSON.stringify(mask)}${ending}${text.slice(end)}`;
  }
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) text = text.split(secret).join(mask);
  return text;
}

// ---- The workspace side ----

export interface DesiredValues {
  /** The user-supplied values: what Helm records as `config`. */
  values: Values;
  /** The notes of the effective values (sources not found, Secrets not shown). */
  notes: string[];
}

/** A leaf annotated by renderEffectiveValues as coming from the chart's defaults (` chart <name> default`). */
function fromChartDefaults(key: Node, value: Node | null): boolean {
  const comments = [value?.comment, value?.commentBefore, key.comment];
  return comments.some((comment) => /^chart .+ default$/.test(comment?.split('\n').pop()?.trim() ?? ''));
}

const DROP = Symbol('drop');

function userPart(doc: Document, node: unknown, value: unknown): unknown {
  const resolved = isAlias(node) ? node.resolve(doc) : node;
  if (!isMap(resolved) || !isRecord(value)) return value;
  const out: Values = {};
  for (const pair of resolved.items) {
    if (!isPair(pair) || !isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    const child = isAlias(pair.value) ? (pair.value.resolve(doc) ?? null) : (pair.value as Node | null);
    if (!hasOwn(value, key) || fromChartDefaults(pair.key, child)) continue;
    const kept = userPart(doc, child, value[key]);
    if (kept !== DROP) out[key] = kept;
  }
  // A map left empty held only chart defaults; an empty map the user wrote carries its own annotation.
  return Object.keys(out).length === 0 && resolved.items.length > 0 ? DROP : out;
}

/**
 * The part of the language server's effective values text (`helmRelease/effectiveValues`) that is
 * comparable with Helm's `config`: that text merges the chart's defaults in and annotates every
 * leaf with its source, so the leaves annotated as chart defaults are left out.
 */
export function userSuppliedValues(effectiveValuesText: string): DesiredValues {
  const doc = parseDocument(effectiveValuesText);
  if (doc.errors.length > 0) throw new Error('The effective values are not valid YAML.');
  const kept = userPart(doc, doc.contents, doc.toJS());
  const notes = (doc.commentBefore ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('Note: '))
    .map((line) => line.slice('Note: '.length));
  return { values: isRecord(kept) ? kept : {}, notes };
}
