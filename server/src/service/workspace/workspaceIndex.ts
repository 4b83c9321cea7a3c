import * as path from 'path';
import type { FactsPart, FileFacts, KustomizationRecord, ObjectRecord, ReferenceRecord } from './types';

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
  ['HelmRelease'],
  ['ConfigMap', 'Secret'],
];

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
    const kustomizationChanged =
      JSON.stringify(old?.kustomization) !== JSON.stringify(next?.kustomization) || (old?.path !== next?.path && (old?.kustomization !== undefined || next?.kustomization !== undefined));
    if (kustomizationChanged) {
      this.kustomize = undefined;
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
    return object.namespace ?? this.kustomizeState().namespaceOfFile(object.uri);
  }

  /** The namespace the objects of a file end up in when they do not name one, if it can be known. */
  namespaceOfFile(uri: string): string | undefined {
    return this.kustomizeState().namespaceOfFile(uri);
  }

  /** The namespace the referring object ends up in. */
  referrerNamespace(ref: ReferenceRecord): string | undefined {
    return ref.fromNamespace ?? this.kustomizeState().namespaceOfFile(ref.uri);
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
    const from = nodeKey(this.referrerNamespace(ref), ref.fromName);
    for (const target of resolution.targets) {
      const members = this.cycles.edges.get(`${from}>${nodeKey(this.namespaceOf(target), target.name)}`);
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
  return [o.kind, o.name, o.apiVersion, o.namespace ?? '', o.origin, o.behavior ?? '', o.keys?.join('/') ?? '-', o.structuredKeys?.join('/') ?? '', JSON.stringify(o.summary), o.digest ?? ''].join('\u0000');
}

function dependencySignature(r: ReferenceRecord): string | undefined {
  return r.field === 'dependsOn' ? [r.fromName ?? '', r.fromNamespace ?? '', r.name, r.namespace ?? ''].join('\u0000') : undefined;
}

/**
 * The names whose objects differ between two versions of a file, and whether its dependsOn edges
 * or HelmReleases changed. With per-document parts, documents whose text is unchanged are skipped.
 */
function changedObjects(old: FileFacts | undefined, next: FileFacts | undefined): { names: Set<string>; dependencies: boolean; before: FactsPart[]; after: FactsPart[]; kept: FactsPart[] } {
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
  // HelmReleases by name and namespace: the nodes of the dependsOn graph.
  const releases = new Map<string, number>();
  const tally = (parts: FactsPart[], step: number) => {
    for (const part of parts) {
      for (const object of part.objects) {
        const signature = objectSignature(object);
        const entry = counts.get(signature) ?? { name: object.name, count: 0 };
        entry.count += step;
        counts.set(signature, entry);
        if (object.kind === 'HelmRelease') {
          const node = `${object.namespace ?? ''}/${object.name}`;
          releases.set(node, (releases.get(node) ?? 0) + step);
        }
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
  return { names, dependencies, before, after, kept };
}

const nodeKey = (namespace: string | undefined, name: string) => `${namespace ?? '*'}/${name}`;

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
    const from = key(index.referrerNamespace(ref), ref.fromName);
    for (const target of resolution.targets) {
      const list = edges.get(from) ?? [];
      list.push({ to: key(index.namespaceOf(target), target.name), ref });
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
