/**
 * The subset of OpenAPI v3 / JSON Schema that Kubernetes structural schemas use, which is all the
 * Flux CRDs need. Our files in `schemas/` use exactly these keywords; `description` is ours.
 */
export interface SchemaNode {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  additionalProperties?: boolean | SchemaNode;
  enum?: Array<string | number | boolean>;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  format?: string;
  default?: unknown;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  /** `map`: a list whose items are told apart by `x-kubernetes-list-map-keys`, each key once. */
  'x-kubernetes-list-type'?: 'map' | 'set';
  'x-kubernetes-list-map-keys'?: string[];
}

/** One file of `schemas/`: the `spec` of one Flux kind at one served API version. */
export interface KindSchemaFile {
  apiVersion: string;
  kind: string;
  /** Page of the Flux documentation about this kind. */
  docs: string;
  /** What the kind is for, in one or two sentences. */
  description: string;
  spec: SchemaNode;
}
