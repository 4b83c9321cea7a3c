// A small REST client for the Kubernetes API (pure Node, no `vscode`). Authentication (tokens,
// client certificates, OIDC) is applied by @kubernetes/client-node's KubeConfig, exec plugins by
// execCredentials.ts; requests and watches go through node:http(s) so errors and streaming are
// under our control. Connections come from `Kubeconfig.connect` (kubeconfig.ts).
import * as http from 'node:http';
import * as https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { ClusterError, redact, safeUrl } from './errors';
import type { ExecCredentialOptions, ExecCredentialPlugin } from './execCredentials';
import { fluxKinds, isRecord } from './types';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  body?: unknown;
  /** Default `application/json`; use `application/merge-patch+json` for merge patches. */
  contentType?: string;
  timeoutMs?: number;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: unknown;
}

export interface WatchHandlers {
  /** The server accepted the watch (HTTP 200). */
  onOpen?(): void;
  onEvent(event: WatchEvent): void;
  /** Called once: `error` undefined when the server ended the stream normally. */
  onClose(error: Error | undefined): void;
}

export interface WatchHandle {
  stop(): void;
}

/** What the cache and the actions need from a connection (tests may provide their own). */
export interface KubeApi {
  request<T>(method: HttpMethod, path: string, options?: RequestOptions): Promise<T>;
  watch(path: string, handlers: WatchHandlers, options?: { idleTimeoutMs?: number }): WatchHandle;
}

export interface ConnectOptions {
  /** Default timeout of non-watch requests (default 30 s). */
  requestTimeoutMs?: number;
  /** Timeout and reuse of `exec` credential plugins. */
  exec?: ExecCredentialOptions;
}

const networkCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED']);

interface StatusBody {
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; kind?: string; group?: string };
}

function statusBody(text: string): StatusBody | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? (parsed as StatusBody) : undefined;
  } catch {
    return undefined;
  }
}

const fluxGroups = new Set(Object.values(fluxKinds).map((info) => info.group));

export class ClusterConnection implements KubeApi {
  private readonly base: string;
  private readonly requestTimeoutMs: number;

