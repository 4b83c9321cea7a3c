/**
 * The JSON Schema that yaml-language-server users configure for HelmReleases: the CRD's
 * openAPIV3Schema with `additionalProperties: false` on every object that lists its properties,
 * as the CRDs-catalog does (its openapi2jsonschema conversion).
 */
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets `additionalProperties: false` where the CRDs-catalog conversion does, recursively, in place. */
export function closeObjects(node: Json): void {
  if (Array.isArray(node)) {
    for (const item of node) closeObjects(item);
    return;
  }
  if (!isObject(node)) return;
  if (
    isObject(node.properties) &&
    node.additionalProperties === undefined &&
    node['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    node.additionalProperties = false;
  }
  for (const [key, child] of Object.entries(node)) {
    if (key === 'properties' && isObject(child)) {
      for (const property of Object.values(child)) closeObjects(property);
    } else if (key === 'enum' || key === 'default' || key === 'example' || key === 'required') {
      continue; // values, not schemas
    } else {
      closeObjects(child);
    }
  }
}

export interface BenchSchema {
  schema: JsonObject;
  /** Where it was made from, for the report. */
  source: string;
}

/** From `../shared/flux-crds` if present, otherwise from our own `schemas/helmrelease.json`. */
export function helmReleaseJsonSchema(repoRoot: string): BenchSchema {
  const crdFile = path.resolve(repoRoot, '../shared/flux-crds/helm.toolkit.fluxcd.io_helmreleases.yaml');
  if (existsSync(crdFile)) {
    for (const document of parseAllDocuments(readFileSync(crdFile, 'utf8'))) {
      const crd = document.toJS() as Json;
      if (!isObject(crd) || crd.kind !== 'CustomResourceDefinition' || !isObject(crd.spec)) continue;
      const versions = Array.isArray(crd.spec.versions) ? crd.spec.versions.filter(isObject) : [];
      // The served version; the storage one if several are served.
      const served = versions.filter((v) => v.served === true);
      const version = served.find((v) => v.storage === true) ?? served[0];
      const schema = version && isObject(version.schema) ? version.schema.openAPIV3Schema : undefined;
      if (!isObject(schema)) continue;
      closeObjects(schema);
      return { schema, source: `${path.relative(repoRoot, crdFile)} (version ${String(version!.name)})` };
    }
    throw new Error(`${crdFile} has no served HelmRelease version with a schema`);
  }
  const ownFile = path.resolve(repoRoot, 'schemas/helmrelease.json');
  const own = JSON.parse(readFileSync(ownFile, 'utf8')) as JsonObject;
  const spec = own.spec;
  if (!isObject(spec)) throw new Error(`${ownFile} has no spec schema`);
  const schema: JsonObject = {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec,
    },
  };
  closeObjects(schema);
  return { schema, source: `${path.relative(repoRoot, ownFile)} (spec wrapped in apiVersion/kind/metadata/spec)` };
}
