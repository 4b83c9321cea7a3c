/** Completion of object names in reference fields, and of folders in a Flux Kustomization's `spec.path`. */
import { fileURLToPath } from 'url';
import type {
  CompletionItem,
  Position,
  Range,
} from 'vscode-languageserver-types';
import type { FileModel } from '../../model/fileModel';
import { LineStructure, type StructurePath } from '../../completion/lineStructure';
import type { ObjectRecord, ReferenceField, ReferenceRecord } from '../types';
import type { WorkspaceIndex } from '../workspaceIndex';
import { EVENT_SOURCE_KINDS, KUSTOMIZATION_SOURCE_KINDS } from '../extract';
import { COMPLETION_KIND_REFERENCE, type NavigationOptions, displayPath, originText, qualifiedName, summaryLines } from './common';


interface FieldSpec {
  field: ReferenceField;
  accepted: string[];
  /** The reference has a `kind:` of its own that narrows the accepted kinds. */
  kindFromField?: boolean;
  allowsNamespace?: boolean;
}

const SOURCE_KINDS = ['HelmRepository', 'GitRepository', 'Bucket'];
const SECRET: FieldSpec = { field: 'secretRef', accepted: ['Secret'] };

/** Reference fields by the path of the mapping that holds `name` (list items as 0), as extract.ts reads them. */
const HELM_RELEASE_FIELDS: Record<string, FieldSpec> = {
  'spec.chart.spec.sourceRef': { field: 'sourceRef', accepted: SOURCE_KINDS, kindFromField: true, allowsNamespace: true },
  'spec.chartRef': { field: 'chartRef', accepted: ['OCIRepository', 'HelmChart', 'ExternalArtifact'], kindFromField: true, allowsNamespace: true },
  'spec.dependsOn.0': { field: 'dependsOn', accepted: ['HelmRelease'], allowsNamespace: true },
  'spec.valuesFrom.0': { field: 'valuesFrom', accepted: ['ConfigMap', 'Secret'], kindFromField: true },
  'spec.kubeConfig.secretRef': { field: 'kubeConfig', accepted: ['Secret'] },
  'spec.kubeConfig.configMapRef': { field: 'kubeConfig', accepted: ['ConfigMap'] },
  'spec.chart.spec.verify.secretRef': SECRET,
};

const SOURCE_FIELDS: Record<string, FieldSpec> = {
  'spec.secretRef': SECRET,
  'spec.certSecretRef': SECRET,
  'spec.proxySecretRef': SECRET,
  'spec.verify.secretRef': SECRET,
};

const SOURCE_KIND_FIELDS: Record<string, Record<string, FieldSpec>> = {
  HelmChart: { 'spec.sourceRef': { field: 'sourceRef', accepted: SOURCE_KINDS, kindFromField: true } },
  GitRepository: { 'spec.include.0.repository': { field: 'include', accepted: ['GitRepository'] } },
  Bucket: { 'spec.sts.secretRef': SECRET },
};

const EVENT_SOURCES: FieldSpec = { field: 'eventSources', accepted: EVENT_SOURCE_KINDS, kindFromField: true, allowsNamespace: true };

