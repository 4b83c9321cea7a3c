import * as path from 'path';
import { isMap, isScalar, type Node } from 'yaml';
import type { Range } from 'vscode-languageserver-types';
import type { DocumentAnalysis } from '../model/documentAnalysis';
import type { FileModel } from '../model/fileModel';
import { ObjectView } from '../model/objectView';
import type { PathSegment } from '../model/yamlTree';
import { textHash } from '../text/hash';
import { isFluxKustomization } from '../features/inlinePatches';
import { readPostBuild } from '../substitution/variables';
import type { FactsPart, FileFacts, FluxKustomizationSpec, ObjectRecord, ReferenceRecord } from './types';

/** Kinds the index keeps: what references point at, and what holds references. */
const INDEXED_KINDS = new Set([
  'HelmRelease', 'HelmRepository', 'OCIRepository', 'GitRepository', 'HelmChart', 'Bucket', 'ExternalArtifact', 'ConfigMap', 'Secret', 'ExternalSecret', 'SealedSecret', 'Kustomization',
  'Alert', 'Provider', 'Receiver', 'ImageRepository', 'ImagePolicy', 'ImageUpdateAutomation', 'ArtifactGenerator',
]);
/** API groups of the Flux kinds whose objects the index keeps (besides ConfigMaps and Secrets). */
const FLUX_GROUPS = ['helm.toolkit.fluxcd.io/', 'source.toolkit.fluxcd.io/', 'kustomize.toolkit.fluxcd.io/', 'notification.toolkit.fluxcd.io/', 'image.toolkit.fluxcd.io/', 'source.extensions.fluxcd.io/'];
/** The kinds Alert `eventSources` and Receiver `resources` may name. */
export const EVENT_SOURCE_KINDS = ['Bucket', 'GitRepository', 'Kustomization', 'HelmRelease', 'HelmChart', 'HelmRepository', 'ImageRepository', 'ImagePolicy', 'ImageUpdateAutomation', 'OCIRepository', 'ArtifactGenerator', 'ExternalArtifact'];
/** The kinds a Flux Kustomization's `sourceRef` may name. */
export const KUSTOMIZATION_SOURCE_KINDS = ['GitRepository', 'OCIRepository', 'Bucket', 'ExternalArtifact'];
/** Kinds the index knows objects of, that a Kustomization's `healthChecks` may name. */
const HEALTH_CHECK_KINDS = ['HelmRelease', 'Kustomization', 'HelmRepository', 'OCIRepository', 'GitRepository', 'HelmChart', 'Bucket', 'ExternalArtifact', 'ImageRepository', 'ImagePolicy', 'ImageUpdateAutomation', 'ArtifactGenerator', 'Alert', 'Provider', 'Receiver'];
const KUSTOMIZATION_FILES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

type Relative<T> = Omit<T, 'uri'>;
interface DocumentFacts {
  objects: Array<Relative<ObjectRecord>>;
  references: Array<Relative<ReferenceRecord>>;
  kustomization?: { namespace?: string; resources: string[]; patches: string[] };
}

/** Where a document starts in its file; records read their positions through it, so moving a document is one assignment. */
interface Placement {
  startLine: number;
}

/** One document's facts placed in its file: kept while the document's text is unchanged, moved when its line changes. */
interface PlacedFacts {
  uri: string;
  isKustomizationFile: boolean;
  placement: Placement;
  part: FactsPart;
  kustomization?: DocumentFacts['kustomization'];
  /** The extraction that last placed it: a second document with the same text in that call needs records of its own. */
  call?: object;
}
const placedFacts = new WeakMap<DocumentAnalysis, PlacedFacts>();

/**
 * The facts of a file for the workspace index. `filePath` places kustomization paths; omit it for
 * non-file documents. Documents whose text did not change since the last call give the same
 * records again, moved to their current line, so an edit costs the edited document.
 */
