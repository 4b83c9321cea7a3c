// The dependency graph as a tree: foundations at the top, each object under every object it
// depends on (so it can appear several times), cycles cut, coloured by state, with what a
// not-ready object is waiting for.
import { ThemeColor, ThemeIcon, TreeItem, TreeItemCollapsibleState, type Disposable, type Event, type TreeDataProvider } from 'vscode';
import { buildDependencyModel, isDependencyKind, type DependencyEntry, type DependencyModel } from '../cluster/dependencies';
import { stateOf, tooltipOf, type ObjectState } from '../cluster/status';
import type { KubeObject } from '../cluster/types';

/** A place in the tree: `path` is the chain of keys from a root, so the same object twice has two nodes. */
export type DependencyNode = { type: 'message'; text: string } | { type: 'object'; path: readonly string[] };

export type DependencyObjects = { kustomizations: KubeObject[]; helmReleases: KubeObject[] };

// Own map (the one in trees.ts is private to it): the same state → icon idea.
const STATE_ICONS: Record<ObjectState, ThemeIcon> = {
  Ready: new ThemeIcon('pass-filled', new ThemeColor('testing.iconPassed')),
  Reconciling: new ThemeIcon('sync~spin'),
  Waiting: new ThemeIcon('watch'),
  Failed: new ThemeIcon('error', new ThemeColor('testing.iconFailed')),
  Stalled: new ThemeIcon('warning', new ThemeColor('list.warningForeground')),
  Suspended: new ThemeIcon('debug-pause'),
  Unknown: new ThemeIcon('question'),
};
const MISSING_ICON = new ThemeIcon('circle-slash', new ThemeColor('list.errorForeground'));

export class DependencyTree implements TreeDataProvider<DependencyNode>, Disposable {
  /** Built once per change: getTreeItem and getParent are called per node and must agree with getChildren. */
  private model: DependencyModel | string | undefined;
  private readonly subscription: Disposable;

  constructor(
    private readonly objects: () => DependencyObjects | string,
    readonly onDidChangeTreeData: Event<void>,
  ) {
    this.subscription = onDidChangeTreeData(() => {
      this.model = undefined;
    });
  }

  dispose(): void {
    this.subscription.dispose();
  }

  /** The model of the objects now shown, or the status text when there is no cluster to read. */
  current(): DependencyModel | string {
    if (this.model === undefined) {
      const objects = this.objects();
      this.model = typeof objects === 'string' ? objects : buildDependencyModel(objects);
    }
    return this.model;
  }

  getChildren(node?: DependencyNode): DependencyNode[] {
    const model = this.current();
    if (typeof model === 'string') return node ? [] : [{ type: 'message', text: model }];
    if (!node) {
      if (model.roots.length === 0) return [{ type: 'message', text: 'No Kustomizations or HelmReleases.' }];
      return model.roots.map((root) => ({ type: 'object', path: [root.key] }));
    }
    if (node.type !== 'object') return [];
    return model.childrenOf(node.path).map((child) => ({ type: 'object', path: [...node.path, child.key] }));
  }

  /** The position above: the chain without its last key (a root has none), so that `TreeView.reveal` works. */
  getParent(node: DependencyNode): DependencyNode | undefined {
    return node.type === 'object' && node.path.length > 1 ? { type: 'object', path: node.path.slice(0, -1) } : undefined;
  }

  /** Every node of an object (one per chain from a root), for "Show in dependency graph"; empty when not shown. */
  findNodes(ref: { kind: string; namespace: string; name: string }): DependencyNode[] {
    const model = this.current();
    // Any Flux object ref may come in (from a view or a manifest): only these two kinds have dependencies.
    if (typeof model === 'string' || !isDependencyKind(ref.kind)) return [];
    return model.pathTo({ kind: ref.kind, namespace: ref.namespace, name: ref.name }).map((path) => ({ type: 'object', path }));
  }

  getTreeItem(node: DependencyNode): TreeItem {
    const model = this.current();
    const entry = node.type === 'object' && typeof model !== 'string' ? model.entries.get(node.path[node.path.length - 1] ?? '') : undefined;
    if (node.type === 'message' || !entry || typeof model === 'string') {
      const item = new TreeItem(node.type === 'message' ? node.text : 'No longer on the cluster');
      item.iconPath = new ThemeIcon('info');
      return item;
    }
    return entryItem(model, entry, node.path);
  }
}

function entryItem(model: DependencyModel, entry: DependencyEntry, path: readonly string[]): TreeItem {
  const { kind, namespace, name } = entry.ref;
  const hasChildren = model.childrenOf(path).length > 0;
  const item = new TreeItem(name, hasChildren ? TreeItemCollapsibleState.Expanded : TreeItemCollapsibleState.None);
  // Unique per position: the same object under two dependencies has two items.
  item.id = path.join('>');
  const state = entry.object ? stateOf(entry.object) : undefined;
  const waiting = entry.object ? model.waitingFor(entry.object) : undefined;
  const notes = [entry.missing ? 'not found' : undefined, entry.inCycle ? 'in a dependency cycle' : undefined, waiting].filter((n): n is string => n !== undefined);
  item.description = [`${kind} · ${namespace}`, ...notes].join(' — ');
  item.iconPath = state ? STATE_ICONS[state] : MISSING_ICON;
  // The icon alone shows the state; a screen reader says it.
  item.accessibilityInformation = { label: `${kind} ${namespace}/${name}: ${state ?? 'not found'}${waiting ? `, ${waiting}` : ''}` };
  if (entry.object) {
    item.tooltip = [tooltipOf({ ...entry.object, kind }), ...notes].join('\n');
    // The object commands of the Flux views (reconcile, suspend, …) apply here too.
    item.contextValue = `fluxObject.${kind}.${entry.object.spec?.suspend === true ? 'suspended' : 'active'}`;
  } else {
    item.tooltip = `${kind} ${namespace}/${name} is named in dependsOn but is not on the cluster.`;
    item.contextValue = 'fluxMissingDependency';
  }
  return item;
}
