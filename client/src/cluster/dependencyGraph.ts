// The `spec.dependsOn` graph of a cluster: Kustomizations on Kustomizations, HelmReleases on
// HelmReleases (a missing namespace means the dependent's own), and what a not-ready object is
// waiting for, in the words `flux get` users know.
import { condition, stateOf } from './status';
import type { FluxKind, KubeObject, ObjectRef } from './types';

export type GraphKind = Extract<FluxKind, 'Kustomization' | 'HelmRelease'>;

export interface GraphNode {
  key: string;
  ref: ObjectRef & { kind: GraphKind };
  /** Absent when a dependsOn entry names an object that is not on the cluster. */
  object?: KubeObject;
  dependsOn: string[];
  dependents: string[];
}

export interface DependencyGraph {
  nodes: Map<string, GraphNode>;
  /** The objects to start from: those that depend on nothing present, plus one of each cycle no root reaches. */
  roots: string[];
}

export const graphKey = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;

/** The graph of the objects that take part in a dependency (an object with none is left out). */
export function buildDependencyGraph(objects: { kustomizations: readonly KubeObject[]; helmReleases: readonly KubeObject[] }): DependencyGraph {
  const nodes = new Map<string, GraphNode>();
  const node = (kind: GraphKind, namespace: string, name: string): GraphNode => {
    const key = graphKey(kind, namespace, name);
    let found = nodes.get(key);
    if (!found) {
      found = { key, ref: { kind, namespace, name }, dependsOn: [], dependents: [] };
      nodes.set(key, found);
    }
    return found;
  };
  const add = (kind: GraphKind, list: readonly KubeObject[]) => {
    for (const object of list) {
      const namespace = object.metadata.namespace ?? 'default';
      const raw = object.spec?.dependsOn;
      const entries = Array.isArray(raw) ? (raw as Array<{ name?: unknown; namespace?: unknown }>) : [];
      const self = node(kind, namespace, object.metadata.name);
      self.object = object;
      for (const entry of entries) {
        if (typeof entry?.name !== 'string' || entry.name === '') continue;
        const target = node(kind, typeof entry.namespace === 'string' && entry.namespace !== '' ? entry.namespace : namespace, entry.name);
        if (!self.dependsOn.includes(target.key)) self.dependsOn.push(target.key);
        if (!target.dependents.includes(self.key)) target.dependents.push(self.key);
      }
    }
  };
  add('Kustomization', objects.kustomizations);
  add('HelmRelease', objects.helmReleases);
  for (const [key, n] of nodes) if (n.dependsOn.length === 0 && n.dependents.length === 0) nodes.delete(key);

  const sorted = [...nodes.values()].sort((a, b) => a.key.localeCompare(b.key));
  // A root depends on nothing that is on the cluster (a missing dependency shows on the object).
  const roots = sorted.filter((n) => n.object && n.dependsOn.every((d) => !nodes.get(d)?.object)).map((n) => n.key);
  const reached = new Set<string>();
  const visit = (key: string) => {
    if (reached.has(key)) return;
    reached.add(key);
    for (const d of nodes.get(key)?.dependents ?? []) visit(d);
  };
  roots.forEach(visit);
  for (const n of sorted) {
    if (n.object && !reached.has(n.key)) {
      roots.push(n.key);
      visit(n.key);
    }
  }
  return { nodes, roots };
}

/** True when following dependsOn from `key` leads back to it. */
export function inCycle(graph: DependencyGraph, key: string): boolean {
  const seen = new Set<string>();
  const stack = [...(graph.nodes.get(key)?.dependsOn ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (next === key) return true;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(graph.nodes.get(next)?.dependsOn ?? []));
  }
  return false;
}

const shorten = (text: string, max = 120) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * What a not-ready object waits for: "waiting for flux-system/infrastructure: Reconciling", the
 * dependency's Ready message when it failed, "not found" when it is not on the cluster; undefined
 * when the object is ready or its dependencies are.
 */
export function waitingFor(graph: DependencyGraph, key: string): string | undefined {
  const self = graph.nodes.get(key);
  if (!self?.object || stateOf(self.object) === 'Ready') return undefined;
  const reasons: string[] = [];
  for (const d of self.dependsOn) {
    const dependency = graph.nodes.get(d);
    if (!dependency) continue;
    const name = `${dependency.ref.namespace}/${dependency.ref.name}`;
    if (!dependency.object) {
      reasons.push(`${name}: not found`);
      continue;
    }
    const state = stateOf(dependency.object);
    if (state === 'Ready') continue;
    const message = condition(dependency.object, 'Ready')?.message;
    reasons.push(`${name}: ${state}${(state === 'Failed' || state === 'Stalled') && message ? ` — ${shorten(message)}` : ''}`);
  }
  if (reasons.length > 0) return `waiting for ${reasons.join('; ')}`;
  // The controller may know before the watch does: its own word.
  const ready = condition(self.object, 'Ready');
  return ready?.reason === 'DependencyNotReady' && ready.message ? shorten(ready.message) : undefined;
}

/** The chains of keys from a root down to `key` (an object can sit under several roots). */
export function pathsTo(graph: DependencyGraph, key: string): string[][] {
  const out: string[][] = [];
  const walk = (current: string, path: string[]) => {
    if (path.includes(current)) return;
    const next = [...path, current];
    if (current === key) {
      out.push(next);
      return;
    }
    for (const d of graph.nodes.get(current)?.dependents ?? []) walk(d, next);
  };
  for (const root of graph.roots) walk(root, []);
  return out;
}
