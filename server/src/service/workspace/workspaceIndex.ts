import * as path from 'path';
import type { FactsPart, FileFacts, KustomizationRecord, KustomizationRef, ObjectRecord, ReferenceRecord } from './types';
import { workCounts } from '../workCounts';

/** How a reference resolves in the workspace. */
export type Resolution =
  | { status: 'found'; targets: ObjectRecord[] }
  /** Objects with the name and kind exist, but only in other namespaces. */
  | { status: 'wrong-namespace'; targets: ObjectRecord[]; wanted: string }
  /** Objects with the name exist, but only of kinds the reference cannot point at. */
  | { status: 'wrong-kind'; targets: ObjectRecord[] }
  | { status: 'missing' };

interface FileEntry extends FileFacts {
  path?: string;
  folder?: string;
}

/** Kinds a reference of each family may be confused with, for "exists with another kind". */
const FAMILIES: string[][] = [
  ['HelmRepository', 'GitRepository', 'Bucket', 'OCIRepository', 'HelmChart', 'ExternalArtifact'],
  ['HelmRelease', 'Kustomization'],
  ['ConfigMap', 'Secret'],
  ['ImageRepository', 'ImagePolicy', 'ImageUpdateAutomation'],
  ['Alert', 'Provider', 'Receiver'],
];

/** An Alert's `eventSources` or a Receiver's `resources` entry named `*`: every object of its kind. */
export function isWildcard(ref: ReferenceRecord): boolean {
  return ref.name === '*' && (ref.field === 'eventSources' || ref.field === 'resources');
}

/** Kinds whose `dependsOn` makes a graph: a HelmRelease waits for HelmReleases, a Kustomization for Kustomizations. */
const DEPENDENCY_KINDS = new Set(['HelmRelease', 'Kustomization']);
/** The names kustomize looks for in a directory, in its order. */
const KUSTOMIZATION_FILE_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const MAX_TREE_DEPTH = 30;

/** Whether a Kustomization's source is the repository of the workspace, and so whether its `spec.path` can be judged here. */
export type SourceJudgement =
  /** A GitRepository shown to be this repository (its URL, or it syncs the files that define it). */
  | 'this-repository'
  /** The source is not in the workspace and there is one workspace folder: taken to be this repository. */
  | 'assumed'
  /** Another repository, an OCI artifact, a Bucket, or a GitRepository that cannot be told apart: paths are not judged. */
  | 'other';

/** What the index knows of a Flux Kustomization's `spec.path`. */
export interface KustomizationPath {
  directory: string;
  source: SourceJudgement;
  /** Whether the folder exists in the workspace; undefined when that cannot be told. */
  exists?: boolean;
  /** The kustomization file in the folder, if there is one. */
  kustomizationFile?: string;
}

/**
 * The objects and references of every file of the workspace. Namespaces are resolved the way Flux and
 * kustomize resolve them; an object whose namespace cannot be known matches any namespace, so that an
 * unknown never becomes a false alarm.
 */
export class WorkspaceIndex {
  private readonly files = new Map<string, FileEntry>();
  private folders: string[] = [];
  /** Namespaces and roots from kustomizations: rebuilt only when a kustomization changes. */
  private kustomize?: KustomizeState;
  /** Objects by name: kept up to date file by file. */
  private names?: NameTable;
  /** Caches over all references: dropped on any change, recomputed when asked. */
  private referenceCaches?: ReferenceCaches;
  /** Dependency cycles, kept while the dependsOn graph cannot have changed. */
  private cycles?: { revision: string; edges: Map<string, string[]> };
  private readonly nameRevisions = new Map<string, number>();
  private revisionCounter = 0;
  /** Which Flux Kustomizations apply which files: rebuilt when a Kustomization's path or source, a kustomization or the file list changes. */
  private applied?: AppliedState;
  /** Directories by path, with their indexed files and sub-directories: rebuilt when files come or go. */
  private tree?: DirectoryTree;
  /** Directories the scan listed (with or without indexable files), and those it left out (excluded: anything may be inside). */
  private readonly listedDirectories = new Set<string>();
  private readonly excludedDirectories = new Set<string>();
  /** Whether the scan told the index every directory: only then is a missing folder reported. */
  private directoriesKnown = false;
  /** Repository URLs of each workspace folder (from its Git configuration), normalised. */
  private readonly repositoryUrls = new Map<string, Set<string>>();
  /**
   * Changes when kustomizations or folders change: namespaces, patch files and which files are
   * applied together may all be different then.
   */
  structureRevision = 0;
  /** Changes when the dependsOn graph between HelmReleases may have changed. */
  dependencyRevision = 0;

  /**
   * Changes whenever objects named `name` are added, removed, or change in anything references
   * see (kind, namespace, keys, summary, content). Positions do not count: a line typed above an
   * object does not change what refers to it.
   */
  /** Changes whenever anything that other files' diagnostics can depend on changed. */
  get revision(): string {
    return `${this.revisionCounter}:${this.structureRevision}:${this.dependencyRevision}`;
  }

  revisionOf(name: string): number {
    return this.nameRevisions.get(name) ?? 0;
  }

  setFolders(folders: string[]): void {
    this.folders = folders.map((f) => path.resolve(f));
    for (const [uri, entry] of this.files) this.files.set(uri, { ...entry, folder: entry.path && this.folderOf(entry.path) });
    this.kustomize = undefined;
    this.names = undefined;
    this.referenceCaches = undefined;
    this.applied = undefined;
    this.tree = undefined;
    this.listedDirectories.clear();
    this.excludedDirectories.clear();
    this.directoriesKnown = false;
    this.structureRevision++;
  }

