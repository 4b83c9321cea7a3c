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
import type { ClusterSessions } from './sessions';

/** Nodes below a context carry its session: commands and events go to that cluster. */
export type Node =
  | { type: 'message'; text: string }
  | { type: 'context'; session: ClusterSession }
  | { type: 'group'; label: string; kind: 'namespace' | 'sourceKind'; session: ClusterSession; children: () => Node[] }
  | { type: 'object'; kind: FluxKind; object: KubeObject; session: ClusterSession }
  | { type: 'section'; label: string; object: KubeObject; section: 'conditions' | 'history' | 'events' | 'inventory'; session: ClusterSession }
  | { type: 'inventoryKind'; owner: KubeObject; kind: string; entries: InventoryEntry[]; session: ClusterSession }
  | { type: 'inventoryEntry'; owner: KubeObject; entry: InventoryEntry; ref?: ObjectRef; object?: KubeObject; session: ClusterSession }
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
  Waiting: new ThemeIcon('watch'),
  Failed: new ThemeIcon('error', new ThemeColor('testing.iconFailed')),
  Stalled: new ThemeIcon('warning', new ThemeColor('list.warningForeground')),
  Suspended: new ThemeIcon('debug-pause'),
  Unknown: new ThemeIcon('question'),
};

/** `idPrefix`: the context, when several are shown (ids must be unique in a view). */
export function stateIcon(state: ObjectState): ThemeIcon {
  return ICONS[state];
}