/** Reference fields of the other Flux kinds, by API group and kind. */
const OTHER_KIND_FIELDS: Record<string, { group: string; fields: Record<string, FieldSpec> }> = {
  Kustomization: {
    group: 'kustomize.toolkit.fluxcd.io/',
    fields: {
      'spec.sourceRef': { field: 'sourceRef', accepted: KUSTOMIZATION_SOURCE_KINDS, kindFromField: true, allowsNamespace: true },
      'spec.dependsOn.0': { field: 'dependsOn', accepted: ['Kustomization'], allowsNamespace: true },
      'spec.healthChecks.0': { field: 'healthChecks', accepted: ['HelmRelease', 'Kustomization'], kindFromField: true, allowsNamespace: true },
      'spec.postBuild.substituteFrom.0': { field: 'substituteFrom', accepted: ['ConfigMap', 'Secret'], kindFromField: true },
      'spec.decryption.secretRef': { field: 'decryption', accepted: ['Secret'] },
      'spec.kubeConfig.secretRef': { field: 'kubeConfig', accepted: ['Secret'] },
      'spec.kubeConfig.configMapRef': { field: 'kubeConfig', accepted: ['ConfigMap'] },
    },
  },
  Alert: { group: 'notification.toolkit.fluxcd.io/', fields: { 'spec.providerRef': { field: 'providerRef', accepted: ['Provider'] }, 'spec.eventSources.0': EVENT_SOURCES } },
  Provider: { group: 'notification.toolkit.fluxcd.io/', fields: { 'spec.secretRef': SECRET, 'spec.certSecretRef': SECRET, 'spec.proxySecretRef': SECRET } },
  Receiver: { group: 'notification.toolkit.fluxcd.io/', fields: { 'spec.resources.0': { ...EVENT_SOURCES, field: 'resources' }, 'spec.secretRef': SECRET } },
  ImageRepository: { group: 'image.toolkit.fluxcd.io/', fields: { 'spec.secretRef': SECRET, 'spec.certSecretRef': SECRET, 'spec.proxySecretRef': SECRET } },
  ImagePolicy: { group: 'image.toolkit.fluxcd.io/', fields: { 'spec.imageRepositoryRef': { field: 'imageRepositoryRef', accepted: ['ImageRepository'], allowsNamespace: true } } },
  ImageUpdateAutomation: {
    group: 'image.toolkit.fluxcd.io/',
    fields: { 'spec.sourceRef': { field: 'sourceRef', accepted: ['GitRepository'], kindFromField: true, allowsNamespace: true }, 'spec.git.commit.signingKey.secretRef': SECRET },
  },
  ArtifactGenerator: {
    group: 'source.extensions.fluxcd.io/',
    fields: { 'spec.sources.0': { field: 'sources', accepted: ['Bucket', 'GitRepository', 'OCIRepository', 'HelmChart', 'ExternalArtifact'], kindFromField: true, allowsNamespace: true } },
  },
};

function fieldSpec(apiVersion: string, kind: string, container: StructurePath): FieldSpec | undefined {
  const key = container.join('.');
  if (kind === 'HelmRelease') return apiVersion.startsWith('helm.toolkit.fluxcd.io/') ? HELM_RELEASE_FIELDS[key] : undefined;
  const other = OTHER_KIND_FIELDS[kind];
  if (other) return apiVersion.startsWith(other.group) ? other.fields[key] : undefined;
  if (!apiVersion.startsWith('source.toolkit.fluxcd.io/')) return undefined;
  return SOURCE_KIND_FIELDS[kind]?.[key] ?? SOURCE_FIELDS[key];
}

/** A scalar as written on one line, without comment and quotes. */
function cleanValue(raw: string): string {
  let text = raw.trim();
  if (text.startsWith('"') || text.startsWith("'")) {
    const end = text.indexOf(text[0]!, 1);
    return end > 0 ? text.slice(1, end) : text.slice(1);
  }
  const comment = text.search(/(^|\s)#/);
  if (comment >= 0) text = text.slice(0, comment);
  return text.trim();
}

/** `key: value` pairs of the inside of a one-line flow mapping. */
function flowPairs(inside: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of inside.split(',')) {
    const m = /^\s*([\w.-]+)\s*:\s*(.*)$/.exec(part);
    if (m) out.set(m[1]!, cleanValue(m[2]!));
  }
  return out;
}

/** The one-line values of the keys beside the key at `place` in its block mapping. */
function siblingValues(structure: LineStructure, lineText: (line: number) => string, place: { line: number; col: number }): Map<string, string> {
  const values = new Map<string, string>();
  structure.forEachSibling(place, (line, anchor) => {
    if (!anchor.inlineValue) return;
    const m = /^[^:]*:[ \t]+(.*)$/.exec(lineText(line).slice(anchor.col));
    if (m && !values.has(anchor.key!)) values.set(anchor.key!, cleanValue(m[1]!));
  });
  return values;
}

