import { isMap, isScalar, isSeq, type Node } from 'yaml';

export type ValueType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';

/** The JSON type Kubernetes sees for a YAML node (YAML 1.1 as read by sigs.k8s.io/yaml). */
export function valueTypeOf(node: Node): ValueType {
  if (isMap(node)) return 'object';
  if (isSeq(node)) return 'array';
  if (isScalar(node)) {
    const value = node.value;
    if (value === null || value === undefined) return 'null';
    if (typeof value === 'boolean') return 'boolean';
    if (typeof value === 'number' || typeof value === 'bigint') {
      // go-yaml does not read base-60 numbers (`1:30`); the yaml package's 1.1 schema does.
      if (typeof node.source === 'string' && node.source.includes(':')) return 'string';
      return Number.isInteger(Number(value)) && !Number.isNaN(Number(value)) ? 'integer' : 'number';
    }
    // Timestamps and binary data reach the API server as strings.
    return 'string';
  }
  return 'null';
}

export function typeMatches(actual: ValueType, expected: string | undefined, intOrString: boolean): boolean {
  if (!expected && !intOrString) return true;
  if (intOrString) return actual === 'integer' || actual === 'string';
  if (actual === expected) return true;
  return expected === 'number' && actual === 'integer';
}

export function describeType(type: ValueType | string): string {
  switch (type) {
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'integer':
      return 'an integer';
    case 'null':
      return 'empty';
    default:
      return `a ${type}`;
  }
}

/** Text of a scalar as written, for messages. */
export function scalarDisplay(node: Node): string {
  if (isScalar(node)) return typeof node.source === 'string' && node.source !== '' ? node.source : String(node.value);
  return '';
}

/** A Flux post-build substitution such as `${cluster_name}` is replaced before the API server sees it. */
export function hasSubstitution(node: Node): boolean {
  return isScalar(node) && typeof node.value === 'string' && /\$\{[^}]*\}/.test(node.value.replace(/\$\$\{/g, ''));
}
