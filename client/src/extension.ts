import * as path from 'path';
import { commands, EventEmitter, window, type ExtensionContext, type TreeDataProvider } from 'vscode';
import type { ClusterUi } from './clusterUi';
import type { Node as ClusterNode } from './clusterUi/trees';
import { registerEffectiveValues } from './effectiveValues';
import { EnteredCredentials, registerRegistryCredentials } from './registryCredentials';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { RunningClient } from './languageClient';

let client: LanguageClient | undefined;
let running: RunningClient | undefined;

/** The cluster side, loaded on first use (the Flux view opened or a cluster command run), never at activation. */
let clusterUi: Promise<ClusterUi> | undefined;
let loadedClusterUi: ClusterUi | undefined;

const CLUSTER_COMMANDS = [
  'flux.reconcile', 'flux.reconcileWithSource', 'flux.reconcileForce', 'flux.reconcileReset', 'flux.suspend', 'flux.resume',
  'flux.showLiveObject', 'flux.compareWithLive', 'flux.showEvents', 'flux.showHistory', 'flux.copyName', 'flux.selectContext',
  'flux.filterNamespace', 'flux.refresh',
];

function registerCluster(context: ExtensionContext): void {
  const refresh = new EventEmitter<void>();
  const load = () => {
    clusterUi ??= Promise.resolve().then(() => {
      // A separate bundle, so that the Kubernetes client is not read while VS Code starts.
      const module = require(path.join(__dirname, 'clusterUi.js')) as typeof import('./clusterUi');
      loadedClusterUi = module.startClusterUi(context, refresh);
      return loadedClusterUi;
    });
    return clusterUi;
  };
  const proxy = (which: 'releases' | 'sources'): TreeDataProvider<ClusterNode> => ({
    onDidChangeTreeData: refresh.event,
    getChildren: async (node) => (await (await load())[which].getChildren?.(node)) ?? [],
    getTreeItem: (node) => loadedClusterUi![which].getTreeItem(node),
  });
  context.subscriptions.push(
    refresh,
    window.createTreeView('flux.helmReleases', { treeDataProvider: proxy('releases'), canSelectMany: true, showCollapseAll: true }),
    window.createTreeView('flux.sources', { treeDataProvider: proxy('sources'), canSelectMany: true }),
    ...CLUSTER_COMMANDS.map((id) => commands.registerCommand(id, async (...args: unknown[]) => (await load()).commands[id]?.(...args))),
  );
}

/** What tests (and other extensions) can ask of the running extension. */
export interface ExtensionApi {
  testing: ClusterUi['testing'];
}

export async function activate(context: ExtensionContext): Promise<ExtensionApi> {
  registerCluster(context);
  context.subscriptions.push(...registerEffectiveValues(() => client));
  const stored = new EnteredCredentials(context.secrets);
  const credentials = registerRegistryCredentials(stored, async () => running?.sendCredentials());
  context.subscriptions.push(...credentials.disposables);
  // The language client is a bundle of its own, started as soon as activation has returned.
  setImmediate(() => {
    const module = require(path.join(__dirname, 'languageClient.js')) as typeof import('./languageClient');
    running = module.startLanguageClient(context, { credentials: () => stored.list(), credentialsNeeded: credentials.credentialsNeeded });
    client = running.client;
  });
  const notLoaded = () => {
    throw new Error('The cluster side is not loaded: open the Flux view or run a Flux command first.');
  };
  return {
    testing: {
      releases: () => loadedClusterUi?.testing.releases() ?? notLoaded(),
      sources: () => loadedClusterUi?.testing.sources() ?? notLoaded(),
      connection: () => loadedClusterUi?.testing.connection() ?? 'not loaded',
      codeLenses: (uri) => loadedClusterUi?.testing.codeLenses(uri) ?? notLoaded(),
      treeRows: () => loadedClusterUi?.testing.treeRows() ?? notLoaded(),
    },
  };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
  running = undefined;
}