  /**
   * Directories the scan of the workspace found: listed ones, and excluded ones (whose content is not
   * known). With `complete`, every directory of the folders has been told: a Kustomization's
   * `spec.path` naming none of them is missing.
   */
  addDirectories(listed: Iterable<string>, excluded: Iterable<string> = [], complete = false): void {
    let added = false;
    for (const d of listed) {
      const resolved = path.resolve(d);
      if (!this.listedDirectories.has(resolved)) {
        this.listedDirectories.add(resolved);
        added = true;
      }
    }
    for (const d of excluded) this.excludedDirectories.add(path.resolve(d));
    if (complete && !this.directoriesKnown) {
      this.directoriesKnown = true;
      added = true;
    }
    if (added) {
      this.applied = undefined;
      this.structureRevision++;
    }
  }

  /** The URLs a workspace folder's Git repository is known by (its remotes): a GitRepository with one of them is this repository. */
  setRepositoryUrls(folder: string, urls: string[]): void {
    this.repositoryUrls.set(path.resolve(folder), new Set(urls.map(normalizeRepositoryUrl)));
    this.applied = undefined;
    this.structureRevision++;
  }

  /**
   * Replaces what the index knows of one file. Unless a kustomization changed, this costs the size
   * of the file, not of the workspace: that keeps a save in a large repository fast.
   */
  setFile(uri: string, facts: FileFacts, filePath?: string): void {
    const resolved = filePath && path.resolve(filePath);
    const entry: FileEntry = { ...facts, path: resolved, folder: resolved && this.folderOf(resolved) };
    this.replace(uri, this.files.get(uri), entry);
  }

  removeFile(uri: string): void {
    const old = this.files.get(uri);
    if (old) this.replace(uri, old, undefined);
  }

  private replace(uri: string, old: FileEntry | undefined, next: FileEntry | undefined): void {
    if (next) this.files.set(uri, next);
    else this.files.delete(uri);
    this.referenceCaches = undefined;
    const changed = changedObjects(old, next);
    for (const name of changed.names) this.nameRevisions.set(name, ++this.revisionCounter);
    if (changed.dependencies) this.dependencyRevision++;
    if (old?.path !== next?.path) {
      // A file came or went: the files Flux generates a kustomization from, and the known directories, may differ.
      this.applied = undefined;
      if (old?.path) {
        this.tree = undefined;
        this.structureRevision++;
      } else if (next?.path && this.tree) {
        const known = this.tree.has(path.dirname(next.path));
        this.tree.addFile(next.path, uri, next.folder);
        if (!known) this.structureRevision++;
      }
    } else if (changed.applying) {
      // A Kustomization's path, source or targetNamespace changed (or a source's URL): which files it applies, and their namespaces.
      this.applied = undefined;
      this.structureRevision++;
    } else {
      this.applied?.forget(uri);
    }
    const kustomizationChanged =
      JSON.stringify(old?.kustomization) !== JSON.stringify(next?.kustomization) || (old?.path !== next?.path && (old?.kustomization !== undefined || next?.kustomization !== undefined));
    if (kustomizationChanged) {
      this.kustomize = undefined;
      this.applied = undefined;
      this.names = undefined;
      this.structureRevision++;
      return;
    }
    this.kustomize?.forget(uri);
    if (!this.names) return;
    // Documents whose text did not change keep their records: only the others leave and join the table.
    this.names.remove(changed.before.flatMap((p) => p.objects));
    if (next && !this.kustomizeState().isPatch(next.path)) this.names.add(changed.after.flatMap((p) => p.objects));
    else if (next) this.names.remove(changed.kept.flatMap((p) => p.objects));
    // Names nobody defines any more need no revision: a name defined again gets a new, higher one.
    for (const name of changed.names) if (!this.names.byName.has(name)) this.nameRevisions.delete(name);
  }

  uris(): string[] {
    return [...this.files.keys()];
  }

  hasFile(uri: string): boolean {
    return this.files.has(uri);
  }

  get fileCount(): number {
    return this.files.size;
  }

  factsOf(uri: string): FileFacts | undefined {
    return this.files.get(uri);
  }

  /** Every object that references can point at (objects of patch files are left out). */
  objects(): ObjectRecord[] {
    return [...this.nameTable().byName.values()].flat();
  }

  /**
   * The first object of `kind` named `name` in `namespace`; an unknown namespace on either side
   * matches. A lookup in the name table, cheap enough for every keystroke.
   */
  find(kind: string, name: string, namespace: string | undefined): ObjectRecord | undefined {
    return (this.nameTable().byName.get(name) ?? []).find((o) => {
      const ns = this.namespaceOf(o);
      return o.kind === kind && (namespace === undefined || ns === undefined || ns === namespace);
    });
  }

  /** Whether some kustomization of the workspace lists the file (as a resource, or as a patch). */
  isListed(filePath: string): boolean {
    return this.kustomizeState().lists(path.resolve(filePath));
  }

  /** The namespace an object ends up in, or undefined when it cannot be known. */
  namespaceOf(object: ObjectRecord): string | undefined {
    return object.namespace ?? this.namespaceOfFile(object.uri);
  }

  /**
   * The namespace the objects of a file end up in when they do not name one, if it can be known: the
   * `targetNamespace` of the Flux Kustomizations applying it, else the `namespace:` of the kustomize
   * tree that includes it. Different answers mean unknown.
   */
  namespaceOfFile(uri: string): string | undefined {
    return this.appliedState().namespaceOfFile(uri);
  }