export function extractFileFacts(uri: string, filePath: string | undefined, model: FileModel, options: { parts?: boolean } = {}): FileFacts {
  const facts: FileFacts = { objects: [], references: [] };
  if (options.parts) facts.parts = [];
  if (model.oversized || model.binary) return facts;
  // Helm templates are not manifests until rendered: they are not checked unless opened.
  facts.checked = model.segments.some((s) => (s.analysis.isFlux || isFluxKustomization(s.analysis)) && !s.analysis.text.includes('{{'));
  const isKustomizationFile = filePath !== undefined && KUSTOMIZATION_FILES.has(path.basename(filePath));
  const call = {};
  for (const segment of model.segments) {
    const analysis = segment.analysis;
    if (!indexed(analysis, isKustomizationFile)) continue;
    let placed = placedFacts.get(analysis);
    if (placed?.call === call) {
      // The same text twice in one file: the second copy gets records of its own, new each time.
      placed = place(uri, segment.startLine, isKustomizationFile, analysis);
    } else if (!placed || placed.uri !== uri || placed.isKustomizationFile !== isKustomizationFile) {
      placed = place(uri, segment.startLine, isKustomizationFile, analysis);
      placedFacts.set(analysis, placed);
    } else {
      placed.placement.startLine = segment.startLine;
    }
    placed.call = call;
    for (const o of placed.part.objects) facts.objects.push(o);
    for (const r of placed.part.references) facts.references.push(r);
    facts.parts?.push(placed.part);
    if (placed.kustomization && filePath) {
      const directory = path.dirname(filePath);
      facts.kustomization = {
        uri,
        namespace: placed.kustomization.namespace,
        resources: placed.kustomization.resources.map((r) => path.resolve(directory, r)),
        patches: placed.kustomization.patches.map((r) => path.resolve(directory, r)),
      };
    }
  }
  return facts;
}

/** The facts of one document, with positions relative to its first line (cached with its analysis). */
export function relativeFacts(analysis: DocumentAnalysis, isKustomizationFile: boolean): DocumentFacts {
  return analysis.cached(`workspace-facts:${isKustomizationFile}`, () => documentFacts(analysis, isKustomizationFile));
}

/** Whether the index keeps anything of a document (read once per document text). */
function indexed(analysis: DocumentAnalysis, isKustomizationFile: boolean): boolean {
  const kind = analysis.identity?.kind;
  if (!isKustomizationFile && (!kind || !INDEXED_KINDS.has(kind))) return false;
  // Helm templates are not manifests until rendered; their names are not real.
  return analysis.cached('not-a-template', () => !analysis.text.includes('{{'));
}

/** A document's references with their URI, positions still relative to the document's first line. */
export function relativeReferences(analysis: DocumentAnalysis, uri: string): ReferenceRecord[] {
  if (!indexed(analysis, false)) return [];
  return relativeFacts(analysis, false).references.map((r) => ({ ...r, uri }));
}

function place(uri: string, startLine: number, isKustomizationFile: boolean, analysis: DocumentAnalysis): PlacedFacts {
  const doc = relativeFacts(analysis, isKustomizationFile);
  const placement: Placement = { startLine };
  const objects: ObjectRecord[] = doc.objects.map((o) => positioned({ ...o, uri }, placement, { nameRange: o.nameRange }));
  const references: ReferenceRecord[] = doc.references.map((r) =>
    positioned({ ...r, uri }, placement, { nameRange: r.nameRange, namespaceRange: r.namespaceRange, valuesKeyRange: r.valuesKeyRange }, r.namespaceInsert),
  );
  return { uri, isKustomizationFile, placement, part: { objects, references, placement }, kustomization: doc.kustomization };
}

const moveRange = (r: Range, lines: number): Range => ({ start: { line: r.start.line + lines, character: r.start.character }, end: { line: r.end.line + lines, character: r.end.character } });

/** Gives a record's ranges as read through its document's placement, so that they follow the document when it moves. */
function positioned<T extends object>(record: T, placement: Placement, ranges: Record<string, Range | undefined>, namespaceInsert?: ReferenceRecord['namespaceInsert']): T {
  for (const [field, range] of Object.entries(ranges)) {
    if (!range) continue;
    Object.defineProperty(record, field, { enumerable: true, configurable: true, get: () => moveRange(range, placement.startLine) });
  }
  if (namespaceInsert) {
    Object.defineProperty(record, 'namespaceInsert', {
      enumerable: true,
      configurable: true,
      get: () => ({ ...namespaceInsert, at: { line: namespaceInsert.at.line + placement.startLine, character: namespaceInsert.at.character } }),
    });
  }
  return record;
}

