/** Rename of an object and every reference to it, with a preview. */
import * as path from 'path';
import type {
  AnnotatedTextEdit,
  ChangeAnnotation,
  Position,
  Range,
  TextDocumentEdit,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-types';
import type { ObjectRecord, ReferenceRecord } from '../types';
import { isWildcard, type Resolution, type WorkspaceIndex } from '../workspaceIndex';
import { type Hit, RENAME_ANNOTATION, article, comparePositions, hitAt } from './common';


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
    if (ref.field === 'path') return { error: 'A spec.path names a folder; rename the folder in the file explorer and edit the path.' };
    if (isWildcard(ref)) return { error: '`*` stands for every object of the kind: there is no one name to rename.' };
    const resolution = index.resolve(ref);
    if (resolution.status !== 'found') return { error: unresolvedRenameMessage(ref, resolution) };
    targets = resolution.targets;
  }
  for (const target of targets) {
    const refusal = renameRefusal(target);
    if (refusal) return { error: refusal };
  }
  // A `*` that matches the object does not name it.
  const refs = [...new Set(targets.flatMap((t) => index.referencesTo(t)))].filter((r) => !isWildcard(r));
  for (const record of [...targets, ...refs]) {
    if (!nameEditSpan(record.nameRange, record.name)) {
      return { error: `The name \`${record.name}\` at ${path.basename(record.uri)}:${record.nameRange.start.line + 1} is written in a form (escapes, several lines) that cannot be renamed safely.` };
    }
  }
  return { targets, references: refs, name: targets[0]!.name };
}


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