  constructor(
    private readonly kc: KubeConfig,
    /** The context name. */
    readonly context: string,
    server: string,
    /** The context's namespace (default `default`). */
    readonly namespace: string,
    private readonly secrets: readonly string[],
    options: ConnectOptions = {},
    /** The user's exec credential plugin, when it has one. */
    private readonly plugin?: ExecCredentialPlugin,
  ) {
    this.base = server.replace(/\/+$/, '');
    this.server = safeUrl(server);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  /** The API server URL, without user info. */
  readonly server: string;

  /**
   * Checks that the server is reachable, the credentials are accepted and the Flux APIs are
   * served (404 → `FluxNotInstalled`).
   */
  async verify(): Promise<void> {
    for (const info of [fluxKinds.HelmRelease, fluxKinds.HelmRepository]) {
      await this.request<unknown>('GET', `/apis/${info.group}/${info.version}`);
    }
  }

  request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
    return this.send(method, path, options).then((text) => {
      if (text === '') return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new ClusterError('ApiError', `The API server sent a response that is not JSON for ${method} ${path}.`);
      }
    });
  }

  watch(path: string, handlers: WatchHandlers, options: { idleTimeoutMs?: number } = {}): WatchHandle {
    let closed = false;
    let request: http.ClientRequest | undefined;
    const close = (error: Error | undefined): void => {
      if (closed) return;
      closed = true;
      handlers.onClose(error);
    };
    void this.httpOptions('GET', path).then(
      ({ url, options: requestOptions }) => {
        if (closed) return;
        const module = url.protocol === 'http:' ? http : https;
        request = module.request(url, requestOptions, (response) => {
          if (response.statusCode !== 200) {
            let text = '';
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => (text += chunk));
            response.on('end', () => close(this.httpError(response.statusCode ?? 0, text, 'GET', path)));
            response.on('error', (error) => close(this.networkError(error)));
            return;
          }
          open();
          response.setEncoding('utf8');
          let buffer = '';
          response.on('data', (chunk: string) => {
            buffer += chunk;
            let newline = buffer.indexOf('\n');
            while (newline >= 0) {
              const line = buffer.slice(0, newline).trim();
              buffer = buffer.slice(newline + 1);
              if (line !== '' && !closed) {
                let event: WatchEvent | undefined;
                try {
                  event = JSON.parse(line) as WatchEvent;
                } catch {
                  close(new ClusterError('ApiError', 'The API server sent a watch event that is not JSON.'));
                  request?.destroy();
                  return;
                }
                handlers.onEvent(event);
              }
              newline = buffer.indexOf('\n');
            }
          });
          response.on('end', () => close(undefined));
          response.on('aborted', () => close(new ClusterError('Unreachable', `The watch connection to ${this.server} was dropped.`)));
          response.on('error', (error) => close(this.networkError(error)));
          response.on('close', () => {
            if (!response.complete) close(new ClusterError('Unreachable', `The watch connection to ${this.server} was dropped.`));
          });
        });
        // The server is reachable once the (TLS) connection is up; some servers send the watch's
        // response headers only with the first event.
        let opened = false;
        const open = (): void => {
          if (opened || closed) return;
          opened = true;
          handlers.onOpen?.();
        };
        request.on('socket', (socket) => {
          if (!socket.connecting) open();
          else socket.once(url.protocol === 'http:' ? 'connect' : 'secureConnect', open);
        });
        const idle = options.idleTimeoutMs ?? 0;
        if (idle > 0) {
          request.setTimeout(idle, () => {
            close(new ClusterError('Timeout', `The watch on ${this.server} sent nothing for ${idle} ms.`));
            request?.destroy();
          });
        }
        request.on('error', (error) => close(this.networkError(error)));
        request.end();
      },
      (error: unknown) => close(error instanceof Error ? error : new Error(String(error))),
    );
    return {
      stop: () => {
        if (closed) return;
        closed = true;
        request?.destroy();
      },
    };
  }

  private async httpOptions(method: HttpMethod, path: string, timeoutMs?: number): Promise<{ url: URL; options: https.RequestOptions }> {
    const options: https.RequestOptions = {};
    try {
      await this.kc.applyToHTTPSOptions(options);
    } catch (error) {
      if (error instanceof ClusterError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new ClusterError('KubeconfigInvalid', `The credentials of context "${this.context}" could not be prepared: ${this.redact(message)}`);
    }
    const headers: http.OutgoingHttpHeaders = {};
    if (options.headers !== undefined && !Array.isArray(options.headers)) Object.assign(headers, options.headers);
    headers.Accept = 'application/json';
    headers['User-Agent'] = 'flux-helmrelease-vscode';
    options.headers = headers;
    options.method = method;
    if (timeoutMs !== undefined) options.timeout = timeoutMs;
    return { url: new URL(this.base + path), options };
  }

  private async send(method: HttpMethod, path: string, options: RequestOptions): Promise<string> {
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    const { url, options: requestOptions } = await this.httpOptions(method, path, timeoutMs);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers = requestOptions.headers as http.OutgoingHttpHeaders;
    if (body !== undefined) {
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = Buffer.byteLength(body);
    }
    return new Promise<string>((resolve, reject) => {
      const module = url.protocol === 'http:' ? http : https;
      const request = module.request(url, requestOptions, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => reject(this.networkError(error)));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(text);
          else reject(this.httpError(status, text, method, path));
        });
      });
      request.on('timeout', () => {
        request.destroy(new ClusterError('Timeout', `The API server at ${this.server} did not answer within ${timeoutMs} ms.`));
      });
      request.on('error', (error) => reject(this.networkError(error)));
      if (body !== undefined) request.write(body);
      request.end();
    });
  }

  private redact(text: string): string {
    return redact(text, [...this.secrets, ...(this.plugin?.secrets() ?? [])]);
  }

  private networkError(error: Error): ClusterError {
    if (error instanceof ClusterError) return error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') {
      return new ClusterError('Timeout', `The API server at ${this.server} did not answer in time (${code}).`);
    }
    if (code !== undefined && networkCodes.has(code)) {
      return new ClusterError('Unreachable', `Cannot reach the Kubernetes API server at ${this.server} (${code}) for context "${this.context}".`);
    }
    const detail = code !== undefined ? `${code}: ${error.message}` : error.message;
    return new ClusterError('Unreachable', `Cannot connect to the Kubernetes API server at ${this.server}: ${this.redact(detail)}`);
  }

  private httpError(status: number, text: string, method: HttpMethod, path: string): ClusterError {
    const body = statusBody(text);
    const serverMessage = this.redact(body?.message ?? (text.trim().slice(0, 200) || `HTTP ${status}`));
    switch (status) {
      case 401:
        // A plugin's credential the server rejects is not reused: the next request runs the plugin.
        this.plugin?.invalidate();
        return new ClusterError(
          'Unauthorized',
          `The API server at ${this.server} rejected the credentials of context "${this.context}" (401 Unauthorized). Log in again or check the user in your kubeconfig.`,
          401,
        );
      case 403:
        return new ClusterError('Forbidden', `Access denied (403): ${serverMessage}`, 403);
      case 404: {
        const group = /^\/apis\/([^/]+)\//.exec(path)?.[1];
        if (group !== undefined && fluxGroups.has(group) && body?.details?.name === undefined) {
          return new ClusterError('FluxNotInstalled', `Flux is not installed on this cluster: the API server does not serve ${path.split('/').slice(2, 4).join('/')}.`, 404);
        }
        return new ClusterError('NotFound', `Not found (404): ${serverMessage}`, 404);
      }
      case 409:
        return new ClusterError('Conflict', `Conflict (409) on ${method} ${path}: ${serverMessage}`, 409);
      case 410:
        return new ClusterError('Gone', `Gone (410): ${serverMessage}`, 410);
      default:
        return new ClusterError('ApiError', `The API server answered ${status} to ${method} ${path}: ${serverMessage}`, status);
    }
  }
}
