// The object store behind the Kubernetes API test server. It keeps the API server's write rules
// (resourceVersion, generation, status subresource, optimistic concurrency) so that both the HTTP
// layer and in-process callers (tests, the Flux simulator) get the same behaviour.
import { randomUUID } from 'node:crypto';
import { clone, deepEqual, isRecord, mergePatch, type JsonRecord } from './json';
import { apiVersionOf, findResource, findResourceByKind, qualifiedResource, type ResourceType } from './resources';

export interface ObjectMeta {
  name: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchEventType;
  resourceVersion: number;
  resource: ResourceType;
  /** The object after the change (for DELETED: its last state, carrying the deletion's resourceVersion). */
  object: KubeObject;
  /** The object before the change (MODIFIED and DELETED). */
  previous?: KubeObject;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: Array<{ reason?: string; message: string; field?: string }>;
}

/** An API error; the HTTP layer turns it into a `Status` object with the same code and reason. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): JsonRecord {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

function details(type: ResourceType, name?: string): StatusDetails {
  return { ...(name !== undefined ? { name } : {}), group: type.group, kind: type.resource };
}

export function notFound(type: ResourceType, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualifiedResource(type)} "${name}" not found`, details(type, name));
}

export function conflict(type: ResourceType, name: string): ApiError {
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    details(type, name),
  );
}

export function invalid(type: ResourceType, name: string, field: string, message: string): ApiError {
  return new ApiError(422, 'Invalid', `${type.kind} "${name}" is invalid: ${field}: ${message}`, {
    ...details(type, name),
    kind: type.kind,
    causes: [{ reason: 'FieldValueInvalid', message, field }],
  });
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

/** The Kubernetes name rule for most objects (RFC 1123 subdomain). */
const nameRule = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

function typeKey(type: ResourceType): string {
  return `${type.group}/${type.resource}`;
}

/** Everything except metadata and status: what counts as "spec" for the generation of a custom resource. */
function specPart(object: KubeObject): JsonRecord {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = object;
  return rest;
}

/** Like the API server: a Secret's `stringData` is merged into `data` (base64) and not stored. */
function normalizeSecret(object: KubeObject): void {
  if (object.kind !== 'Secret' || object.apiVersion !== 'v1') return;
  if (isRecord(object.stringData)) {
    const data: JsonRecord = isRecord(object.data) ? object.data : {};
    for (const [key, value] of Object.entries(object.stringData)) data[key] = Buffer.from(String(value)).toString('base64');
    object.data = data;
  }
  delete object.stringData;
  if (typeof object.type !== 'string' || object.type === '') object.type = 'Opaque';
}

function randomSuffix(): string {
  const chars = 'bcdfghjklmnpqrstvwxz2456789';
  let out = '';
  for (let i = 0; i < 5; i++) out += chars[Math.floor(Math.random() * chars.length)];
  return out;
}

export type StoreListener = (event: StoreEvent) => void;

export interface WriteOptions {
  /** `dryRun=All`: validate and return the result without storing it. */
  dryRun?: boolean;
}

export interface UpdateOptions extends WriteOptions {
  /** Write through the `status` subresource: only `.status` changes. */
  subresource?: 'status';
}

export interface StoreOptions {
  /** How many change events are kept for watches from an old resourceVersion; older → 410 Gone. */
  retainedEvents?: number;
}

/** A resource given by plural/short name/kind (`'hr'`, `'HelmRelease'`) or a ResourceType. */
export type ResourceRef = string | ResourceType;

export class ObjectStore {
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly log: StoreEvent[] = [];
  private readonly listeners = new Set<StoreListener>();
  private readonly pending: StoreEvent[] = [];
  private delivering = false;
  private revision = 100;
  /** The newest resourceVersion dropped from the log: watches must start at or after it. */
  private compactedRevision = 0;
  private readonly retained: number;

  constructor(options: StoreOptions = {}) {
    this.retained = Math.max(1, options.retainedEvents ?? 1000);
  }

  /** The current (newest) resourceVersion. */
  get resourceVersion(): number {
    return this.revision;
  }

  /** The oldest resourceVersion a watch may start from. */
  get oldestWatchableVersion(): number {
    return this.compactedRevision;
  }