  /** The namespace the referring object ends up in. */
  referrerNamespace(ref: ReferenceRecord): string | undefined {
    return ref.fromNamespace ?? this.namespaceOfFile(ref.uri);
  }

  /**
   * The Flux Kustomizations that apply a file: those whose `spec.path` (in this repository) includes
   * it through the kustomize tree below it (`resources`, `components`, nested kustomizations), or,
   * in a folder without a kustomization.yaml, as one of the YAML files Flux generates one from.
   * Several are possible (overlays, one path used twice); none for a file outside every tree.
   * Each comes with its postBuild, substituteFrom sources and targetNamespace as written now.
   * Computed for the whole workspace at once and kept until a Kustomization's path or source, a
   * kustomization.yaml or the list of files changes; a keystroke elsewhere costs nothing here.
   */
  applyingKustomizations(uri: string): KustomizationRef[] {
    const state = this.appliedState();
    const keys = state.applyingOf(uri);
    if (keys.length === 0) return [];
    const out: KustomizationRef[] = [];
    for (const key of keys) {
      const record = this.fluxKustomization(key.uri, key.name, key.namespace);
      if (record) out.push(this.kustomizationRef(record, key.directory));
    }
    return out;
  }

  /** The Flux Kustomization `name` defined in `uri`, as the index knows it now. */
  private fluxKustomization(uri: string, name: string, namespace: string | undefined): ObjectRecord | undefined {
    return this.nameTable().byName.get(name)?.find((o) => o.kind === 'Kustomization' && o.flux && o.uri === uri && o.namespace === namespace);
  }

  private kustomizationRef(record: ObjectRecord, directory: string): KustomizationRef {
    const flux = record.flux!;
    const substitute: Record<string, string> = {};
    for (const entry of flux.postBuild?.substitute ?? []) substitute[entry.name] = entry.value;
    return {
      name: record.name,
      namespace: this.namespaceOf(record),
      uri: record.uri,
      nameRange: record.nameRange,
      path: flux.path ?? '',
      directory,
      targetNamespace: flux.targetNamespace,
      sourceRef: flux.sourceRef,
      postBuild: flux.postBuild,
      substitute,
      substituteFrom: (flux.postBuild?.substituteFrom ?? []).map(({ kind, name, optional }) => ({ kind, name, optional })),
    };
  }

  /** Every Flux Kustomization of the workspace (objects of patch files left out). */
  fluxKustomizations(): ObjectRecord[] {
    return this.objects().filter((o) => o.kind === 'Kustomization' && o.flux !== undefined);
  }

  /**
   * What the index can tell of the folder a Flux Kustomization's `spec.path` names: where it is,
   * whether its source is this repository (else the path is not judged), whether it exists, and
   * its kustomization file. Undefined for an object that is not a Flux Kustomization of a workspace file.
   */
  kustomizationPath(record: ObjectRecord): KustomizationPath | undefined {
    if (!record.flux) return undefined;
    const state = this.appliedState();
    const judged = state.judgement(record);
    if (!judged) return undefined;
    const known = this.directoryExists(judged.directory);
    return { directory: judged.directory, source: judged.source, exists: known, kustomizationFile: this.kustomizationFileIn(judged.directory) };
  }

  /** The Flux Kustomization that a `spec.path` reference belongs to. */
  kustomizationOfPath(ref: ReferenceRecord): ObjectRecord | undefined {
    if (ref.field !== 'path' || !ref.fromName) return undefined;
    return this.fluxKustomization(ref.uri, ref.fromName, ref.fromNamespace);
  }

  /** Whether a directory exists: true when known, false when the scan listed every directory and not this one, else undefined. */
  directoryExists(directory: string): boolean | undefined {
    const resolved = path.resolve(directory);
    if (this.folders.includes(resolved) || this.listedDirectories.has(resolved) || this.directoryTree().has(resolved)) return true;
    for (const excluded of this.excludedDirectories) if (resolved === excluded || resolved.startsWith(excluded + path.sep)) return undefined;
    return this.directoriesKnown && this.folderOf(resolved) !== undefined ? false : undefined;
  }

  /** The sub-directories of a directory that the index knows (listed by the scan, or holding indexed files). */
  subdirectories(directory: string): string[] {
    const resolved = path.resolve(directory);
    const out = new Set(this.directoryTree().get(resolved)?.dirs ?? []);
    for (const d of this.listedDirectories) if (path.dirname(d) === resolved) out.add(d);
    return [...out].sort();
  }

  /** The kustomization file kustomize would read in a directory, if the index knows one. */
  kustomizationFileIn(directory: string): string | undefined {
    const node = this.directoryTree().get(path.resolve(directory));
    if (!node) return undefined;
    for (const name of KUSTOMIZATION_FILE_NAMES) {
      const file = path.join(path.resolve(directory), name);
      if (node.files.has(file)) return file;
    }
    return undefined;
  }

  /**
   * The resources Flux would list in the kustomization.yaml it generates for a directory that has
   * none: every `.yaml`/`.yml` file below it, and each sub-directory holding a kustomization file as
   * one entry (not descended into). Absolute paths, sorted.
   */
  generatedResources(directory: string): string[] {
    return generatedResources(this.directoryTree(), path.resolve(directory));
  }

  /** The URI of an indexed file at a path, if any. */
  uriOfPath(filePath: string): string | undefined {
    return this.directoryTree().uris.get(path.resolve(filePath));
  }

  private directoryTree(): DirectoryTree {
    if (!this.tree) {
      const tree = new DirectoryTree();
      for (const [uri, entry] of this.files) if (entry.path) tree.addFile(entry.path, uri, this.folderOf(entry.path));
      this.tree = tree;
    }
    return this.tree;
  }

