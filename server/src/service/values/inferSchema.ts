import { isMap, isPair, isScalar, isSeq, parseDocument, type Node, type Pair } from 'yaml';
import type { SchemaNode } from '../schema/types';
import { PARSE_OPTIONS } from '../model/yamlTree';
import { valueTypeOf } from '../validation/valueType';

/**
 * The shape of a chart's values, read from its `values.yaml` when it has no `values.schema.json`:
 * every key with its type and default, and the comment above it as its description (the
 * helm-docs `# -- text` convention included). Maps stay open: charts read keys they do not default.
 */
export function schemaFromValuesYaml(text: string): SchemaNode {
  const doc = parseDocument(text, PARSE_OPTIONS);
  const root = doc.contents as Node | null;
  if (!isMap(root)) return { type: 'object', description: 'Values of the chart.' };
  return nodeSchema(root, 0) ?? { type: 'object' };
}

function describe(pair: Pair): string | undefined {
  const key = pair.key as { commentBefore?: string | null } | null;
  return cleanComment(key?.commentBefore ?? (pair as unknown as { commentBefore?: string | null }).commentBefore);
}

function cleanComment(comment: string | null | undefined): string | undefined {
  if (!comment) return undefined;
  const lines = comment
    .split('\n')
    .map((l) => l.replace(/^\s*--\s?/, '').replace(/^\s*@default\s.*$/, '').trimEnd())
    // Commented-out example values (`# foo: bar`) are not documentation.
    .filter((l) => l.trim() !== '' && !/^\s*[\w.-]+:\s*\S*$/.test(l) && !/^\s*- /.test(l));
  return lines.length ? lines.join('\n').trim() : undefined;
}

function nodeSchema(node: Node, depth: number): SchemaNode | undefined {
  if (depth > 40) return undefined;
  if (isMap(node)) {
    const properties: Record<string, SchemaNode> = {};
    for (const [index, pair] of node.items.entries()) {
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      const value = pair.value as Node | null;
      const schema: SchemaNode = (value && nodeSchema(value, depth + 1)) ?? {};
      // The comment above the first key of a nested mapping is attached to the mapping itself.
      const description = describe(pair) ?? (index === 0 && depth > 0 ? cleanComment(node.commentBefore) : undefined);
      if (description) schema.description = description;
      properties[key] = schema;
    }
    // Values maps are open: `podAnnotations: {}` takes any key, and charts read keys they do not default.
    return { type: 'object', properties, additionalProperties: true };
  }
  if (isSeq(node)) {
    const first = node.items[0] as Node | undefined;
    const items = first ? nodeSchema(first, depth + 1) : undefined;
    return { type: 'array', ...(items ? { items } : {}), default: node.toJSON() };
  }
  if (isScalar(node)) {
    const type = valueTypeOf(node);
    if (type === 'null') return {};
    return { type: type === 'integer' ? 'integer' : type === 'number' ? 'number' : type === 'boolean' ? 'boolean' : 'string', default: node.value };
  }
  return undefined;
}
