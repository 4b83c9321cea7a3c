import { MarkdownString, ThemeColor, ThemeIcon, TreeItem, TreeItemCollapsibleState, type Event, type TreeDataProvider } from 'vscode';
import { fluxKinds, listEvents, revisionOf, sourceRevisionOf, stateOf, tooltipOf, type FluxKind, type KubeObject, type ObjectState } from '../cluster';
import type { ClusterSession } from './session';

export type Node =
  | { type: 'message'; text: string }
  | { type: 'group'; label: string; kind: 'namespace' | 'sourceKind'; children: () => Node[] }
  | { type: 'object'; kind: FluxKind; object: KubeObject }
  | { type: 'section'; label: string; object: KubeObject; section: 'conditions' | 'history' | 'events' }
  | { type: 'detail'; label: string; description?: string; tooltip?: string };

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
  const item = new TreeItem(object.metadata.name, kind === 'HelmRelease' ? TreeItemCollapsibleState.Collapsed : TreeItemCollapsibleState.None);
  item.id = `${kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
  const revision = kind === 'HelmRelease' ? revisionOf(object) : sourceRevisionOf(object);
  item.description = [kind === 'HelmRelease' ? undefined : kind, revision].filter(Boolean).join(' · ');
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
    if (node.type === 'object' && node.kind === 'HelmRelease') {
      return [
        { type: 'section', label: 'Conditions', object: node.object, section: 'conditions' },
        { type: 'section', label: 'Release history', object: node.object, section: 'history' },
        { type: 'section', label: 'Recent events', object: node.object, section: 'events' },
      ];
    }
    if (node.type === 'section') {
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
      case 'group': {
        const item = new TreeItem(node.label || '(cluster-scoped)', TreeItemCollapsibleState.Expanded);
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

export const HELM_RELEASE_KINDS: FluxKind[] = ['HelmRelease'];
export const SOURCE_KINDS: FluxKind[] = (Object.keys(fluxKinds) as FluxKind[]).filter((k) => k !== 'HelmRelease');