function documentFacts(analysis: DocumentAnalysis, isKustomizationFile: boolean): DocumentFacts {
  const out: DocumentFacts = { objects: [], references: [] };
  const doc = analysis.parsed.doc;
  if (!doc || !isMap(doc.contents)) return out;
  const view = new ObjectView(doc);
  const range = (node: Node | undefined): Range | undefined => (node?.range ? analysis.lines.rangeOf(node.range[0], node.range[1]) : undefined);
  const identity = analysis.identity;
  const apiVersion = identity?.apiVersion ?? '';
  const kind = identity?.kind;

  if (isKustomizationFile && (!kind || (kind === 'Kustomization' && apiVersion.startsWith('kustomize.config.k8s.io')))) {
    kustomizationFacts(view, range, out);
    return out;
  }
  if (!kind) return out;
  const name = view.string(['metadata', 'name']);
  const nameNode = view.field(['metadata', 'name'])?.value;
  const namespace = view.string(['metadata', 'namespace']);

  const addObject = (record: Omit<Relative<ObjectRecord>, 'apiVersion' | 'nameRange'> & { nameNode?: Node }) => {
    const nameRange = range(record.nameNode ?? nameNode);
    if (!nameRange || !record.name || record.name.includes('${')) return;
    const { nameNode: _ignored, ...rest } = record;
    out.objects.push({ ...rest, apiVersion, nameRange });
  };

  switch (kind) {
    case 'ConfigMap': {
      const { keys, structured } = dataKeys(view, ['data', 'binaryData']);
      addObject({ kind, name: name ?? '', namespace, origin: 'manifest', keys, structuredKeys: structured, summary: [], digest: textHash(analysis.text) });
      break;
    }
    case 'Secret': {
      const { keys } = dataKeys(view, ['data', 'stringData']);
      addObject({ kind, name: name ?? '', namespace, origin: view.has(['sops']) ? 'sops' : 'manifest', keys, summary: [] });
      break;
    }
    case 'ExternalSecret': {
      if (!apiVersion.startsWith('external-secrets.io/')) break;
      const target = view.field(['spec', 'target', 'name']);
      const keys = view.items(['spec', 'data']).map((_, i) => view.string(['spec', 'data', i, 'secretKey'])).filter((k): k is string => !!k);
      addObject({ kind: 'Secret', name: view.string(['spec', 'target', 'name']) ?? name ?? '', nameNode: target?.value, namespace, origin: 'ExternalSecret', keys: view.has(['spec', 'dataFrom']) ? undefined : keys, summary: [['generated by', `ExternalSecret ${name ?? ''}`]] });
      break;
    }
    case 'SealedSecret': {
      if (!apiVersion.startsWith('bitnami.com/')) break;
      const target = view.field(['spec', 'template', 'metadata', 'name']);
      addObject({ kind: 'Secret', name: view.string(['spec', 'template', 'metadata', 'name']) ?? name ?? '', nameNode: target?.value, namespace: view.string(['spec', 'template', 'metadata', 'namespace']) ?? namespace, origin: 'SealedSecret', keys: view.keys(['spec', 'encryptedData']), summary: [['generated by', `SealedSecret ${name ?? ''}`]] });
      break;
    }
    default: {
      if (!FLUX_GROUPS.some((group) => apiVersion.startsWith(group))) break;
      const url = kind === 'GitRepository' || kind === 'OCIRepository' ? view.string(['spec', 'url']) : undefined;
      // Only the fields an object has: 25,000 records with empty ones would cost memory for nothing.
      addObject({ kind, name: name ?? '', namespace, origin: 'manifest', summary: summaryOf(kind, view), ...(kind === 'Kustomization' ? { flux: fluxKustomizationSpec(view, analysis) } : {}), ...(url ? { url } : {}) });
      if (kind === 'ArtifactGenerator') {
        // Each artifact becomes an ExternalArtifact of that name in the generator's namespace.
        view.items(['spec', 'artifacts']).forEach((_, i) => {
          const artifact = view.string(['spec', 'artifacts', i, 'name']);
          if (artifact) addObject({ kind: 'ExternalArtifact', name: artifact, nameNode: view.field(['spec', 'artifacts', i, 'name'])?.value, namespace, origin: 'ArtifactGenerator', summary: [['generated by', `ArtifactGenerator ${name ?? ''}`]] });
        });
      }
      fluxReferences(kind, view, range, name, namespace, analysis, out);
    }
  }
  return out;
}