export function objectItem(kind: FluxKind, object: KubeObject, idPrefix = ''): TreeItem {
  const state = stateOf(object);
  const item = new TreeItem(object.metadata.name, EXPANDABLE.has(kind) ? TreeItemCollapsibleState.Collapsed : TreeItemCollapsibleState.None);
  item.id = `${idPrefix}${kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
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
    private readonly sessions: ClusterSessions,
    private readonly kinds: FluxKind[],
    private readonly groupBy: 'namespace' | 'sourceKind',
    readonly onDidChangeTreeData: Event<void>,
    private readonly namespaceFilter: () => string | undefined,
  ) {}

  /** Several contexts side by side: each is a root, and item ids start with it. */
  private multi(): boolean {
    return this.sessions.shown().length > 1;
  }

  private idPrefix(session: ClusterSession): string {
    return this.multi() ? `${session.context ?? ''}:` : '';
  }

  /** The objects shown, for tests and for commands run from the palette. */
  objects(): Array<{ kind: FluxKind; object: KubeObject; session: ClusterSession }> {
    return this.sessions.shown().flatMap((session) => this.objectsOf(session));
  }

  private objectsOf(session: ClusterSession): Array<{ kind: FluxKind; object: KubeObject; session: ClusterSession }> {
    const cache = session.cache;
    if (!cache) return [];
    const filter = this.namespaceFilter();
    return this.kinds.flatMap((kind) => cache.list(kind).filter((o) => !filter || o.metadata.namespace === filter).map((object) => ({ kind, object, session })));
  }

  /** The parent of an object's node (its group) and of a group (its context), so that the view can reveal them. */
  getParent(node: Node): Node | undefined {
    if (node.type === 'group') return this.multi() ? { type: 'context', session: node.session } : undefined;
    if (node.type !== 'object') return undefined;
    const key = this.groupBy === 'namespace' ? (node.object.metadata.namespace ?? '') : node.kind;
    return this.rootsOf(node.session).find((group) => group.type === 'group' && group.label === key);
  }

  /** The node of an object this tree lists, for reveal. */
  nodeOf(ref: ObjectRef): Node | undefined {
    const session = this.sessions.forContext(ref.context);
    const object = this.kinds.includes(ref.kind) ? session.cache?.get(ref.kind, ref.namespace, ref.name) : undefined;
    return object ? { type: 'object', kind: ref.kind, object, session } : undefined;
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (node?.type === 'section' && node.section === 'events') return this.events(node.object, node.session);
    return this.childrenOf(node);
  }

  /** The latest events of an object, read when its node is expanded (never polled). */
  private async events(object: KubeObject, session: ClusterSession): Promise<Node[]> {
    const api = session.api;
    if (!api) return [];
    try {
      const items = (await listEvents(api, { kind: object.kind ?? 'HelmRelease', namespace: object.metadata.namespace ?? 'default', name: object.metadata.name })).slice(0, 10);
      if (items.length === 0) return [{ type: 'detail', label: 'No events' }];
      return items.map((e) => ({ type: 'detail', label: `${e.reason ?? ''}: ${e.message ?? ''}`, description: e.lastTimestamp ?? e.eventTime, tooltip: `${e.type ?? ''} ${e.message ?? ''}` }));
    } catch (error) {
      return [{ type: 'message', text: `Events cannot be read: ${error instanceof Error ? error.message : String(error)}` }];
    }
  }

  /** A context's namespace or kind groups, or what stops it from showing any. */
  private rootsOf(session: ClusterSession): Node[] {
    const status = session.status;
    if (status !== 'connected') return [{ type: 'message', text: status === 'no cluster' ? 'No cluster: no kubeconfig context is selected.' : status }];
    const objects = this.objectsOf(session);
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
      session,
      children: () => groups.get(key)!.sort((a, b) => a.object.metadata.name.localeCompare(b.object.metadata.name)).map(({ kind, object }) => ({ type: 'object', kind, object, session })),
    }));
  }

  private childrenOf(node?: Node): Node[] {
    if (!node) {
      const shown = this.sessions.shown();
      return shown.length > 1 ? shown.map((session) => ({ type: 'context', session })) : this.rootsOf(shown[0]!);
    }
    if (node.type === 'context') return this.rootsOf(node.session);
    if (node.type === 'group') return node.children();
    if (node.type === 'object' && EXPANDABLE.has(node.kind)) {
      const middle: Node =
        node.kind === 'HelmRelease'
          ? { type: 'section', label: 'Release history', object: node.object, section: 'history', session: node.session }
          : { type: 'section', label: `Inventory (${inventoryOf(node.object).length})`, object: node.object, section: 'inventory', session: node.session };
      return [
        { type: 'section', label: 'Conditions', object: node.object, section: 'conditions', session: node.session },
        middle,
        { type: 'section', label: 'Recent events', object: node.object, section: 'events', session: node.session },
      ];
    }
    if (node.type === 'inventoryKind') {
      return node.entries.map((entry) => {
        const found = fluxRefOf(entry);
        const ref = found ? { ...found, context: node.session.context } : undefined;
        const object = ref ? node.session.cache?.get(ref.kind, ref.namespace, ref.name) : undefined;
        return { type: 'inventoryEntry', owner: node.owner, entry, ref, object, session: node.session };
      });
    }
    if (node.type === 'section') {
      if (node.section === 'inventory') {
        const groups = inventoryByKind(inventoryOf(node.object));
        if (groups.length === 0) return [{ type: 'detail', label: 'Nothing applied yet' }];
        return groups.map((g) => ({ type: 'inventoryKind', owner: node.object, kind: g.kind, entries: g.entries, session: node.session }));
      }
      if (node.section === 'conditions') {
        return (node.object.status?.conditions ?? []).map((c) => ({ type: 'detail', label: `${c.type}: ${c.status}`, description: c.reason, tooltip: c.message }));
      }
      return (node.object.status?.history ?? []).map((h) => ({ type: 'detail', label: `v${h.version ?? '?'} ${h.chartName ?? ''}@${h.chartVersion ?? ''}`, description: [h.status, h.action].filter(Boolean).join(' · ') || undefined }));
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
      case 'context': {
        const status = node.session.status;
        const item = new TreeItem(node.session.context ?? '(no context)', TreeItemCollapsibleState.Expanded);
        item.id = `context/${node.session.context ?? ''}`;
        item.description = status === 'connected' ? node.session.server : status;
        item.iconPath = new ThemeIcon(status === 'connected' ? 'cloud' : 'warning');
        item.contextValue = 'fluxContext';
        return item;
      }
      case 'inventoryKind': {
        const item = new TreeItem(node.kind, TreeItemCollapsibleState.Collapsed);
        item.id = `${this.idPrefix(node.session)}${ownerId(node.owner)}/inventory/${node.kind}`;
        item.description = String(node.entries.length);
        item.iconPath = new ThemeIcon('symbol-class');
        return item;
      }
      case 'inventoryEntry':
        return inventoryEntryItem(node, this.idPrefix(node.session));
      case 'group': {
        const item = new TreeItem(node.label || '(cluster-scoped)', TreeItemCollapsibleState.Expanded);
        item.id = `${this.idPrefix(node.session)}group/${node.label}`;
        item.iconPath = new ThemeIcon(node.kind === 'namespace' ? 'symbol-namespace' : 'package');
        return item;
      }
      case 'object':
        return objectItem(node.kind, node.object, this.idPrefix(node.session));
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
function inventoryEntryItem(node: Extract<Node, { type: 'inventoryEntry' }>, idPrefix: string): TreeItem {
  const { entry } = node;
  const label = entry.namespace ? `${entry.namespace}/${entry.name}` : entry.name;
  const item = node.ref && node.object ? objectItem(node.ref.kind, node.object) : new TreeItem(label);
  item.label = label;
  item.collapsibleState = TreeItemCollapsibleState.None;
  item.id = `${idPrefix}${ownerId(node.owner)}/inventory/${entry.kind}/${entry.namespace}/${entry.name}`;
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
