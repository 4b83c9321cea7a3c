// What a Flux Kustomization applied, from its `status.inventory`: kustomize-controller writes one
// entry per object, `<namespace>_<name>_<group>_<kind>` (namespace empty for cluster-scoped objects,
// group empty for the core API) with the API version in `v`.
import { fluxKinds, isFluxKind, type KubeObject, type ObjectRef } from './types';

export interface InventoryEntry {
  namespace: string;
  name: string;
  group: string;
  kind: string;
  version: string;
}

/** The Kustomization's inventory entries; malformed ids are left out. */
export function inventoryOf(kustomization: KubeObject): InventoryEntry[] {
  const entries = kustomization.status?.inventory?.entries;
  if (!Array.isArray(entries)) return [];
  const out: InventoryEntry[] = [];
  for (const entry of entries) {
    // Namespaces, names, groups and kinds never contain `_`, so the id splits into exactly four.
    const parts = typeof entry?.id === 'string' ? entry.id.split('_') : [];
    if (parts.length !== 4 || !parts[1] || !parts[3]) continue;
    out.push({ namespace: parts[0]!, name: parts[1], group: parts[2]!, kind: parts[3], version: typeof entry.v === 'string' ? entry.v : '' });
  }
  return out;
}

/** The entries grouped by kind, kinds and names sorted. */
export function inventoryByKind(entries: readonly InventoryEntry[]): Array<{ kind: string; entries: InventoryEntry[] }> {
  const groups = new Map<string, InventoryEntry[]>();
  for (const entry of entries) groups.set(entry.kind, [...(groups.get(entry.kind) ?? []), entry]);
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, list]) => ({ kind, entries: list.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`)) }));
}

/** The Flux object an entry names, when it is of a kind the extension watches (same group). */
export function fluxRefOf(entry: InventoryEntry): ObjectRef | undefined {
  if (!isFluxKind(entry.kind) || fluxKinds[entry.kind].group !== entry.group) return undefined;
  return { kind: entry.kind, namespace: entry.namespace, name: entry.name };
}