  private appliedState(): AppliedState {
    if (!this.applied) {
      workCounts.applyingMapsBuilt++;
      this.applied = new AppliedState(this.files, this.kustomizeState(), () => this.directoryTree(), this.folders, this.repositoryUrls);
    }
    return this.applied;
  }

  /** The namespace a reference looks in. */
  wantedNamespace(ref: ReferenceRecord): string | undefined {
    return (ref.allowsNamespace ? ref.namespace : undefined) ?? this.referrerNamespace(ref);
  }

  resolve(ref: ReferenceRecord): Resolution {
    const named = this.nameTable().byName.get(ref.name) ?? [];
    const kinds = ref.kind ? [ref.kind] : ref.acceptedKinds;
    const wanted = this.wantedNamespace(ref);
    const inNamespace = (o: ObjectRecord) => {
      const ns = this.namespaceOf(o);
      return wanted === undefined || ns === undefined || ns === wanted;
    };
    if (isWildcard(ref)) {
      // Every object of the kind in the namespace (matchLabels may narrow it): never missing.
      return { status: 'found', targets: this.objects().filter((o) => kinds.includes(o.kind) && inNamespace(o)) };
    }
    const ofKind = named.filter((o) => kinds.includes(o.kind));
    const found = ofKind.filter(inNamespace);
    if (found.length > 0) return { status: 'found', targets: found };
    if (ofKind.length > 0) return { status: 'wrong-namespace', targets: ofKind, wanted: wanted ?? '' };
    const family = FAMILIES.find((f) => kinds.some((k) => f.includes(k))) ?? [];
    const otherKinds = named.filter((o) => family.includes(o.kind) && inNamespace(o));
    if (otherKinds.length > 0) return { status: 'wrong-kind', targets: otherKinds };
    return { status: 'missing' };
  }

  /** Every reference in the workspace that resolves to `object`. */
  referencesTo(object: ObjectRecord): ReferenceRecord[] {
    const state = this.caches();
    if (!state.referencesByTarget) {
      state.referencesByTarget = new Map();
      for (const entry of this.files.values()) {
        for (const ref of entry.references) {
          const resolution = this.resolve(ref);
          if (resolution.status !== 'found') continue;
          for (const target of resolution.targets) {
            const list = state.referencesByTarget.get(target) ?? [];
            list.push(ref);
            state.referencesByTarget.set(target, list);
          }
        }
      }
    }
    return state.referencesByTarget.get(object) ?? [];
  }

  references(): ReferenceRecord[] {
    return [...this.files.values()].flatMap((f) => f.references);
  }

  /** The names on the dependsOn cycle that `ref` is an edge of, in no particular order; undefined when it is on none. */
  cycleOf(ref: ReferenceRecord): string[] | undefined {
    if (ref.field !== 'dependsOn' || !ref.fromName) return undefined;
    const revision = `${this.dependencyRevision}:${this.structureRevision}`;
    if (this.cycles?.revision !== revision) this.cycles = { revision, edges: findCycles(this) };
    if (this.cycles.edges.size === 0) return undefined;
    const resolution = this.resolve(ref);
    if (resolution.status !== 'found') return undefined;
    const from = nodeKey(ref.fromKind, this.referrerNamespace(ref), ref.fromName);
    for (const target of resolution.targets) {
      const members = this.cycles.edges.get(`${from}>${nodeKey(target.kind, this.namespaceOf(target), target.name)}`);
      if (members) return members;
    }
    return undefined;
  }

  /** How many objects named `name` references can point at (objects of patch files left out). */
  definitionCount(name: string): number {
    return this.nameTable().byName.get(name)?.length ?? 0;
  }

  /** Other definitions of the same kind, namespace and name that are applied together with `object`. */
  duplicatesOf(object: ObjectRecord): ObjectRecord[] {
    if (object.behavior === 'merge' || object.behavior === 'replace') return [];
    const named = this.nameTable().byName.get(object.name) ?? [];
    if (!named.includes(object)) return []; // an object of a patch file is not a definition
    const namespace = this.namespaceOf(object);
    const kustomize = this.kustomizeState();
    return named.filter((other) => {
      if (other === object || other.kind !== object.kind || other.behavior === 'merge' || other.behavior === 'replace') return false;
      if (this.namespaceOf(other) !== namespace) return false;
      return kustomize.appliedTogether(object.uri, other.uri);
    });
  }

  /** The workspace folder that holds a path (the innermost one). */
  workspaceFolderOf(filePath: string): string | undefined {
    return this.folderOf(path.resolve(filePath));
  }

  private folderOf(filePath: string): string | undefined {
    return this.folders.filter((f) => filePath === f || filePath.startsWith(f + path.sep)).sort((a, b) => b.length - a.length)[0];
  }

  private kustomizeState(): KustomizeState {
    this.kustomize ??= new KustomizeState(this.files);
    return this.kustomize;
  }

  private nameTable(): NameTable {
    if (!this.names) {
      const kustomize = this.kustomizeState();
      this.names = new NameTable();
      for (const entry of this.files.values()) if (!kustomize.isPatch(entry.path)) this.names.add(entry.objects);
    }
    return this.names;
  }

  private caches(): ReferenceCaches {
    this.referenceCaches ??= {};
    return this.referenceCaches;
  }
}

interface ReferenceCaches {
  referencesByTarget?: Map<ObjectRecord, ReferenceRecord[]>;
}

