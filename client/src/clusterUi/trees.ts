import { MarkdownString, ThemeColor, ThemeIcon, TreeItem, TreeItemCollapsibleState, type Event, type TreeDataProvider } from 'vscode';
import {
  anyRevisionOf,
  fluxKinds,
  fluxRefOf,
  inventoryByKind,
  inventoryOf,
  listEvents,
  shortenHex,
  stateOf,
  tooltipOf,
  type FluxKind,
  type InventoryEntry,
  type KubeObject,
  type ObjectRef,
  type ObjectState,
} from '../cluster';
import type { ClusterSession } from './session';

export type Node =
  | { type: 'message'; text: string }
  | { type: 'group'; label: string; kind: 'namespace' | 'sourceKind'; children: () => Node[] }
  | { type: 'object'; kind: FluxKind; object: KubeObject }
  | { type: 'section'; label: string; object: KubeObject; section: 'conditions' | 'history' | 'events' | 'inventory' }
  | { type: 'inventoryKind'; owner: KubeObject; kind: string; entries: InventoryEntry[] }
  | { type: 'inventoryEntry'; owner: KubeObject; entry: InventoryEntry; ref?: ObjectRef; object?: KubeObject }
  | { type: 'detail'; label: string; description?: string; tooltip?: string };

/** Kinds whose items expand into sections (conditions, history or inventory, events). */
const EXPANDABLE: ReadonlySet<FluxKind> = new Set(['HelmRelease', 'Kustomization']);

/** The view that lists a kind, for "reveal" from a Kustomization's inventory. */
export function viewOfKind(kind: FluxKind): 'kustomizations' | 'releases' | 'sources' {
  if (kind === 'Kustomization') return 'kustomizations';
  return kind === 'HelmRelease' ? 'releases' : 'sources';
}

const ICONS: Record<ObjectState, ThemeIcon> = {
  Ready: new ThemeIcon('pass-filled', new ThemeColor('testing.iconPassed')),
  Reconciling: new ThemeIcon('sync~spin'),
  Failed: new ThemeIcon('error', new ThemeColor('testing.iconFailed')),
  Stalled: new ThemeIcon('warning', new ThemeColor('list.warningForeground')),
  Suspended: new ThemeIcon('debug-pause'),
  Unknown: new ThemeIcon('question'),
};

