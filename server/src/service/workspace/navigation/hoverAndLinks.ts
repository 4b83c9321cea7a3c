/** Hover on a reference, and a link on every reference that resolves to one object. */
import type {
  DocumentLink,
  Hover,
  Position,
} from 'vscode-languageserver-types';
import type { WorkspaceIndex } from '../workspaceIndex';
import { type NavigationOptions, article, describeTarget, hitAt, lineLink, qualifiedName } from './common';

/**
 * Hover on the name of a reference: what it points at (kind, namespace, summary, file and line). For
 * a Secret only its kind, name, namespace and origin are shown, never keys or data.
 */
export function hoverReference(index: WorkspaceIndex, uri: string, position: Position, options: NavigationOptions = {}): Hover | null {
  const hit = hitAt(index, uri, position);
  if (!hit || hit.type !== 'reference') return null;
  const ref = hit.reference;
  if (ref.field === 'path') return null;
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
    if (ref.field === 'path') continue;
    const resolution = index.resolve(ref);
    if (resolution.status !== 'found' || resolution.targets.length !== 1) continue;
    const target = resolution.targets[0]!;
    out.push({ range: ref.nameRange, target: lineLink(target), tooltip: `${target.kind} ${qualifiedName(index.namespaceOf(target), target.name)}` });
  }
  return out;
}

