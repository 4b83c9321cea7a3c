// The `spec.dependsOn` graph of a cluster's Kustomizations and HelmReleases, as a tree: the
// foundations (objects that depend on nothing) at the top, each object under every object it
// depends on, cycles cut. Pure: the tree views and the tests build it from plain lists.
import { condition, stateOf, type ObjectState } from './status';
import type { KubeObject } from './types';

/** Kustomizations depend on Kustomizations, HelmReleases on HelmReleases. */
export type DependencyKind = 'Kustomization' | 'HelmRelease';

export interface DependencyRef {
  kind: DependencyKind;
  namespace: string;
  name: string;
}

/** One object of the graph, or a dependsOn target that is not on the cluster (`object` absent). */
export interface DependencyEntry {
  key: string;
  ref: DependencyRef;
  object?: KubeObject;
  missing: boolean;
  /** What it depends on, in spec order (a missing target has an entry marked missing). */
  dependencies: DependencyEntry[];
  /** What depends on it, sorted. */
  dependents: DependencyEntry[];
  /** Part of a dependsOn cycle (depending on itself counts): the controllers never get past its dependencies. */
  inCycle: boolean;
}

export interface DependencyModel {
  /** Every object and every missing target, by `dependencyKey`. */
  readonly entries: ReadonlyMap<string, DependencyEntry>;
  /** Top level of the tree: the foundations, missing targets, and one member of each cycle nothing else leads to. */
  readonly roots: readonly DependencyEntry[];
  /** Each cycle once, as keys in dependsOn order. */
  readonly cycles: readonly string[][];
  entry(ref: DependencyRef | KubeObject): DependencyEntry | undefined;
  /** The children of a tree position (a chain of keys from a root): dependents not already on the chain. */
  childrenOf(path: readonly string[]): DependencyEntry[];
  /** What a not-ready object waits for, or undefined (ready, suspended, failed on its own, or nothing to wait for). */
  waitingFor(object: KubeObject | DependencyRef): string | undefined;
  /** Every tree position of an object: the chains of keys from a root down to it. */
  pathTo(ref: DependencyRef | KubeObject): string[][];
}

export function dependencyKey(ref: DependencyRef): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}

export function isDependencyKind(kind: string | undefined): kind is DependencyKind {
  return kind === 'Kustomization' || kind === 'HelmRelease';
}

/** Kustomizations first (they usually lay the foundations), then by namespace and name. */
function compareEntries(a: DependencyEntry, b: DependencyEntry): number {
  if (a.ref.kind !== b.ref.kind) return a.ref.kind === 'Kustomization' ? -1 : 1;
  return a.ref.namespace.localeCompare(b.ref.namespace) || a.ref.name.localeCompare(b.ref.name);
}

/** The dependsOn entries that name something, namespace defaulted to the dependent's. */
function dependsOnOf(object: KubeObject, kind: DependencyKind): DependencyRef[] {
  const raw = object.spec?.dependsOn;
  if (!Array.isArray(raw)) return [];
  const namespace = object.metadata.namespace ?? 'default';
  const refs: DependencyRef[] = [];
  for (const item of raw as unknown[]) {
    const entry = item as { name?: unknown; namespace?: unknown } | null;
    if (typeof entry?.name !== 'string' || entry.name === '') continue;
    refs.push({ kind, namespace: typeof entry.namespace === 'string' && entry.namespace !== '' ? entry.namespace : namespace, name: entry.name });
  }
  return refs;
}

