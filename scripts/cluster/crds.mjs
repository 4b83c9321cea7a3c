// CustomResourceDefinitions for the real cluster, made from our own schemas (schemas/*.json): the
// structure of each kind's spec (types, required fields, enums, patterns, bounds, our descriptions),
// a status subresource whose content is kept as the controllers write it, Flux's short names and
// `kubectl get` columns.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The keywords a structural schema may carry; anything else of ours (hints for the editor) is left out. */
const KEPT = new Set([
  'description', 'type', 'format', 'enum', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum',
  'exclusiveMinimum', 'exclusiveMaximum', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties',
  'required', 'nullable', 'default',
  'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-int-or-string', 'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys', 'x-kubernetes-map-type', 'x-kubernetes-embedded-resource',
]);

function structural(node) {
  if (!node || typeof node !== 'object') return {};
  const out = {};
  for (const [key, value] of Object.entries(node)) if (KEPT.has(key)) out[key] = value;
  if (node.properties) out.properties = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, structural(v)]));
  if (node.items && typeof node.items === 'object') out.items = structural(node.items);
  if (node.additionalProperties && typeof node.additionalProperties === 'object') out.additionalProperties = structural(node.additionalProperties);
  // int-or-string and preserve-unknown nodes carry no type of their own.
  if (out['x-kubernetes-int-or-string']) delete out.type;
  if (!out.type && !out['x-kubernetes-int-or-string'] && !out['x-kubernetes-preserve-unknown-fields']) {
    out.type = out.properties ? 'object' : 'string';
  }
  return out;
}

/** The short names Flux gives its kinds (what `kubectl get hr` and `flux` users type). */
const SHORT_NAMES = {
  HelmRelease: ['hr'],
  Kustomization: ['ks'],
  GitRepository: ['gitrepo'],
  HelmRepository: ['helmrepo'],
  HelmChart: ['hc'],
  OCIRepository: ['ocirepo'],
  ExternalArtifact: ['ea'],
  ArtifactGenerator: ['ag'],
  ImageRepository: ['imgrepo', 'imagerepo'],
  ImagePolicy: ['imgpol', 'imagepol'],
  ImageUpdateAutomation: ['iua', 'imgupd', 'imgauto'],
};

/** Kinds without a Ready condition show only their age in `kubectl get`. */
const WITHOUT_CONDITIONS = new Set(['Alert', 'Provider']);

function printerColumns(kind) {
  const ready = (field, name) => ({ jsonPath: `.status.conditions[?(@.type=="Ready")].${field}`, name, type: 'string' });
  const age = { jsonPath: '.metadata.creationTimestamp', name: 'Age', type: 'date' };
  return WITHOUT_CONDITIONS.has(kind) ? [age] : [age, ready('status', 'Ready'), ready('message', 'Status')];
}

function plural(kind) {
  const lower = kind.toLowerCase();
  return lower.endsWith('y') ? `${lower.slice(0, -1)}ies` : `${lower}s`;
}

/** One CRD per schema file, with `permissive` kinds given a spec that accepts anything. */
export function fluxCrds({ permissive = new Set() } = {}) {
  return readdirSync(path.join(ROOT, 'schemas'))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const schema = JSON.parse(readFileSync(path.join(ROOT, 'schemas', file), 'utf8'));
      const [group, version] = schema.apiVersion.split('/');
      const spec = permissive.has(schema.kind) ? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } : structural(schema.spec);
      return {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: `${plural(schema.kind)}.${group}` },
        spec: {
          group,
          scope: 'Namespaced',
          names: { kind: schema.kind, listKind: `${schema.kind}List`, plural: plural(schema.kind), singular: schema.kind.toLowerCase(), ...(SHORT_NAMES[schema.kind] ? { shortNames: SHORT_NAMES[schema.kind] } : {}) },
          versions: [
            {
              name: version,
              served: true,
              storage: true,
              subresources: { status: {} },
              additionalPrinterColumns: printerColumns(schema.kind),
              schema: {
                openAPIV3Schema: {
                  type: 'object',
                  properties: {
                    apiVersion: { type: 'string' },
                    kind: { type: 'string' },
                    metadata: { type: 'object' },
                    spec,
                    status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                  },
                },
              },
            },
          ],
        },
      };
    });
}
