// Shared setup of the cluster-core tests: the Kubernetes API test server + Flux simulator.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../cluster/apiServer';
import { seedDemo } from '../cluster/demoData';
import { startFluxSimulator, type FluxSimulator, type FluxSimulatorOptions } from '../cluster/fluxSimulator';
import type { HttpMethod, KubeApi, RequestOptions, WatchHandle, WatchHandlers } from '../../client/src/cluster/connection';
import type { ClusterConnection } from '../../client/src/cluster/connection';
import { loadKubeconfig } from '../../client/src/cluster/kubeconfig';

export const testToken = 'test-secret-token-0123456789';

export interface TestCluster {
  api: ApiServer;
  simulator: FluxSimulator;
  connection: ClusterConnection;
  kubeconfig: string;
  dir: string;
  stop(): Promise<void>;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'flux-cluster-core-'));
}

export async function startTestCluster(
  options: { server?: ApiServerOptions; simulator?: FluxSimulatorOptions; seed?: boolean } = {},
): Promise<TestCluster> {
  const api = await startApiServer({ token: testToken, namespaces: ['default', 'flux-system', 'podinfo', 'grade-api'], ...options.server });
  const simulator = startFluxSimulator(api, { reconcileDelayMs: 100, sourceDelayMs: 30, events: false, ...options.simulator });
  if (options.seed ?? true) await seedDemo(api, simulator, { failing: false });
  const dir = tempDir();
  const kubeconfig = join(dir, 'config');
  api.writeKubeconfig(kubeconfig, { namespace: 'flux-system' });
  const connection = loadKubeconfig({ path: kubeconfig }).connect(undefined, { requestTimeoutMs: 5000 });
  return {
    api,
    simulator,
    connection,
    kubeconfig,
    dir,
    async stop() {
      simulator.stop();
      await api.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A port nothing listens on. */
export async function freePort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RecordedRequest {
  method: HttpMethod;
  path: string;
  options: RequestOptions;
}

/** Wraps a KubeApi and records each request (to assert on the exact patch bodies). */
export class RecordingApi implements KubeApi {
  readonly requests: RecordedRequest[] = [];
  /** Makes the next N PATCH requests fail with this error first. */
  failPatches: Error[] = [];

  constructor(private readonly inner: KubeApi) {}

  request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
    this.requests.push({ method, path, options });
    if (method === 'PATCH') {
      const error = this.failPatches.shift();
      if (error) return Promise.reject(error);
    }
    return this.inner.request<T>(method, path, options);
  }

  watch(path: string, handlers: WatchHandlers, options?: { idleTimeoutMs?: number }): WatchHandle {
    return this.inner.watch(path, handlers, options);
  }

  patches(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'PATCH');
  }
}

export function until(check: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const start = performance.now();
  return new Promise<number>((resolve, reject) => {
    const tick = (): void => {
      if (check()) resolve(performance.now() - start);
      else if (performance.now() - start > timeoutMs) reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      else setTimeout(tick, 5);
    };
    tick();
  });
}
