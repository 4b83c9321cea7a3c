import * as path from 'path';
import type { Diagnostic, Range } from 'vscode-languageserver-types';
import { DiagnosticCodes, DIAGNOSTIC_SOURCE, type DiagnosticCode } from '../codes';
import type { WorkspaceIndex } from './workspaceIndex';
import type { ObjectRecord, ReferenceRecord } from './types';

const SEVERITY = { error: 1, warning: 2, information: 3, hint: 4 } as const;

function diagnostic(range: Range, code: DiagnosticCode, severity: keyof typeof SEVERITY, message: string, data?: Record<string, unknown>): Diagnostic {
  const d: Diagnostic = { range, code, severity: SEVERITY[severity], source: DIAGNOSTIC_SOURCE, message };
  if (data) d.data = data;
  return d;
}

const article = (kind: string) => (/^[AEIOU]/.test(kind) ? 'an' : 'a');
const joinKinds = (kinds: string[]) => (kinds.length === 1 ? `${article(kinds[0]!)} ${kinds[0]}` : `${article(kinds[0]!)} ${kinds.slice(0, -1).join(', ')} or ${kinds[kinds.length - 1]}`);

function where(index: WorkspaceIndex, object: ObjectRecord): string {
  const namespace = index.namespaceOf(object);
  return namespace ? `namespace \`${namespace}\`` : 'an unknown namespace';
}

/** Problems with the references of one file, and with its objects in relation to the rest of the workspace. */
export function referenceDiagnostics(index: WorkspaceIndex, uri: string): Diagnostic[] {
  const facts = index.factsOf(uri);
  if (!facts) return [];
  return [...referenceProblems(index, facts.references), ...duplicateProblems(index, facts.objects)];
}

/** Problems with some references: where they point, and dependsOn cycles they are part of. */
export function referenceProblems(index: WorkspaceIndex, references: readonly ReferenceRecord[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const ref of references) {
    if (ref.field === 'path') {
      out.push(...pathProblems(index, ref));
      continue;
    }
    const resolution = index.resolve(ref);
    const wanted = index.wantedNamespace(ref);
    const kinds = ref.kind ? [ref.kind] : ref.acceptedKinds;
    switch (resolution.status) {
      case 'missing': {
        if (ref.field === 'substituteFrom') {
          // An optional source may be absent; a required one fails the build unless it is created outside Git.
          if (!ref.optional) {
            out.push(diagnostic(ref.nameRange, DiagnosticCodes.missingSubstituteSource, 'error', `No ${kinds.join(' or ')} \`${ref.name}\`${wanted ? ` in namespace \`${wanted}\`` : ''} is defined in this workspace, and \`substituteFrom\` reads it without \`optional: true\`: the build fails ("substitute from '${kinds[0] ?? 'ConfigMap'}/${ref.name}' error") unless it is created on the cluster outside Git.`));
          }
          break;
        }
        if (ref.field === 'imagepolicy') {
          out.push(diagnostic(ref.nameRange, DiagnosticCodes.missingReference, 'warning', `No ImagePolicy \`${ref.name}\`${wanted ? ` in namespace \`${wanted}\`` : ''} is defined in this workspace: image automation leaves this line as it is.`));
          break;
        }
        const secret = kinds.length === 1 && kinds[0] === 'Secret';
        out.push(diagnostic(
          ref.nameRange,
          secret ? DiagnosticCodes.missingSecret : DiagnosticCodes.missingReference,
          secret ? 'information' : 'warning',
          `No ${kinds.join(' or ')} \`${ref.name}\`${wanted ? ` in namespace \`${wanted}\`` : ''} is defined in this workspace.${secret ? ' Secrets are often created outside Git; make sure it exists on the cluster.' : ' It may live in another repository; otherwise Flux reports it as not found.'}`,
        ));
        break;
      }
      case 'wrong-kind': {
        const actual = [...new Set(resolution.targets.map((t) => t.kind))].sort();
        const accepted = actual.filter((k) => ref.acceptedKinds.includes(k));
        out.push(diagnostic(
          ref.nameRange,
          DiagnosticCodes.referenceWrongKind,
          'error',
          `\`${ref.name}\` is ${joinKinds(actual)}; ${ref.field === 'valuesFrom' || ref.kind ? `this reference names ${joinKinds(kinds)}` : `${ref.field} needs ${joinKinds(kinds)}`}.`,
          accepted.length === 1 && ref.kind ? { actualKind: accepted[0] } : undefined,
        ));
        break;
      }
      case 'wrong-namespace': {
        const namespaces = [...new Set(resolution.targets.map((t) => index.namespaceOf(t)).filter((n): n is string => !!n))].sort();
        const fixable = ref.allowsNamespace && namespaces.length === 1 && ref.namespaceInsert !== undefined;
        out.push(diagnostic(
          ref.nameRange,
          DiagnosticCodes.referenceWrongNamespace,
          'warning',
          `${joinKinds(kinds).replace(/^an? /, '')} \`${ref.name}\` exists only in namespace ${namespaces.map((n) => `\`${n}\``).join(', ')}; this reference looks in \`${resolution.wanted}\`.${ref.allowsNamespace ? '' : ` ${ref.field} objects are always read from the ${ref.fromKind}'s own namespace.`}`,
          fixable ? { namespace: namespaces[0], insert: ref.namespaceInsert, hasNamespace: ref.namespace !== undefined, namespaceRange: ref.namespaceRange } : undefined,
        ));
        break;
      }
      case 'found':
        out.push(...valuesChecks(ref, resolution.targets));
        break;
    }
    const cycle = index.cycleOf(ref);
    if (cycle) {
      out.push(diagnostic(ref.nameRange, DiagnosticCodes.dependencyCycle, 'error', `dependsOn cycle between ${cycle.map((n) => `\`${n}\``).join(', ')}: each waits for another to be ready, so none of them is ever installed.`));
    }
  }
  return out;
}

/** Objects defined again elsewhere among the files applied together with them. */
export function duplicateProblems(index: WorkspaceIndex, objects: readonly ObjectRecord[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const object of objects) {
    if (index.definitionCount(object.name) < 2) continue;
    const others = index.duplicatesOf(object);
    if (others.length === 0) continue;
    // The first in file order, so that the message does not depend on the order files were indexed in.
    const other = [...others].sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : a.nameRange.start.line - b.nameRange.start.line))[0]!;
    out.push(diagnostic(object.nameRange, DiagnosticCodes.duplicateObject, 'warning', `${object.kind} \`${object.name}\` in ${where(index, object)} is also defined at ${other.uri.split('/').pop()}:${other.nameRange.start.line + 1}; the one applied last wins.`));
  }
  return out;
}