/** What references see of an object: everything but its position. */
function objectSignature(o: ObjectRecord): string {
  const flux = o.flux ? JSON.stringify([o.flux.path, o.flux.sourceRef, o.flux.targetNamespace, o.flux.components, o.flux.postBuild && [o.flux.postBuild.strategy, o.flux.postBuild.substitute.map((e) => [e.name, e.value]), o.flux.postBuild.substituteFrom.map((e) => [e.kind, e.name, e.optional])]]) : '';
  return [o.kind, o.name, o.apiVersion, o.namespace ?? '', o.origin, o.behavior ?? '', o.keys?.join('/') ?? '-', o.structuredKeys?.join('/') ?? '', JSON.stringify(o.summary), o.digest ?? '', o.url ?? '', flux].join('\u0000');
}

function dependencySignature(r: ReferenceRecord): string | undefined {
  return r.field === 'dependsOn' ? [r.fromKind, r.fromName ?? '', r.fromNamespace ?? '', r.name, r.namespace ?? ''].join('\u0000') : undefined;
}

/** What decides which files a Flux Kustomization applies (not its postBuild), or whether a source is this repository. */
function applyingSignature(o: ObjectRecord): string | undefined {
  if (o.flux) {
    const f = o.flux;
    return ['K', o.name, o.namespace ?? '', f.path ?? '', f.sourceRef?.kind ?? '', f.sourceRef?.name ?? '', f.sourceRef?.namespace ?? '', f.targetNamespace ?? '', f.components.join('/')].join('\u0000');
  }
  if (o.kind === 'GitRepository') return ['G', o.name, o.namespace ?? '', o.url ?? ''].join('\u0000');
  return undefined;
}

/**
 * The names whose objects differ between two versions of a file, and whether its dependsOn edges
 * or HelmReleases changed. With per-document parts, documents whose text is unchanged are skipped.
 */
function changedObjects(old: FileFacts | undefined, next: FileFacts | undefined): { names: Set<string>; dependencies: boolean; applying: boolean; before: FactsPart[]; after: FactsPart[]; kept: FactsPart[] } {
  let before: FactsPart[];
  let after: FactsPart[];
  let kept: FactsPart[] = [];
  if (old?.parts && next?.parts) {
    // A part object is the same while its document's text is: mark the old ones, then see which stayed.
    const wasThere = {};
    const isThere = {};
    for (const part of old.parts) part.mark = wasThere;
    after = [];
    for (const part of next.parts) {
      if (part.mark === wasThere) kept.push(part);
      else after.push(part);
      part.mark = isThere;
    }
    before = old.parts.filter((part) => part.mark !== isThere);
  } else {
    before = old ? [{ objects: old.objects, references: old.references, placement: { startLine: 0 } }] : [];
    after = next ? [{ objects: next.objects, references: next.references, placement: { startLine: 0 } }] : [];
    kept = [];
  }
  const counts = new Map<string, { name: string; count: number }>();
  // HelmReleases and Kustomizations by name and namespace: the nodes of the dependsOn graphs.
  const releases = new Map<string, number>();
  // Kustomizations' paths and sources, and GitRepositories' URLs: what decides which files are applied.
  const applying = new Map<string, number>();
  const tally = (parts: FactsPart[], step: number) => {
    for (const part of parts) {
      for (const object of part.objects) {
        const signature = objectSignature(object);
        const entry = counts.get(signature) ?? { name: object.name, count: 0 };
        entry.count += step;
        counts.set(signature, entry);
        if (DEPENDENCY_KINDS.has(object.kind)) {
          const node = `${object.kind}:${object.namespace ?? ''}/${object.name}`;
          releases.set(node, (releases.get(node) ?? 0) + step);
        }
        const applies = applyingSignature(object);
        if (applies) applying.set(applies, (applying.get(applies) ?? 0) + step);
      }
    }
  };
  tally(before, -1);
  tally(after, 1);
  const names = new Set<string>();
  for (const { name, count } of counts.values()) if (count !== 0) names.add(name);
  let dependencies = [...releases.values()].some((count) => count !== 0);
  if (!dependencies) {
    const edges = (parts: FactsPart[]) => parts.flatMap((p) => p.references.map(dependencySignature).filter((e): e is string => e !== undefined)).sort().join('\n');
    dependencies = edges(before) !== edges(after);
  }
  return { names, dependencies, applying: [...applying.values()].some((count) => count !== 0), before, after, kept };
}

/** A node of a dependsOn graph: kind, namespace (`*` when unknown) and name. */
const nodeKey = (kind: string, namespace: string | undefined, name: string) => `${kind}:${namespace ?? '*'}/${name}`;

/** Objects by name, updated file by file. */
class NameTable {
  readonly byName = new Map<string, ObjectRecord[]>();

  add(objects: ObjectRecord[]): void {
    for (const object of objects) {
      const list = this.byName.get(object.name);
      if (list) list.push(object);
      else this.byName.set(object.name, [object]);
    }
  }

  remove(objects: ObjectRecord[]): void {
    for (const object of objects) {
      const list = this.byName.get(object.name);
      if (!list) continue;
      const at = list.indexOf(object);
      if (at >= 0) list.splice(at, 1);
      if (list.length === 0) this.byName.delete(object.name);
    }
  }
}

/** What kustomizations say about all files: which namespace they end up in, and which are patches. */
class KustomizeState {
  private readonly patchFiles = new Set<string>();
  private readonly kustomizations: Array<{ record: KustomizationRecord; directory: string }> = [];
  private readonly includedBy = new Map<string, KustomizationRecord[]>();
  private readonly fileNamespaces = new Map<string, string | undefined>();
  private readonly rootsCache = new Map<string, Set<string>>();

