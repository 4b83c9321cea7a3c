import { workspace, type Disposable, type TextDocument } from 'vscode';
import { kubeconfigExists } from './cluster/kubeconfigFiles';

/** An apiVersion of a Flux API group, in block or flow style, YAML or JSON. */
const FLUX_API_GROUP = /\.toolkit\.fluxcd\.io\//;

/** Whether a document is worth the cluster side: a YAML or JSON file naming a Flux API group. */
function mayBeFluxManifest(document: TextDocument): boolean {
  if (document.languageId !== 'yaml' && document.languageId !== 'json') return false;
  if (document.uri.scheme !== 'file' && document.uri.scheme !== 'untitled') return false;
  return FLUX_API_GROUP.test(document.getText());
}

/**
 * Starts the cluster side (status bar, CodeLenses) without the Flux view being opened: once the
 * workspace is trusted, a kubeconfig exists and a Flux manifest is open. Checked after activation
 * has returned, so that the Kubernetes client is never loaded while VS Code starts the extension.
 */
export function startClusterWhenUseful(start: () => void): Disposable {
  let started = false;
  const check = (documents: readonly TextDocument[]) => {
    if (started || !workspace.isTrusted || !documents.some(mayBeFluxManifest)) return;
    const configured = workspace.getConfiguration('helmRelease.cluster').get<string>('kubeconfig');
    if (!kubeconfigExists({ path: typeof configured === 'string' ? configured : undefined })) return;
    started = true;
    for (const subscription of subscriptions) subscription.dispose();
    start();
  };
  const checkAll = () => check(workspace.textDocuments);
  const subscriptions: Disposable[] = [
    workspace.onDidOpenTextDocument((document) => check([document])),
    // A new manifest typed into an editor counts once it is saved.
    workspace.onDidSaveTextDocument((document) => check([document])),
    workspace.onDidGrantWorkspaceTrust(checkAll),
    workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('helmRelease.cluster.kubeconfig')) checkAll();
    }),
  ];
  const first = setImmediate(checkAll);
  return {
    dispose: () => {
      clearImmediate(first);
      for (const subscription of subscriptions) subscription.dispose();
    },
  };
}
