import type { SchemaNode } from './types';

/** The schema of the node at `path` (keys and list indexes) below `root`. */
export function schemaAt(root: SchemaNode, path: ReadonlyArray<string | number>): SchemaNode | undefined {
  let node: SchemaNode | undefined = root;
  for (const seg of path) {
    if (!node) return undefined;
    if (typeof seg === 'number') {
      node = node.items;
    } else {
      node = node.properties?.[seg] ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
    }
  }
  return node;
}

export function typeLabel(schema: SchemaNode): string {
  if (schema['x-kubernetes-int-or-string']) return 'integer | string';
  if (schema.type === 'array') return schema.items?.type ? `${schema.items.type === 'object' ? 'object' : schema.items.type}[]` : 'array';
  if (schema.type === 'object' && !schema.properties && typeof schema.additionalProperties === 'object') {
    return `map of ${schema.additionalProperties.type ?? 'any'}`;
  }
  if (!schema.type && schema['x-kubernetes-preserve-unknown-fields']) return 'free-form';
  return schema.type ?? 'any';
}