  constructor(private readonly files: Map<string, FileEntry>) {
    for (const entry of files.values()) {
      if (entry.kustomization && entry.path) {
        this.kustomizations.push({ record: entry.kustomization, directory: path.dirname(entry.path) });
        for (const p of entry.kustomization.patches) this.patchFiles.add(p);
      }
    }
    for (const { record } of this.kustomizations) {
      for (const resource of record.resources) {
        const list = this.includedBy.get(resource) ?? [];
        list.push(record);
        this.includedBy.set(resource, list);
      }
    }
  }

  /** Drops what was worked out for one file, which changed. */
  forget(uri: string): void {
    this.fileNamespaces.delete(uri);
    this.rootsCache.delete(uri);
  }

  isPatch(filePath: string | undefined): boolean {
    return filePath !== undefined && this.patchFiles.has(filePath);
  }

  /** Whether some kustomization lists the file, as a patch or as a resource (itself or its directory). */
  lists(filePath: string): boolean {
    return this.patchFiles.has(filePath) || this.includedBy.has(filePath) || this.includedBy.has(path.dirname(filePath));
  }

  /** The kustomizations that list a file or directory as a resource. */
  private parents(target: string): KustomizationRecord[] {
    return this.includedBy.get(target) ?? [];
  }

  /**
   * Namespaces a kustomization's resources end up in: an outer kustomization's `namespace:` wins
   * over an inner one. Several different answers (overlays for several namespaces) mean unknown.
   */
  private namespacesOfKustomization(record: KustomizationRecord, depth = 0): Set<string | undefined> {
    const kustomizationPath = this.files.get(record.uri)?.path;
    const directory = kustomizationPath ? path.dirname(kustomizationPath) : undefined;
    const outer = directory && depth < 20 ? this.parents(directory) : [];
    if (outer.length === 0) return new Set([record.namespace]);
    const result = new Set<string | undefined>();
    for (const parent of outer) {
      for (const ns of this.namespacesOfKustomization(parent, depth + 1)) result.add(ns ?? record.namespace);
    }
    return result;
  }

  namespaceOfFile(uri: string): string | undefined {
    if (this.fileNamespaces.has(uri)) return this.fileNamespaces.get(uri);
    const entry = this.files.get(uri);
    let namespace: string | undefined;
    if (entry?.path) {
      // A kustomization's own generators take its namespace; other files that of the kustomizations listing them.
      const owners = entry.kustomization ? [entry.kustomization] : this.parents(entry.path);
      const found = new Set<string | undefined>();
      for (const owner of owners) for (const ns of this.namespacesOfKustomization(owner)) found.add(ns);
      namespace = found.size === 1 ? [...found][0] : undefined;
    }
    this.fileNamespaces.set(uri, namespace);
    return namespace;
  }

  /** The outermost kustomizations that (transitively) include a file; a file in none is its own root. */
  private roots(uri: string): Set<string> {
    const cached = this.rootsCache.get(uri);
    if (cached) return cached;
    const result = new Set<string>();
    const entry = this.files.get(uri);
    const visit = (target: string, depth: number) => {
      const parents = this.parents(target);
      if (parents.length === 0 || depth > 20) {
        result.add(target);
        return;
      }
      for (const parent of parents) {
        const parentPath = this.files.get(parent.uri)?.path;
        if (parentPath) visit(path.dirname(parentPath), depth + 1);
      }
    };
    if (entry?.path) visit(entry.kustomization ? path.dirname(entry.path) : entry.path, 0);
    else result.add(uri);
    this.rootsCache.set(uri, result);
    return result;
  }

  /**
   * Whether two files are applied together: the same file, or included by a common kustomization
   * tree. Files of different clusters or workspace folders define their objects independently.
   */
  appliedTogether(a: string, b: string): boolean {
    if (a === b) return true;
    const entryA = this.files.get(a);
    const entryB = this.files.get(b);
    if (!entryA?.path || !entryB?.path || entryA.folder !== entryB.folder) return false;
    const rootsA = this.roots(a);
    const rootsB = this.roots(b);
    const sharesRoot = [...rootsA].some((r) => rootsB.has(r) && r !== entryA.path && r !== entryB.path);
    if (sharesRoot) return true;
    // Loose files outside kustomizations: only those in the same directory go together.
    return rootsA.has(entryA.path) && rootsB.has(entryB.path) && path.dirname(entryA.path) === path.dirname(entryB.path);
  }
}

/** Edges (`from>to`, nodes as namespace/name) that lie on a dependsOn cycle, with the names of the cycle. */
function findCycles(index: WorkspaceIndex): Map<string, string[]> {
  // Nodes are releases as namespace/name; an unknown namespace is written `*`.
  const key = nodeKey;
  const edges = new Map<string, Array<{ to: string; ref: ReferenceRecord }>>();
  for (const ref of index.references()) {
    if (ref.field !== 'dependsOn' || !ref.fromName) continue;
    const resolution = index.resolve(ref);
    if (resolution.status !== 'found') continue;
    const from = key(ref.fromKind, index.referrerNamespace(ref), ref.fromName);
    for (const target of resolution.targets) {
      const list = edges.get(from) ?? [];
      list.push({ to: key(target.kind, index.namespaceOf(target), target.name), ref });
      edges.set(from, list);
    }
  }
  // Tarjan's strongly connected components; every edge inside a component of two or more nodes is on a cycle.
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const component = new Map<string, number>();
  let counter = 0;
  let components = 0;
  const sizes: number[] = [];
  const strongConnect = (start: string) => {
    // Iterative, so that long dependency chains cannot overflow the stack.
    const work: Array<{ node: string; next: number }> = [{ node: start, next: 0 }];
    indexOf.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const out = edges.get(frame.node) ?? [];
      if (frame.next < out.length) {
        const to = out[frame.next++]!.to;
        if (!indexOf.has(to)) {
          indexOf.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, next: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, indexOf.get(to)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]!.node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === indexOf.get(frame.node)) {
        let size = 0;
        for (;;) {
          const member = stack.pop()!;
          onStack.delete(member);
          component.set(member, components);
          size++;
          if (member === frame.node) break;
        }
        sizes.push(size);
        components++;
      }
    }
  };
  for (const node of edges.keys()) if (!indexOf.has(node)) strongConnect(node);
  const result = new Map<string, string[]>();
  const membersOf = new Map<number, string[]>();
  for (const [from, out] of edges) {
    for (const { to } of out) {
      const c = component.get(from);
      if (c === undefined || c !== component.get(to) || sizes[c]! < 2) continue;
      let members = membersOf.get(c);
      if (!members) membersOf.set(c, (members = [...component.entries()].filter(([, id]) => id === c).map(([node]) => node.split('/')[1]!).sort()));
      result.set(`${from}>${to}`, members);
    }
  }
  return result;
}

