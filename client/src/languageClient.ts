import * as path from 'path';
import { workspace, type ExtensionContext, type Uri } from 'vscode';
import { LanguageClient, State, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { CREDENTIALS_NEEDED, EFFECTIVE_VALUES_REQUEST, INDEX_STATUS, ObjectsRequest, type EffectiveValuesParams, type EffectiveValuesResult, REGISTRY_CREDENTIALS, TRUST_GRANTED, type CredentialsNeeded, type ManifestObject, type RegistryCredential } from '../../server/src/protocol';
import { newSealKey, seal, SEAL_KEY_ENV } from '../../server/src/sealed';
import { indexStatusItem } from './indexStatusItem';

/** What the rest of the extension gives the language client. */
export interface ClientHooks {
  /** The chart repository credentials the user entered (VS Code secret storage). */
  credentials(): Promise<RegistryCredential[]>;
  /** A chart repository refused access: offer to enter credentials. */
  credentialsNeeded(notice: CredentialsNeeded): void;
}

export interface RunningClient {
  client: LanguageClient;
  /** Hands the entered credentials to the server (again); a no-op until it runs. */
  sendCredentials(): Promise<void>;
  /** The Kubernetes objects of an open document, once the server runs; [] when it cannot answer. */
  objects(uri: Uri): Promise<ManifestObject[]>;
  /** The effective values of the HelmRelease at a position. */
  effectiveValues(params: EffectiveValuesParams): Promise<EffectiveValuesResult>;
}

/**
 * Starts the language server and its client. This lives in its own bundle (most of the extension's
 * code is vscode-languageclient), loaded just after activation so that VS Code's start is not held up.
 */
export function startLanguageClient(context: ExtensionContext, hooks: ClientHooks): RunningClient {
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  // Credentials are sealed with this key, which reaches the server only through its environment.
  const sealKey = newSealKey();
  const env = { ...process.env, [SEAL_KEY_ENV]: sealKey };
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc, options: { env } },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { env, execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  const clientOptions: LanguageClientOptions = {
    // Every YAML file: Flux objects are found by their apiVersion and kind, not by file name.
    documentSelector: [
      { scheme: 'file', language: 'yaml' },
      { scheme: 'untitled', language: 'yaml' },
      // Kubernetes manifests in JSON, which kustomize and Flux apply too.
      { scheme: 'file', language: 'json' },
    ],
    // Charts are cached in the extension's storage, and downloaded only in a trusted workspace.
    initializationOptions: {
      globalStoragePath: context.globalStorageUri.fsPath,
      trusted: workspace.isTrusted && workspace.getConfiguration('helmRelease').get<boolean>('charts.download', true),
    },
    // Diagnostics are pulled (the server answers once the pass for an edit is done, and reports the
    // files nobody opened through workspace diagnostics); pulled again after every edit.
    diagnosticPullOptions: { onChange: true, onSave: false },
    // The workspace index follows YAML files on disk; kustomizations also decide which files are patches.
    // Folders created or deleted too: a watcher may report a new folder without the files in it.
    synchronize: {
      fileEvents: [
        workspace.createFileSystemWatcher('**/*.{yaml,yml,json}'),
        workspace.createFileSystemWatcher('**/Kustomization'),
        workspace.createFileSystemWatcher('**/*', false, true, false),
      ],
    },
  };
  const client = new LanguageClient('helmRelease', 'Flux HelmRelease', serverOptions, clientOptions);
  context.subscriptions.push(
    client,
    workspace.onDidGrantWorkspaceTrust(() => {
      if (workspace.getConfiguration('helmRelease').get<boolean>('charts.download', true)) void client.sendNotification(TRUST_GRANTED);
    }),
  );
  const sendCredentials = async (): Promise<void> => {
    if (client.state !== State.Running) return;
    await client.sendNotification(REGISTRY_CREDENTIALS, { sealed: seal(sealKey, await hooks.credentials()) });
  };
  client.onNotification(CREDENTIALS_NEEDED, (notice) => hooks.credentialsNeeded(notice));
  const indexStatus = indexStatusItem();
  context.subscriptions.push(indexStatus);
  client.onNotification(INDEX_STATUS, (status) => indexStatus.update(status));
  // Also after a restart of the server: a new process knows nothing yet.
  context.subscriptions.push(client.onDidChangeState((event) => event.newState === State.Running && void sendCredentials().catch(() => undefined)));
  const started = client.start();
  const objects = async (uri: Uri): Promise<ManifestObject[]> => {
    try {
      await started;
      return await client.sendRequest(ObjectsRequest, { uri: client.code2ProtocolConverter.asUri(uri) });
    } catch {
      return [];
    }
  };
  started.catch(() => undefined);
  const effectiveValues = async (params: EffectiveValuesParams): Promise<EffectiveValuesResult> => {
    await started;
    return client.sendRequest(EFFECTIVE_VALUES_REQUEST, params);
  };
  return { client, sendCredentials, objects, effectiveValues };
}
