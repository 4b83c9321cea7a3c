// The resource types the Kubernetes API test server serves: the Flux kinds (from the project's
// own schemas in `schemas/`) and the few core v1 kinds the extension touches.
import bucket from '../../schemas/bucket.json';
import externalArtifact from '../../schemas/externalartifact.json';
import gitRepository from '../../schemas/gitrepository.json';
import helmChart from '../../schemas/helmchart.json';
import helmRelease from '../../schemas/helmrelease.json';
import helmRepository from '../../schemas/helmrepository.json';
import kustomization from '../../schemas/kustomization.json';
import ociRepository from '../../schemas/ocirepository.json';
import { getPath, isRecord } from './json';

export type ColumnType = 'string' | 'date' | 'integer' | 'number' | 'boolean';

export interface PrinterColumn {
  name: string;
  type: ColumnType;
  /** For CRDs, the `additionalPrinterColumns` JSONPath (the subset `.a.b` and `.a[?(@.k=="v")].b`). */
  jsonPath?: string;
  description?: string;
  /** For core kinds, how the built-in printer computes the cell. */
  cell?: (object: Record<string, unknown>) => unknown;
}

export interface ResourceType {
  /** '' for the core group. */
  group: string;
  version: string;
  /** Plural, lower case, as in the URL. */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Has a `status` subresource (CRD semantics: the main endpoint ignores status). */
  statusSubresource: boolean;
  /** Keeps `metadata.generation` (bumped on changes outside metadata and status). */
  tracksGeneration: boolean;
  /** PUT without `metadata.resourceVersion` is refused (true for custom resources). */
  requireResourceVersionOnUpdate: boolean;
  /** Table columns after Name. */
  columns: PrinterColumn[];
  /** Only get/list/watch. */
  readOnly?: boolean;
  /** Not stored: only `create`, answered by the server (SelfSubjectAccessReview). */
  review?: boolean;
  /** For Flux kinds: the project's schema file. */
  schema?: FluxSchemaFile;
}

export interface FluxSchemaFile {
  apiVersion: string;
  kind: string;
  docs: string;
  description: string;
  spec: unknown;
}

const ready = (name: string, field: 'status' | 'message'): PrinterColumn => ({
  name,
  type: 'string',
  jsonPath: `.status.conditions[?(@.type=="Ready")].${field}`,
});
const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };
const url: PrinterColumn = { name: 'URL', type: 'string', jsonPath: '.spec.url' };

interface FluxTableEntry {
  schema: FluxSchemaFile;
  resource: string;
  shortNames: string[];
  categories: string[];
  columns: PrinterColumn[];
}

/** Plural and short names, categories and printer columns as in the Flux CRDs (helm-controller v1.6, kustomize-controller v1.9, source-controller v1.9). */
const fluxTable: FluxTableEntry[] = [
  {
    schema: helmRelease,
    resource: 'helmreleases',
    shortNames: ['hr'],
    categories: ['all', 'fluxcd', 'fluxcd-appliers'],
    columns: [age, ready('Ready', 'status'), ready('Status', 'message')],
  },
  {
    schema: kustomization,
    resource: 'kustomizations',
    shortNames: ['ks'],
    categories: ['all', 'fluxcd', 'fluxcd-appliers'],
    columns: [age, ready('Ready', 'status'), ready('Status', 'message')],
  },
  {
    schema: helmRepository,
    resource: 'helmrepositories',
    shortNames: ['helmrepo'],
    categories: ['all', 'fluxcd', 'fluxcd-sources'],
    columns: [url, age, ready('Ready', 'status'), ready('Status', 'message')],
  },
  {
    schema: ociRepository,
    resource: 'ocirepositories',
    shortNames: ['ocirepo'],
    categories: ['all', 'fluxcd', 'fluxcd-sources'],
    columns: [url, ready('Ready', 'status'), ready('Status', 'message'), age],
  },
  {
    schema: gitRepository,
    resource: 'gitrepositories',
    shortNames: ['gitrepo'],
    categories: ['all', 'fluxcd', 'fluxcd-sources'],
    columns: [url, age, ready('Ready', 'status'), ready('Status', 'message')],
  },
  {
    schema: helmChart,
    resource: 'helmcharts',
    shortNames: ['hc'],
    categories: ['all', 'fluxcd', 'fluxcd-sources'],
    columns: [
      { name: 'Chart', type: 'string', jsonPath: '.spec.chart' },
      { name: 'Version', type: 'string', jsonPath: '.spec.version' },
      { name: 'Source Kind', type: 'string', jsonPath: '.spec.sourceRef.kind' },
      { name: 'Source Name', type: 'string', jsonPath: '.spec.sourceRef.name' },
      age,
      ready('Ready', 'status'),
      ready('Status', 'message'),
    ],
  },
  {
    schema: bucket,
    resource: 'buckets',
    shortNames: [],
    categories: ['all', 'fluxcd', 'fluxcd-sources'],
    columns: [{ name: 'Endpoint', type: 'string', jsonPath: '.spec.endpoint' }, age, ready('Ready', 'status'), ready('Status', 'message')],
  },
  {
    schema: externalArtifact,
    resource: 'externalartifacts',
    shortNames: ['ea'],
    categories: ['all', 'fluxcd', 'fluxcd-sources'],
    columns: [
      age,
      ready('Ready', 'status'),
      ready('Status', 'message'),
      { name: 'Source', type: 'string', jsonPath: '.spec.sourceRef.name' },
    ],
  },
];

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

function count(value: unknown): number {
  return isRecord(value) ? Object.keys(value).length : 0;
}