/** A Git URL reduced to host and path, so that `https://github.com/org/fleet.git` and `ssh://git@github.com/org/fleet` compare equal. */
export function normalizeRepositoryUrl(url: string): string {
  let text = url.trim().toLowerCase();
  const scp = /^(?:[\w.-]+@)?([\w.-]+):(?!\/\/)(.+)$/.exec(text);
  if (scp) text = `${scp[1]}/${scp[2]}`;
  else text = text.replace(/^[a-z+]+:\/\//, '').replace(/^[^@/]+@/, '');
  text = text.replace(/:\d+(?=\/)/, '');
  return text.replace(/\.git$/, '').replace(/\/+$/, '');
}

/** Directories that hold indexed files (each with its files and sub-directories), and the URI of each file. */
class DirectoryTree {
  private readonly nodes = new Map<string, { files: Set<string>; dirs: Set<string> }>();
  readonly uris = new Map<string, string>();

  addFile(filePath: string, uri: string, folder: string | undefined): void {
    this.uris.set(filePath, uri);
    let child = filePath;
    let directory = path.dirname(filePath);
    let isFile = true;
    // Up to the workspace folder (or the root): every ancestor exists.
    for (;;) {
      let node = this.nodes.get(directory);
      const fresh = !node;
      if (!node) this.nodes.set(directory, (node = { files: new Set(), dirs: new Set() }));
      if (isFile) node.files.add(child);
      else node.dirs.add(child);
      if (!fresh || directory === folder || path.dirname(directory) === directory) break;
      child = directory;
      directory = path.dirname(directory);
      isFile = false;
    }
  }

  has(directory: string): boolean {
    return this.nodes.has(directory);
  }

  get(directory: string): { files: Set<string>; dirs: Set<string> } | undefined {
    return this.nodes.get(directory);
  }
}

function kustomizationFileOf(tree: DirectoryTree, directory: string): string | undefined {
  const node = tree.get(directory);
  if (!node) return undefined;
  for (const name of KUSTOMIZATION_FILE_NAMES) {
    const file = path.join(directory, name);
    if (node.files.has(file)) return file;
  }
  return undefined;
}

function generatedResources(tree: DirectoryTree, directory: string): string[] {
  const out: string[] = [];
  const visit = (dir: string, depth: number) => {
    const node = tree.get(dir);
    if (!node || depth > MAX_TREE_DEPTH) return;
    for (const file of node.files) if (/\.ya?ml$/.test(file)) out.push(file);
    for (const sub of node.dirs) {
      if (kustomizationFileOf(tree, sub)) out.push(sub);
      else visit(sub, depth + 1);
    }
  };
  visit(directory, 0);
  return out.sort();
}

interface ApplyingKey {
  uri: string;
  name: string;
  /** `metadata.namespace` as written. */
  namespace: string | undefined;
  directory: string;
}

/**
 * Which Flux Kustomizations apply which files, for the whole workspace: worked out once from their
 * `spec.path`, their source and the kustomize trees, then kept until one of those changes.
 */
class AppliedState {
  private readonly byFile = new Map<string, ApplyingKey[]>();
  private readonly judged = new Map<string, { directory: string; source: SourceJudgement }>();
  private readonly namespaces = new Map<string, string | undefined>();

  constructor(
    private readonly files: Map<string, FileEntry>,
    private readonly kustomize: KustomizeState,
    /** Built only when some Kustomization needs it: a workspace without Flux Kustomizations keeps no tree. */
    private readonly treeOf: () => DirectoryTree,
    private readonly folders: string[],
    repositoryUrls: Map<string, Set<string>>,
  ) {
    const kustomizations: ObjectRecord[] = [];
    const gitRepositories: ObjectRecord[] = [];
    for (const entry of files.values()) {
      if (kustomize.isPatch(entry.path)) continue;
      for (const o of entry.objects) {
        if (o.flux) kustomizations.push(o);
        else if (o.kind === 'GitRepository' && o.origin === 'manifest') gitRepositories.push(o);
      }
    }
    // Sources by name; their namespace as kustomize gives it (targetNamespace would need this very map).
    const sourceOf = (k: ObjectRecord): ObjectRecord[] | undefined => {
      const ref = k.flux!.sourceRef;
      if (!ref) return undefined;
      const wanted = ref.namespace ?? k.namespace ?? kustomize.namespaceOfFile(k.uri);
      return gitRepositories.filter((g) => g.name === ref.name && (wanted === undefined || (g.namespace ?? kustomize.namespaceOfFile(g.uri)) === undefined || (g.namespace ?? kustomize.namespaceOfFile(g.uri)) === wanted));
    };
    const candidates = new Map<ObjectRecord, ObjectRecord[]>();
    for (const k of kustomizations) {
      const file = files.get(k.uri)?.path;
      const folder = file ? this.folderOf(file) : undefined;
      if (!folder) continue;
      // `..` cannot climb above the artifact root, and a leading `/` or `./` or a trailing `/` changes nothing.
      const relative = path.posix.normalize(`/${(k.flux!.path ?? '').replace(/\\/g, '/')}`).replace(/^\/+/, '').replace(/\/+$/, '');
      const directory = relative ? path.join(folder, ...relative.split('/')) : folder;
      const kind = k.flux!.sourceRef?.kind ?? 'GitRepository';
      let source: SourceJudgement | undefined;
      if (kind !== 'GitRepository') source = 'other';
      else {
        const found = sourceOf(k);
        if (!found || found.length === 0) source = this.folders.length === 1 ? 'assumed' : 'other';
        else {
          const urls = repositoryUrls.get(folder);
          if (urls && urls.size > 0) source = found.some((g) => g.url && urls.has(normalizeRepositoryUrl(g.url))) ? 'this-repository' : 'other';
          else {
            const group = candidates.get(found[0]!) ?? [];
            group.push(k);
            candidates.set(found[0]!, group);
          }
        }
      }
      this.judged.set(keyOf(k), { directory, source: source ?? 'other' });
    }
    // A GitRepository whose Kustomizations apply the file that defines it (or them) syncs this repository: Flux's bootstrap layout.
    for (const [git, group] of candidates) {
      const applied = new Set<string>();
      for (const k of group) for (const f of this.appliedFiles(k)) applied.add(f);
      const own = [git, ...group].some((o) => {
        const file = files.get(o.uri)?.path;
        return file !== undefined && applied.has(file);
      });
      if (own) for (const k of group) this.judged.get(keyOf(k))!.source = 'this-repository';
    }
    for (const k of kustomizations) {
      const judged = this.judged.get(keyOf(k));
      if (!judged || judged.source === 'other') continue;
      const key: ApplyingKey = { uri: k.uri, name: k.name, namespace: k.namespace, directory: judged.directory };
      for (const file of this.appliedFiles(k)) {
        const list = this.byFile.get(file) ?? [];
        if (!list.some((e) => e.uri === key.uri && e.name === key.name && e.namespace === key.namespace)) list.push(key);
        this.byFile.set(file, list);
      }
    }
  }

  private folderOf(filePath: string): string | undefined {
    return this.folders.filter((f) => filePath === f || filePath.startsWith(f + path.sep)).sort((a, b) => b.length - a.length)[0];
  }

  judgement(k: ObjectRecord): { directory: string; source: SourceJudgement } | undefined {
    return this.judged.get(keyOf(k));
  }

  /** The files a Kustomization's build includes: its path's kustomize tree (or generated kustomization), and its components. */
  private appliedFiles(k: ObjectRecord): Set<string> {
    const judged = this.judged.get(keyOf(k));
    const result = new Set<string>();
    if (!judged) return result;
    const visited = new Set<string>();
    const tree = this.treeOf();
    const visit = (directory: string, depth: number) => {
      if (depth > MAX_TREE_DEPTH || visited.has(directory)) return;
      visited.add(directory);
      const file = kustomizationFileOf(tree, directory);
      const record = file ? this.files.get(tree.uris.get(file) ?? '')?.kustomization : undefined;
      if (file && record) {
        // Its own generators are part of the build.
        result.add(file);
        for (const resource of record.resources) {
          if (tree.has(resource)) visit(resource, depth + 1);
          else if (tree.uris.has(resource)) result.add(resource);
        }
        return;
      }
      // No kustomization file: Flux generates one from every YAML file below, a directory with a kustomization file being one resource.
      for (const resource of generatedResources(tree, directory)) {
        if (tree.has(resource)) visit(resource, depth + 1);
        else result.add(resource);
      }
    };
    visit(judged.directory, 0);
    for (const component of k.flux!.components) {
      if (/^[a-z]+:\/\//.test(component) || component.startsWith('/')) continue;
      visit(path.resolve(judged.directory, component), 1);
    }
    return result;
  }

  applyingOf(uri: string): ApplyingKey[] {
    const file = this.files.get(uri)?.path;
    return (file && this.byFile.get(file)) || [];
  }

  forget(uri: string): void {
    this.namespaces.delete(uri);
  }

  namespaceOfFile(uri: string): string | undefined {
    // Without Flux Kustomizations applying anything, kustomize alone decides (and caches).
    if (this.byFile.size === 0) return this.kustomize.namespaceOfFile(uri);
    if (this.namespaces.has(uri)) return this.namespaces.get(uri);
    const fromTree = this.kustomize.namespaceOfFile(uri);
    const applying = this.applyingOf(uri);
    let namespace = fromTree;
    if (applying.length > 0) {
      const found = new Set<string | undefined>();
      for (const key of applying) {
        const record = this.files.get(key.uri)?.objects.find((o) => o.flux && o.name === key.name && o.namespace === key.namespace);
        found.add(record?.flux?.targetNamespace ?? fromTree);
      }
      namespace = found.size === 1 ? [...found][0] : undefined;
    }
    this.namespaces.set(uri, namespace);
    return namespace;
  }
}

const keyOf = (k: ObjectRecord) => `${k.uri}\u0000${k.name}\u0000${k.namespace ?? ''}`;
