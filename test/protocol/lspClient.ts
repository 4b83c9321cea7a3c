import { spawn, type ChildProcessWithoutNullStreams } from 'child_process';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { ObjectsRequest, type ManifestObject } from '../../server/src/protocol';

export const SERVER = path.resolve(__dirname, '../../dist/server.js');

/** A minimal LSP client over stdio for tests: starts `dist/server.js`, records diagnostics and stderr. */
export class TestClient {
  readonly process: ChildProcessWithoutNullStreams;
  readonly connection: MessageConnection;
  readonly stderr: string[] = [];
  readonly logs: string[] = [];
  private readonly diagnosticWaiters: Array<{ test: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }> = [];
  readonly published: PublishDiagnosticsParams[] = [];
  configuration: unknown = null;
  /** Declare that this client pulls diagnostics (LSP 3.17), as VS Code does, instead of having them pushed. */
  pullsDiagnostics = false;
  /** How many times the server asked the client to pull diagnostics again. */
  refreshRequests = 0;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.process = spawn(process.execPath, [SERVER, '--stdio'], { stdio: 'pipe', env });
    this.process.stderr.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
    this.connection = createMessageConnection(new StreamMessageReader(this.process.stdout), new StreamMessageWriter(this.process.stdin));
    this.connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      this.published.push(params);
      for (const waiter of [...this.diagnosticWaiters]) {
        if (waiter.test(params)) {
          this.diagnosticWaiters.splice(this.diagnosticWaiters.indexOf(waiter), 1);
          waiter.resolve(params);
        }
      }
    });
    this.connection.onNotification('window/logMessage', (params: { message: string }) => {
      this.logs.push(params.message);
    });
    this.connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => this.configuration));
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('workspace/diagnostic/refresh', () => {
      this.refreshRequests++;
      return null;
    });
    this.connection.listen();
  }

  readonly indexStatus: Array<{ state: string; files: number }> = [];
  private indexReady?: (status: { state: string; files: number }) => void;
  /** Resolves when the server reports its workspace index complete. */
  readonly ready = new Promise<{ state: string; files: number }>((resolve) => {
    this.indexReady = resolve;
  });

  /** Workspace edits the server asked the client to apply. */
  readonly appliedEdits: Array<{ label?: string; edit: Record<string, unknown> }> = [];

  async initialize(withConfiguration = true, workspaceFolders: string[] = [], initializationOptions?: unknown): Promise<{ capabilities: Record<string, unknown> }> {
    this.connection.onRequest('workspace/applyEdit', (params: { label?: string; edit: Record<string, unknown> }) => {
      this.appliedEdits.push(params);
      return { applied: true };
    });
    this.connection.onNotification('window/showMessage', (params: { message: string }) => {
      this.logs.push(params.message);
    });
    this.connection.onNotification('helmRelease/indexStatus', (params: { state: string; files: number }) => {
      this.indexStatus.push(params);
      if (params.state === 'ready') this.indexReady?.(params);
    });
    const result = await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      workspaceFolders: workspaceFolders.map((folder) => ({ uri: pathToFileURL(folder).toString(), name: path.basename(folder) })),
      // Tests never reach the network: chart downloads only where a test serves the charts itself.
      initializationOptions: initializationOptions ?? { trusted: false },
      capabilities: {
        workspace: { configuration: withConfiguration, didChangeConfiguration: { dynamicRegistration: true }, ...(this.pullsDiagnostics ? { diagnostics: { refreshSupport: true } } : {}) },
        textDocument: { publishDiagnostics: { versionSupport: true }, ...(this.pullsDiagnostics ? { diagnostic: { relatedDocumentSupport: false } } : {}) },
      },
    });
    await this.connection.sendNotification('initialized', {});
    return result as { capabilities: Record<string, unknown> };
  }

  /** Resolves with the next diagnostics for `uri` (at `version`, when given). */
  nextDiagnostics(uri: string, version?: number, timeoutMs = 10_000): Promise<Diagnostic[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} v${version} within ${timeoutMs} ms; stderr: ${this.stderr.join('')}`)), timeoutMs);
      this.diagnosticWaiters.push({
        test: (p) => p.uri === uri && (version === undefined || p.version === version),
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p.diagnostics);
        },
      });
    });
  }

  open(uri: string, text: string, version = 1): Promise<Diagnostic[]> {
    const next = this.nextDiagnostics(uri, version);
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version, text } });
    return next;
  }

  /** Asks for the first CodeLens of `uri` until its title matches `until` (charts arrive in the background), or 20 s pass. */
  async codeLensTitle(uri: string, until: RegExp, intervalMs = 100): Promise<string> {
    const deadline = Date.now() + 20_000;
    let title = '';
    while (!until.test(title) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, intervalMs));
      const lenses = (await this.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as Array<{ command: { title: string } }>;
      title = lenses[0]?.command.title ?? '';
    }
    return title;
  }

  /** The Kubernetes objects of an open document, as the extension's cluster CodeLens asks for them. */
  objects(uri: string): Promise<ManifestObject[]> {
    return this.connection.sendRequest(ObjectsRequest, { uri });
  }

  async shutdown(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => this.process.on('exit', (code) => resolve(code)));
    await this.connection.sendRequest('shutdown');
    await this.connection.sendNotification('exit');
    const code = await exited;
    this.connection.dispose();
    return code;
  }
}