const coreAge: PrinterColumn = { name: 'Age', type: 'date', cell: (o) => getPath(o, 'metadata.creationTimestamp') };

function core(
  resource: string,
  singular: string,
  kind: string,
  namespaced: boolean,
  shortNames: string[],
  columns: PrinterColumn[],
  statusSubresource = false,
): ResourceType {
  return {
    group: '',
    version: 'v1',
    resource,
    singular,
    kind,
    namespaced,
    shortNames,
    categories: [],
    statusSubresource,
    tracksGeneration: false,
    requireResourceVersionOnUpdate: false,
    columns,
  };
}

export const resourceTypes: ResourceType[] = [
  core(
    'namespaces',
    'namespace',
    'Namespace',
    false,
    ['ns'],
    [{ name: 'Status', type: 'string', cell: (o) => getPath(o, 'status.phase') }, coreAge],
    true,
  ),
  core(
    'configmaps',
    'configmap',
    'ConfigMap',
    true,
    ['cm'],
    [{ name: 'Data', type: 'integer', cell: (o) => count(o.data) + count(o.binaryData) }, coreAge],
  ),
  core(
    'secrets',
    'secret',
    'Secret',
    true,
    [],
    [
      { name: 'Type', type: 'string', cell: (o) => o.type ?? 'Opaque' },
      { name: 'Data', type: 'integer', cell: (o) => count(o.data) },
      coreAge,
    ],
  ),
  core(
    'events',
    'event',
    'Event',
    true,
    ['ev'],
    [
      {
        name: 'Last Seen',
        type: 'date',
        cell: (o) => o.lastTimestamp ?? o.eventTime ?? o.firstTimestamp ?? getPath(o, 'metadata.creationTimestamp'),
      },
      { name: 'Type', type: 'string', cell: (o) => o.type },
      { name: 'Reason', type: 'string', cell: (o) => o.reason },
      {
        name: 'Object',
        type: 'string',
        cell: (o) => `${String(getPath(o, 'involvedObject.kind') ?? '').toLowerCase()}/${String(getPath(o, 'involvedObject.name') ?? '')}`,
      },
      { name: 'Message', type: 'string', cell: (o) => o.message },
    ],
  ),
  ...fluxTable.map((entry): ResourceType => {
    const { group, version } = splitApiVersion(entry.schema.apiVersion);
    return {
      group,
      version,
      resource: entry.resource,
      singular: entry.schema.kind.toLowerCase(),
      kind: entry.schema.kind,
      namespaced: true,
      shortNames: entry.shortNames,
      categories: entry.categories,
      statusSubresource: true,
      tracksGeneration: true,
      requireResourceVersionOnUpdate: true,
      columns: entry.columns,
      schema: entry.schema,
    };
  }),
  {
    group: 'apiextensions.k8s.io',
    version: 'v1',
    resource: 'customresourcedefinitions',
    singular: 'customresourcedefinition',
    kind: 'CustomResourceDefinition',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    statusSubresource: true,
    tracksGeneration: true,
    requireResourceVersionOnUpdate: false,
    readOnly: true,
    columns: [{ name: 'Created At', type: 'string', cell: (o) => getPath(o, 'metadata.creationTimestamp') }],
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    resource: 'selfsubjectaccessreviews',
    singular: 'selfsubjectaccessreview',
    kind: 'SelfSubjectAccessReview',
    namespaced: false,
    shortNames: [],
    categories: [],
    statusSubresource: false,
    tracksGeneration: false,
    requireResourceVersionOnUpdate: false,
    review: true,
    columns: [],
  },
];

export function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

/** `helmreleases.helm.toolkit.fluxcd.io`, or `configmaps` for core kinds: the name used in error messages. */
export function qualifiedResource(type: ResourceType): string {
  return type.group === '' ? type.resource : `${type.resource}.${type.group}`;
}

export function findResourceByPath(group: string, version: string, resource: string): ResourceType | undefined {
  return resourceTypes.find((t) => t.group === group && t.version === version && t.resource === resource);
}

export function findResourceByKind(apiVersion: string, kind: string): ResourceType | undefined {
  const { group, version } = splitApiVersion(apiVersion);
  return resourceTypes.find((t) => t.group === group && t.version === version && t.kind === kind);
}

/** By plural, singular, short name or kind (case-insensitive), e.g. `hr`, `HelmRelease`, `configmaps`. */
export function findResource(name: string): ResourceType | undefined {
  const lower = name.toLowerCase();
  return resourceTypes.find(
    (t) => t.resource === lower || t.singular === lower || t.kind.toLowerCase() === lower || t.shortNames.includes(lower),
  );
}

/** Evaluates the JSONPath subset used by printer columns: `.a.b` and `.a.list[?(@.key=="value")].b`. */
export function evalJsonPath(object: unknown, path: string): unknown {
  let current: unknown = object;
  const steps = path.match(/\.[^.[]+|\[\?\(@\.[^=]+==\s*"[^"]*"\)\]/g) ?? [];
  for (const step of steps) {
    if (step.startsWith('[')) {
      const m = /^\[\?\(@\.([^=]+)==\s*"([^"]*)"\)\]$/.exec(step);
      if (!m || !Array.isArray(current)) return undefined;
      const [, key, value] = m;
      current = current.find((item) => isRecord(item) && item[key!] === value);
    } else {
      if (!isRecord(current)) return undefined;
      current = current[step.slice(1)];
    }
  }
  return current;
}

export function columnValue(column: PrinterColumn, object: Record<string, unknown>): unknown {
  if (column.cell) return column.cell(object);
  return column.jsonPath ? evalJsonPath(object, column.jsonPath) : undefined;
}
