import { EventEmitter, languages, StatusBarAlignment, window, workspace, type ExtensionContext, type TreeDataProvider } from 'vscode';
import type { ObjectRef } from '../cluster';
import { ClusterSessions } from './sessions';
import { FluxTree, HELM_RELEASE_KINDS, KUSTOMIZATION_KINDS, SOURCE_KINDS, viewOfKind, type Node } from './trees';
import { refOf, registerClusterCommands } from './commands';
import { DependencyView, type DependencyNode } from './dependencyView';
import { ClusterCodeLens, type ObjectsOf } from './codeLens';
import { ReadOnlyDocuments } from './documents';

/** What the extension gets back when the cluster side loads. */
export interface ClusterUi {
  /** Command id → handler; extension.ts registers the ids at activation and calls these. */
  commands: Record<string, (...args: unknown[]) => Promise<unknown>>;
  kustomizations: TreeDataProvider<Node>;
  releases: TreeDataProvider<Node>;
  sources: TreeDataProvider<Node>;
  dependencies: TreeDataProvider<DependencyNode>;
}

export type FluxViewName = 'kustomizations' | 'releases' | 'sources';

/** Shows a node in one of the Flux views (the views belong to extension.ts). */
export type RevealNode = (view: FluxViewName | 'dependencies', node: Node | DependencyNode) => Promise<void>;

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
  const dependencies = new DependencyView(sessions, refreshViews.event);
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

  /** The Kustomization or HelmRelease the cursor is in, on the cluster of the file's folder. */
  const objectAtCursor = async (): Promise<ObjectRef | undefined> => {
    const editor = window.activeTextEditor;
    if (!editor) return undefined;
    const line = editor.selection.active.line;
    const objects = (await objectsOf(editor.document)).filter((o) => (o.kind === 'Kustomization' || o.kind === 'HelmRelease') && o.line <= line);
    const written = objects.sort((a, b) => b.line - a.line)[0];
    if (!written) return undefined;
    const session = sessions.forUri(editor.document.uri);
    const kind = written.kind as 'Kustomization' | 'HelmRelease';
    // Without metadata.namespace, a name found in exactly one namespace is taken to be it (as the CodeLens does).
    const candidates = (session.cache?.list(kind) ?? []).filter((o) => o.metadata.name === written.name && (written.namespace === undefined || o.metadata.namespace === written.namespace));
    const namespace = written.namespace ?? (candidates.length === 1 ? candidates[0]!.metadata.namespace : undefined);
    return namespace === undefined ? undefined : { kind, namespace, name: written.name, context: session.context };
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
  handlers['flux.showInDependencyGraph'] = async (target: unknown) => {
    const ref = refOf(target as Parameters<typeof refOf>[0]) ?? (await objectAtCursor());
    if (!ref) return 'place the cursor in a Kustomization or HelmRelease, or pick one in a Flux view';
    const [first] = dependencies.nodesOf(ref);
    if (!first) {
      void window.showInformationMessage(`${ref.kind} ${ref.namespace}/${ref.name} depends on nothing, and nothing depends on it.`);
      return 'no dependencies';
    }
    await reveal('dependencies', first);
    return `shown under ${first.type === 'dependency' ? first.path.join(' > ') : ''}`;
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
    dependencies,
  };
}
