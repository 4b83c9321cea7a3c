import * as path from 'path';
import { commands, EventEmitter, window, workspace, type ExtensionContext, type TreeDataProvider, type TreeView } from 'vscode';
import type { ClusterUi, FluxViewName } from './clusterUi';
import { startClusterWhenUseful } from './clusterAutoStart';
import type { Node as ClusterNode } from './clusterUi/trees';
import type { DependencyNode } from './clusterUi/dependencyView';
import { registerEffectiveValues } from './effectiveValues';
import { EnteredCredentials, registerRegistryCredentials } from './registryCredentials';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { RunningClient } from './languageClient';
import { coexistWithRedHatYaml } from './redHatYaml';

let client: LanguageClient | undefined;
let running: RunningClient | undefined;

/**
 * The cluster side, loaded on first use (the Flux view opened, a cluster command run, or a Flux
 * manifest open with a kubeconfig present), never during activation.
 */
let clusterUi: Promise<ClusterUi> | undefined;
let loadedClusterUi: ClusterUi | undefined;

const CLUSTER_COMMANDS = [
  'flux.reconcile', 'flux.reconcileWithSource', 'flux.reconcileForce', 'flux.reconcileReset', 'flux.suspend', 'flux.resume',
  'flux.showLiveObject', 'flux.compareWithLive', 'flux.showEvents', 'flux.showHistory', 'flux.copyName', 'flux.selectContext',
  'flux.filterNamespace', 'flux.refresh', 'flux.revealObject', 'flux.compareDeployed', 'flux.showInDependencyGraph',
];

function registerCluster(context: ExtensionContext): void {
  const refresh = new EventEmitter<void>();
  const load = () => {
    clusterUi ??= Promise.resolve().then(() => {
      // A separate bundle, so that the Kubernetes client is not read while VS Code starts.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a bundle loaded at run time, on first use
      const module = require(path.join(__dirname, 'clusterUi.js')) as typeof import('./clusterUi');
      loadedClusterUi = module.startClusterUi(
        context,
        refresh,
        async (document) => (running ? running.objects(document.uri) : []),
        async (which, node) => {
          const view = (which === 'dependencies' ? dependencyView : views[which]) as TreeView<unknown>;
          await view.reveal(node, { select: true, focus: true, expand: true });
        },
        async (params) => (running ? running.effectiveValues(params) : { error: 'the language server is not running yet' }),
      );
      return loadedClusterUi;
    });
    return clusterUi;
  };
  // In Restricted Mode the cluster stays off: the kubeconfig may name credential plugins to run.
  const proxy = (which: FluxViewName): TreeDataProvider<ClusterNode> => ({
    onDidChangeTreeData: refresh.event,
    getChildren: async (node) => (workspace.isTrusted ? ((await (await load())[which].getChildren?.(node)) ?? []) : []),
    getTreeItem: (node) => loadedClusterUi![which].getTreeItem(node),
    getParent: (node) => loadedClusterUi?.[which].getParent?.(node),
  });
  const views: Record<FluxViewName, TreeView<ClusterNode>> = {
    kustomizations: window.createTreeView('flux.kustomizations', { treeDataProvider: proxy('kustomizations'), canSelectMany: true, showCollapseAll: true }),
    releases: window.createTreeView('flux.helmReleases', { treeDataProvider: proxy('releases'), canSelectMany: true, showCollapseAll: true }),
    sources: window.createTreeView('flux.sources', { treeDataProvider: proxy('sources'), canSelectMany: true }),
  };
  const dependencyView = window.createTreeView('flux.dependencies', {
    treeDataProvider: {
      onDidChangeTreeData: refresh.event,
      getChildren: async (node?: DependencyNode) => (workspace.isTrusted ? ((await (await load()).dependencies.getChildren?.(node)) ?? []) : []),
      getTreeItem: (node: DependencyNode) => loadedClusterUi!.dependencies.getTreeItem(node),
      getParent: (node: DependencyNode) => loadedClusterUi?.dependencies.getParent?.(node),
    },
    showCollapseAll: true,
  });
  context.subscriptions.push(
    refresh,
    ...Object.values(views),
    dependencyView,
    ...CLUSTER_COMMANDS.map((id) =>
      commands.registerCommand(id, async (...args: unknown[]) => {
        if (!workspace.isTrusted) {
          void window.showWarningMessage('Flux cluster commands need a trusted workspace: your kubeconfig may name programs to run. Trust the workspace to use them.');
          return undefined;
        }
        return (await load()).commands[id]?.(...args);
      }),
    ),
    workspace.onDidGrantWorkspaceTrust(() => refresh.fire()),
    // The status bar and the CodeLenses, without the view being opened.
    startClusterWhenUseful(() => void load()),
  );
}

export async function activate(context: ExtensionContext): Promise<void> {
  context.subscriptions.push(...registerEffectiveValues(() => running));
  const stored = new EnteredCredentials(context.secrets);
  const credentials = registerRegistryCredentials(stored, async () => running?.sendCredentials());
  context.subscriptions.push(...credentials.disposables);
  // The language client is a bundle of its own, started as soon as activation has returned.
  setImmediate(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a bundle loaded at run time, after activation
    const module = require(path.join(__dirname, 'languageClient.js')) as typeof import('./languageClient');
    running = module.startLanguageClient(context, { credentials: () => stored.list(), credentialsNeeded: credentials.credentialsNeeded });
    client = running.client;
  });
  // After the language client, which the cluster CodeLens asks for the objects of a document.
  registerCluster(context);
  // Red Hat's YAML extension, when present, leaves Flux files to us.
  context.subscriptions.push(coexistWithRedHatYaml((message) => client?.outputChannel.appendLine(message)));
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
  running = undefined;
}
