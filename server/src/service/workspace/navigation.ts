/**
 * Editor navigation over the workspace index: go to definition, find references, rename, completion
 * of names in reference fields, hover on references and document links. Pure functions of the index
 * (and, for completion, of the text being edited); positions are absolute in their files.
 */
import * as path from 'path';
import { fileURLToPath } from 'url';
import type {
  AnnotatedTextEdit,
  ChangeAnnotation,
  CompletionItem,
  DocumentLink,
  Hover,
  Location,
  Position,
  Range,
  TextDocumentEdit,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-types';
import type { FileModel } from '../model/fileModel';
import { LineStructure, type StructurePath } from '../completion/lineStructure';
import type { FactsPart, ObjectRecord, ReferenceField, ReferenceRecord } from './types';
import type { Resolution, WorkspaceIndex } from './workspaceIndex';

/** Where the workspace folders are, to show file paths relative to them. */
export interface NavigationOptions {
  /** Workspace folders as file system paths; without them, paths are shown in full. */
  folders?: readonly string[];
}

const COMPLETION_KIND_REFERENCE = 18;
const RENAME_ANNOTATION = 'flux-rename';

// ---------------------------------------------------------------------------------------------
// What is at the cursor

type Hit = { type: 'object'; object: ObjectRecord } | { type: 'reference'; reference: ReferenceRecord };

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

/** Whether `range` contains `position`, both ends included (a cursor right after a name is on it). */
function contains(range: Range, position: Position): boolean {
  return !before(position, range.start) && !before(range.end, position);
}

function hitAt(index: WorkspaceIndex, uri: string, position: Position): Hit | undefined {
  const all = index.factsOf(uri);
  if (!all) return undefined;
  // An open file's records by document: only the document at the position needs looking at.
  const facts = all.parts ? (partAt(all.parts, position.line) ?? all) : all;
  const reference = facts.references.find((r) => contains(r.nameRange, position));
  if (reference) return { type: 'reference', reference };
  const object = facts.objects.find((o) => contains(o.nameRange, position));
  if (object) return { type: 'object', object };
  return undefined;
}

/** The last part that starts at or before `line` (parts are in file order). */
function partAt(parts: readonly FactsPart[], line: number): FactsPart | undefined {
  let low = 0;
  let high = parts.length - 1;
  let found: FactsPart | undefined;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (parts[mid]!.placement.startLine <= line) {
      found = parts[mid];
      low = mid + 1;
    } else high = mid - 1;
  }
  return found;
}

function location(record: { uri: string; nameRange: Range }): Location {
  return { uri: record.uri, range: record.nameRange };
}

