import type { KindSchema } from './registry';
import type { SchemaNode } from './types';

/**
 * The schemas of API versions Flux served before, as the current one plus the fields only the
 * earlier version had (facts from the controllers' CRDs, listed per kind in the removed-APIs notes).
 * A document at such a version is checked against its own version, so that a field that was right
 * there is not reported as unknown: the true problem is the version, and the migration renames the
 * field.
 */
interface EarlierField {
  /** Path in `spec`; `[]` steps into list items. */
  path: string[];
  schema: SchemaNode;
  /** What the migration does with it, for the removed-version message. */
  migration: string;
}

const anyObject: SchemaNode = { type: 'object', description: 'A kustomize patch (earlier API versions).', 'x-kubernetes-preserve-unknown-fields': true };
const accessFrom: EarlierField = {
  path: ['accessFrom'],
  schema: { type: 'object', description: 'Namespaces allowed to use the artifact (removed in v1; it has no effect now).', 'x-kubernetes-preserve-unknown-fields': true },
  migration: '`spec.accessFrom` is dropped: v1 has no such field',
};

const HELM_RELEASE: EarlierField[] = [
  { path: ['chart', 'spec', 'valuesFile'], schema: { type: 'string', description: 'One values file of the chart (before v2: now `valuesFiles`).' }, migration: '`spec.chart.spec.valuesFile` becomes `valuesFiles`' },
  { path: ['postRenderers', '[]', 'kustomize', 'patchesStrategicMerge'], schema: { type: 'array', description: 'Strategic merge patches (before v2: now `patches`).', items: anyObject }, migration: 'post-renderer `patchesStrategicMerge` becomes `patches`' },
  {
    path: ['postRenderers', '[]', 'kustomize', 'patchesJson6902'],
    schema: { type: 'array', description: 'JSON 6902 patches (before v2: now `patches`).', items: { type: 'object', description: 'A JSON 6902 patch.', 'x-kubernetes-preserve-unknown-fields': true } },
    migration: 'post-renderer `patchesJson6902` becomes `patches`',
  },
];

/** Kustomization v1beta1/v1beta2: what v1 dropped (kustomize-controller 1.0.0, removed-APIs notes §3). */
const KUSTOMIZATION: EarlierField[] = [
  { path: ['patchesStrategicMerge'], schema: { type: 'array', description: 'Strategic merge patches as objects (before v1: now `patches`).', items: anyObject }, migration: '`spec.patchesStrategicMerge` becomes `patches` (each object as a `patch` string)' },
  {
    path: ['patchesJson6902'],
    schema: { type: 'array', description: 'JSON 6902 patches with their targets (before v1: now `patches`).', items: { type: 'object', description: 'A JSON 6902 patch.', 'x-kubernetes-preserve-unknown-fields': true } },
    migration: '`spec.patchesJson6902` becomes `patches` (the operations as a `patch` string, same `target`)',
  },
  { path: ['validation'], schema: { type: 'string', description: 'Dry-run mode before applying (removed in v1, which always validates on the server).', enum: ['none', 'client', 'server'] }, migration: '`spec.validation` is dropped: v1 always does a server-side dry run' },
];

const EARLIER: Record<string, EarlierField[]> = {
  'kustomize.toolkit.fluxcd.io/v1beta1 Kustomization': KUSTOMIZATION,
  'kustomize.toolkit.fluxcd.io/v1beta2 Kustomization': KUSTOMIZATION,
  'helm.toolkit.fluxcd.io/v2beta1 HelmRelease': HELM_RELEASE,
  'helm.toolkit.fluxcd.io/v2beta2 HelmRelease': HELM_RELEASE,
  'source.toolkit.fluxcd.io/v1beta1 HelmChart': [
    { path: ['valuesFile'], schema: { type: 'string', description: 'One values file of the chart (before v1: now `valuesFiles`).' }, migration: '`spec.valuesFile` becomes `valuesFiles`' },
    accessFrom,
  ],
  'source.toolkit.fluxcd.io/v1beta1 GitRepository': [
    { path: ['gitImplementation'], schema: { type: 'string', description: 'The Git library (removed in v1).', enum: ['go-git', 'libgit2'] }, migration: '`spec.gitImplementation` is dropped' },
    accessFrom,
  ],
  'source.toolkit.fluxcd.io/v1beta1 Bucket': [accessFrom],
  'source.toolkit.fluxcd.io/v1beta1 HelmRepository': [accessFrom],
};
EARLIER['source.toolkit.fluxcd.io/v1beta2 HelmChart'] = EARLIER['source.toolkit.fluxcd.io/v1beta1 HelmChart']!;
EARLIER['source.toolkit.fluxcd.io/v1beta2 GitRepository'] = EARLIER['source.toolkit.fluxcd.io/v1beta1 GitRepository']!;
EARLIER['source.toolkit.fluxcd.io/v1beta2 Bucket'] = EARLIER['source.toolkit.fluxcd.io/v1beta1 Bucket']!;
EARLIER['source.toolkit.fluxcd.io/v1beta2 HelmRepository'] = EARLIER['source.toolkit.fluxcd.io/v1beta1 HelmRepository']!;

const cache = new Map<string, SchemaNode>();

/** The schema of the whole object at `apiVersion`: the current one, with the fields that version also had. */
export function schemaAtVersion(schema: KindSchema, apiVersion: string): SchemaNode {
  const fields = EARLIER[`${apiVersion} ${schema.kind}`];
  if (!fields) return schema.root;
  const key = `${apiVersion} ${schema.kind}`;
  const known = cache.get(key);
  if (known) return known;
  const root = structuredClone(schema.root);
  // The document names its own version: that value is right for it.
  root.properties!.apiVersion = { ...root.properties!.apiVersion!, enum: [apiVersion] };
  for (const field of fields) {
    let node = root.properties!.spec!;
    for (const step of field.path.slice(0, -1)) node = step === '[]' ? node.items! : node.properties![step]!;
    node.properties = { ...node.properties, [field.path[field.path.length - 1]!]: field.schema };
  }
  cache.set(key, root);
  return root;
}

/**
 * Fields the current version still has but deprecates, which the migration moves to their
 * replacement (removed-APIs notes §3): Alert `summary` (deprecated in v1beta3) → `eventMetadata.summary`.
 */
const MOVED: Record<string, Array<Pick<EarlierField, 'path' | 'migration'>>> = {};
for (const version of ['v1beta1', 'v1beta2']) {
  MOVED[`notification.toolkit.fluxcd.io/${version} Alert`] = [{ path: ['summary'], migration: '`spec.summary` (deprecated in v1beta3) moves into `spec.eventMetadata.summary`' }];
}

/** What a migration from `apiVersion` changes besides the version, for the fields a document uses. */
export function migrationChanges(kind: string, apiVersion: string, hasSpecPath: (path: string[]) => boolean): string[] {
  const key = `${apiVersion} ${kind}`;
  return [...(EARLIER[key] ?? []), ...(MOVED[key] ?? [])].filter((f) => hasSpecPath(f.path)).map((f) => f.migration);
}