export function buildDependencyModel(input: { kustomizations: readonly KubeObject[]; helmReleases: readonly KubeObject[] }): DependencyModel {
  const entries = new Map<string, DependencyEntry>();
  const byObject = new Map<KubeObject, DependencyEntry>();
  const entryFor = (ref: DependencyRef): DependencyEntry => {
    const key = dependencyKey(ref);
    let found = entries.get(key);
    if (!found) {
      found = { key, ref, missing: true, dependencies: [], dependents: [], inCycle: false };
      entries.set(key, found);
    }
    return found;
  };
  const lists: Array<[DependencyKind, readonly KubeObject[]]> = [
    ['Kustomization', input.kustomizations],
    ['HelmRelease', input.helmReleases],
  ];
  // Objects first, so that a dependsOn target found later is not taken for missing.
  for (const [kind, list] of lists) {
    for (const object of list) {
      const entry = entryFor({ kind, namespace: object.metadata.namespace ?? 'default', name: object.metadata.name });
      entry.object = object;
      entry.missing = false;
      byObject.set(object, entry);
    }
  }
  for (const [kind, list] of lists) {
    for (const object of list) {
      const self = byObject.get(object)!;
      for (const ref of dependsOnOf(object, kind)) {
        const target = entryFor(ref);
        if (self.dependencies.includes(target)) continue;
        self.dependencies.push(target);
        target.dependents.push(self);
      }
    }
  }
  for (const entry of entries.values()) entry.dependents.sort(compareEntries);

  const cycles = findCycles([...entries.values()].sort(compareEntries));
  for (const cycle of cycles) for (const key of cycle) entries.get(key)!.inCycle = true;
  const roots = findRoots(entries);

  const entry = (ref: DependencyRef | KubeObject): DependencyEntry | undefined => {
    if ('metadata' in ref) {
      const known = byObject.get(ref);
      if (known) return known;
      const namespace = ref.metadata.namespace ?? 'default';
      // An object read elsewhere (another list, a GET): by kind, or by name when the kind is absent.
      if (isDependencyKind(ref.kind)) return entries.get(dependencyKey({ kind: ref.kind, namespace, name: ref.metadata.name }));
      const matches = (['Kustomization', 'HelmRelease'] as const).map((kind) => entries.get(dependencyKey({ kind, namespace, name: ref.metadata.name }))).filter((e) => e?.object);
      return matches.length === 1 ? matches[0] : undefined;
    }
    return entries.get(dependencyKey(ref));
  };

  return {
    entries,
    roots,
    cycles,
    entry,
    childrenOf: (path) => {
      const last = entries.get(path[path.length - 1] ?? '');
      return last ? last.dependents.filter((d) => !path.includes(d.key)) : [];
    },
    waitingFor: (object) => {
      const found = entry(object);
      return found ? waitingSentence(found) : undefined;
    },
    pathTo: (ref) => {
      const target = entry(ref);
      return target ? pathsTo(roots, target) : [];
    },
  };
}

/**
 * Strongly connected components with more than one member, or one that depends on itself
 * (Tarjan's algorithm, iterative: a long chain does not grow the call stack).
 */
