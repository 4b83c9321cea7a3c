import * as path from 'path';
import { workspace, type ExtensionContext } from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { TRUST_GRANTED } from '../../server/src/protocol';

/**
 * Starts the language server and its client. This lives in its own bundle (most of the extension's
 * code is vscode-languageclient), loaded just after activation so that VS Code's start is not held up.
 */
export function startLanguageClient(context: ExtensionContext): LanguageClient {
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  const clientOptions: LanguageClientOptions = {
    // Every YAML file: Flux objects are found by their apiVersion and kind, not by file name.
    documentSelector: [
      { scheme: 'file', language: 'yaml' },
      { scheme: 'untitled', language: 'yaml' },
    ],
    // Charts are cached in the extension's storage, and downloaded only in a trusted workspace.
    initializationOptions: {
      globalStoragePath: context.globalStorageUri.fsPath,
      trusted: workspace.isTrusted && workspace.getConfiguration('helmRelease').get<boolean>('charts.download', true),
    },
    // The workspace index follows YAML files on disk; kustomizations also decide which files are patches.
    synchronize: { fileEvents: [workspace.createFileSystemWatcher('**/*.{yaml,yml}'), workspace.createFileSystemWatcher('**/Kustomization')] },
  };
  const client = new LanguageClient('helmRelease', 'Flux HelmRelease', serverOptions, clientOptions);
  context.subscriptions.push(
    client,
    workspace.onDidGrantWorkspaceTrust(() => {
      if (workspace.getConfiguration('helmRelease').get<boolean>('charts.download', true)) void client.sendNotification(TRUST_GRANTED);
    }),
  );
  void client.start();
  return client;
}
