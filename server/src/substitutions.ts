import { readFile } from 'fs/promises';
import * as path from 'path';
import type { DocumentStore } from './documentStore';
import { workspaceSourceLookup } from './node/substitutionSources';
import { FileModel } from './service/model/fileModel';
import { applyingMap, readFluxKustomization, type KustomizationWithPath } from './service/substitution/applying';
import { SubstitutionResolver, type FileSubstitutions, type SubstitutionContext } from './service/substitution/resolver';
import type { SubstitutingKustomization } from './service/substitution/variables';
import { textHash } from './service/text/hash';
import { filePath } from './workspaceIndexing';
import type { WorkspaceSession } from './workspaceSession';

/** Files larger than this are not read for Flux Kustomizations. */
const MAX_READ = 4 * 1024 * 1024;

/**
 * Which Flux Kustomizations apply which files, for the language server: the Kustomizations of
 * closed files are read once after indexing (only files holding Flux documents, and of those only
 * the ones that name kustomize.toolkit.fluxcd.io), and again when they change on disk; those of open
 * files come from the editor. The mapping is worked out again only when a Kustomization's name or
 * path, the kustomize tree or the set of files changes.
 */
export class FluxKustomizations {
  private readonly closed = new Map<string, KustomizationWithPath[]>();
  private closedRevision = 0;
  private map?: { key: string; byUri: Map<string, SubstitutingKustomization[]> };

  constructor(
    private readonly session: WorkspaceSession,
    private readonly store: DocumentStore,
    private readonly folders: () => string[],
  ) {}

  /** Reads the given files again (all Flux files of the index when none are given); true when a Kustomization changed. */
  async refresh(uris?: string[]): Promise<boolean> {
    const index = this.session.index;
    const targets = uris ?? index.uris().filter((uri) => index.factsOf(uri)?.checked);
    let changed = false;
    if (!uris) {
      for (const uri of [...this.closed.keys()]) if (!index.hasFile(uri)) changed = this.closed.delete(uri) || changed;
    }
    for (const uri of targets) {
      const file = filePath(uri);
      const found = file && index.hasFile(uri) ? await readKustomizations(uri, file) : [];
      const before = JSON.stringify(this.closed.get(uri) ?? []);
      if (found.length > 0) this.closed.set(uri, found);
      else this.closed.delete(uri);
      if (before !== JSON.stringify(found)) changed = true;
    }
    if (changed) this.closedRevision++;
    return changed;
  }

  /** The ConfigMaps and Secrets the Kustomizations of a closed file substitute from: their checks depend on them. */
  sourcesOf(uri: string): string[] {
    return (this.closed.get(uri) ?? []).flatMap((k) => k.postBuild?.substituteFrom.map((s) => s.name) ?? []);
  }

  /** The Flux Kustomizations that apply a file (with or without postBuild). */
  applying(uri: string): SubstitutingKustomization[] | undefined {
    const open = this.openKustomizations();
    const index = this.session.index;
    // The map holds the Kustomizations themselves: an edit to an open one's postBuild makes a new map.
    const key = `${this.closedRevision}|${open.signature}|${index.structureRevision}|${index.fileCount}|${this.folders().join(',')}`;
    if (this.map?.key !== key) {
      const all: KustomizationWithPath[] = [...open.kustomizations];
      for (const [fileUri, list] of this.closed) if (!this.store.get(fileUri)) all.push(...list);
      const files: string[] = [];
      const uriOf = new Map<string, string>();
      const directories = new Map<string, string[]>();
      for (const fileUri of index.uris()) {
        const file = filePath(fileUri);
        if (!file) continue;
        files.push(file);
        uriOf.set(file, fileUri);
        const record = index.factsOf(fileUri)?.kustomization;
        if (record) directories.set(path.dirname(file), record.resources);
      }
      const withNamespace = all.map((k) => (k.namespace ? k : { ...k, namespace: index.namespaceOfFile(k.uri) }));
      const byFile = applyingMap(withNamespace, { folders: this.folders(), files, kustomizations: directories });
      this.map = { key, byUri: new Map([...byFile].map(([file, list]) => [uriOf.get(file) ?? '', list])) };
    }
    return this.map.byUri.get(uri);
  }

  /** A signature of the open documents' Flux Kustomizations: names, paths and variables (not positions). */
  openSignature(): string {
    return this.openKustomizations().signature;
  }

  private openKustomizations(): { kustomizations: KustomizationWithPath[]; signature: string } {
    const kustomizations: KustomizationWithPath[] = [];
    for (const uri of this.store.uris()) {
      const file = filePath(uri);
      const entry = this.store.get(uri);
      if (!file || !entry) continue;
      for (const segment of entry.model.segments) {
        const analysis = segment.analysis;
        if (analysis.identity?.kind !== 'Kustomization') continue;
        const found = analysis.cached(`flux-kustomization:${uri}`, () => (analysis.parsed.doc ? readFluxKustomization(analysis.parsed.doc, uri, file) : undefined));
        if (found) kustomizations.push(found);
      }
    }
    return { kustomizations, signature: textHash(JSON.stringify(kustomizations.map((k) => [k.uri, k.name, k.namespace ?? '', k.path, postBuildOf(k)]))) };
  }
}

/** What a Kustomization substitutes, without positions. */
function postBuildOf(k: KustomizationWithPath): unknown {
  const p = k.postBuild;
  return p ? [p.strategy, p.substitute.map((s) => [s.name, s.value]), p.substituteFrom.map((s) => [s.kind, s.name, s.optional])] : null;
}

async function readKustomizations(uri: string, file: string): Promise<KustomizationWithPath[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [];
  }
  if (text.length > MAX_READ || !text.includes('kustomize.toolkit.fluxcd.io')) return [];
  const out: KustomizationWithPath[] = [];
  for (const segment of FileModel.fromText(text, MAX_READ).segments) {
    const doc = segment.analysis.identity?.kind === 'Kustomization' ? segment.analysis.parsed.doc : undefined;
    const found = doc && readFluxKustomization(doc, uri, file);
    if (found) out.push(found);
  }
  return out;
}

/** Post-build substitution for the language server's features, once the workspace is indexed. */
export class ServerSubstitutions implements SubstitutionContext {
  private readonly resolver: SubstitutionResolver;

  constructor(
    private readonly session: WorkspaceSession,
    store: DocumentStore,
    readonly kustomizations: FluxKustomizations,
  ) {
    this.resolver = new SubstitutionResolver({
      applying: (uri) => kustomizations.applying(uri),
      lookup: workspaceSourceLookup(session.index, (uri) => store.get(uri)?.text.getText()),
      revisionOf: (name) => session.index.revisionOf(name),
    });
  }

  forFile(uri: string): FileSubstitutions | undefined {
    return this.session.ready ? this.resolver.forFile(uri) : undefined;
  }

  /** Whether the Flux Kustomizations of open documents changed (names, paths, postBuild) since the last call. */
  openKustomizationsChanged(): boolean {
    const signature = this.kustomizations.openSignature();
    const changed = signature !== this.lastOpenSignature;
    this.lastOpenSignature = signature;
    return changed;
  }

  private lastOpenSignature = '';

  /** A key for the Kustomizations a closed file defines: the revisions of the sources they name. */
  keyOfKustomizations(uri: string): string {
    return this.kustomizations.sourcesOf(uri).map((name) => `${name}:${this.session.index.revisionOf(name)}`).join(',');
  }

  forKustomization(kustomization: SubstitutingKustomization): ReturnType<SubstitutionContext['forKustomization']> {
    return this.session.ready ? this.resolver.forKustomization(kustomization) : undefined;
  }
}