function comparePositions(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

/** Locations without duplicates, by file and then position. */
function uniqueLocations(locations: Location[]): Location[] {
  const seen = new Set<string>();
  const out: Location[] = [];
  for (const l of locations) {
    const key = `${l.uri}#${l.range.start.line}:${l.range.start.character}-${l.range.end.line}:${l.range.end.character}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(l);
  }
  return out.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : comparePositions(a.range.start, b.range.start)));
}

// ---------------------------------------------------------------------------------------------
// Definition and references

/**
 * Go to definition. On the name of a reference: the objects it resolves to (also when they are in
 * another namespace or of another kind than the reference asks for: the diagnostic says so, and
 * jumping there is still the way to look). On an object's own name: the object itself, which VS Code
 * answers with its "alternative definition command", by default Find References.
 */
export function definition(index: WorkspaceIndex, uri: string, position: Position): Location[] {
  const hit = hitAt(index, uri, position);
  if (!hit) return [];
  if (hit.type === 'object') return [location(hit.object)];
  const resolution = index.resolve(hit.reference);
  return resolution.status === 'missing' ? [] : uniqueLocations(resolution.targets.map(location));
}

/** Same kinds asked for, same name, same namespace looked in: references to one and the same (unresolved) object. */
function samePointer(index: WorkspaceIndex, a: ReferenceRecord, b: ReferenceRecord): boolean {
  if (a.name !== b.name) return false;
  const kindsA = a.kind ? [a.kind] : a.acceptedKinds;
  const kindsB = b.kind ? [b.kind] : b.acceptedKinds;
  if (!kindsA.some((k) => kindsB.includes(k))) return false;
  const nsA = index.wantedNamespace(a);
  const nsB = index.wantedNamespace(b);
  return nsA === undefined || nsB === undefined || nsA === nsB;
}

/**
 * Find references. From an object's name: every reference that resolves to it. From a reference's
 * name: every reference that resolves to the same object(s); when it resolves to nothing, the other
 * references that point at the same missing name. Declarations are the objects themselves.
 */
export function references(index: WorkspaceIndex, uri: string, position: Position, includeDeclaration: boolean): Location[] {
  const hit = hitAt(index, uri, position);
  if (!hit) return [];
  let targets: ObjectRecord[];
  if (hit.type === 'object') {
    targets = [hit.object];
  } else {
    const resolution = index.resolve(hit.reference);
    if (resolution.status !== 'found') {
      const peers = index.references().filter((r) => index.resolve(r).status === resolution.status && samePointer(index, r, hit.reference));
      return uniqueLocations([location(hit.reference), ...peers.map(location)]);
    }
    targets = resolution.targets;
  }
  const out: Location[] = targets.flatMap((t) => index.referencesTo(t).map(location));
  if (includeDeclaration) out.push(...targets.map(location));
  return uniqueLocations(out);
}

// ---------------------------------------------------------------------------------------------
// Rename

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `name` is not a valid Kubernetes object name, or undefined when it is. */
export function invalidNameReason(name: string): string | undefined {
  if (name.length === 0) return 'A name cannot be empty.';
  if (name.length > 253) return `\`${name.slice(0, 20)}…\` is ${name.length} characters long; Kubernetes names have at most 253.`;
  if (!DNS_SUBDOMAIN.test(name)) {
    return `\`${name}\` is not a valid Kubernetes name: use lowercase letters, digits, \`-\` and \`.\`, starting and ending with a letter or digit.`;
  }
  return undefined;
}

/**
 * Where the name's characters are inside the written range: a quoted name keeps its quotes. Undefined
 * for forms that cannot be edited safely (escapes, block scalars, several lines).
 */
function nameEditSpan(range: Range, name: string): { range: Range; quoted: boolean } | undefined {
  if (range.start.line !== range.end.line) return undefined;
  const width = range.end.character - range.start.character;
  if (width === name.length) return { range, quoted: false };
  if (width === name.length + 2) {
    return { range: { start: { line: range.start.line, character: range.start.character + 1 }, end: { line: range.end.line, character: range.end.character - 1 } }, quoted: true };
  }
  return undefined;
}

/** Plain scalars that YAML (1.1, as Kubernetes reads it, or 1.2) would not read as a string. */
function needsQuotes(name: string): boolean {
  if (/^(true|false|yes|no|on|off|y|n|null)$/i.test(name)) return true;
  if (/^[-+]?(\d[\d_]*(\.[\d_]*)?|\.\d+)(e[-+]?\d+)?$/i.test(name)) return true;
  return /^0(x[0-9a-f_]+|o[0-7_]+|b[01_]+)$/i.test(name);
}

type RenamePlan = { error: string } | { targets: ObjectRecord[]; references: ReferenceRecord[]; name: string };

function renamePlan(index: WorkspaceIndex, hit: Hit): RenamePlan {
  let targets: ObjectRecord[];
  if (hit.type === 'object') {
    targets = [hit.object];
  } else {
    const ref = hit.reference;
    const resolution = index.resolve(ref);
    if (resolution.status !== 'found') return { error: unresolvedRenameMessage(ref, resolution) };
    targets = resolution.targets;
  }
  for (const target of targets) {
    const refusal = renameRefusal(target);
    if (refusal) return { error: refusal };
  }
  const refs = [...new Set(targets.flatMap((t) => index.referencesTo(t)))];
  for (const record of [...targets, ...refs]) {
    if (!nameEditSpan(record.nameRange, record.name)) {
      return { error: `The name \`${record.name}\` at ${path.basename(record.uri)}:${record.nameRange.start.line + 1} is written in a form (escapes, several lines) that cannot be renamed safely.` };
    }
  }
  return { targets, references: refs, name: targets[0]!.name };
}

const article = (word: string) => (/^[AEIOU]/.test(word) ? 'an' : 'a');

function unresolvedRenameMessage(ref: ReferenceRecord, resolution: Resolution): string {
  const kinds = (ref.kind ? [ref.kind] : ref.acceptedKinds).join(' or ');
  switch (resolution.status) {
    case 'missing':
      return `${kinds} \`${ref.name}\` is not defined in this workspace: there is nothing to rename. Edit the reference instead.`;
    case 'wrong-namespace':
      return `\`${ref.name}\` exists only in another namespace than this reference looks in; fix the reference before renaming.`;
    default:
      return `\`${ref.name}\` is not ${article(kinds)} ${kinds}; fix the reference before renaming.`;
  }
}

/** Objects whose name cannot be changed by editing the text. */
function renameRefusal(object: ObjectRecord): string | undefined {
  if (object.origin === 'sops') {
    return `Secret \`${object.name}\` is encrypted with SOPS: its MAC covers the unencrypted fields too, so editing \`metadata.name\` would make it fail to decrypt. Rename it with \`sops edit\`.`;
  }
  if (object.origin === 'SealedSecret') {
    return `Secret \`${object.name}\` comes from a SealedSecret: its data is sealed for one name and namespace, so it must be sealed again with \`kubeseal\` under the new name.`;
  }
  return undefined;
}

function renameNotice(targets: ObjectRecord[]): string {
  const kinds = [...new Set(targets.map((t) => t.kind))];
  if (kinds.includes('HelmRelease')) {
    return 'Flux sees a renamed HelmRelease as a new object: the old one is deleted (its Helm release uninstalled) and a new one installed.';
  }
  return `Flux sees a renamed ${kinds.join(' or ')} as a new object: the old one is deleted from the cluster and a new one created.`;
}

/** An object of the same kind and namespace as one of `targets` that already has the name `name`. */
function takenBy(index: WorkspaceIndex, targets: ObjectRecord[], name: string): ObjectRecord | undefined {
  return index.objects().find((o) => o.name === name && targets.some((t) => t.kind === o.kind && index.namespaceOf(t) === index.namespaceOf(o)));
}

/** The range and current name to rename at `position`, or null when there is nothing there that can be renamed. */
export function prepareRename(index: WorkspaceIndex, uri: string, position: Position): { range: Range; placeholder: string } | null {
  const hit = hitAt(index, uri, position);
  if (!hit) return null;
  if ('error' in renamePlan(index, hit)) return null;
  const record = hit.type === 'object' ? hit.object : hit.reference;
  const span = nameEditSpan(record.nameRange, record.name);
  return span ? { range: span.range, placeholder: record.name } : null;
}

/**
 * Renames the object at `position` (on its name, or on a reference to it): its name where it is
 * written (`metadata.name`, a kustomize generator's `name`, an ExternalSecret's target name) and
 * every reference in the workspace that resolves to it. The edits carry a change annotation that
 * asks for confirmation, so VS Code shows a preview. Both `documentChanges` and `changes` are set;
 * clients prefer the first when they support it.
 */
export function rename(index: WorkspaceIndex, uri: string, position: Position, newName: string): WorkspaceEdit | { error: string } {
  const hit = hitAt(index, uri, position);
  if (!hit) return { error: 'Rename works on the name of a source, HelmRelease, ConfigMap or Secret, or on a reference to one.' };
  const invalid = invalidNameReason(newName);
  if (invalid) return { error: invalid };
  const plan = renamePlan(index, hit);
  if ('error' in plan) return plan;
  if (newName === plan.name) return { changes: {} };
  const taken = takenBy(index, plan.targets, newName);
  if (taken) return { error: `${taken.kind} \`${newName}\` already exists${index.namespaceOf(taken) ? ` in namespace \`${index.namespaceOf(taken)}\`` : ''} (${path.basename(taken.uri)}:${taken.nameRange.start.line + 1}).` };

  const byUri = new Map<string, TextEdit[]>();
  const seen = new Set<string>();
  for (const record of [...plan.targets, ...plan.references]) {
    const span = nameEditSpan(record.nameRange, record.name)!;
    const key = `${record.uri}#${span.range.start.line}:${span.range.start.character}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const newText = span.quoted || !needsQuotes(newName) ? newName : `"${newName}"`;
    const list = byUri.get(record.uri) ?? [];
    list.push({ range: span.range, newText });
    byUri.set(record.uri, list);
  }
  const uris = [...byUri.keys()].sort();
  const changes: Record<string, TextEdit[]> = {};
  const documentChanges: TextDocumentEdit[] = [];
  for (const u of uris) {
    const edits = byUri.get(u)!.sort((a, b) => comparePositions(a.range.start, b.range.start));
    changes[u] = edits;
    documentChanges.push({ textDocument: { uri: u, version: null }, edits: edits.map((e): AnnotatedTextEdit => ({ ...e, annotationId: RENAME_ANNOTATION })) });
  }
  const kinds = [...new Set(plan.targets.map((t) => t.kind))].join('/');
  const annotation: ChangeAnnotation = {
    label: `Rename ${kinds} ${plan.name} to ${newName}`,
    needsConfirmation: true,
    description: renameNotice(plan.targets),
  };
  return { changes, documentChanges, changeAnnotations: { [RENAME_ANNOTATION]: annotation } };
}

// ---------------------------------------------------------------------------------------------
// Completion of names in reference fields

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

function fieldSpec(apiVersion: string, kind: string, container: StructurePath): FieldSpec | undefined {
  const key = container.join('.');
  if (kind === 'HelmRelease') return apiVersion.startsWith('helm.toolkit.fluxcd.io/') ? HELM_RELEASE_FIELDS[key] : undefined;
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
  const context = nameContext(structure, lineText, line, position.character);
  if (!context) return [];
  const spec = fieldSpec(identity.apiVersion, identity.kind, context.container);
  if (!spec) return [];

  const writtenKind = spec.kindFromField ? context.siblings.get('kind') : undefined;
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
    // A HelmRelease cannot depend on itself.
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

// ---------------------------------------------------------------------------------------------
// Hover and links

function qualifiedName(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** A file's path relative to the workspace folder that holds it, else its full path. */
function displayPath(uri: string, options: NavigationOptions): string {
  if (!uri.startsWith('file:')) return uri;
  let filePath: string;
  try {
    filePath = fileURLToPath(uri);
  } catch {
    return uri;
  }
  const folder = (options.folders ?? [])
    .map((f) => path.resolve(f))
    .filter((f) => filePath.startsWith(f + path.sep))
    .sort((a, b) => b.length - a.length)[0];
  return folder ? path.relative(folder, filePath).split(path.sep).join('/') : filePath;
}

function lineLink(object: ObjectRecord): string {
  return `${object.uri}#L${object.nameRange.start.line + 1}`;
}

/** Summary lines of an object for hovers and completion; for a Secret only where it comes from. */
function summaryLines(object: ObjectRecord): string[] {
  const pairs = object.kind === 'Secret' ? object.summary.filter(([label]) => label === 'generated by') : object.summary;
  return pairs.map(([label, value]) => `- ${label}: \`${value.replace(/`/g, "'")}\``);
}

/** Where an object comes from, when it is not a plain manifest. */
function originText(object: ObjectRecord): string | undefined {
  switch (object.origin) {
    case 'manifest':
      return undefined;
    case 'sops':
      return 'a SOPS-encrypted manifest';
    case 'ExternalSecret':
      return 'an ExternalSecret';
    default:
      return `a ${object.origin}`;
  }
}

function describeTarget(index: WorkspaceIndex, object: ObjectRecord, options: NavigationOptions): string {
  const namespace = index.namespaceOf(object);
  const lines = [`**${object.kind}** \`${qualifiedName(namespace, object.name)}\`${namespace ? '' : ' (namespace unknown)'}`, ''];
  const summary = summaryLines(object);
  if (summary.length > 0) lines.push(...summary, '');
  const where = `[${displayPath(object.uri, options)}:${object.nameRange.start.line + 1}](${lineLink(object)})`;
  const origin = originText(object);
  lines.push(origin ? `From ${origin}, ${where}` : `Defined in ${where}`);
  return lines.join('\n');
}

/**
 * Hover on the name of a reference: what it points at (kind, namespace, summary, file and line). For
 * a Secret only its kind, name, namespace and origin are shown, never keys or data.
 */
export function hoverReference(index: WorkspaceIndex, uri: string, position: Position, options: NavigationOptions = {}): Hover | null {
  const hit = hitAt(index, uri, position);
  if (!hit || hit.type !== 'reference') return null;
  const ref = hit.reference;
  const resolution = index.resolve(ref);
  const kinds = (ref.kind ? [ref.kind] : ref.acceptedKinds).join(' or ');
  const wanted = index.wantedNamespace(ref);
  let value: string;
  switch (resolution.status) {
    case 'missing':
      value = `No ${kinds} \`${ref.name}\`${wanted ? ` in namespace \`${wanted}\`` : ''} is defined in this workspace.${kinds === 'Secret' ? ' Secrets are often created outside Git.' : ''}`;
      break;
    case 'found':
      value = resolution.targets.map((t) => describeTarget(index, t, options)).join('\n\n---\n\n');
      break;
    case 'wrong-namespace':
      value = [`Not found in namespace \`${resolution.wanted}\`; defined elsewhere:`, ...resolution.targets.map((t) => describeTarget(index, t, options))].join('\n\n---\n\n');
      break;
    case 'wrong-kind':
      value = [`\`${ref.name}\` is not ${article(kinds)} ${kinds}:`, ...resolution.targets.map((t) => describeTarget(index, t, options))].join('\n\n---\n\n');
      break;
  }
  return { contents: { kind: 'markdown', value }, range: ref.nameRange };
}

/** A link on every reference name that resolves to exactly one object, opening its file at the name's line. */
export function documentLinks(index: WorkspaceIndex, uri: string): DocumentLink[] {
  const facts = index.factsOf(uri);
  if (!facts) return [];
  const out: DocumentLink[] = [];
  for (const ref of facts.references) {
    const resolution = index.resolve(ref);
    if (resolution.status !== 'found' || resolution.targets.length !== 1) continue;
    const target = resolution.targets[0]!;
    out.push({ range: ref.nameRange, target: lineLink(target), tooltip: `${target.kind} ${qualifiedName(index.namespaceOf(target), target.name)}` });
  }
  return out;
}
