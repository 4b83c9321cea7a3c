/** Go to definition and find references. */
import type {
  Location,
  Position,
} from 'vscode-languageserver-types';
import type { ObjectRecord, ReferenceRecord } from '../types';
import type { WorkspaceIndex } from '../workspaceIndex';
import { hitAt, location, uniqueLocations } from './common';
import { pathTargets } from './hoverAndLinks';


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
  if (hit.reference.field === 'path') {
    // The folder's kustomization file, or the files Flux would generate one from.
    const targets = pathTargets(index, hit.reference);
    const start = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    if (!targets) return [];
    return (targets.kustomizationFile ? [targets.kustomizationFile] : targets.generated).map((uri) => ({ uri, range: start }));
  }
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
  if (hit.type === 'reference' && hit.reference.field === 'path') return [];
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

