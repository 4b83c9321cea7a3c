import { RemoteChartError, displayUrl } from './errors';

export interface BasicAuth {
  username: string;
  password: string;
}

export interface RequestOptions {
  /** Whole request including the body. Default 30 s. */
  timeoutMs?: number;
  /** Largest body accepted. */
  maxBytes?: number;
  headers?: Record<string, string>;
  method?: string;
  body?: Uint8Array | string;
  /** Aborts the request from outside (e.g. the language server shutting down). */
  signal?: AbortSignal;
}

export interface FetchedBody {
  status: number;
  headers: Headers;
  body: Buffer;
  url: string;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

export function basicAuthHeader(auth: BasicAuth): string {
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`;
}

/**
 * GET (or another method) with a timeout covering the body too and a body size limit. Returns
 * every HTTP status; callers decide. Network failures and timeouts become {@link RemoteChartError}s
 * whose messages name the URL without credentials.
 */
export async function request(url: string, options: RequestOptions, what: string): Promise<FetchedBody> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const outer = options.signal;
  const onOuterAbort = () => controller.abort();
  outer?.addEventListener('abort', onOuterAbort);
  const shown = displayUrl(url);
  try {
    let response: Response;
    try {
      response = await fetch(url, { method: options.method ?? 'GET', headers: options.headers, body: options.body, signal: controller.signal, redirect: 'follow' });
    } catch (error) {
      throw failure(error, timedOut, timeoutMs, what, shown);
    }
    const max = options.maxBytes;
    const length = Number(response.headers.get('content-length') ?? Number.NaN);
    if (max !== undefined && Number.isFinite(length) && length > max) {
      controller.abort();
      throw new RemoteChartError('too-large', `${what} at ${shown} is ${length} bytes, more than the limit of ${max} bytes`);
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      if (response.body) {
        const reader = response.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          total += value.byteLength;
          if (max !== undefined && total > max) {
            controller.abort();
            throw new RemoteChartError('too-large', `${what} at ${shown} is larger than the limit of ${max} bytes`);
          }
          chunks.push(value);
        }
      }
    } catch (error) {
      if (error instanceof RemoteChartError) throw error;
      throw failure(error, timedOut, timeoutMs, what, shown);
    }
    return { status: response.status, headers: response.headers, body: Buffer.concat(chunks), url: response.url || url };
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuterAbort);
  }
}

/** A RemoteChartError for a non-2xx status. */
export function statusError(status: number, what: string, url: string): RemoteChartError {
  const shown = displayUrl(url);
  if (status === 401) return new RemoteChartError('unauthorized', `${what} at ${shown}: 401 Unauthorized (credentials missing or wrong)`, status);
  if (status === 403) return new RemoteChartError('forbidden', `${what} at ${shown}: 403 Forbidden (the credentials do not give access)`, status);
  if (status === 404) return new RemoteChartError('not-found', `${what} at ${shown}: 404 Not Found`, status);
  return new RemoteChartError('http', `${what} at ${shown}: HTTP ${status}`, status);
}

function failure(error: unknown, timedOut: boolean, timeoutMs: number, what: string, shown: string): RemoteChartError {
  if (timedOut) return new RemoteChartError('timeout', `${what} at ${shown}: no complete answer within ${Math.round(timeoutMs / 100) / 10} s (timed out)`);
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : error instanceof Error ? error.message : String(error);
  return new RemoteChartError('network', `${what} at ${shown} cannot be reached: ${detail}`);
}