function dataKeys(view: ObjectView, fields: string[]): { keys: string[]; structured: string[] } {
  const keys: string[] = [];
  const structured: string[] = [];
  for (const field of fields) {
    for (const key of view.keys([field])) {
      keys.push(key);
      const value = view.string([field, key]);
      // Values are never kept; only whether a values document is a mapping or list.
      if (value && /\n/.test(value) && /^(\s*[\w.-]+:(\s|$)|\s*- )/m.test(value)) structured.push(key);
    }
  }
  return { keys, structured };
}

function summaryOf(kind: string, view: ObjectView): Array<[string, string]> {
  const fields: Array<[string, PathSegment[]]> =
    kind === 'HelmRelease'
      ? [['chart', ['spec', 'chart', 'spec', 'chart']], ['version', ['spec', 'chart', 'spec', 'version']], ['chartRef', ['spec', 'chartRef', 'name']], ['targetNamespace', ['spec', 'targetNamespace']], ['interval', ['spec', 'interval']]]
      : kind === 'Kustomization'
        ? [['path', ['spec', 'path']], ['source', ['spec', 'sourceRef', 'name']], ['targetNamespace', ['spec', 'targetNamespace']], ['interval', ['spec', 'interval']], ['prune', ['spec', 'prune']]]
      : kind === 'ImageRepository' ? [['image', ['spec', 'image']], ['interval', ['spec', 'interval']]]
      : kind === 'ImagePolicy' ? [['imageRepositoryRef', ['spec', 'imageRepositoryRef', 'name']], ['semver', ['spec', 'policy', 'semver', 'range']], ['alphabetical', ['spec', 'policy', 'alphabetical', 'order']], ['numerical', ['spec', 'policy', 'numerical', 'order']]]
      : kind === 'Provider' ? [['type', ['spec', 'type']], ['channel', ['spec', 'channel']]]
      : kind === 'Alert' ? [['providerRef', ['spec', 'providerRef', 'name']], ['eventSeverity', ['spec', 'eventSeverity']]]
      : kind === 'Receiver' ? [['type', ['spec', 'type']]]
      : kind === 'ImageUpdateAutomation' ? [['sourceRef', ['spec', 'sourceRef', 'name']], ['path', ['spec', 'update', 'path']], ['interval', ['spec', 'interval']]]
      : [['url', ['spec', 'url']], ['type', ['spec', 'type']], ['chart', ['spec', 'chart']], ['version', ['spec', 'version']], ['branch', ['spec', 'ref', 'branch']], ['tag', ['spec', 'ref', 'tag']], ['semver', ['spec', 'ref', 'semver']], ['bucket', ['spec', 'bucketName']], ['interval', ['spec', 'interval']], ['insecure', ['spec', 'insecure']]];
  const out: Array<[string, string]> = [];
  for (const [label, p] of fields) {
    const value = view.string(p);
    if (value !== undefined) out.push([label, value]);
  }
  return out;
}

type RangeOf = (node: Node | undefined) => Range | undefined;

