// OpenAPI v3 for the test API server. kubectl needs it for two things: `apply`/`create`/`replace`
// check whether the server does field validation (the `fieldValidation` parameter of the PATCH
// operation), and fall back to downloading OpenAPI v2 for client-side validation when it does not;
// `explain` reads the schemas. The Flux kinds get the project's own schemas; the core kinds get
// small ones.
import { createHash } from 'node:crypto';
import { isRecord, type JsonRecord } from './json';
import { resourceTypes, type ResourceType } from './resources';

const objectMetaRef = '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

const str = (description: string): JsonRecord => ({ type: 'string', description });
const stringMap = (description: string): JsonRecord => ({ type: 'object', description, additionalProperties: { type: 'string' } });
const loose = (description: string): JsonRecord => ({ type: 'object', description, 'x-kubernetes-preserve-unknown-fields': true });

const objectMeta: JsonRecord = {
  type: 'object',
  description: 'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.',
  properties: {
    name: str('Name must be unique within a namespace.'),
    generateName: str('Optional prefix for a server-generated name.'),
    namespace: str('Namespace defines the space within which each name must be unique.'),
    uid: str('UID is the unique in time and space value for this object.'),
    resourceVersion: str('An opaque value that represents the internal version of this object, used for optimistic concurrency.'),
    generation: {
      type: 'integer',
      format: 'int64',
      description: 'A sequence number representing a specific generation of the desired state.',
    },
    creationTimestamp: { type: 'string', format: 'date-time', description: 'Time when this object was created.' },
    deletionTimestamp: { type: 'string', format: 'date-time', description: 'Time at which this object will be deleted.' },
    deletionGracePeriodSeconds: { type: 'integer', format: 'int64', description: 'Seconds allowed for graceful termination.' },
    labels: stringMap('Map of string keys and values that can be used to organize and categorize objects.'),
    annotations: stringMap('Unstructured key value map stored with a resource that may be set by external tools.'),
    finalizers: { type: 'array', items: { type: 'string' }, description: 'Must be empty before the object is deleted from the registry.' },
    ownerReferences: { type: 'array', items: loose('OwnerReference'), description: 'List of objects depended by this object.' },
    managedFields: {
      type: 'array',
      items: loose('ManagedFieldsEntry'),
      description: 'Maps workflow-id and version to the set of fields that are managed by that workflow.',
    },
  },
};

/** Small schemas for the core kinds (only what `explain` and field validation need). */
const coreSchemas: Record<string, JsonRecord> = {
  Namespace: {
    description: 'Namespace provides a scope for Names.',
    properties: {
      spec: loose('Spec defines the behavior of the Namespace.'),
      status: loose('Status describes the current status of a Namespace.'),
    },
  },
  ConfigMap: {
    description: 'ConfigMap holds configuration data for pods to consume.',
    properties: {
      data: stringMap('Data contains the configuration data.'),
      binaryData: stringMap('BinaryData contains the binary data (base64).'),
      immutable: { type: 'boolean', description: 'If set to true, ensures that data stored in the ConfigMap cannot be updated.' },
    },
  },
  Secret: {
    description: 'Secret holds secret data of a certain type.',
    properties: {
      data: stringMap('Data contains the secret data (base64).'),
      stringData: stringMap('stringData allows specifying non-binary secret data in string form.'),
      type: str('Used to facilitate programmatic handling of secret data.'),
      immutable: { type: 'boolean', description: 'If set to true, ensures that data stored in the Secret cannot be updated.' },
    },
  },
  Event: {
    description: 'Event is a report of an event somewhere in the cluster.',
    properties: {
      involvedObject: loose('The object that this event is about.'),
      reason: str("A short, machine understandable string that gives the reason for the transition into the object's current status."),
      message: str('A human-readable description of the status of this operation.'),
      type: str('Type of this event (Normal, Warning).'),
      count: { type: 'integer', description: 'The number of times this event has occurred.' },
      firstTimestamp: { type: 'string', format: 'date-time', description: 'The time at which the event was first recorded.' },
      lastTimestamp: {
        type: 'string',
        format: 'date-time',
        description: 'The time at which the most recent occurrence of this event was recorded.',
      },
      eventTime: { type: 'string', format: 'date-time', description: 'Time when this Event was first observed.' },
      source: loose('The component reporting this event.'),
      reportingComponent: str('Name of the controller that emitted this Event.'),
      reportingInstance: str('ID of the controller instance.'),
      action: str('What action was taken/failed regarding to the Regarding object.'),
      related: loose('Optional secondary object for more complex actions.'),
      series: loose('Data about the Event series this event represents.'),
    },
  },
  SelfSubjectAccessReview: {
    description: 'SelfSubjectAccessReview checks whether or the current user can perform an action.',
    properties: {
      spec: loose('Spec holds information about the request being evaluated.'),
      status: loose('Status is filled in by the server and indicates whether the request is allowed or not'),
    },
  },
  CustomResourceDefinition: {
    description: 'CustomResourceDefinition represents a resource that should be exposed on the API server.',
    properties: {
      spec: loose('spec describes how the user wants the resources to appear'),
      status: loose('status indicates the actual state of the CustomResourceDefinition'),
    },
  },
};

