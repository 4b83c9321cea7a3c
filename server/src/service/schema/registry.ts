import type { KindSchemaFile, SchemaNode } from './types';
import { objectMetaSchema } from './objectMeta';
import helmRelease from '../../../../schemas/helmrelease.json';
import helmRepository from '../../../../schemas/helmrepository.json';
import ociRepository from '../../../../schemas/ocirepository.json';
import gitRepository from '../../../../schemas/gitrepository.json';
import helmChart from '../../../../schemas/helmchart.json';
import bucket from '../../../../schemas/bucket.json';
import externalArtifact from '../../../../schemas/externalartifact.json';
import kustomization from '../../../../schemas/kustomization.json';
import artifactGenerator from '../../../../schemas/artifactgenerator.json';
import alert from '../../../../schemas/alert.json';
import provider from '../../../../schemas/provider.json';
import receiver from '../../../../schemas/receiver.json';
import imageRepository from '../../../../schemas/imagerepository.json';
import imagePolicy from '../../../../schemas/imagepolicy.json';
import imageUpdateAutomation from '../../../../schemas/imageupdateautomation.json';

export const FLUX_GROUPS = ['helm.toolkit.fluxcd.io', 'source.toolkit.fluxcd.io', 'kustomize.toolkit.fluxcd.io', 'source.extensions.fluxcd.io', 'notification.toolkit.fluxcd.io', 'image.toolkit.fluxcd.io'] as const;

/** A Flux kind at a served API version, with the schema of the whole object. */
export interface KindSchema {
  apiVersion: string;
  kind: string;
  docs: string;
  description: string;
  /** The whole object: apiVersion, kind, metadata, spec (status is accepted and not checked). */
  root: SchemaNode;
}

const files = [helmRelease, helmRepository, ociRepository, gitRepository, helmChart, bucket, externalArtifact, kustomization, artifactGenerator, alert, provider, receiver, imageRepository, imagePolicy, imageUpdateAutomation] as KindSchemaFile[];

function wholeObject(file: KindSchemaFile): SchemaNode {
  return {
    type: 'object',
    description: file.description,
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
    properties: {
      apiVersion: { type: 'string', description: `API group and version of the object: \`${file.apiVersion}\`.`, enum: [file.apiVersion] },
      kind: { type: 'string', description: `Kind of the object: \`${file.kind}\`.`, enum: [file.kind] },
      metadata: { ...objectMetaSchema, required: ['name'] },
      spec: file.spec,
      status: { type: 'object', description: 'Written by the Flux controllers; ignored when the manifest is applied.', 'x-kubernetes-preserve-unknown-fields': true },
    },
  };
}

const byKind = new Map<string, KindSchema>();
for (const file of files) {
  byKind.set(file.kind, { apiVersion: file.apiVersion, kind: file.kind, docs: file.docs, description: file.description, root: wholeObject(file) });
}

/** The served schema of a Flux kind, whatever version the document names. */
export function schemaForKind(kind: string): KindSchema | undefined {
  return byKind.get(kind);
}

export function allKindSchemas(): KindSchema[] {
  return [...byKind.values()];
}

export function isFluxGroup(apiVersion: string): boolean {
  const group = apiVersion.split('/')[0] ?? '';
  return (FLUX_GROUPS as readonly string[]).includes(group);
}