function fluxReferences(kind: string, view: ObjectView, range: RangeOf, fromName: string | undefined, fromNamespace: string | undefined, analysis: DocumentAnalysis, out: DocumentFacts): void {
  const add = (
    at: PathSegment[],
    field: ReferenceRecord['field'],
    acceptedKinds: string[],
    options: { kindFromField?: boolean; allowsNamespace?: boolean; fixedKind?: string } = {},
  ) => {
    const nameField = view.field([...at, 'name']);
    const name = view.string([...at, 'name']);
    const nameRange = range(nameField?.value);
    if (!name || !nameRange || name.includes('${')) return;
    const namespaceField = view.field([...at, 'namespace']);
    const record: Relative<ReferenceRecord> = {
      field,
      path: at.map((s) => (typeof s === 'number' ? `[${s}]` : s)).join('.').replace(/\.\[/g, '['),
      fromKind: kind,
      fromName,
      fromNamespace,
      acceptedKinds,
      kind: options.kindFromField ? view.string([...at, 'kind']) : options.fixedKind,
      name,
      nameRange,
      allowsNamespace: options.allowsNamespace === true,
    };
    if (options.allowsNamespace) {
      record.namespace = view.string([...at, 'namespace']);
      record.namespaceRange = range(namespaceField?.value);
      const container = view.field(at)?.value;
      const keyNode = nameField!.key;
      if (keyNode.range) {
        const keyPosition = analysis.lines.positionAt(keyNode.range[0]);
        const flow = isMap(container) && container.flow === true;
        record.namespaceInsert = flow
          ? { at: nameRange.end, indent: '', flow }
          : { at: { line: analysis.lines.positionAt(nameField!.value?.range?.[1] ?? keyNode.range[1]).line + 1, character: 0 }, indent: ' '.repeat(keyPosition.character), flow };
      }
    }
    if (field === 'substituteFrom') record.optional = view.bool([...at, 'optional']) === true;
    if (field === 'valuesFrom') {
      record.valuesKey = view.string([...at, 'valuesKey']);
      record.valuesKeyRange = range(view.field([...at, 'valuesKey'])?.value);
      record.targetPath = view.string([...at, 'targetPath']);
      record.optional = view.bool([...at, 'optional']) === true;
    }
    out.references.push(record);
  };
  const secretRefs = (base: PathSegment[]) => {
    for (const ref of ['secretRef', 'certSecretRef', 'proxySecretRef']) add([...base, ref], 'secretRef', ['Secret'], { fixedKind: 'Secret' });
    add([...base, 'verify', 'secretRef'], 'secretRef', ['Secret'], { fixedKind: 'Secret' });
  };
  if (kind === 'HelmRelease') {
    add(['spec', 'chart', 'spec', 'sourceRef'], 'sourceRef', ['HelmRepository', 'GitRepository', 'Bucket'], { kindFromField: true, allowsNamespace: true });
    add(['spec', 'chartRef'], 'chartRef', ['OCIRepository', 'HelmChart', 'ExternalArtifact'], { kindFromField: true, allowsNamespace: true });
    view.items(['spec', 'dependsOn']).forEach((_, i) => add(['spec', 'dependsOn', i], 'dependsOn', ['HelmRelease'], { fixedKind: 'HelmRelease', allowsNamespace: true }));
    view.items(['spec', 'valuesFrom']).forEach((_, i) => add(['spec', 'valuesFrom', i], 'valuesFrom', ['ConfigMap', 'Secret'], { kindFromField: true }));
    add(['spec', 'kubeConfig', 'secretRef'], 'kubeConfig', ['Secret'], { fixedKind: 'Secret' });
    add(['spec', 'kubeConfig', 'configMapRef'], 'kubeConfig', ['ConfigMap'], { fixedKind: 'ConfigMap' });
    add(['spec', 'chart', 'spec', 'verify', 'secretRef'], 'secretRef', ['Secret'], { fixedKind: 'Secret' });
    out.references.push(...imagePolicySetters(analysis, kind, fromName, fromNamespace));
    return;
  }
  if (kind === 'Kustomization') {
    add(['spec', 'sourceRef'], 'sourceRef', KUSTOMIZATION_SOURCE_KINDS, { kindFromField: true, allowsNamespace: true });
    view.items(['spec', 'dependsOn']).forEach((_, i) => add(['spec', 'dependsOn', i], 'dependsOn', ['Kustomization'], { fixedKind: 'Kustomization', allowsNamespace: true }));
    view.items(['spec', 'healthChecks']).forEach((_, i) => {
      // Only kinds the index knows objects of: a Deployment is not written in a Flux object the index keeps.
      const checked = view.string(['spec', 'healthChecks', i, 'kind']);
      if (checked && HEALTH_CHECK_KINDS.includes(checked)) add(['spec', 'healthChecks', i], 'healthChecks', HEALTH_CHECK_KINDS, { kindFromField: true, allowsNamespace: true });
    });
    view.items(['spec', 'postBuild', 'substituteFrom']).forEach((_, i) => add(['spec', 'postBuild', 'substituteFrom', i], 'substituteFrom', ['ConfigMap', 'Secret'], { kindFromField: true }));
    add(['spec', 'decryption', 'secretRef'], 'decryption', ['Secret'], { fixedKind: 'Secret' });
    add(['spec', 'kubeConfig', 'secretRef'], 'kubeConfig', ['Secret'], { fixedKind: 'Secret' });
    add(['spec', 'kubeConfig', 'configMapRef'], 'kubeConfig', ['ConfigMap'], { fixedKind: 'ConfigMap' });
    const pathNode = view.field(['spec', 'path'])?.value;
    const written = view.string(['spec', 'path']);
    const pathRange = range(pathNode);
    if (written !== undefined && pathRange && !written.includes('${') && !written.includes('\n')) {
      out.references.push({ field: 'path', path: 'spec.path', fromKind: kind, fromName, fromNamespace, acceptedKinds: [], name: written, nameRange: pathRange, allowsNamespace: false });
    }
    return;
  }
  if (kind === 'Alert') {
    add(['spec', 'providerRef'], 'providerRef', ['Provider'], { fixedKind: 'Provider' });
    // A `*` name stands for every object of the kind in the namespace (that matchLabels selects).
    view.items(['spec', 'eventSources']).forEach((_, i) => add(['spec', 'eventSources', i], 'eventSources', EVENT_SOURCE_KINDS, { kindFromField: true, allowsNamespace: true }));
    return;
  }
  if (kind === 'Receiver') {
    view.items(['spec', 'resources']).forEach((_, i) => add(['spec', 'resources', i], 'resources', EVENT_SOURCE_KINDS, { kindFromField: true, allowsNamespace: true }));
    add(['spec', 'secretRef'], 'secretRef', ['Secret'], { fixedKind: 'Secret' });
    return;
  }
  if (kind === 'ImagePolicy') {
    add(['spec', 'imageRepositoryRef'], 'imageRepositoryRef', ['ImageRepository'], { fixedKind: 'ImageRepository', allowsNamespace: true });
    return;
  }
  if (kind === 'ImageUpdateAutomation') {
    add(['spec', 'sourceRef'], 'sourceRef', ['GitRepository'], { kindFromField: true, allowsNamespace: true });
    add(['spec', 'git', 'commit', 'signingKey', 'secretRef'], 'secretRef', ['Secret'], { fixedKind: 'Secret' });
    return;
  }
  if (kind === 'ArtifactGenerator') {
    view.items(['spec', 'sources']).forEach((_, i) => add(['spec', 'sources', i], 'sources', ['Bucket', 'GitRepository', 'OCIRepository', 'HelmChart', 'ExternalArtifact'], { kindFromField: true, allowsNamespace: true }));
    return;
  }
  // Provider, ImageRepository and the sources: Secrets.
  secretRefs(['spec']);
  if (kind === 'HelmChart') add(['spec', 'sourceRef'], 'sourceRef', ['HelmRepository', 'GitRepository', 'Bucket'], { kindFromField: true });
  if (kind === 'GitRepository') view.items(['spec', 'include']).forEach((_, i) => add(['spec', 'include', i, 'repository'], 'include', ['GitRepository'], { fixedKind: 'GitRepository' }));
  if (kind === 'Bucket') add(['spec', 'sts', 'secretRef'], 'secretRef', ['Secret'], { fixedKind: 'Secret' });
}

function kustomizationFacts(view: ObjectView, range: RangeOf, out: DocumentFacts): void {
  const namespace = view.string(['namespace']);
  const resources: string[] = [];
  for (const field of ['resources', 'components', 'bases']) {
    view.items([field]).forEach((item) => {
      if (isScalar(item) && typeof item.value === 'string' && !/^[a-z]+:\/\//.test(item.value) && !item.value.startsWith('github.com/')) resources.push(item.value);
    });
  }
  const patches: string[] = [];
  const addPatch = (value: string | undefined) => {
    if (value && !value.includes('\n') && /\.(ya?ml|json)$/.test(value.trim())) patches.push(value.trim());
  };
  for (const field of ['patches', 'patchesJson6902']) view.items([field]).forEach((_, i) => addPatch(view.string([field, i, 'path'])));
  view.items(['patchesStrategicMerge']).forEach((_, i) => addPatch(view.string(['patchesStrategicMerge', i])));
  out.kustomization = { namespace, resources, patches };
  for (const [field, kind] of [['configMapGenerator', 'ConfigMap'], ['secretGenerator', 'Secret']] as const) {
    view.items([field]).forEach((item, index) => {
      if (!isMap(item)) return;
      const nameNode = view.field([field, index, 'name'])?.value;
      const name = view.string([field, index, 'name']);
      const nameRange = range(nameNode);
      if (!name || !nameRange) return;
      const keys: string[] = [];
      let keysKnown = true;
      view.items([field, index, 'files']).forEach((file) => {
        if (!isScalar(file)) return;
        const text = String(file.value);
        keys.push(text.includes('=') ? text.slice(0, text.indexOf('=')) : path.basename(text));
      });
      view.items([field, index, 'literals']).forEach((literal) => {
        if (isScalar(literal)) keys.push(String(literal.value).split('=')[0]!);
      });
      if (view.items([field, index, 'envs']).length > 0 || view.has([field, index, 'env'])) keysKnown = false;
      const behavior = view.string([field, index, 'behavior']);
      out.objects.push({
        kind,
        apiVersion: 'v1',
        name,
        namespace: view.string([field, index, 'namespace']) ?? namespace,
        nameRange,
        origin: field,
        keys: keysKnown ? keys : undefined,
        behavior: behavior === 'merge' || behavior === 'replace' ? behavior : 'create',
        summary: [['generated by', `${field} in kustomization.yaml`]],
        // What the generator writes (its literals and file names, never Secret data): post-build substitution reads a ConfigMap's values.
        digest: field === 'configMapGenerator' ? textHash(JSON.stringify(item.toJSON())) : undefined,
      });
    });
  }
}



/** A Flux Kustomization's path, source, targetNamespace, components and postBuild. */
function fluxKustomizationSpec(view: ObjectView, analysis: DocumentAnalysis): FluxKustomizationSpec {
  const sourceName = view.string(['spec', 'sourceRef', 'name']);
  const components: string[] = [];
  view.items(['spec', 'components']).forEach((item) => {
    if (isScalar(item) && typeof item.value === 'string') components.push(item.value);
  });
  const doc = analysis.parsed.doc;
  return {
    path: view.string(['spec', 'path']),
    sourceRef: sourceName ? { kind: view.string(['spec', 'sourceRef', 'kind']), name: sourceName, namespace: view.string(['spec', 'sourceRef', 'namespace']) } : undefined,
    targetNamespace: view.string(['spec', 'targetNamespace']),
    components,
    postBuild: doc ? readPostBuild(doc) : undefined,
  };
}

/** `# {"$imagepolicy": "namespace:name"}`, optionally with `:tag`, `:name` or `:digest` after the name. */
const SETTER = /#\s*\{\s*"\$imagepolicy"\s*:\s*"([^"\n]*)"\s*\}/g;

/**
 * The image automation setter comments of a document: each names an ImagePolicy by namespace and
 * name, whose latest image the automation writes into the line.
 */
function imagePolicySetters(analysis: DocumentAnalysis, fromKind: string, fromName: string | undefined, fromNamespace: string | undefined): Array<Relative<ReferenceRecord>> {
  const text = analysis.text;
  if (!text.includes('$imagepolicy')) return [];
  const out: Array<Relative<ReferenceRecord>> = [];
  for (const match of text.matchAll(SETTER)) {
    const value = match[1]!;
    const parts = value.split(':');
    if (parts.length < 2 || parts.length > 3 || !parts[0] || !parts[1] || (parts.length === 3 && !['tag', 'name', 'digest'].includes(parts[2]!))) continue;
    const valueStart = match.index + match[0].indexOf(`"${value}"`, match[0].indexOf(':')) + 1;
    const nameStart = valueStart + parts[0].length + 1;
    out.push({
      field: 'imagepolicy',
      path: 'setter comment',
      fromKind,
      fromName,
      fromNamespace,
      acceptedKinds: ['ImagePolicy'],
      kind: 'ImagePolicy',
      name: parts[1],
      nameRange: analysis.lines.rangeOf(nameStart, nameStart + parts[1].length),
      namespace: parts[0],
      namespaceRange: analysis.lines.rangeOf(valueStart, valueStart + parts[0].length),
      allowsNamespace: true,
    });
  }
  return out;
}
