import { MarkdownString, ThemeIcon, TreeItem, TreeItemCollapsibleState, type Event, type TreeDataProvider } from 'vscode';
import { buildDependencyGraph, graphKey, inCycle, pathsTo, stateOf, tooltipOf, waitingFor, type DependencyGraph, type ObjectRef } from '../cluster';
import type { ClusterSession } from './session';
import type { ClusterSessions } from './sessions';
import { stateIcon } from './trees';

/** A place in the dependency tree: the chain of keys from a root (an object can sit under several). */
export type DependencyNode =
  | { type: 'dependencyContext'; session: ClusterSession }
  | { type: 'dependencyMessage'; text: string }
  | { type: 'dependency'; session: ClusterSession; path: string[]; ref: ObjectRef };

/**
 * The Dependencies view: Kustomizations and HelmReleases that depend on others or that others
 * depend on; the foundations at the top, each object under what it depends on, coloured by state,
 * with what a not-ready object is waiting for.
 */
export class DependencyView implements TreeDataProvider<DependencyNode> {
  private readonly graphs = new WeakMap<ClusterSession, { revision: unknown; graph: DependencyGraph }>();

  constructor(
    private readonly sessions: ClusterSessions,
    readonly onDidChangeTreeData: Event<void>,
  ) {}

  /** Rebuilt only when the session's cache changed (the graph is cheap, but trees ask often). */
  private graphOf(session: ClusterSession): DependencyGraph {
    const cache = session.cache;
    const kustomizations = cache?.list('Kustomization') ?? [];
    const helmReleases = cache?.list('HelmRelease') ?? [];
    const revision = [...kustomizations, ...helmReleases].map((o) => o.metadata.resourceVersion ?? '').join(',');
    const cached = this.graphs.get(session);
    if (cached && cached.revision === revision) return cached.graph;
    const graph = buildDependencyGraph({ kustomizations, helmReleases });
    this.graphs.set(session, { revision, graph });
    return graph;
  }

  getChildren(node?: DependencyNode): DependencyNode[] {
    if (!node) {
      const shown = this.sessions.shown();
      return shown.length > 1 ? shown.map((session) => ({ type: 'dependencyContext', session })) : this.rootsOf(shown[0]!);
    }
    if (node.type === 'dependencyContext') return this.rootsOf(node.session);
    if (node.type !== 'dependency') return [];
    const key = node.path.at(-1)!;
    const graph = this.graphOf(node.session);
    // A cycle is shown once: an object already above in the chain is not repeated.
    return (graph.nodes.get(key)?.dependents ?? []).filter((d) => !node.path.includes(d)).map((d) => this.node(node.session, graph, [...node.path, d]));
  }

  private rootsOf(session: ClusterSession): DependencyNode[] {
    const status = session.status;
    if (status !== 'connected') return [{ type: 'dependencyMessage', text: status === 'no cluster' ? 'No cluster: no kubeconfig context is selected.' : status }];
    const graph = this.graphOf(session);
    if (graph.roots.length === 0) return [{ type: 'dependencyMessage', text: 'No Kustomization or HelmRelease depends on another.' }];
    return graph.roots.map((key) => this.node(session, graph, [key]));
  }

  private node(session: ClusterSession, graph: DependencyGraph, path: string[]): DependencyNode {
    return { type: 'dependency', session, path, ref: { ...graph.nodes.get(path.at(-1)!)!.ref, context: session.context } };
  }

  getParent(node: DependencyNode): DependencyNode | undefined {
    if (node.type !== 'dependency') return undefined;
    if (node.path.length > 1) return this.node(node.session, this.graphOf(node.session), node.path.slice(0, -1));
    return this.sessions.shown().length > 1 ? { type: 'dependencyContext', session: node.session } : undefined;
  }

  /** Every place of an object in the tree (empty when it takes part in no dependency). */
  nodesOf(ref: ObjectRef): DependencyNode[] {
    const session = this.sessions.forContext(ref.context);
    const graph = this.graphOf(session);
    return pathsTo(graph, graphKey(ref.kind, ref.namespace, ref.name)).map((path) => this.node(session, graph, path));
  }

  getTreeItem(node: DependencyNode): TreeItem {
    if (node.type === 'dependencyMessage') {
      const item = new TreeItem(node.text);
      item.iconPath = new ThemeIcon('info');
      return item;
    }
    if (node.type === 'dependencyContext') {
      const item = new TreeItem(node.session.context ?? '(no context)', TreeItemCollapsibleState.Expanded);
      item.id = `context/${node.session.context ?? ''}`;
      item.description = node.session.status === 'connected' ? node.session.server : node.session.status;
      return item;
    }
    const graph = this.graphOf(node.session);
    const key = node.path.at(-1)!;
    const entry = graph.nodes.get(key)!;
    const hasChildren = entry.dependents.some((d) => !node.path.includes(d));
    const item = new TreeItem(entry.ref.name, hasChildren ? TreeItemCollapsibleState.Expanded : TreeItemCollapsibleState.None);
    item.id = `${this.sessions.shown().length > 1 ? `${node.session.context ?? ''}:` : ''}${node.path.join('>')}`;
    const state = entry.object ? stateOf(entry.object) : 'Unknown';
    const waiting = waitingFor(graph, key);
    const cycle = inCycle(graph, key) ? 'in a dependency cycle' : undefined;
    item.description = [`${entry.ref.kind} · ${entry.ref.namespace}`, entry.object ? undefined : 'not on the cluster', cycle, waiting].filter(Boolean).join(' — ');
    item.iconPath = stateIcon(state);
    item.accessibilityInformation = { label: `${entry.ref.kind} ${entry.ref.namespace}/${entry.ref.name}: ${entry.object ? state : 'not found'}${waiting ? `, ${waiting}` : ''}` };
    if (entry.object) {
      item.tooltip = new MarkdownString([...tooltipOf({ ...entry.object, kind: entry.ref.kind }).split('\n'), ...(waiting ? [waiting] : [])].map((l) => `${l}  `).join('\n'));
      item.contextValue = `fluxObject.${entry.ref.kind}.${entry.object.spec?.suspend === true ? 'suspended' : 'active'}`;
    }
    return item;
  }
}
