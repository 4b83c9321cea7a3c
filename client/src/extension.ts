import * as path from 'path';
import { workspace, type ExtensionContext } from 'vscode';
import { registerEffectiveValues } from './effectiveValues';
import { TRUST_GRANTED } from '../../server/src/protocol';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
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
    // The workspace index follows YAML files on disk; kustomizations also decide which files are patches.
    // Charts are cached in the extension's storage, and downloaded only in a trusted workspace.
    initializationOptions: { globalStoragePath: context.globalStorageUri.fsPath, trusted: workspace.isTrusted },
    synchronize: { fileEvents: [workspace.createFileSystemWatcher('**/*.{yaml,yml}'), workspace.createFileSystemWatcher('**/Kustomization')] },
  };
  client = new LanguageClient('helmRelease', 'Flux HelmRelease', serverOptions, clientOptions);
  context.subscriptions.push(client, ...registerEffectiveValues(() => client));
  context.subscriptions.push(workspace.onDidGrantWorkspaceTrust(() => void client?.sendNotification(TRUST_GRANTED)));
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
