import type { SchemaNode } from '../schema/types';

/** Escapes text for a snippet body. */
export function escapeSnippet(text: string): string {
  return text.replace(/[$}\\]/g, (c) => `\\${c}`);
}

function escapeChoice(text: string): string {
  return text.replace(/[$}\\,|]/g, (c) => `\\${c}`);
}

function scalarText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

interface Counter {
  next: number;
}

/** A placeholder for a scalar value: the allowed values as a choice, else the default, else empty. */
function valuePlaceholder(schema: SchemaNode, counter: Counter): string {
  const index = counter.next++;
  const values = schema.enum ?? (schema.type === 'boolean' ? [true, false] : undefined);
  if (values && values.length > 0) {
    const ordered = schema.default !== undefined ? [schema.default, ...values.filter((v) => v !== schema.default)] : values;
    return `\${${index}|${ordered.map((v) => escapeChoice(scalarText(v))).join(',')}|}`;
  }
  if (schema.default !== undefined && typeof schema.default !== 'object') return `\${${index}:${escapeSnippet(scalarText(schema.default))}}`;
  return `\$${index}`;
}

/**
 * The text inserted for `key`: a scalar gets its value placeholder on the same line; a mapping
 * gets its required fields filled in below (recursively, a few levels); a list starts its first item.
 */
export function keySnippet(key: string, schema: SchemaNode, counter: Counter = { next: 1 }, indent = '', depth = 0): string {
  const child = `${indent}  `;
  if (schema.type === 'object' && schema.properties) {
    const required = (schema.required ?? []).filter((r) => schema.properties![r]);
    if (required.length === 0 || depth >= 3) return `${key}:\n${child}\$${counter.next++}`;
    return `${key}:\n${required.map((r) => `${child}${keySnippet(r, schema.properties![r]!, counter, child, depth + 1)}`).join('\n')}`;
  }
  if (schema.type === 'object') return `${key}:\n${child}\$${counter.next++}`;
  if (schema.type === 'array') {
    const items = schema.items;
    if (items?.type === 'object' && items.properties) {
      const required = (items.required ?? []).filter((r) => items.properties![r]);
      if (required.length > 0 && depth < 3) {
        const itemIndent = `${child}  `;
        const body = required.map((r, i) => `${i === 0 ? '' : itemIndent}${keySnippet(r, items.properties![r]!, counter, itemIndent, depth + 1)}`).join('\n');
        return `${key}:\n${child}- ${body}`;
      }
    }
    return `${key}:\n${child}- \$${counter.next++}`;
  }
  if (!schema.type && schema['x-kubernetes-preserve-unknown-fields']) return `${key}:\n${child}\$${counter.next++}`;
  return `${key}: ${valuePlaceholder(schema, counter)}`;
}
