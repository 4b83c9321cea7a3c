import { EventEmitter, languages, StatusBarAlignment, window, workspace, type ExtensionContext, type TreeDataProvider } from 'vscode';
import type { ObjectRef } from '../cluster';
import { ClusterSessions } from './sessions';
import { FluxTree, HELM_RELEASE_KINDS, KUSTOMIZATION_KINDS, SOURCE_KINDS, viewOfKind, type Node } from './trees';
import { registerClusterCommands } from './commands';
import { ClusterCodeLens, type ObjectsOf } from './codeLens';
import { ReadOnlyDocuments } from './documents';

/** What the extension gets back when the cluster side loads. */
export interface ClusterUi {
  /** Command id → handler; extension.ts registers the ids at activation and calls these. */
  commands: Record<string, (...args: unknown[]) => Promise<unknown>>;
  kustomizations: TreeDataProvider<Node>;
  releases: TreeDataProvider<Node>;
  sources: TreeDataProvider<Node>;
}

export type FluxViewName = 'kustomizations' | 'releases' | 'sources';

/** Shows a node in one of the Flux views (the views belong to extension.ts). */
export type RevealNode = (view: FluxViewName, node: Node) => Promise<void>;

/** Starts the cluster side: connection, live cache, views, commands, CodeLens and status bar. */
/** The language server's effective values of the HelmRelease at a position (see client/src/effectiveValues.ts). */
export type EffectiveValuesOf = (params: { uri: string; position: { line: number; character: number } }) => Promise<{ text: string } | { error: string }>;

export function startClusterUi(context: ExtensionContext, refreshViews: EventEmitter<void>, objectsOf: ObjectsOf, reveal: RevealNode, effectiveValuesOf: EffectiveValuesOf): ClusterUi {
  const sessions = new ClusterSessions();
  const session = sessions.default;
  const documents = new ReadOnlyDocuments();
  let namespaceFilter: string | undefined;
  const kustomizations = new FluxTree(sessions, KUSTOMIZATION_KINDS, 'namespace', refreshViews.event, () => namespaceFilter);
  const releases = new FluxTree(sessions, HELM_RELEASE_KINDS, 'namespace', refreshViews.event, () => namespaceFilter);
  const sources = new FluxTree(sessions, SOURCE_KINDS, 'sourceKind', refreshViews.event, () => namespaceFilter);
  const codeLens = new ClusterCodeLens(sessions, objectsOf);
  const status = window.createStatusBarItem('flux.context', StatusBarAlignment.Left, 10);
  status.name = 'Flux cluster';
  status.command = 'flux.selectContext';
  // The context of the active file's cluster (its workspace folder's mapping), else the default one.
  const renderStatus = () => {
    const shown = sessions.forUri(window.activeTextEditor?.document.uri);
    const state = shown.status;
    status.text = state === 'no cluster' ? '$(debug-disconnect) Flux: no cluster' : `$(${state === 'connected' ? 'cloud' : 'warning'}) Flux: ${shown.context ?? ''}`;
    status.tooltip = state === 'connected' ? `Connected to ${shown.context}. Click to select another context.` : state;
    status.show();
  };

  const pick = async (): Promise<ObjectRef | undefined> => {
    const multi = sessions.shown().length > 1;
    const items = [...kustomizations.objects(), ...releases.objects(), ...sources.objects()].map(({ kind, object, session: from }) => ({
      label: object.metadata.name,
      description: `${kind} ${object.metadata.namespace ?? ''}${multi ? ` · ${from.context ?? ''}` : ''}`,
      ref: { kind, namespace: object.metadata.namespace ?? '', name: object.metadata.name, context: from.context },
    }));
    return (await window.showQuickPick(items, { placeHolder: 'Flux object' }))?.ref;
  };

  context.subscriptions.push(
    sessions,
    documents,
    status,
    sessions.onDidChange(() => {
      refreshViews.fire();
      renderStatus();
    }),
    window.onDidChangeActiveTextEditor(() => renderStatus()),
    // JSON manifests too: the language server reads both.
    languages.registerCodeLensProvider([{ language: 'yaml' }, { language: 'json' }], codeLens),
    workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('helmRelease.cluster')) void sessions.connectAll();
    }),
  );
  const handlers = registerClusterCommands(sessions, documents, pick, { objectsOf, effectiveValuesOf });
  handlers['flux.selectContext'] = async () => {
    const contexts = session.kubeconfig?.contexts() ?? [];
    if (contexts.length === 0) {
      void window.showInformationMessage('No kubeconfig contexts found (KUBECONFIG, ~/.kube/config or helmRelease.cluster.kubeconfig).');
      return 'no contexts';
    }
    const choice = await window.showQuickPick(contexts.map((c) => ({ label: c.name, description: c.server, picked: c.name === session.context })), { placeHolder: 'Kubeconfig context for the Flux views' });
    if (choice) await workspace.getConfiguration('helmRelease.cluster').update('context', choice.label, true);
    return choice?.label ?? 'cancelled';
  };
  handlers['flux.filterNamespace'] = async () => {
    const namespaces = [...new Set([...kustomizations.objects(), ...releases.objects(), ...sources.objects()].map((o) => o.object.metadata.namespace ?? ''))].sort();
    const choice = await window.showQuickPick(['All namespaces', ...namespaces], { placeHolder: 'Show objects of one namespace' });
    if (choice === undefined) return 'cancelled';
    namespaceFilter = choice === 'All namespaces' ? undefined : choice;
    refreshViews.fire();
    return choice;
  };
  handlers['flux.revealObject'] = async (target: unknown) => {
    const ref = (target as ObjectRef | undefined) ?? (await pick());
    if (!ref) return 'nothing selected';
    const view = viewOfKind(ref.kind);
    const node = { kustomizations, releases, sources }[view].nodeOf(ref);
    if (!node) return `${ref.kind} ${ref.namespace}/${ref.name} is not in the view (filtered out, or not on the cluster)`;
    await reveal(view, node);
    return `revealed in ${view}`;
  };
  handlers['flux.refresh'] = async () => {
    await sessions.connectAll();
    return session.status;
  };
  renderStatus();
  void sessions.connectAll();

  return {
    commands: handlers,
    kustomizations,
    releases,
    sources,
  };
}