/** `metadata.<key>` of the document, read line by line so that it works while the YAML is broken. */
function metadataValue(structure: LineStructure, lineText: (line: number) => string, key: string): string | undefined {
  for (let line = 0; line < structure.lineCount; line++) {
    const anchors = structure.anchors(line);
    const first = anchors[0];
    if (!first || first.type !== 'key') continue;
    if (first.col === 0 && first.key === 'metadata') {
      const flow = /^metadata[ \t]*:[ \t]*\{(.*)\}/.exec(lineText(line));
      if (flow) return flowPairs(flow[1]!).get(key);
      continue;
    }
    if (anchors.length !== 1 || first.key !== key || !first.inlineValue || first.col === 0) continue;
    const container = structure.containerPath({ line, col: first.col }, false);
    if (container?.length !== 1 || container[0] !== 'metadata') continue;
    const m = /^[^:]*:[ \t]+(.*)$/.exec(lineText(line).slice(first.col));
    if (m) return cleanValue(m[1]!);
  }
  return undefined;
}

interface NameContext {
  /** Path of the mapping that holds `name`. */
  container: StructurePath;
  siblings: Map<string, string>;
  /** Column where the value being typed starts (after an opening quote). */
  valueStart: number;
  quoted: boolean;
}

const BLOCK_NAME = /^(\s*)((?:-[ \t]+)*)name[ \t]*:[ \t]+(["']?)([A-Za-z0-9.-]*)$/;
const FLOW_OPEN = /^(\s*)((?:-[ \t]+)*)(?:([A-Za-z][\w-]*)[ \t]*:[ \t]*)?\{([^{}]*)$/;

/** Whether a line indented at `col` lies inside a block scalar (`key: |` or `key: >` above it). */
function insideBlockScalar(structure: LineStructure, lineText: (line: number) => string, line: number, col: number): boolean {
  let limit = col;
  for (let l = line - 1; l >= 0 && limit > 0; l--) {
    const anchors = structure.anchors(l);
    if (anchors.length === 0 || anchors[0]!.col >= limit) continue;
    const last = anchors[anchors.length - 1]!;
    if (last.type === 'key' && /^[^:]*:[ \t]+[|>]/.test(lineText(l).slice(last.col))) return true;
    limit = anchors[0]!.col;
  }
  return false;
}

function nameContext(structure: LineStructure, lineText: (line: number) => string, line: number, character: number): NameContext | undefined {
  const text = lineText(line);
  const head = text.slice(0, character);
  if (insideBlockScalar(structure, lineText, line, text.length - text.trimStart().length)) return undefined;
  const block = BLOCK_NAME.exec(head);
  if (block) {
    const col = block[1]!.length + block[2]!.length;
    const container = structure.containerPath({ line, col }, false);
    if (container === null) return undefined;
    return { container, siblings: siblingValues(structure, lineText, { line, col }), valueStart: character - block[4]!.length, quoted: block[3] !== '' };
  }
  // One-line flow mapping: `sourceRef: {kind: HelmRepository, name: po|}` or `- {name: po|}`.
  const flow = FLOW_OPEN.exec(head);
  if (!flow) return undefined;
  const inside = flow[4]!;
  const lastComma = inside.lastIndexOf(',');
  const current = /^\s*name[ \t]*:[ \t]*(["']?)([A-Za-z0-9.-]*)$/.exec(inside.slice(lastComma + 1));
  if (!current) return undefined;
  const col = flow[1]!.length + flow[2]!.length;
  let container: StructurePath | null;
  if (flow[3] !== undefined) {
    const above = structure.containerPath({ line, col }, false);
    container = above === null ? null : [...above, flow[3]];
  } else {
    // `- {…}`: the mapping is the list item itself.
    container = structure.containerPath({ line, col }, false);
  }
  if (container === null) return undefined;
  // Keys before the name, and after it up to the closing brace.
  const rest = text.slice(character);
  const close = rest.indexOf('}');
  const tail = close >= 0 ? rest.slice(0, close) : rest;
  const comma = tail.indexOf(',');
  const siblings = flowPairs([lastComma >= 0 ? inside.slice(0, lastComma) : '', comma >= 0 ? tail.slice(comma + 1) : ''].join(','));
  return { container, siblings, valueStart: character - current[2]!.length, quoted: current[1] !== '' };
}

/**
 * Names for the `name:` of a reference field at `position` (absolute in the file), also while the
 * YAML around it is incomplete. Offers objects of the kinds the field accepts (only the `kind:`
 * written next to it, when it is one of them) in the namespace the reference looks in; an object
 * whose namespace is unknown is offered too. Only names are shown, never Secret data.
 */
export function completeReferenceNames(index: WorkspaceIndex, uri: string, model: FileModel, position: Position, options: NavigationOptions = {}): CompletionItem[] {
  const segment = model.segmentAt(position.line);
  if (!segment || position.line < segment.startLine) return [];
  const analysis = segment.analysis;
  const identity = analysis.identity;
  if (!identity) return [];
  const lines = analysis.lines;
  const lineText = (l: number) => lines.lineText(l);
  const line = position.line - segment.startLine;
  if (line >= lines.lineCount) return [];
  const structure = new LineStructure(lineText, lines.lineCount);
  const folders = pathCompletion(index, uri, identity, structure, lineText, line, position);
  if (folders) return folders;
  const policies = setterCompletion(index, lineText(line), position, options);
  if (policies) return policies;
  const context = nameContext(structure, lineText, line, position.character);
  if (!context) return [];
  const spec = fieldSpec(identity.apiVersion, identity.kind, context.container);
  if (!spec) return [];

  const writtenKind = spec.kindFromField ? context.siblings.get('kind') : undefined;
  // A health check of a Deployment names nothing the index knows.
  if (spec.field === 'healthChecks' && writtenKind && !spec.accepted.includes(writtenKind)) return [];
  const kinds = writtenKind && spec.accepted.includes(writtenKind) ? [writtenKind] : spec.accepted;
  const fromName = metadataValue(structure, lineText, 'name');
  const after = lines.lineText(line).slice(position.character);
  const wordEnd = position.character + (/^[A-Za-z0-9.-]*/.exec(after)?.[0].length ?? 0);
  const range: Range = { start: { line: position.line, character: context.valueStart }, end: { line: position.line, character: wordEnd } };
  const probe: ReferenceRecord = {
    uri,
    field: spec.field,
    path: context.container.join('.'),
    fromKind: identity.kind,
    fromName,
    fromNamespace: metadataValue(structure, lineText, 'namespace') || undefined,
    acceptedKinds: spec.accepted,
    kind: writtenKind,
    name: '',
    nameRange: range,
    namespace: spec.allowsNamespace ? context.siblings.get('namespace') || undefined : undefined,
    allowsNamespace: spec.allowsNamespace === true,
  };
  const wanted = index.wantedNamespace(probe);

  const items: CompletionItem[] = [];
  const seen = new Set<string>();
  for (const object of index.objects()) {
    if (!kinds.includes(object.kind)) continue;
    const namespace = index.namespaceOf(object);
    if (wanted !== undefined && namespace !== undefined && namespace !== wanted) continue;
    // A HelmRelease or Kustomization cannot depend on itself.
    if (spec.field === 'dependsOn' && object.uri === uri && object.name === fromName) continue;
    const key = `${object.kind}/${namespace ?? '*'}/${object.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    items.push({
      label: object.name,
      kind: COMPLETION_KIND_REFERENCE,
      detail: `${object.kind} ${qualifiedName(namespace, object.name)}`,
      documentation: { kind: 'markdown', value: completionDocumentation(object, options) },
      sortText: `${namespace === wanted ? '0' : '1'}${object.name}`,
      filterText: object.name,
      textEdit: { range, newText: object.name },
    });
  }
  return items.sort((a, b) => (a.sortText! < b.sortText! ? -1 : a.sortText! > b.sortText! ? 1 : 0));
}

function completionDocumentation(object: ObjectRecord, options: NavigationOptions): string {
  const origin = originText(object);
  const parts = [`${displayPath(object.uri, options)}, line ${object.nameRange.start.line + 1}${origin ? ` (from ${origin})` : ''}`];
  const lines = summaryLines(object);
  if (lines.length > 0) parts.push(lines.join('\n'));
  return parts.join('\n\n');
}


const PATH_VALUE = /^(\s*)path[ \t]*:[ \t]+(["']?)([^"'#\s]*)$/;

/**
 * Folders of the repository for a Flux Kustomization's `spec.path`, one level at a time below what
 * is typed (`./apps/` offers the folders in apps), written the way the path starts (`./` or not).
 * Undefined when the cursor is not on `spec.path` of a Flux Kustomization.
 */
function pathCompletion(index: WorkspaceIndex, uri: string, identity: { apiVersion: string; kind: string }, structure: LineStructure, lineText: (line: number) => string, line: number, position: Position): CompletionItem[] | undefined {
  if (identity.kind !== 'Kustomization' || !identity.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/')) return undefined;
  const text = lineText(line);
  const match = PATH_VALUE.exec(text.slice(0, position.character));
  if (!match) return undefined;
  const container = structure.containerPath({ line, col: match[1]!.length }, false);
  if (container?.length !== 1 || container[0] !== 'spec') return undefined;
  const filePath = index.factsOf(uri) ? pathOfUri(uri) : undefined;
  const folder = filePath && index.workspaceFolderOf(filePath);
  if (!folder) return [];
  const typed = match[3]!;
  const cut = typed.lastIndexOf('/');
  const written = cut >= 0 ? typed.slice(0, cut + 1) : '';
  const relative = written.replace(/^\.?\/+/, '').replace(/\/+$/, '');
  if (relative.split('/').includes('..')) return [];
  const base = relative ? `${folder}/${relative}` : folder;
  const prefix = written || (typed.startsWith('.') || typed === '' ? './' : '');
  const valueStart = position.character - typed.length;
  const after = text.slice(position.character);
  const end = position.character + (/^[^"'#\s]*/.exec(after)?.[0].length ?? 0);
  const range: Range = { start: { line: position.line, character: valueStart }, end: { line: position.line, character: end } };
  return index
    .subdirectories(base)
    .map((d) => d.slice(d.lastIndexOf('/') + 1))
    .filter((name) => !name.startsWith('.'))
    .map((name) => {
      const value = `${prefix}${name}`;
      const hasKustomization = index.kustomizationFileIn(`${base}/${name}`) !== undefined;
      return {
        label: value,
        kind: COMPLETION_KIND_FOLDER,
        detail: hasKustomization ? 'folder with a kustomization.yaml' : 'folder (Flux generates a kustomization.yaml)',
        filterText: value,
        sortText: `${hasKustomization ? '0' : '1'}${name}`,
        textEdit: { range, newText: value },
      };
    });
}

const COMPLETION_KIND_FOLDER = 19;

function pathOfUri(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}

/** The inside of a setter comment up to the cursor: `# {"$imagepolicy": "namespace:na|`. */
const SETTER_HEAD = /#\s*\{\s*"\$imagepolicy"\s*:\s*"([A-Za-z0-9.-]*)(?::([A-Za-z0-9.-]*))?$/;

/**
 * ImagePolicies for an image automation setter comment: `namespace:name` pairs while the namespace
 * is typed, then the names of the policies in that namespace. Undefined elsewhere.
 */
function setterCompletion(index: WorkspaceIndex, text: string, position: Position, options: NavigationOptions): CompletionItem[] | undefined {
  const match = SETTER_HEAD.exec(text.slice(0, position.character));
  if (!match) return undefined;
  const namespace = match[2] === undefined ? undefined : match[1]!;
  const typed = match[2] ?? match[1]!;
  const after = /^[A-Za-z0-9.-]*/.exec(text.slice(position.character))?.[0].length ?? 0;
  const range: Range = { start: { line: position.line, character: position.character - typed.length }, end: { line: position.line, character: position.character + after } };
  const items: CompletionItem[] = [];
  const seen = new Set<string>();
  for (const policy of index.objects()) {
    if (policy.kind !== 'ImagePolicy') continue;
    const ns = index.namespaceOf(policy);
    if (!ns || (namespace !== undefined && ns !== namespace)) continue;
    const value = namespace === undefined ? `${ns}:${policy.name}` : policy.name;
    if (seen.has(value)) continue;
    seen.add(value);
    items.push({
      label: value,
      kind: COMPLETION_KIND_REFERENCE,
      detail: `ImagePolicy ${qualifiedName(ns, policy.name)}`,
      documentation: { kind: 'markdown', value: completionDocumentation(policy, options) },
      filterText: value,
      textEdit: { range, newText: value },
    });
  }
  return items.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}