  resolve(ref: ResourceRef): ResourceType {
    if (typeof ref !== 'string') return ref;
    const type = findResource(ref);
    if (!type) throw new Error(`unknown resource "${ref}"`);
    return type;
  }

  private bucket(type: ResourceType): Map<string, KubeObject> {
    const key = typeKey(type);
    let bucket = this.objects.get(key);
    if (!bucket) {
      bucket = new Map();
      this.objects.set(key, bucket);
    }
    return bucket;
  }

  private namespaceOf(type: ResourceType, namespace: string | undefined): string | undefined {
    return type.namespaced ? (namespace ?? 'default') : undefined;
  }

  // ---- reading ----

  get(ref: ResourceRef, namespace: string | undefined, name: string): KubeObject | undefined {
    const type = this.resolve(ref);
    const found = this.bucket(type).get(objectKey(this.namespaceOf(type, namespace), name));
    return found ? clone(found) : undefined;
  }

  /** Like get, but throws a NotFound ApiError. */
  require(ref: ResourceRef, namespace: string | undefined, name: string): KubeObject {
    const type = this.resolve(ref);
    const found = this.get(type, namespace, name);
    if (!found) throw notFound(type, name);
    return found;
  }

  /** Objects of a type, in one namespace or (namespace undefined) all, sorted by namespace and name. */
  list(ref: ResourceRef, namespace?: string): KubeObject[] {
    const type = this.resolve(ref);
    return [...this.bucket(type).values()]
      .filter((o) => namespace === undefined || !type.namespaced || o.metadata.namespace === namespace)
      .sort((a, b) => objectKey(a.metadata.namespace, a.metadata.name).localeCompare(objectKey(b.metadata.namespace, b.metadata.name)))
      .map((o) => clone(o));
  }

  namespaceExists(namespace: string): boolean {
    return this.bucket(this.resolve('namespaces')).has(objectKey(undefined, namespace));
  }

  // ---- watching ----

  /** Calls `listener` for every change from now on; returns the unsubscribe function. */
  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Retained events newer than `resourceVersion`; throws 410 Expired when the log no longer reaches back that far. */
  eventsSince(resourceVersion: number): StoreEvent[] {
    if (resourceVersion < this.compactedRevision) {
      throw new ApiError(410, 'Expired', `too old resource version: ${resourceVersion} (${this.compactedRevision + 1})`);
    }
    return this.log.filter((e) => e.resourceVersion > resourceVersion);
  }

  /** Drops all retained events (as etcd compaction does): every older resourceVersion becomes too old. */
  compact(): void {
    this.log.length = 0;
    this.compactedRevision = this.revision;
  }

  private commit(type: ResourceType, eventType: WatchEventType, object: KubeObject, previous: KubeObject | undefined): StoreEvent {
    const bucket = this.bucket(type);
    const key = objectKey(object.metadata.namespace, object.metadata.name);
    if (eventType === 'DELETED') bucket.delete(key);
    else bucket.set(key, object);
    const event: StoreEvent = {
      type: eventType,
      resourceVersion: this.revision,
      resource: type,
      object: clone(object),
      ...(previous ? { previous: clone(previous) } : {}),
    };
    this.log.push(event);
    while (this.log.length > this.retained) {
      this.compactedRevision = this.log.shift()!.resourceVersion;
    }
    this.pending.push(event);
    this.deliver();
    return event;
  }

