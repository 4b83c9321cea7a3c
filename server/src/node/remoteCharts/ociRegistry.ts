import { createHash } from 'crypto';
import { isExactVersion, parseStrictVersion, selectVersion } from '../../service/semver/constraint';
import { RemoteChartError, displayUrl } from './errors';
import { basicAuthHeader, request, statusError, type BasicAuth, type FetchedBody } from './fetchUtil';

export const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
export const HELM_CONFIG_MEDIA_TYPE = 'application/vnd.cncf.helm.config.v1+json';
export const HELM_CHART_LAYER_MEDIA_TYPE = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';

export interface OciOptions {
  auth?: BasicAuth;
  /** Talk plain HTTP to the registry (HelmRepository `insecure: true`). */
  plainHttp?: boolean;
  timeoutMs?: number;
  /** Largest chart layer downloaded. Default 20 MB. */
  maxChartBytes?: number;
  signal?: AbortSignal;
}

export interface OciChartRef {
  /** host[:port] */
  registry: string;
  /** Repository path in the registry, chart name included, e.g. `stefanprodan/charts/podinfo`. */
  repository: string;
}

/** `oci://ghcr.io/stefanprodan/charts` + `podinfo` → registry `ghcr.io`, repository `stefanprodan/charts/podinfo`. */
export function ociChartRef(repoUrl: string, chart: string): OciChartRef {
  const m = /^oci:\/\/([^/]+)(\/.*)?$/.exec(repoUrl.trim());
  if (!m) throw new RemoteChartError('unsupported', `${repoUrl} is not an oci:// URL`);
  const base = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  const repository = [base, chart].filter((s) => s.length > 0).join('/');
  if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(repository)) {
    throw new RemoteChartError('unsupported', `\`${repository}\` is not a valid OCI repository name`);
  }
  return { registry: m[1], repository };
}

/** Tag → chart version as Helm lists them: `_` → `+`, strict semver only. */
export function chartVersionsFromTags(tags: string[]): string[] {
  return tags.map((t) => t.replace(/_/g, '+')).filter((t) => parseStrictVersion(t) !== undefined);
}

/** Chart version → tag (`+` → `_`, as `helm push` does). */
export function tagOfVersion(version: string): string {
  return version.replace(/\+/g, '_');
}

/**
 * The version Flux's OCI HelmRepository path would use: a three-part version is used directly
 * (no tag listing); otherwise the tags are listed, the exact string first, then the constraint.
 */
export async function resolveOciVersion(client: OciClient, ref: OciChartRef, constraint: string, listTags?: () => Promise<string[]>): Promise<string> {
  const wanted = constraint.trim();
  if (wanted !== '' && isExactVersion(wanted)) return wanted;
  const versions = chartVersionsFromTags(await (listTags ? listTags() : client.listTags(ref)));
  return pickOciVersion(versions, wanted, ref);
}

export function pickOciVersion(versions: string[], constraint: string, ref: OciChartRef): string {
  const picked = selectVersion(constraint.trim(), versions.map((version) => ({ version })));
  if (!picked) throw new RemoteChartError('no-version', `could not locate a version matching provided version string ${constraint || '*'} for ${ref.registry}/${ref.repository}`);
  return picked.version;
}

/** A small Docker Registry v2 / OCI distribution client: anonymous, basic and bearer-token auth. */
export class OciClient {
  private readonly tokens = new Map<string, string>();

  constructor(private readonly options: OciOptions = {}) {}

  async listTags(ref: OciChartRef): Promise<string[]> {
    const tags: string[] = [];
    let path: string | undefined = `/v2/${ref.repository}/tags/list`;
    for (let page = 0; path !== undefined && page < 100; page++) {
      const response = await this.get(ref, path, {}, `the tags of ${ref.registry}/${ref.repository}`, 5 * 1024 * 1024);
      const body = parseJson(response.body, 'the tag list');
      const list = isRecord(body) && Array.isArray(body.tags) ? body.tags : [];
      for (const t of list) if (typeof t === 'string') tags.push(t);
      path = nextLink(response.headers.get('link'));
    }
    return tags;
  }