function valuesChecks(ref: ReferenceRecord, targets: ObjectRecord[]): Diagnostic[] {
  if (ref.field !== 'valuesFrom' || targets.length !== 1) return [];
  const target = targets[0]!;
  const key = ref.valuesKey ?? 'values.yaml';
  const out: Diagnostic[] = [];
  if (target.keys && !target.keys.includes(key) && !ref.optional) {
    // Key names of a ConfigMap are listed to help; a Secret's are not shown.
    const known = target.kind === 'ConfigMap' && target.keys.length > 0 ? ` It has ${target.keys.map((k) => `\`${k}\``).join(', ')}.` : '';
    out.push(diagnostic(ref.valuesKeyRange ?? ref.nameRange, DiagnosticCodes.missingValuesKey, 'warning', `${target.kind} \`${target.name}\` has no key \`${key}\`; Flux fails with "key not found".${known}`));
  }
  if (ref.targetPath && target.structuredKeys?.includes(key)) {
    out.push(diagnostic(ref.valuesKeyRange ?? ref.nameRange, DiagnosticCodes.targetPathNotScalar, 'warning', `\`${key}\` of ${target.kind} \`${target.name}\` holds a YAML document, but \`targetPath\` sets a single value: the whole text would become one string. Remove \`targetPath\` to merge it as values.`));
  }
  return out;
}

/** A Flux Kustomization's `spec.path` that names no folder of this repository (judged only when its source is this repository). */
function pathProblems(index: WorkspaceIndex, ref: ReferenceRecord): Diagnostic[] {
  const kustomization = index.kustomizationOfPath(ref);
  const info = kustomization && index.kustomizationPath(kustomization);
  if (!info || info.source === 'other' || info.exists !== false) return [];
  const folder = index.workspaceFolderOf(info.directory);
  const shown = folder ? path.relative(folder, info.directory).split(path.sep).join('/') : info.directory;
  return [diagnostic(ref.nameRange, DiagnosticCodes.kustomizationPathMissing, 'error', `There is no folder \`${shown}\` in this repository: Flux fails with "kustomization path not found". The path is relative to the root of the repository (the source's artifact), not to this file.`)];
}