  /**
   * Calls the listeners for each pending event in resourceVersion order. A listener that writes
   * (as the simulator does) only queues its event: every listener sees every event in order.
   */
  private deliver(): void {
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let event = this.pending.shift(); event !== undefined; event = this.pending.shift()) {
        for (const listener of [...this.listeners]) {
          try {
            listener(event);
          } catch (error) {
            console.error('store listener failed:', error);
          }
        }
      }
    } finally {
      this.delivering = false;
    }
  }

  // ---- writing through the API rules ----

  /** POST: creates an object; `status` is dropped for kinds with a status subresource unless `keepStatus`. */
  create(
    ref: ResourceRef,
    namespace: string | undefined,
    body: unknown,
    options: WriteOptions & { keepStatus?: boolean } = {},
  ): KubeObject {
    const type = this.resolve(ref);
    if (!isRecord(body) || !isRecord(body.metadata)) throw badRequest('the object has no metadata');
    const metadata = clone(body.metadata);
    const ns = this.namespaceOf(type, (typeof metadata.namespace === 'string' && metadata.namespace) || namespace);
    if (
      type.namespaced &&
      namespace !== undefined &&
      typeof metadata.namespace === 'string' &&
      metadata.namespace !== '' &&
      metadata.namespace !== namespace
    ) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    let name = typeof metadata.name === 'string' ? metadata.name : '';
    if (name === '' && typeof metadata.generateName === 'string' && metadata.generateName !== '') {
      do name = metadata.generateName + randomSuffix();
      while (this.bucket(type).has(objectKey(ns, name)));
    }
    if (name === '') throw invalid(type, '', 'metadata.name', 'Required value: name or generateName is required');
    if (!nameRule.test(name) || name.length > 253) {
      throw invalid(
        type,
        name,
        'metadata.name',
        `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
      );
    }
    if (body.kind !== undefined && body.kind !== type.kind) {
      throw badRequest(
        `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${apiVersionOf(type)})`,
      );
    }
    if (ns !== undefined && type.resource !== 'namespaces' && type.resource !== 'events' && !this.namespaceExists(ns)) {
      throw new ApiError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
    }
    if (this.bucket(type).has(objectKey(ns, name))) {
      throw new ApiError(409, 'AlreadyExists', `${qualifiedResource(type)} "${name}" already exists`, details(type, name));
    }
    const object: KubeObject = { ...clone(body), apiVersion: apiVersionOf(type), kind: type.kind, metadata: { ...metadata, name } };
    if (type.statusSubresource && !options.keepStatus) delete object.status;
    normalizeSecret(object);
    if (ns !== undefined) object.metadata.namespace = ns;
    else delete object.metadata.namespace;
    object.metadata.uid = randomUUID();
    object.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    delete object.metadata.deletionTimestamp;
    if (type.tracksGeneration) object.metadata.generation = 1;
    else delete object.metadata.generation;
    if (type.resource === 'namespaces') {
      object.metadata.labels = { ...object.metadata.labels, 'kubernetes.io/metadata.name': name };
      object.spec = { finalizers: ['kubernetes'] };
      object.status = { phase: 'Active' };
    }
    if (options.dryRun) {
      object.metadata.resourceVersion = String(this.revision);
      return clone(object);
    }
    this.revision++;
    object.metadata.resourceVersion = String(this.revision);
    return clone(this.commit(type, 'ADDED', object, undefined).object);
  }

  /**
   * PUT: replaces an object. A `metadata.resourceVersion` in the body must match the stored one (else 409);
   * kinds with `requireResourceVersionOnUpdate` need one. Through the main endpoint `status` is kept as stored;
   * through the `status` subresource only `status` changes. An update that changes nothing writes nothing.
   */
  update(ref: ResourceRef, namespace: string | undefined, name: string, body: unknown, options: UpdateOptions = {}): KubeObject {
    const type = this.resolve(ref);
    const ns = this.namespaceOf(type, namespace);
    const current = this.bucket(type).get(objectKey(ns, name));
    if (!isRecord(body) || !isRecord(body.metadata)) throw badRequest('the object has no metadata');
    if (body.metadata.name !== undefined && body.metadata.name !== name) {
      throw badRequest(`the name of the object (${String(body.metadata.name)}) does not match the name on the URL (${name})`);
    }
    if (!current) throw notFound(type, name);
    const bodyVersion = body.metadata.resourceVersion;
    if (bodyVersion === undefined || bodyVersion === '') {
      if (type.requireResourceVersionOnUpdate) {
        throw invalid(type, name, 'metadata.resourceVersion', 'Invalid value: 0x0: must be specified for an update');
      }
    } else if (String(bodyVersion) !== current.metadata.resourceVersion) {
      throw conflict(type, name);
    }
    let next: KubeObject;
    if (options.subresource === 'status') {
      next = clone(current);
      if (body.status === undefined) delete next.status;
      else next.status = clone(body.status);
    } else {
      next = { ...clone(body), apiVersion: current.apiVersion, kind: current.kind, metadata: clone(body.metadata) as ObjectMeta };
      if (type.statusSubresource) {
        if (current.status === undefined) delete next.status;
        else next.status = clone(current.status);
      }
      // Fields the server owns.
      const owned: Record<string, unknown> = next.metadata;
      for (const field of ['name', 'namespace', 'uid', 'creationTimestamp', 'generation', 'deletionTimestamp']) {
        if (current.metadata[field] === undefined) delete owned[field];
        else owned[field] = current.metadata[field];
      }
      if (type.tracksGeneration && !deepEqual(specPart(next), specPart(current))) {
        next.metadata.generation = (current.metadata.generation ?? 0) + 1;
      }
      if (type.resource === 'namespaces') {
        next.spec = clone(current.spec);
        next.metadata.labels = { ...next.metadata.labels, 'kubernetes.io/metadata.name': name };
      }
    }
    normalizeSecret(next);
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    if (deepEqual(next, current) || options.dryRun) return clone(options.dryRun ? next : current);
    this.revision++;
    next.metadata.resourceVersion = String(this.revision);
    return clone(this.commit(type, 'MODIFIED', next, current).object);
  }

  /** DELETE: removes an object (and, for a namespace, everything in it); returns its last state. */
  delete(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    options: WriteOptions & { resourceVersion?: string } = {},
  ): KubeObject {
    const type = this.resolve(ref);
    const ns = this.namespaceOf(type, namespace);
    const current = this.bucket(type).get(objectKey(ns, name));
    if (!current) throw notFound(type, name);
    if (options.resourceVersion !== undefined && options.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(type, name);
    }
    if (options.dryRun) return clone(current);
    if (type.resource === 'namespaces') {
      for (const bucket of this.objects.values()) {
        for (const object of [...bucket.values()]) {
          if (object.metadata.namespace === name) {
            const inner = findResourceByKind(object.apiVersion, object.kind);
            if (inner) this.delete(inner, name, object.metadata.name);
          }
        }
      }
    }
    this.revision++;
    const last = clone(current);
    last.metadata.resourceVersion = String(this.revision);
    this.commit(type, 'DELETED', last, current);
    return clone(last);
  }

  // ---- direct access for tests and the simulator ----

  /**
   * Stores an object as given (creating its namespace if needed), status included: for seeding a
   * cluster or playing a controller. Existing objects are replaced without a resourceVersion check;
   * an object given without `status` keeps the stored status.
   */
  put(object: KubeObject): KubeObject {
    const type = findResourceByKind(object.apiVersion, object.kind);
    if (!type) throw new Error(`unknown kind ${object.apiVersion} ${object.kind}`);
    const namespace = this.namespaceOf(type, object.metadata.namespace);
    if (namespace !== undefined && !this.namespaceExists(namespace)) {
      this.create('namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    }
    const name = object.metadata.name;
    const current = this.get(type, namespace, name);
    if (!current) return this.create(type, namespace, object, { keepStatus: true });
    const body = { ...clone(object), metadata: { ...clone(object.metadata), resourceVersion: current.metadata.resourceVersion } };
    const updated = this.update(type, namespace, name, body);
    if (!type.statusSubresource || !('status' in object)) return updated;
    return this.update(
      type,
      namespace,
      name,
      { ...body, metadata: { ...body.metadata, resourceVersion: updated.metadata.resourceVersion } },
      { subresource: 'status' },
    );
  }

  /** A JSON merge patch through the main endpoint (status changes ignored) or, with `subresource`, the status. */
  patch(ref: ResourceRef, namespace: string | undefined, name: string, patch: JsonRecord, options: UpdateOptions = {}): KubeObject {
    const current = this.require(ref, namespace, name);
    const patched = mergePatch(current, patch);
    if (!isRecord(patched)) throw badRequest('the patch must be an object');
    return this.update(ref, namespace, name, patched, options);
  }

  /** Replaces `.status` of an object (as a controller does through the status subresource). */
  setStatus(ref: ResourceRef, namespace: string | undefined, name: string, status: unknown): KubeObject {
    const current = this.require(ref, namespace, name);
    return this.update(ref, namespace, name, { ...current, status }, { subresource: 'status' });
  }

  /** Read-modify-write of `.status`: `change` gets a copy of the current status (or {}) and returns the new one. */
  updateStatus(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    change: (status: JsonRecord, object: KubeObject) => JsonRecord,
  ): KubeObject {
    const current = this.require(ref, namespace, name);
    const status = isRecord(current.status) ? clone(current.status) : {};
    return this.setStatus(ref, namespace, name, change(status, current));
  }
}