function reversedGroup(group: string): string {
  return group.split('.').reverse().join('.');
}

export function schemaName(type: ResourceType): string {
  if (type.group === '') return `io.k8s.api.core.v1.${type.kind}`;
  if (type.group === 'apiextensions.k8s.io') return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.${type.kind}`;
  return `${reversedGroup(type.group)}.${type.version}.${type.kind}`;
}

function gvk(type: ResourceType): JsonRecord {
  return { group: type.group, version: type.version, kind: type.kind };
}

/** The schema of a kind, without the common apiVersion/kind/metadata properties. */
function kindSchema(type: ResourceType): JsonRecord {
  if (type.schema) {
    return {
      description: type.schema.description,
      properties: {
        spec: type.schema.spec,
        status: loose(`The observed state of the ${type.kind}, written by the controller.`),
      },
    };
  }
  return coreSchemas[type.kind] ?? { properties: {} };
}

function fullSchema(type: ResourceType): JsonRecord {
  const own = kindSchema(type);
  return {
    type: 'object',
    description: own.description,
    properties: {
      apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
      kind: str('Kind is a string value representing the REST resource this object represents.'),
      metadata: { allOf: [{ $ref: objectMetaRef }], default: {}, description: "Standard object's metadata." },
      ...(isRecord(own.properties) ? own.properties : {}),
    },
    'x-kubernetes-group-version-kind': [gvk(type)],
  };
}

const patchTypes = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json'];

function operation(type: ResourceType, action: string, ref: string, extra: JsonRecord = {}): JsonRecord {
  return {
    description: `${action} ${type.kind}`,
    operationId: `${action}${type.kind}`,
    responses: { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: ref } } } } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk(type),
    ...extra,
  };
}

const writeParameters: JsonRecord[] = [
  {
    name: 'dryRun',
    in: 'query',
    description: 'When present, indicates that modifications should not be persisted.',
    schema: { type: 'string', uniqueItems: true },
  },
  {
    name: 'fieldManager',
    in: 'query',
    description: 'A name associated with the actor or entity that is making these changes.',
    schema: { type: 'string', uniqueItems: true },
  },
  {
    name: 'fieldValidation',
    in: 'query',
    description:
      'Instructs the server how to handle objects in the request containing unknown or duplicate fields: Ignore, Warn or Strict.',
    schema: { type: 'string', uniqueItems: true },
  },
];

function pathsFor(type: ResourceType, prefix: string): JsonRecord {
  const ref = `#/components/schemas/${schemaName(type)}`;
  const listRef = `${ref}List`;
  const body = (types: string[]): JsonRecord => ({
    content: Object.fromEntries(types.map((t) => [t, { schema: t.includes('patch') ? { type: 'object' } : { $ref: ref } }])),
    required: true,
  });
  const scope = type.namespaced ? `${prefix}/namespaces/{namespace}` : prefix;
  const pathParameters = (named: boolean): JsonRecord[] => [
    ...(named ? [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }] : []),
    ...(type.namespaced ? [{ name: 'namespace', in: 'path', required: true, schema: { type: 'string' } }] : []),
  ];
  const writable = !type.readOnly;
  if (type.review) {
    return {
      [`${prefix}/${type.resource}`]: {
        post: operation(type, 'post', ref, { parameters: writeParameters, requestBody: body(['application/json']) }),
      },
    };
  }
  const paths: JsonRecord = {
    [`${scope}/${type.resource}`]: {
      get: operation(type, 'list', listRef),
      ...(writable ? { post: operation(type, 'post', ref, { parameters: writeParameters, requestBody: body(['application/json']) }) } : {}),
      parameters: pathParameters(false),
    },
    [`${scope}/${type.resource}/{name}`]: {
      get: operation(type, 'get', ref),
      ...(writable
        ? {
            put: operation(type, 'put', ref, { parameters: writeParameters, requestBody: body(['application/json']) }),
            patch: operation(type, 'patch', ref, { parameters: writeParameters, requestBody: body(patchTypes) }),
            delete: operation(type, 'delete', ref),
          }
        : {}),
      parameters: pathParameters(true),
    },
  };
  if (type.statusSubresource && writable) {
    paths[`${scope}/${type.resource}/{name}/status`] = {
      get: operation(type, 'get', ref),
      put: operation(type, 'put', ref, { parameters: writeParameters, requestBody: body(['application/json']) }),
      patch: operation(type, 'patch', ref, { parameters: writeParameters, requestBody: body(patchTypes) }),
      parameters: pathParameters(true),
    };
  }
  return paths;
}

function groupVersionPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

/** `{ 'apis/helm.toolkit.fluxcd.io/v2': document, ... }` */
function buildDocuments(): Map<string, JsonRecord> {
  const documents = new Map<string, JsonRecord>();
  for (const type of resourceTypes) {
    const key = groupVersionPath(type.group, type.version);
    let doc = documents.get(key);
    if (!doc) {
      doc = {
        openapi: '3.0.0',
        info: { title: 'Kubernetes', version: 'v1.32.0' },
        paths: {},
        components: { schemas: { 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': objectMeta } },
      };
      documents.set(key, doc);
    }
    const paths = doc.paths as JsonRecord;
    Object.assign(paths, pathsFor(type, `/${key}`));
    const schemas = (doc.components as JsonRecord).schemas as JsonRecord;
    schemas[schemaName(type)] = fullSchema(type);
    schemas[`${schemaName(type)}List`] = {
      type: 'object',
      description: `${type.kind}List is a list of ${type.kind}.`,
      required: ['items'],
      properties: {
        apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
        items: { type: 'array', items: { $ref: `#/components/schemas/${schemaName(type)}` } },
        kind: str('Kind is a string value representing the REST resource this object represents.'),
        metadata: { type: 'object' },
      },
      'x-kubernetes-group-version-kind': [{ ...gvk(type), kind: `${type.kind}List` }],
    };
  }
  return documents;
}

let cached: { root: JsonRecord; documents: Map<string, { text: string; hash: string }> } | undefined;

function openApi(): NonNullable<typeof cached> {
  if (cached) return cached;
  const documents = new Map<string, { text: string; hash: string }>();
  const paths: JsonRecord = {};
  for (const [key, doc] of buildDocuments()) {
    const text = JSON.stringify(doc);
    const hash = createHash('sha512').update(text).digest('hex').toUpperCase().slice(0, 128);
    documents.set(key, { text, hash });
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  cached = { root: { paths }, documents };
  return cached;
}

/** The body for a GET under `/openapi/v3`, or undefined (404). */
export function openApiV3(pathname: string): string | undefined {
  const { root, documents } = openApi();
  if (pathname === '/openapi/v3' || pathname === '/openapi/v3/') return JSON.stringify(root);
  return documents.get(pathname.replace(/^\/openapi\/v3\//, ''))?.text;
}

// ---- field validation ----

function walk(schema: unknown, value: unknown, path: string, out: string[]): void {
  if (!isRecord(schema)) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(schema.items, item, `${path}[${i}]`, out));
    return;
  }
  if (!isRecord(value)) return;
  const properties = isRecord(schema.properties) ? schema.properties : undefined;
  for (const [key, child] of Object.entries(value)) {
    const childPath = path === '' ? key : `${path}.${key}`;
    if (properties && key in properties) walk(properties[key], child, childPath, out);
    else if (isRecord(schema.additionalProperties)) walk(schema.additionalProperties, child, childPath, out);
    else if (properties && schema.additionalProperties !== true && schema['x-kubernetes-preserve-unknown-fields'] !== true)
      out.push(childPath);
  }
}

/** Fields of `object` that its kind's schema does not declare (`spec.foo`, `metadata.bar`), as strict decoding reports them. */
export function unknownFields(type: ResourceType, object: unknown): string[] {
  const schema = fullSchema(type);
  const properties = schema.properties as JsonRecord;
  const out: string[] = [];
  walk({ ...schema, properties: { ...properties, metadata: objectMeta } }, object, '', out);
  return out;
}
