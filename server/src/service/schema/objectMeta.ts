import type { SchemaNode } from './types';

/** DNS-1123 subdomain: what Kubernetes requires of most object names. */
export const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
/** DNS-1123 label: what Kubernetes requires of namespace names. */
export const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

const stringMap = (description: string): SchemaNode => ({
  type: 'object',
  description,
  additionalProperties: { type: 'string' },
});

/** The part of Kubernetes ObjectMeta that people write in manifests, with our descriptions. */
export const objectMetaSchema: SchemaNode = {
  type: 'object',
  description: 'Standard Kubernetes object metadata: name, namespace, labels and annotations.',
  properties: {
    name: {
      type: 'string',
      description: 'Name of the object, unique per kind within its namespace. Lower-case letters, digits, `-` and `.`, at most 253 characters.',
      pattern: DNS_SUBDOMAIN,
      maxLength: 253,
    },
    generateName: { type: 'string', description: 'Prefix from which the API server generates a unique name when `name` is empty.' },
    namespace: {
      type: 'string',
      description: 'Namespace of the object. When omitted, the namespace comes from the tool that applies the manifest (a kustomization `namespace:`, `kubectl -n`, or the Flux Kustomization `targetNamespace`).',
      pattern: DNS_LABEL,
      maxLength: 63,
    },
    labels: stringMap('Key/value labels used to select and group objects. Values must be strings: quote numbers and booleans.'),
    annotations: stringMap('Key/value annotations for tools, e.g. `reconcile.fluxcd.io/requestedAt`. Values must be strings.'),
    uid: { type: 'string', description: 'Set by the API server; not written in manifests.' },
    resourceVersion: { type: 'string', description: 'Set by the API server for optimistic concurrency; not written in manifests.' },
    generation: { type: 'integer', description: 'Set by the API server; counts changes of `spec`.' },
    creationTimestamp: { description: 'Set by the API server.' },
    deletionTimestamp: { type: 'string', description: 'Set by the API server when the object is being deleted.' },
    deletionGracePeriodSeconds: { type: 'integer', description: 'Set by the API server when the object is being deleted.' },
    finalizers: { type: 'array', items: { type: 'string' }, description: 'Controllers that must finish clean-up before the object is removed.' },
    ownerReferences: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, description: 'Objects that own this one; set by controllers.' },
    managedFields: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, description: 'Server-side apply bookkeeping; set by the API server.' },
    selfLink: { type: 'string', description: 'Deprecated; set by old API servers.' },
  },
};