export function objectItem(kind: FluxKind, object: KubeObject): TreeItem {
  const state = stateOf(object);
  const item = new TreeItem(object.metadata.name, EXPANDABLE.has(kind) ? TreeItemCollapsibleState.Collapsed : TreeItemCollapsibleState.None);
  item.id = `${kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
  const full = anyRevisionOf({ ...object, kind });
  // A Git revision (`main@sha1:<40 hex>`) is shortened as `flux get ks` does; chart versions stay.
  const revision = kind === 'Kustomization' && full ? shortenHex(full) : full;
  item.description = [EXPANDABLE.has(kind) ? undefined : kind, revision].filter(Boolean).join(' · ');
  item.iconPath = ICONS[state];
  // The icon alone shows the state; a screen reader says it.
  item.accessibilityInformation = { label: `${kind} ${object.metadata.name}: ${state}${revision ? `, revision ${revision}` : ''}` };
  item.tooltip = new MarkdownString(tooltipOf(object).split('\n').map((l) => `${l}  `).join('\n'));
  item.contextValue = `fluxObject.${kind}.${object.spec?.suspend === true ? 'suspended' : 'active'}`;
  return item;
}

/** The objects of one or more kinds, grouped by namespace (HelmReleases) or by kind (sources). */
export class FluxTree implements TreeDataProvider<Node> {
  constructor(
    private readonly session: ClusterSession,
    private readonly kinds: FluxKind[],
    private readonly groupBy: 'namespace' | 'sourceKind',
    readonly onDidChangeTreeData: Event<void>,
    private readonly namespaceFilter: () => string | undefined,
  ) {}

  /** The objects shown, for tests and for commands run from the palette. */
  objects(): Array<{ kind: FluxKind; object: KubeObject }> {
    const cache = this.session.cache;
    if (!cache) return [];
    const filter = this.namespaceFilter();
    return this.kinds.flatMap((kind) => cache.list(kind).filter((o) => !filter || o.metadata.namespace === filter).map((object) => ({ kind, object })));
  }

  /** The parent of an object's node (its group), so that the view can reveal it. */
  getParent(node: Node): Node | undefined {
    if (node.type !== 'object') return undefined;
    const key = this.groupBy === 'namespace' ? (node.object.metadata.namespace ?? '') : node.kind;
    return this.childrenOf(undefined).find((group) => group.type === 'group' && group.label === key);
  }

  /** The node of an object this tree lists, for reveal. */
  nodeOf(ref: ObjectRef): Node | undefined {
    const object = this.kinds.includes(ref.kind) ? this.session.cache?.get(ref.kind, ref.namespace, ref.name) : undefined;
    return object ? { type: 'object', kind: ref.kind, object } : undefined;
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (node?.type === 'section' && node.section === 'events') return this.events(node.object);
    return this.childrenOf(node);
  }

  /** The latest events of an object, read when its node is expanded (never polled). */
  private async events(object: KubeObject): Promise<Node[]> {
    const api = this.session.api;
    if (!api) return [];
    try {
      const items = (await listEvents(api, { kind: object.kind ?? 'HelmRelease', namespace: object.metadata.namespace ?? 'default', name: object.metadata.name })).slice(0, 10);
      if (items.length === 0) return [{ type: 'detail', label: 'No events' }];
      return items.map((e) => ({ type: 'detail', label: `${e.reason ?? ''}: ${e.message ?? ''}`, description: e.lastTimestamp ?? e.eventTime, tooltip: `${e.type ?? ''} ${e.message ?? ''}` }));
    } catch (error) {
      return [{ type: 'message', text: `Events cannot be read: ${error instanceof Error ? error.message : String(error)}` }];
    }
  }

  private childrenOf(node?: Node): Node[] {
    if (!node) {
      const status = this.session.status;
      if (status !== 'connected') return [{ type: 'message', text: status === 'no cluster' ? 'No cluster: no kubeconfig context is selected.' : status }];
      const objects = this.objects();
      if (objects.length === 0) return [{ type: 'message', text: 'No objects.' }];
      const groups = new Map<string, Array<{ kind: FluxKind; object: KubeObject }>>();
      for (const entry of objects) {
        const key = this.groupBy === 'namespace' ? (entry.object.metadata.namespace ?? '') : entry.kind;
        groups.set(key, [...(groups.get(key) ?? []), entry]);
      }
      return [...groups.keys()].sort().map((key) => ({
        type: 'group',
        label: key,
        kind: this.groupBy,
        children: () => groups.get(key)!.sort((a, b) => a.object.metadata.name.localeCompare(b.object.metadata.name)).map(({ kind, object }) => ({ type: 'object', kind, object })),
      }));
    }
    if (node.type === 'group') return node.children();
    if (node.type === 'object' && EXPANDABLE.has(node.kind)) {
      const middle: Node =
        node.kind === 'HelmRelease'
          ? { type: 'section', label: 'Release history', object: node.object, section: 'history' }
          : { type: 'section', label: `Inventory (${inventoryOf(node.object).length})`, object: node.object, section: 'inventory' };
      return [
        { type: 'section', label: 'Conditions', object: node.object, section: 'conditions' },
        middle,
        { type: 'section', label: 'Recent events', object: node.object, section: 'events' },
      ];
    }
    if (node.type === 'inventoryKind') {
      return node.entries.map((entry) => {
        const ref = fluxRefOf(entry);
        const object = ref ? this.session.cache?.get(ref.kind, ref.namespace, ref.name) : undefined;
        return { type: 'inventoryEntry', owner: node.owner, entry, ref, object };
      });
    }
    if (node.type === 'section') {
      if (node.section === 'inventory') {
        const groups = inventoryByKind(inventoryOf(node.object));
        if (groups.length === 0) return [{ type: 'detail', label: 'Nothing applied yet' }];
        return groups.map((g) => ({ type: 'inventoryKind', owner: node.object, kind: g.kind, entries: g.entries }));
      }
      if (node.section === 'conditions') {
        return (node.object.status?.conditions ?? []).map((c) => ({ type: 'detail', label: `${c.type}: ${c.status}`, description: c.reason, tooltip: c.message }));
      }
      return (node.object.status?.history ?? []).map((h) => ({ type: 'detail', label: `v${h.version ?? '?'} ${h.chartName ?? ''}@${h.chartVersion ?? ''}`, description: h.status }));
    }
    return [];
  }

  getTreeItem(node: Node): TreeItem {
    switch (node.type) {
      case 'message': {
        const item = new TreeItem(node.text);
        item.iconPath = new ThemeIcon('info');
        return item;
      }
      case 'inventoryKind': {
        const item = new TreeItem(node.kind, TreeItemCollapsibleState.Collapsed);
        item.id = `${ownerId(node.owner)}/inventory/${node.kind}`;
        item.description = String(node.entries.length);
        item.iconPath = new ThemeIcon('symbol-class');
        return item;
      }
      case 'inventoryEntry':
        return inventoryEntryItem(node);
      case 'group': {
        const item = new TreeItem(node.label || '(cluster-scoped)', TreeItemCollapsibleState.Expanded);
        item.id = `group/${node.label}`;
        item.iconPath = new ThemeIcon(node.kind === 'namespace' ? 'symbol-namespace' : 'package');
        return item;
      }
      case 'object':
        return objectItem(node.kind, node.object);
      case 'section':
        return new TreeItem(node.label, TreeItemCollapsibleState.Collapsed);
      case 'detail': {
        const item = new TreeItem(node.label);
        item.description = node.description;
        item.tooltip = node.tooltip;
        return item;
      }
    }
  }
}

const ownerId = (owner: KubeObject) => `Kustomization/${owner.metadata.namespace ?? ''}/${owner.metadata.name}`;

/**
 * One object a Kustomization applied. A Flux object the view lists looks like its own item (state,
 * revision, the same commands) and opens it in its view when clicked; any other object is a plain row.
 */
function inventoryEntryItem(node: Extract<Node, { type: 'inventoryEntry' }>): TreeItem {
  const { entry } = node;
  const label = entry.namespace ? `${entry.namespace}/${entry.name}` : entry.name;
  const item = node.ref && node.object ? objectItem(node.ref.kind, node.object) : new TreeItem(label);
  item.label = label;
  item.collapsibleState = TreeItemCollapsibleState.None;
  item.id = `${ownerId(node.owner)}/inventory/${entry.kind}/${entry.namespace}/${entry.name}`;
  if (node.ref) {
    item.command = { command: 'flux.revealObject', title: 'Reveal in Flux View', arguments: [node.ref] };
    if (!node.object) item.description = 'not listed (filtered out, or not on the cluster)';
  } else {
    item.description = `${entry.group ? `${entry.group}/` : ''}${entry.version}`;
    item.iconPath = new ThemeIcon('symbol-field');
  }
  return item;
}

export const KUSTOMIZATION_KINDS: FluxKind[] = ['Kustomization'];
export const HELM_RELEASE_KINDS: FluxKind[] = ['HelmRelease'];
export const SOURCE_KINDS: FluxKind[] = (Object.keys(fluxKinds) as FluxKind[]).filter((k) => k !== 'HelmRelease' && k !== 'Kustomization');
