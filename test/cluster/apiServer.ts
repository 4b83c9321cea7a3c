// A Kubernetes API test server (test and demo only): the REST surface kubectl and
// @kubernetes/client-node use, behaving like the real API server for the Flux kinds and a few
// core v1 kinds. See README.md in this folder.
import { writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { stringify } from 'yaml';
import { clone, isRecord, jsonPatch, mergePatch, PatchError, type JsonRecord } from './json';
import { apiVersionOf, findResourceByPath, qualifiedResource, resourceTypes, type ResourceType } from './resources';
import { openApiV3, unknownFields } from './openapi';
import { decodeProtobuf } from './protobuf';
import { parseFieldSelector, parseLabelSelector, type Selector } from './selectors';
import { ApiError, ObjectStore, type KubeObject, type StoreEvent } from './store';
import { toTable, wantsTable, type IncludeObject } from './table';
import { testServerCertificate, testServerKey } from './tls';

export interface RbacRule {
  /** get, list, watch, create, update, patch, delete, deletecollection, or `*`. */
  verb: string;
  /** Plural resource (`helmreleases`), a subresource (`helmreleases/status`, not covered by `helmreleases`, as in RBAC), or `*`. */
  resource: string;
  /** Limits the rule to one namespace; absent = every namespace and cluster scope. */
  namespace?: string;
  allow: boolean;
}

export interface ApiServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /**
   * Serve HTTPS with the fixed test certificate (default true). kubectl sends a token only to an
   * https server; plain HTTP is for clients that need no credentials.
   */
  tls?: boolean;
  /** Delay before every response, in milliseconds. */
  latencyMs?: number;
  /** Checked in order, the first matching rule decides; a request no rule matches is allowed. */
  rbac?: RbacRule[];
  /** When set, every request needs `Authorization: Bearer <token>` (else 401). */
  token?: string;
  /** The user name in Forbidden messages. */
  user?: string;
  /** Close every watch connection abruptly this long after it starts (simulated network drops). */
  dropWatchAfterMs?: number;
  /** A fault every watch request meets (default `none`); change it later with `setWatchFault`. */
  watchFault?: WatchFault;
  /** How many changes are kept for watches from an older resourceVersion (older → 410). Default 1000. */
  retainedEvents?: number;
  /** How often BOOKMARK events are sent on watches that allow them. Default 5000 ms. */
  bookmarkIntervalMs?: number;
  /** Namespaces that exist at start. Default: default, kube-system, kube-public, kube-node-lease, flux-system. */
  namespaces?: string[];
}

/**
 * What every watch request gets, to test clients against misbehaving servers and proxies:
 * - `none`: a normal watch;
 * - `end`: the watch is accepted (200) and ended at once, with no event (a proxy that cuts watches);
 * - `expired`: a single ERROR event with a 410 `Expired` Status, as the watch cache sends for a
 *   resourceVersion it no longer holds;
 * - `gone`: an HTTP 410 response (no stream), as a server without the watch cache may answer.
 */
export type WatchFault = 'none' | 'end' | 'expired' | 'gone';

export interface RequestRecord {
  method: string;
  /** Path and query. */
  url: string;
  accept: string;
  contentType: string;
  /** 0 while the response is open (e.g. a watch). */
  status: number;
  /** `performance.now()` when the request arrived. */
  at: number;
}

export interface KubeconfigOptions {
  /** Context name; default `flux-test`. */
  context?: string;
  namespace?: string;
  /** Overrides the server's token (e.g. a wrong one, to test 401). */
  token?: string;
}

export interface ApiServer {
  /** `https://127.0.0.1:<port>` (or http with `tls: false`) */
  readonly url: string;
  /** The PEM certificate to trust for `url` (undefined with `tls: false`). */
  readonly caCertificate: string | undefined;
  readonly port: number;
  readonly store: ObjectStore;
  /** The last 1000 requests, oldest first, recorded on arrival (to see what a client sent). */
  readonly requests: RequestRecord[];
  /** Open watch connections. */
  readonly activeWatches: number;
  setLatency(ms: number): void;
  setRbac(rules: RbacRule[]): void;
  /** Closes every open watch connection abruptly; returns how many were closed. */
  dropWatches(): number;
  /** Sets the fault every later watch request meets (`none` ends it). */
  setWatchFault(fault: WatchFault): void;
  /** Calls `listener` with every request on arrival (unlike `requests`, nothing is dropped); returns a function that stops it. */
  onRequest(listener: (record: RequestRecord) => void): () => void;
  /** Writes a kubeconfig for this server (plain HTTP, bearer token). */
  writeKubeconfig(file: string, options?: KubeconfigOptions): void;
  stop(): Promise<void>;
}