  /** Downloads the chart layer of `<repository>:<tag of version>`; checks its digest. */
  async pullChart(ref: OciChartRef, version: string): Promise<{ archive: Buffer; digest: string; manifestDigest?: string }> {
    const tag = tagOfVersion(version);
    const what = `the chart ${ref.registry}/${ref.repository}:${tag}`;
    const manifestResponse = await this.get(ref, `/v2/${ref.repository}/manifests/${encodeURIComponent(tag)}`, { accept: OCI_MANIFEST_MEDIA_TYPE }, `the manifest of ${what}`, 4 * 1024 * 1024);
    const manifest = parseJson(manifestResponse.body, 'the manifest');
    const layers = isRecord(manifest) && Array.isArray(manifest.layers) ? manifest.layers.filter(isRecord) : [];
    const layer = layers.find((l) => l.mediaType === HELM_CHART_LAYER_MEDIA_TYPE);
    if (!layer || typeof layer.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(layer.digest)) {
      throw new RemoteChartError('unsupported', `${what} is not a Helm chart (no layer of type ${HELM_CHART_LAYER_MEDIA_TYPE})`);
    }
    const max = this.options.maxChartBytes ?? 20 * 1024 * 1024;
    if (typeof layer.size === 'number' && layer.size > max) throw new RemoteChartError('too-large', `${what} is ${layer.size} bytes, more than the limit of ${max} bytes`);
    const blob = await this.get(ref, `/v2/${ref.repository}/blobs/${layer.digest}`, {}, `the chart layer of ${what}`, max);
    const actual = `sha256:${createHash('sha256').update(blob.body).digest('hex')}`;
    if (actual !== layer.digest) throw new RemoteChartError('digest-mismatch', `the chart layer of ${what} has digest ${actual}, but the manifest says ${layer.digest}`);
    const manifestDigest = manifestResponse.headers.get('docker-content-digest') ?? undefined;
    return { archive: blob.body, digest: layer.digest, manifestDigest };
  }

  private base(ref: OciChartRef): string {
    return `${this.options.plainHttp ? 'http' : 'https'}://${ref.registry}`;
  }

  /** GET with the registry's auth dance: try with a cached token / nothing, then answer a 401 challenge once. */
  private async get(ref: OciChartRef, path: string, headers: Record<string, string>, what: string, maxBytes: number): Promise<FetchedBody> {
    const url = `${this.base(ref)}${path}`;
    const scope = `repository:${ref.repository}:pull`;
    const tokenKey = `${ref.registry}|${scope}`;
    const send = (authorization: string | undefined) =>
      request(url, { timeoutMs: this.options.timeoutMs, maxBytes, headers: authorization ? { ...headers, authorization } : headers, signal: this.options.signal }, what);
    const cached = this.tokens.get(tokenKey);
    let response = await send(cached ? `Bearer ${cached}` : undefined);
    if (response.status === 401) {
      const challenge = parseChallenge(response.headers.get('www-authenticate') ?? '');
      let authorization: string | undefined;
      if (challenge?.scheme === 'bearer') {
        const token = await this.token(ref, challenge.params, scope);
        this.tokens.set(tokenKey, token);
        authorization = `Bearer ${token}`;
      } else if (this.options.auth) {
        authorization = basicAuthHeader(this.options.auth);
      }
      if (authorization) response = await send(authorization);
    }
    if (response.status < 200 || response.status > 299) throw statusError(response.status, what, url);
    return response;
  }

  /**
   * A bearer token from the realm the registry named. The credentials go with the request only over
   * https, or to the registry's own host and port: a realm in plain http elsewhere gets none.
   */
  private async token(ref: OciChartRef, params: Record<string, string>, scope: string): Promise<string> {
    const realm = params.realm;
    if (!realm) throw new RemoteChartError('unauthorized', 'the registry asked for a bearer token without naming a realm');
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new RemoteChartError('unauthorized', 'the registry named an invalid token realm');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RemoteChartError('unauthorized', `the registry named a token realm that is not http(s): ${displayUrl(url)}`);
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', params.scope ?? scope);
    const mayAuthenticate = url.protocol === 'https:' || url.host === new URL(this.base(ref)).host;
    const withheld = this.options.auth !== undefined && !mayAuthenticate;
    const headers: Record<string, string> = this.options.auth && mayAuthenticate ? { authorization: basicAuthHeader(this.options.auth) } : {};
    const response = await request(url.toString(), { timeoutMs: this.options.timeoutMs, maxBytes: 1024 * 1024, headers, signal: this.options.signal }, 'the registry token');
    if (withheld && (response.status === 401 || response.status === 403)) {
      throw new RemoteChartError(
        'unauthorized',
        `the registry's token service ${displayUrl(url)} uses plain http on another host, so the credentials were not sent to it (they go only over https, or to the registry itself)`,
        response.status,
      );
    }
    if (response.status < 200 || response.status > 299) throw statusError(response.status, 'the registry token', url.toString());
    const body = parseJson(response.body, 'the token answer');
    const token = isRecord(body) ? (typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : undefined) : undefined;
    if (!token) throw new RemoteChartError('unauthorized', 'the registry token answer has no token');
    return token;
  }
}

/** `Bearer realm="https://auth",service="registry",scope="repository:x:pull"` → scheme + params. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } | undefined {
  const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  for (let p = re.exec(m[2]); p !== null; p = re.exec(m[2])) params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3];
  return { scheme: m[1].toLowerCase(), params };
}

function nextLink(link: string | null): string | undefined {
  if (!link) return undefined;
  const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(link);
  if (!m) return undefined;
  // Registries answer with a path (`/v2/...?last=x&n=y`); keep it on the same host.
  return m[1].startsWith('/') ? m[1] : undefined;
}

function parseJson(body: Buffer, what: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new RemoteChartError('http', `${what} from the registry is not valid JSON`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