function findCycles(sorted: DependencyEntry[]): string[][] {
  const index = new Map<DependencyEntry, number>();
  const low = new Map<DependencyEntry, number>();
  const onStack = new Set<DependencyEntry>();
  const stack: DependencyEntry[] = [];
  const cycles: string[][] = [];
  let counter = 0;
  for (const start of sorted) {
    if (index.has(start)) continue;
    const work: Array<{ entry: DependencyEntry; next: number }> = [{ entry: start, next: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const dependency = frame.entry.dependencies[frame.next++];
      if (dependency) {
        if (!index.has(dependency)) {
          index.set(dependency, counter);
          low.set(dependency, counter++);
          stack.push(dependency);
          onStack.add(dependency);
          work.push({ entry: dependency, next: 0 });
        } else if (onStack.has(dependency)) {
          low.set(frame.entry, Math.min(low.get(frame.entry)!, index.get(dependency)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.entry, Math.min(low.get(parent.entry)!, low.get(frame.entry)!));
      if (low.get(frame.entry) !== index.get(frame.entry)) continue;
      const component: DependencyEntry[] = [];
      let member: DependencyEntry;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== frame.entry);
      if (component.length > 1 || frame.entry.dependencies.includes(frame.entry)) cycles.push(cycleOrder(component));
    }
  }
  return cycles;
}

/** A cycle's keys from its first member by sort order, following dependsOn inside the cycle. */
function cycleOrder(component: DependencyEntry[]): string[] {
  const members = new Set(component);
  const order: string[] = [];
  let current: DependencyEntry | undefined = [...component].sort(compareEntries)[0];
  while (current && !order.includes(current.key)) {
    order.push(current.key);
    current = current.dependencies.find((d) => members.has(d) && !order.includes(d.key));
  }
  // Members off the first loop (a component can hold several loops) still belong to it.
  for (const member of [...component].sort(compareEntries)) if (!order.includes(member.key)) order.push(member.key);
  return order;
}

/**
 * Entries that depend on nothing (missing targets included), then, for what they do not lead to
 * (cycles and what hangs below them), the first member of each cycle that depends on nothing else
 * left: everything is then reachable, and nothing is a root twice.
 */
function findRoots(entries: ReadonlyMap<string, DependencyEntry>): DependencyEntry[] {
  const sorted = [...entries.values()].sort(compareEntries);
  const reached = new Set<DependencyEntry>();
  const reach = (from: DependencyEntry) => {
    const pending = [from];
    while (pending.length > 0) {
      const next = pending.pop()!;
      if (reached.has(next)) continue;
      reached.add(next);
      pending.push(...next.dependents);
    }
  };
  const roots = sorted.filter((e) => e.dependencies.length === 0);
  roots.forEach(reach);
  for (const candidate of sorted) {
    if (reached.has(candidate)) continue;
    // Unreached entries depend only on unreached ones; start from one nothing outside its own cycle leads to.
    const upstream = ancestorsOf(candidate);
    if ([...upstream].some((a) => !ancestorsOf(a).has(candidate))) continue;
    roots.push(candidate);
    reach(candidate);
  }
  return roots.sort(compareEntries);
}

/** Everything an entry depends on, directly or not (itself only when it is in a cycle). */
function ancestorsOf(entry: DependencyEntry): Set<DependencyEntry> {
  const seen = new Set<DependencyEntry>();
  const pending = [...entry.dependencies];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    pending.push(...next.dependencies);
  }
  return seen;
}

/** Chains from a root to the target, walking only towards it (no blow-up through unrelated branches). */
function pathsTo(roots: readonly DependencyEntry[], target: DependencyEntry): string[][] {
  const leadsThere = ancestorsOf(target);
  leadsThere.add(target);
  const paths: string[][] = [];
  const walk = (current: DependencyEntry, path: string[]) => {
    const chain = [...path, current.key];
    if (current === target) {
      paths.push(chain);
      return;
    }
    for (const next of current.dependents) if (leadsThere.has(next) && !chain.includes(next.key)) walk(next, chain);
  };
  for (const root of roots) if (leadsThere.has(root)) walk(root, []);
  return paths;
}

/** A Ready message on one line, at most `max` characters. */
export function shortMessage(text: string, max = 100): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** States in which an object does not wait: done, paused, or it got past its dependencies and failed on its own. */
const NOT_WAITING: ReadonlySet<ObjectState> = new Set(['Ready', 'Suspended', 'Failed', 'Stalled']);

/**
 * "waiting for flux-system/infrastructure: Reconciling", "waiting for grade-api/postgres: Failed —
 * <its Ready message>", "…: not found"; several joined by "; ". When the graph shows nothing to
 * wait for but the controller says DependencyNotReady (the watch is behind, or the controller has
 * not rechecked yet), its own message is what the user sees.
 */
function waitingSentence(entry: DependencyEntry): string | undefined {
  if (!entry.object || NOT_WAITING.has(stateOf(entry.object))) return undefined;
  const reasons: string[] = [];
  for (const dependency of entry.dependencies) {
    const name = `${dependency.ref.namespace}/${dependency.ref.name}`;
    if (!dependency.object) {
      reasons.push(`${name}: not found`);
      continue;
    }
    const state = stateOf(dependency.object);
    if (state === 'Ready') continue;
    const message = condition(dependency.object, 'Ready')?.message;
    const failed = (state === 'Failed' || state === 'Stalled') && message ? ` — ${shortMessage(message)}` : '';
    reasons.push(`${name}: ${state}${failed}`);
  }
  if (reasons.length > 0) return `waiting for ${reasons.join('; ')}`;
  const own = condition(entry.object, 'Ready');
  if (own?.reason === 'DependencyNotReady') return `waiting for a dependency: ${shortMessage(own.message ?? 'not ready')}`;
  return undefined;
}