const readVerbs = ['get', 'list', 'watch'];
const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function listKind(type: ResourceType): string {
  return `${type.kind}List`;
}

// ---- discovery documents ----

function groupVersions(): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const type of resourceTypes) {
    if (type.group === '') continue;
    const versions = groups.get(type.group) ?? [];
    if (!versions.includes(type.version)) versions.push(type.version);
    groups.set(type.group, versions);
  }
  return groups;
}

function apiGroup(name: string, versions: string[]): JsonRecord {
  const list = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: list, preferredVersion: list[0] };
}

function apiResourceList(group: string, version: string): JsonRecord | undefined {
  const types = resourceTypes.filter((t) => t.group === group && t.version === version);
  if (types.length === 0) return undefined;
  const resources: JsonRecord[] = [];
  for (const type of types) {
    resources.push({
      name: type.resource,
      singularName: type.singular,
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: type.review ? ['create'] : type.readOnly ? readVerbs : allVerbs,
      ...(type.shortNames.length ? { shortNames: type.shortNames } : {}),
      ...(type.categories.length ? { categories: type.categories } : {}),
    });
    if (type.statusSubresource) {
      resources.push({
        name: `${type.resource}/status`,
        singularName: '',
        namespaced: type.namespaced,
        kind: type.kind,
        verbs: type.readOnly ? ['get'] : ['get', 'patch', 'update'],
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group === '' ? version : `${group}/${version}`, resources };
}

/** The CustomResourceDefinition of a Flux kind, built from the project's schema file. */
function crdFor(type: ResourceType): KubeObject | undefined {
  if (!type.schema) return undefined;
  const printerColumns = type.columns.filter((c) => c.jsonPath).map((c) => ({ jsonPath: c.jsonPath, name: c.name, type: c.type }));
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${type.resource}.${type.group}` },
    spec: {
      group: type.group,
      names: {
        categories: type.categories,
        kind: type.kind,
        listKind: listKind(type),
        plural: type.resource,
        ...(type.shortNames.length ? { shortNames: type.shortNames } : {}),
        singular: type.singular,
      },
      scope: 'Namespaced',
      versions: [
        {
          additionalPrinterColumns: printerColumns,
          name: type.version,
          schema: {
            openAPIV3Schema: {
              description: type.schema.description,
              type: 'object',
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: type.schema.spec,
                status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              },
            },
          },
          served: true,
          storage: true,
          subresources: { status: {} },
        },
      ],
    },
    status: {
      acceptedNames: {
        kind: type.kind,
        plural: type.resource,
        singular: type.singular,
        listKind: listKind(type),
        shortNames: type.shortNames,
        categories: type.categories,
      },
      conditions: [
        { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' },
        { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
      ],
      storedVersions: [type.version],
    },
  };
}

// ---- request helpers ----

interface Route {
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: 'status';
}

function routeNotFound(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
}

function parseRoute(parts: string[]): Route | JsonRecord {
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api') {
    if (parts.length === 1) return { kind: 'APIVersions', versions: ['v1'] };
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else {
    if (parts.length === 1) {
      return {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: [...groupVersions()].map(([name, versions]) => apiGroup(name, versions)),
      };
    }
    const versions = groupVersions().get(parts[1]!);
    if (!versions) throw routeNotFound();
    if (parts.length === 2) return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(parts[1]!, versions) };
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  }
  if (rest.length === 0) {
    const list = apiResourceList(group, version);
    if (!list) throw routeNotFound();
    return list;
  }
  let namespace: string | undefined;
  const namespaceSubresource = group === '' && rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize');
  if (rest[0] === 'namespaces' && rest.length >= 3 && !namespaceSubresource) {
    namespace = rest[1]!;
    rest = rest.slice(2);
  }
  if (rest.length > 3) throw routeNotFound();
  const [resource, name, subresource] = rest;
  const type = findResourceByPath(group, version, resource!);
  if (!type) throw routeNotFound();
  if (namespace !== undefined && !type.namespaced) throw routeNotFound();
  if (subresource !== undefined && (subresource !== 'status' || !type.statusSubresource)) throw routeNotFound();
  if (name !== undefined && type.namespaced && namespace === undefined) throw routeNotFound();
  return {
    type,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(subresource === 'status' ? { subresource } : {}),
  };
}

/** Drops strategic-merge-patch directives (`$patch`, `$setElementOrder/...`, `$retainKeys`, ...). */
function withoutDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDirectives);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !key.startsWith('$'))
      .map(([key, v]) => [key, withoutDirectives(v)]),
  );
}

function readRaw(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  return (await readRaw(req)).toString('utf8');
}

/** A POST/PUT body: JSON, or the protobuf kubectl's typed commands send for core kinds. */
async function readObject(req: IncomingMessage): Promise<unknown> {
  const raw = await readRaw(req);
  if ((req.headers['content-type'] ?? '').startsWith('application/vnd.kubernetes.protobuf')) {
    try {
      return decodeProtobuf(raw);
    } catch (error) {
      throw new ApiError(415, 'UnsupportedMediaType', (error as Error).message);
    }
  }
  return parseJson(raw.toString('utf8'));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, 'BadRequest', `the body of the request could not be decoded: ${(error as Error).message}`);
  }
}

interface WatchConnection {
  socket: Socket;
  close(): void;
}

export async function startApiServer(options: ApiServerOptions = {}): Promise<ApiServer> {
  const store = new ObjectStore({ retainedEvents: options.retainedEvents ?? 1000 });
  let latencyMs = options.latencyMs ?? 0;
  let rbac = options.rbac ?? [];
  const user = options.user ?? 'developer';
  const bookmarkIntervalMs = options.bookmarkIntervalMs ?? 5000;
  const requests: RequestRecord[] = [];
  const watches = new Set<WatchConnection>();
  const sockets = new Set<Socket>();
  const requestListeners = new Set<(record: RequestRecord) => void>();
  let watchFault: WatchFault = options.watchFault ?? 'none';

  for (const name of options.namespaces ?? ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'flux-system']) {
    store.create('namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  for (const type of resourceTypes) {
    const crd = crdFor(type);
    if (crd) store.create('customresourcedefinitions', undefined, crd, { keepStatus: true });
  }

  /** The rule table: the first matching rule decides; no match allows (so a table of denials is enough). */
  function allowed(verb: string, resource: string, subresource: string | undefined, namespace: string | undefined): boolean {
    const full = subresource ? `${resource}/${subresource}` : resource;
    const rule = rbac.find(
      (r) =>
        (r.verb === '*' || r.verb === verb) &&
        (r.resource === '*' || r.resource === full) &&
        (r.namespace === undefined || r.namespace === namespace),
    );
    return !rule || rule.allow;
  }

  function authorize(verb: string, route: Route): void {
    const resource = route.subresource ? `${route.type.resource}/${route.subresource}` : route.type.resource;
    if (allowed(verb, route.type.resource, route.subresource, route.namespace)) return;
    const subject = route.name !== undefined ? `${qualifiedResource(route.type)} "${route.name}"` : qualifiedResource(route.type);
    const scope = route.namespace !== undefined ? `in the namespace "${route.namespace}"` : 'at the cluster scope';
    throw new ApiError(
      403,
      'Forbidden',
      `${subject} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${route.type.group}" ${scope}`,
      { ...(route.name !== undefined ? { name: route.name } : {}), group: route.type.group, kind: route.type.resource },
    );
  }

  /** `kubectl auth can-i`: a SelfSubjectAccessReview answered from the rule table. */
  function accessReview(body: unknown): JsonRecord {
    const spec = isRecord(body) && isRecord(body.spec) ? body.spec : {};
    const attributes = isRecord(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
    const field = (key: string): string | undefined =>
      attributes && typeof attributes[key] === 'string' && attributes[key] !== '' ? attributes[key] : undefined;
    const verb = field('verb') ?? '';
    const resource = field('resource') ?? '';
    const ok = attributes === undefined || allowed(verb, resource, field('subresource'), field('namespace'));
    return {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec,
      status: ok
        ? { allowed: true, reason: 'allowed by the test server rule table' }
        : { allowed: false, denied: true, reason: 'denied by the test server rule table' },
    };
  }

  function send(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, private',
      'Content-Length': Buffer.byteLength(text),
    });
    res.end(text);
  }

  function selectorsOf(params: URLSearchParams): Selector {
    const labels = parseLabelSelector(params.get('labelSelector'));
    const fields = parseFieldSelector(params.get('fieldSelector'));
    return (object) => labels(object) && fields(object);
  }

  function listObjects(route: Route, params: URLSearchParams): KubeObject[] {
    const selector = selectorsOf(params);
    return store.list(route.type, route.namespace).filter(selector);
  }

  function includeObject(params: URLSearchParams): IncludeObject {
    const value = params.get('includeObject');
    return value === 'None' || value === 'Object' ? value : 'Metadata';
  }

  function serveList(req: IncomingMessage, res: ServerResponse, route: Route, params: URLSearchParams): void {
    let items = listObjects(route, params);
    const metadata: JsonRecord = { resourceVersion: String(store.resourceVersion) };
    const token = params.get('continue');
    if (token) {
      let after: string;
      try {
        after = String(JSON.parse(Buffer.from(token, 'base64').toString('utf8')).after);
      } catch {
        throw new ApiError(400, 'BadRequest', 'continue key is not valid');
      }
      items = items.filter((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}` > after);
    }
    const limit = Number(params.get('limit') ?? '0');
    if (limit > 0 && items.length > limit) {
      const last = items[limit - 1]!;
      metadata.continue = Buffer.from(JSON.stringify({ after: `${last.metadata.namespace ?? ''}/${last.metadata.name}` })).toString(
        'base64',
      );
      metadata.remainingItemCount = items.length - limit;
      items = items.slice(0, limit);
    }
    if (wantsTable(req.headers.accept)) {
      send(res, 200, toTable(route.type, items, metadata, includeObject(params)));
      return;
    }
    send(res, 200, { kind: listKind(route.type), apiVersion: apiVersionOf(route.type), metadata, items });
  }

  function serveWatch(req: IncomingMessage, res: ServerResponse, route: Route, params: URLSearchParams): void {
    const selector = selectorsOf(params);
    const asTable = wantsTable(req.headers.accept);
    const include = includeObject(params);
    const type = route.type;
    const inScope = (object: KubeObject): boolean => route.namespace === undefined || object.metadata.namespace === route.namespace;
    const matches = (object: KubeObject | undefined): boolean => object !== undefined && inScope(object) && selector(object);
    let columnsSent = false;

    const encode = (eventType: string, object: KubeObject | JsonRecord): string => {
      let payload: unknown = object;
      if (asTable && eventType !== 'ERROR') {
        const rows = eventType === 'BOOKMARK' ? [] : [object as KubeObject];
        const metadata = { resourceVersion: String((object as KubeObject).metadata.resourceVersion ?? '') };
        payload = toTable(type, rows, metadata, include, !columnsSent);
        columnsSent = true;
      }
      return `${JSON.stringify({ type: eventType, object: payload })}\n`;
    };

    /** Translates a store event for this watch's selectors, as the watch cache does. */
    const translate = (event: StoreEvent): string | undefined => {
      if (event.resource !== type) return undefined;
      const now = matches(event.object);
      const before = matches(event.previous);
      if (event.type === 'ADDED') return now ? encode('ADDED', event.object) : undefined;
      if (event.type === 'DELETED') return before ? encode('DELETED', event.object) : undefined;
      if (now && before) return encode('MODIFIED', event.object);
      if (now) return encode('ADDED', event.object);
      if (before) return encode('DELETED', event.object);
      return undefined;
    };

    if (watchFault === 'gone') {
      const requested = params.get('resourceVersion') ?? '';
      throw new ApiError(410, 'Gone', `too old resource version: ${requested} (${store.resourceVersion})`);
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    // The real API server sends a watch's headers at once, before the first event.
    res.flushHeaders();
    if (watchFault === 'end') {
      res.end();
      return;
    }
    if (watchFault === 'expired') {
      const requested = params.get('resourceVersion') ?? '';
      res.end(encode('ERROR', new ApiError(410, 'Expired', `too old resource version: ${requested} (${store.resourceVersion})`).toStatus()));
      return;
    }
    const versionParam = params.get('resourceVersion') ?? '';
    const sendInitial = params.get('sendInitialEvents') === 'true';
    const bookmarks = params.get('allowWatchBookmarks') === 'true';
    let backlog: string[];
    try {
      if (sendInitial || versionParam === '' || versionParam === '0') {
        backlog = store
          .list(type, route.namespace)
          .filter(selector)
          .map((o) => encode('ADDED', o));
        if (sendInitial && bookmarks) {
          backlog.push(
            encode('BOOKMARK', {
              apiVersion: apiVersionOf(type),
              kind: type.kind,
              metadata: { resourceVersion: String(store.resourceVersion), annotations: { 'k8s.io/initial-events-end': 'true' } },
            }),
          );
        }
      } else {
        const since = Number(versionParam);
        if (!Number.isInteger(since) || since < 0) throw new ApiError(400, 'BadRequest', `invalid resource version: ${versionParam}`);
        backlog = store.eventsSince(since).flatMap((e) => translate(e) ?? []);
      }
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      // Like the watch cache: once the watch is accepted, errors arrive as a single ERROR event.
      res.end(encode('ERROR', error.toStatus()));
      return;
    }
    for (const line of backlog) res.write(line);

    const timers: NodeJS.Timeout[] = [];
    const unsubscribe = store.subscribe((event) => {
      const line = translate(event);
      if (line !== undefined) res.write(line);
    });
    const connection: WatchConnection = {
      socket: req.socket,
      close: () => {
        unsubscribe();
        for (const timer of timers) clearTimeout(timer);
        watches.delete(connection);
      },
    };
    watches.add(connection);
    req.on('close', connection.close);
    res.on('close', connection.close);
    if (bookmarks) {
      timers.push(
        setInterval(() => {
          res.write(
            encode('BOOKMARK', {
              apiVersion: apiVersionOf(type),
              kind: type.kind,
              metadata: { resourceVersion: String(store.resourceVersion) },
            }),
          );
        }, bookmarkIntervalMs),
      );
    }
    const timeoutSeconds = Number(params.get('timeoutSeconds') ?? '0');
    if (timeoutSeconds > 0) {
      timers.push(
        setTimeout(() => {
          connection.close();
          res.end();
        }, timeoutSeconds * 1000),
      );
    }
    if (options.dropWatchAfterMs !== undefined) {
      timers.push(setTimeout(() => req.socket.destroy(), options.dropWatchAfterMs));
    }
  }

  function output(req: IncomingMessage, route: Route, object: KubeObject, params: URLSearchParams): unknown {
    if (wantsTable(req.headers.accept))
      return toTable(route.type, [object], { resourceVersion: object.metadata.resourceVersion }, includeObject(params));
    return object;
  }

  /** fieldValidation: Strict → 400 for unknown fields; Warn (the default) → Warning headers; Ignore → nothing. */
  function validateFields(res: ServerResponse, type: ResourceType, object: unknown, params: URLSearchParams): void {
    const mode = params.get('fieldValidation') ?? 'Warn';
    if (mode === 'Ignore') return;
    const unknown = unknownFields(type, object).map((field) => `unknown field "${field}"`);
    if (unknown.length === 0) return;
    if (mode === 'Strict') {
      throw new ApiError(
        400,
        'BadRequest',
        `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: strict decoding error: ${unknown.join(', ')}`,
      );
    }
    res.setHeader(
      'Warning',
      unknown.map((w) => `299 - ${JSON.stringify(w)}`),
    );
  }

  async function servePatch(
    req: IncomingMessage,
    res: ServerResponse,
    route: Route,
    name: string,
    params: URLSearchParams,
  ): Promise<KubeObject> {
    const dryRun = params.getAll('dryRun').includes('All');
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    const patch = parseJson(await readBody(req));
    const current = store.require(route.type, route.namespace, name);
    let patched: unknown;
    try {
      switch (contentType) {
        case 'application/merge-patch+json':
          patched = mergePatch(current, patch);
          break;
        case 'application/json-patch+json':
          patched = jsonPatch(current, patch);
          break;
        case 'application/strategic-merge-patch+json':
          if (route.type.group !== '') throw unsupportedPatch(route.type, contentType);
          // The core kinds served here have no lists with merge keys worth the name: a merge patch
          // (without the `$patch`/`$setElementOrder` directives) will do.
          patched = mergePatch(current, withoutDirectives(patch));
          break;
        default:
          throw unsupportedPatch(route.type, contentType);
      }
    } catch (error) {
      if (error instanceof PatchError)
        throw new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: ${error.message}`);
      throw error;
    }
    if (!isRecord(patched) || !isRecord(patched.metadata)) throw new ApiError(422, 'Invalid', 'the patch removed the object metadata');
    if (patched.metadata.resourceVersion === undefined) patched.metadata.resourceVersion = current.metadata.resourceVersion;
    if (!route.subresource) validateFields(res, route.type, patched, params);
    return store.update(route.type, route.namespace, name, patched, {
      dryRun,
      ...(route.subresource ? { subresource: route.subresource } : {}),
    });
  }

  function unsupportedPatch(type: ResourceType, contentType: string): ApiError {
    return new ApiError(
      415,
      'UnsupportedMediaType',
      `${contentType} is not supported by ${apiVersionOf(type)}, Kind=${type.kind}: the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json`,
    );
  }

  async function serveResource(req: IncomingMessage, res: ServerResponse, route: Route, params: URLSearchParams): Promise<void> {
    const method = req.method ?? 'GET';
    const dryRun = params.getAll('dryRun').includes('All');
    const { type, namespace, name } = route;
    if (type.review) {
      if (method !== 'POST' || name !== undefined)
        throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      send(res, 201, accessReview(await readObject(req)));
      return;
    }
    if (type.readOnly && method !== 'GET') {
      throw new ApiError(405, 'MethodNotAllowed', `${method} is not supported on ${qualifiedResource(type)} by this test server`);
    }
    if (name === undefined) {
      if (method === 'GET') {
        const watch = params.get('watch') === 'true' || params.get('watch') === '1';
        authorize(watch ? 'watch' : 'list', route);
        if (watch) serveWatch(req, res, route, params);
        else serveList(req, res, route, params);
        return;
      }
      if (method === 'POST') {
        authorize('create', route);
        const body = await readObject(req);
        validateFields(res, type, body, params);
        const created = store.create(type, namespace, body, { dryRun });
        send(res, 201, created);
        return;
      }
      if (method === 'DELETE') {
        authorize('deletecollection', route);
        const deleted = listObjects(route, params).map((o) => store.delete(type, o.metadata.namespace, o.metadata.name, { dryRun }));
        send(res, 200, {
          kind: listKind(type),
          apiVersion: apiVersionOf(type),
          metadata: { resourceVersion: String(store.resourceVersion) },
          items: deleted,
        });
        return;
      }
      throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
    }
    switch (method) {
      case 'GET': {
        authorize('get', route);
        send(res, 200, output(req, route, store.require(type, namespace, name), params));
        return;
      }
      case 'PUT': {
        authorize('update', route);
        const body = await readObject(req);
        if (!route.subresource) validateFields(res, type, body, params);
        send(
          res,
          200,
          store.update(type, namespace, name, body, { dryRun, ...(route.subresource ? { subresource: route.subresource } : {}) }),
        );
        return;
      }
      case 'PATCH': {
        authorize('patch', route);
        send(res, 200, await servePatch(req, res, route, name, params));
        return;
      }
      case 'DELETE': {
        if (route.subresource)
          throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
        authorize('delete', route);
        const text = await readBody(req);
        const deleteOptions = text.trim() === '' ? {} : parseJson(text);
        const preconditions = isRecord(deleteOptions) && isRecord(deleteOptions.preconditions) ? deleteOptions.preconditions : {};
        const resourceVersion = typeof preconditions.resourceVersion === 'string' ? preconditions.resourceVersion : undefined;
        send(res, 200, store.delete(type, namespace, name, { dryRun, ...(resourceVersion !== undefined ? { resourceVersion } : {}) }));
        return;
      }
      default:
        throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    }
  }

  let serverAddress = '';

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (latencyMs > 0) await sleep(latencyMs);
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      send(res, 401, new ApiError(401, 'Unauthorized', 'Unauthorized').toStatus());
      return;
    }
    // Path segments arrive percent-encoded (a client encodes names and namespaces); decode each one, as the API server does.
    const parts = url.pathname
      .split('/')
      .filter((p) => p !== '')
      .map((p) => {
        try {
          return decodeURIComponent(p);
        } catch {
          throw new ApiError(400, 'BadRequest', `the path segment ${JSON.stringify(p)} is not valid percent-encoding`);
        }
      });
    if (url.pathname === '/version') {
      send(res, 200, {
        major: '1',
        minor: '32',
        gitVersion: 'v1.32.0',
        gitCommit: '0000000000000000000000000000000000000000',
        gitTreeState: 'clean',
        buildDate: '2026-01-01T00:00:00Z',
        goVersion: 'go1.23.4',
        compiler: 'gc',
        platform: 'linux/amd64',
      });
      return;
    }
    if (url.pathname.startsWith('/openapi/v3')) {
      const body = openApiV3(url.pathname);
      if (body === undefined) throw routeNotFound();
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    if (['/healthz', '/livez', '/readyz'].includes(url.pathname)) {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    }
    if (parts[0] !== 'api' && parts[0] !== 'apis') throw routeNotFound();
    const route = parseRoute(parts);
    if (!isResourceRoute(route)) {
      if (route.kind === 'APIVersions') route.serverAddressByClientCIDRs = [{ clientCIDR: '0.0.0.0/0', serverAddress }];
      if (req.method !== 'GET')
        throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      send(res, 200, route);
      return;
    }
    await serveResource(req, res, route, url.searchParams);
  }

  function isResourceRoute(route: Route | JsonRecord): route is Route {
    return 'type' in route && typeof route.type === 'object';
  }

  const listener: RequestListener = (req, res) => {
    const record: RequestRecord = {
      method: req.method ?? '',
      url: req.url ?? '',
      accept: req.headers.accept ?? '',
      contentType: req.headers['content-type'] ?? '',
      status: 0,
      at: performance.now(),
    };
    requests.push(record);
    if (requests.length > 1000) requests.shift();
    for (const listen of [...requestListeners]) listen(record);
    res.on('close', () => {
      record.status = res.statusCode;
    });
    handle(req, res).catch((error: unknown) => {
      const apiError = error instanceof ApiError ? error : new ApiError(500, 'InternalError', `Internal error occurred: ${String(error)}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      send(res, apiError.code, apiError.toStatus());
    });
  };
  const tls = options.tls ?? true;
  const server: Server = tls
    ? createHttpsServer({ key: testServerKey, cert: testServerCertificate }, listener)
    : createHttpServer(listener);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  serverAddress = `127.0.0.1:${port}`;
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;

  return {
    url,
    port,
    caCertificate: tls ? testServerCertificate : undefined,
    store,
    requests,
    get activeWatches() {
      return watches.size;
    },
    setLatency(ms: number) {
      latencyMs = ms;
    },
    setRbac(rules: RbacRule[]) {
      rbac = clone(rules);
    },
    dropWatches() {
      const open = [...watches];
      for (const watch of open) {
        watch.close();
        watch.socket.destroy();
      }
      return open.length;
    },
    setWatchFault(fault: WatchFault) {
      watchFault = fault;
    },
    onRequest(listen: (record: RequestRecord) => void) {
      requestListeners.add(listen);
      return () => {
        requestListeners.delete(listen);
      };
    },
    writeKubeconfig(file: string, kubeconfig: KubeconfigOptions = {}) {
      const context = kubeconfig.context ?? 'flux-test';
      const token = kubeconfig.token ?? options.token;
      const config = {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: context,
            cluster: {
              server: url,
              ...(tls ? { 'certificate-authority-data': Buffer.from(testServerCertificate).toString('base64') } : {}),
            },
          },
        ],
        users: [{ name: context, user: token !== undefined ? { token } : {} }],
        contexts: [
          {
            name: context,
            context: { cluster: context, user: context, ...(kubeconfig.namespace ? { namespace: kubeconfig.namespace } : {}) },
          },
        ],
        'current-context': context,
        preferences: {},
      };
      writeFileSync(file, stringify(config), { mode: 0o600 });
    },
    async stop() {
      for (const watch of [...watches]) watch.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}
