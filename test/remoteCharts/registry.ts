// A real OCI registry for tests: Debian's docker-registry on loopback, and pushing Helm charts to it.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { HELM_CHART_LAYER_MEDIA_TYPE, HELM_CONFIG_MEDIA_TYPE, OCI_MANIFEST_MEDIA_TYPE } from '../../server/src/node/remoteCharts/ociRegistry';
import { buildChart } from './helpers';

export const REGISTRY = '/usr/bin/docker-registry';
export const USER = 'helm';
export const PASSWORD = 'p4ss-word';

export interface Registry {
  port: number;
  url: string;
  process: ChildProcess;
  dir: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function startRegistry(withAuth: boolean): Promise<Registry> {
  if (!existsSync(REGISTRY)) {
    assert.fail(`${REGISTRY} is missing: install the Debian package \`docker-registry\` (apt-get install -y docker-registry) to run the OCI tests`);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'oci-registry-'));
  const port = await freePort();
  let auth = '';
  if (withAuth) {
    const h = spawnSync('htpasswd', ['-Bbn', USER, PASSWORD], { encoding: 'utf8' });
    if (h.status !== 0) assert.fail('htpasswd is missing: install the Debian package `apache2-utils` to run the OCI auth tests');
    writeFileSync(path.join(dir, 'htpasswd'), h.stdout);
    auth = `auth:\n  htpasswd:\n    realm: test-realm\n    path: ${path.join(dir, 'htpasswd')}\n`;
  }
  writeFileSync(
    path.join(dir, 'config.yml'),
    `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${path.join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${auth}`,
  );
  const child = spawn(REGISTRY, ['serve', path.join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const r = await fetch(`${url}/v2/`);
      if (r.status === 200 || r.status === 401) break;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null || Date.now() > deadline) assert.fail(`docker-registry did not start: ${stderr.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    url,
    process: child,
    dir,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const digestOf = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/**
 * Pushes a chart like `helm push`: config + layer blobs (monolithic upload), then the manifest.
 * Without `archive`, a small chart whose one value names the version.
 */
export async function pushChart(registryUrl: string, repository: string, name: string, version: string, authorization?: string, archive?: Buffer): Promise<void> {
  const headers: Record<string, string> = authorization ? { authorization } : {};
  const upload = async (blob: Buffer) => {
    const start = await fetch(`${registryUrl}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers });
    assert.equal(start.status, 202, `blob upload start: ${start.status}`);
    const location = new URL(start.headers.get('location') ?? '', registryUrl);
    location.searchParams.set('digest', digestOf(blob));
    const put = await fetch(location, { method: 'PUT', headers: { ...headers, 'content-type': 'application/octet-stream' }, body: blob });
    assert.equal(put.status, 201, `blob upload: ${put.status} ${await put.text()}`);
  };
  const config = Buffer.from(JSON.stringify({ apiVersion: 'v2', name, version }));
  const layer = archive ?? (await buildChart(name, version, { values: `pushed: "${version}"\n`, schema: { type: 'object' } }));
  await upload(config);
  await upload(layer);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST_MEDIA_TYPE,
    config: { mediaType: HELM_CONFIG_MEDIA_TYPE, digest: digestOf(config), size: config.length },
    layers: [{ mediaType: HELM_CHART_LAYER_MEDIA_TYPE, digest: digestOf(layer), size: layer.length }],
  });
  const put = await fetch(`${registryUrl}/v2/${repository}/manifests/${version.replace(/\+/g, '_')}`, { method: 'PUT', headers: { ...headers, 'content-type': OCI_MANIFEST_MEDIA_TYPE }, body: manifest });
  assert.equal(put.status, 201, `manifest put: ${put.status} ${await put.text()}`);
}

export interface CountingProxy {
  url: string;
  port: number;
  /** `METHOD /path` of every request, in order (query strings dropped). */
  requests: string[];
  /** How many requests asked for a tag list, per repository path. */
  tagLists(): Map<string, number>;
  /** The most requests that were ever on their way at the same time. */
  maxInFlight: number;
  close(): Promise<void>;
}

/** A plain HTTP proxy in front of a registry that records every request it forwards. */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const requests: string[] = [];
  let inFlight = 0;
  const server = createHttpServer((req, res) => {
    requests.push(`${req.method ?? 'GET'} ${(req.url ?? '/').split('?')[0]}`);
    inFlight++;
    proxy.maxInFlight = Math.max(proxy.maxInFlight, inFlight);
    res.once('close', () => inFlight--);
    const headers: Record<string, string> = {};
    for (const name of ['authorization', 'accept']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    fetch(`${target}${req.url ?? '/'}`, { method: req.method, headers, redirect: 'manual' })
      .then(async (upstream) => {
        const body = Buffer.from(await upstream.arrayBuffer());
        const out: Record<string, string> = {};
        for (const name of ['content-type', 'docker-content-digest', 'www-authenticate', 'link', 'location']) {
          const value = upstream.headers.get(name);
          if (value !== null) out[name] = value;
        }
        res.writeHead(upstream.status, out);
        res.end(body);
      })
      .catch(() => {
        res.writeHead(502);
        res.end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const proxy: CountingProxy = {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    maxInFlight: 0,
    tagLists: () => {
      const counts = new Map<string, number>();
      for (const r of requests) {
        const m = /^GET \/v2\/(.+)\/tags\/list$/.exec(r);
        if (m) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
      }
      return counts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return proxy;
}
