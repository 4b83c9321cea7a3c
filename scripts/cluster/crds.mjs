// CustomResourceDefinitions for the real cluster, made from our own schemas (schemas/*.json): the
// structure of each kind's spec (types, required fields, enums, patterns, bounds, our descriptions),
// a status subresource whose content is kept as the controllers write it.
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
          names: { kind: schema.kind, listKind: `${schema.kind}List`, plural: plural(schema.kind), singular: schema.kind.toLowerCase() },
          versions: [
            {
              name: version,
              served: true,
              storage: true,
              subresources: { status: {} },
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
