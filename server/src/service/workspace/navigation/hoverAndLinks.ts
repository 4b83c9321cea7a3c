/** Hover on a reference, and a link on every reference that resolves to one object. */
import type {
  DocumentLink,
  Hover,
  Position,
} from 'vscode-languageserver-types';
import { pathToFileURL } from 'url';
import type { ReferenceRecord } from '../types';
import { isWildcard, type WorkspaceIndex } from '../workspaceIndex';
import { type NavigationOptions, article, describeTarget, displayPath, hitAt, lineLink, qualifiedName } from './common';

const MAX_LISTED = 25;

/**
 * What a Flux Kustomization's `spec.path` opens: its folder's kustomization file, or the files Flux
 * would generate one from. Undefined when the path is not in this repository or names no folder here.
 */
export function pathTargets(index: WorkspaceIndex, ref: ReferenceRecord): { directory: string; kustomizationFile?: string; generated: string[] } | undefined {
  const kustomization = index.kustomizationOfPath(ref);
  const info = kustomization && index.kustomizationPath(kustomization);
  if (!info || info.source === 'other' || info.exists === false) return undefined;
  const file = info.kustomizationFile;
  if (file) return { directory: info.directory, kustomizationFile: index.uriOfPath(file), generated: [] };
  // Flux generates a kustomization.yaml: a directory with a kustomization file of its own is one resource, opened at that file.
  const generated = index.generatedResources(info.directory).map((p) => {
    const inner = index.kustomizationFileIn(p);
    return index.uriOfPath(inner ?? p);
  }).filter((u): u is string => u !== undefined);
  return { directory: info.directory, generated };
}

function hoverPath(index: WorkspaceIndex, ref: ReferenceRecord, options: NavigationOptions): Hover | null {
  const kustomization = index.kustomizationOfPath(ref);
  const info = kustomization && index.kustomizationPath(kustomization);
  if (!kustomization || !info) return null;
  const shown = displayPath(pathToFileURL(info.directory).href, options) || '.';
  const source = kustomization.flux?.sourceRef;
  const lines: string[] = [];
  if (info.source === 'other') {
    lines.push(`Folder \`${ref.name}\` of the artifact of ${source ? `${source.kind ?? 'GitRepository'} \`${source.name}\`` : 'its source'}, which is not this repository (or cannot be told to be): not looked up here.`);
  } else if (info.exists === false) {
    lines.push(`There is no folder \`${shown}\` in this repository.`);
  } else {
    const targets = pathTargets(index, ref);
    lines.push(`**Folder** \`${shown}\`${info.source === 'assumed' ? ' (its source is not in the workspace: taken to be this repository)' : ''}`, '');
    if (targets?.kustomizationFile) {
      lines.push(`Flux builds [${displayPath(targets.kustomizationFile, options)}](${targets.kustomizationFile}).`);
    } else if (targets) {
      const listed = targets.generated.slice(0, MAX_LISTED).map((u) => `- [${displayPath(u, options)}](${u})`);
      lines.push(
        targets.generated.length === 0
          ? 'No kustomization.yaml and no YAML file below it: Flux generates an empty kustomization.'
          : `No kustomization.yaml: Flux generates one with every YAML file below (a folder with its own kustomization.yaml counts as one):`,
        ...listed,
      );
      if (targets.generated.length > MAX_LISTED) lines.push(`- … and ${targets.generated.length - MAX_LISTED} more`);
    }
  }
  return { contents: { kind: 'markdown', value: lines.join('\n') }, range: ref.nameRange };
}

/**
 * Hover on the name of a reference: what it points at (kind, namespace, summary, file and line). For
 * a Secret only its kind, name, namespace and origin are shown, never keys or data.
 */
export function hoverReference(index: WorkspaceIndex, uri: string, position: Position, options: NavigationOptions = {}): Hover | null {
  const hit = hitAt(index, uri, position);
  if (!hit || hit.type !== 'reference') return null;
  const ref = hit.reference;
  if (ref.field === 'path') return hoverPath(index, ref, options);
  const resolution = index.resolve(ref);
  const kinds = (ref.kind ? [ref.kind] : ref.acceptedKinds).join(' or ');
  const wanted = index.wantedNamespace(ref);
  let value: string;
  switch (resolution.status) {
    case 'missing':
      value = `No ${kinds} \`${ref.name}\`${wanted ? ` in namespace \`${wanted}\`` : ''} is defined in this workspace.${kinds === 'Secret' ? ' Secrets are often created outside Git.' : ''}`;
      break;
    case 'found':
      if (isWildcard(ref)) {
        const listed = resolution.targets.slice(0, MAX_LISTED).map((t) => `- \`${qualifiedName(index.namespaceOf(t), t.name)}\` ([${displayPath(t.uri, options)}:${t.nameRange.start.line + 1}](${lineLink(t)}))`);
        value = [`\`*\`: every ${kinds} ${wanted ? `in namespace \`${wanted}\`` : 'of its namespace'} (narrowed by \`matchLabels\` when set). In this workspace:`, '', ...(listed.length > 0 ? listed : ['- none']), ...(resolution.targets.length > MAX_LISTED ? [`- … and ${resolution.targets.length - MAX_LISTED} more`] : [])].join('\n');
        break;
      }
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
    if (ref.field === 'path') {
      const opened = pathTargets(index, ref);
      if (opened?.kustomizationFile) out.push({ range: ref.nameRange, target: opened.kustomizationFile, tooltip: 'The kustomization this path builds' });
      continue;
    }
    const resolution = index.resolve(ref);
    if (resolution.status !== 'found' || resolution.targets.length !== 1 || isWildcard(ref)) continue;
    const target = resolution.targets[0]!;
    out.push({ range: ref.nameRange, target: lineLink(target), tooltip: `${target.kind} ${qualifiedName(index.namespaceOf(target), target.name)}` });
  }
  return out;
}

