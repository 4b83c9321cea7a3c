import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RemoteChartCache } from '../../server/src/node/remoteCharts/cache';
import { RemoteChartError } from '../../server/src/node/remoteCharts/errors';
import { HELM_CHART_LAYER_MEDIA_TYPE, HELM_CONFIG_MEDIA_TYPE, OCI_MANIFEST_MEDIA_TYPE, OciClient, ociChartRef, parseChallenge } from '../../server/src/node/remoteCharts/ociRegistry';
import { buildChart, startServer, type TestServer } from './helpers';

const REGISTRY = '/usr/bin/docker-registry';
const USER = 'helm';
const PASSWORD = 'p4ss-word';

interface Registry {
  port: number;
  url: string;
  process: ChildProcess;
  dir: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function startRegistry(withAuth: boolean): Promise<Registry> {
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

/** Pushes a chart like `helm push`: config + layer blobs (monolithic upload), then the manifest. */
async function pushChart(registryUrl: string, repository: string, name: string, version: string, authorization?: string): Promise<void> {
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
  const layer = await buildChart(name, version, { values: `pushed: "${version}"\n`, schema: { type: 'object' } });
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

const VERSIONS = ['1.2.3', '1.3.0', '1.4.0+build.1', '2.0.0', 'v1.9.0'];

describe('OCI registry (docker-registry)', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'oci-cache-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('parses oci:// references and challenges', () => {
    assert.deepEqual(ociChartRef('oci://ghcr.io/stefanprodan/charts/', 'podinfo'), { registry: 'ghcr.io', repository: 'stefanprodan/charts/podinfo' });
    assert.deepEqual(ociChartRef('oci://localhost:5000', 'app'), { registry: 'localhost:5000', repository: 'app' });
    assert.deepEqual(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:x/y:pull"'), {
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:x/y:pull' },
    });
  });

  describe('anonymous', () => {
    let registry: Registry;
    before(async () => {
      registry = await startRegistry(false);
      for (const v of VERSIONS) await pushChart(registry.url, 'charts/app', 'app', v);
    });
    after(async () => registry?.stop());

    it('lists tags (`_`→`+`, strict semver only) and resolves constraints', async () => {
      const cache = new RemoteChartCache(path.join(root, 'anon'));
      const source = { url: `oci://127.0.0.1:${registry.port}/charts`, insecure: true };
      const ranged = await cache.ensure(source, 'app', '>=1.0.0 <2.0.0');
      assert.equal(ranged.key.version, '1.4.0+build.1', 'v1.9.0 is not strict semver and is dropped');
      assert.match(readFileSync(path.join(ranged.directory, 'values.yaml'), 'utf8'), /pushed: "1.4.0\+build.1"/);
      assert.ok(existsSync(path.join(ranged.directory, 'values.schema.json')));
      assert.equal((await cache.ensure(source, 'app', '*')).key.version, '2.0.0');
      const exact = await cache.ensure(source, 'app', '1.2.3');
      assert.equal(exact.key.version, '1.2.3');
      assert.match(readFileSync(path.join(exact.directory, 'Chart.yaml'), 'utf8'), /version: 1.2.3/);
      assert.equal(cache.peek(source, 'app', '1.2.3')?.directory, exact.directory);
      assert.equal(cache.peek(source, 'app', '~1.4')?.directory, ranged.directory);
      await assert.rejects(cache.ensure(source, 'app', '>=3'), (e: unknown) => e instanceof RemoteChartError && e.kind === 'no-version');
      await assert.rejects(cache.ensure(source, 'app', '9.9.9'), (e: unknown) => e instanceof RemoteChartError && e.kind === 'not-found');
      await assert.rejects(cache.ensure(source, 'missing', '*'), (e: unknown) => e instanceof RemoteChartError && e.kind === 'not-found');
    });

    it('answers offline from the cache', async () => {
      const dir = path.join(root, 'offline');
      const source = { url: `oci://127.0.0.1:${registry.port}/charts`, insecure: true };
      const first = await new RemoteChartCache(dir).ensure(source, 'app', '^1.0.0');
      const offline = new RemoteChartCache(dir, { indexTtlMs: 0, now: () => Date.now() + 1000, timeoutMs: 2000 });
      await registry.stop();
      const again = await offline.ensure(source, 'app', '^1.0.0');
      assert.equal(again.directory, first.directory);
      assert.equal(again.stale, true);
      assert.equal(offline.peek(source, 'app', '^1.0.0')?.directory, first.directory);
    });
  });

  describe('htpasswd basic auth, and bearer tokens through a token server', () => {
    let registry: Registry;
    let proxy: TestServer;
    const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    before(async () => {
      registry = await startRegistry(true);
      for (const v of VERSIONS) await pushChart(registry.url, 'charts/app', 'app', v, basic);
      // A registry front that wants bearer tokens (like ghcr.io / Docker Hub), backed by the real registry.
      proxy = await startServer(async (req, res) => {
        const url = new URL(req.url ?? '/', 'http://x');
        if (url.pathname === '/token') {
          if (req.headers.authorization !== basic) {
            res.writeHead(401);
            res.end();
            return;
          }
          assert.equal(url.searchParams.get('service'), 'test-registry');
          assert.equal(url.searchParams.get('scope'), 'repository:charts/app:pull');
          res.end(JSON.stringify({ token: 'tok-123' }));
          return;
        }
        if (req.headers.authorization !== 'Bearer tok-123') {
          res.writeHead(401, { 'www-authenticate': `Bearer realm="${proxy.url}/token",service="test-registry",scope="repository:charts/app:pull"` });
          res.end();
          return;
        }
        const upstream = await fetch(`${registry.url}${req.url}`, { headers: { authorization: basic, accept: String(req.headers.accept ?? '*/*') } });
        const body = Buffer.from(await upstream.arrayBuffer());
        const headers: Record<string, string> = { 'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream' };
        const digest = upstream.headers.get('docker-content-digest');
        if (digest) headers['docker-content-digest'] = digest;
        res.writeHead(upstream.status, headers);
        res.end(body);
      });
    });
    after(async () => {
      await proxy?.close();
      await registry?.stop();
    });

    it('pulls with basic auth; fails clearly without or with wrong credentials', async () => {
      const source = { url: `oci://127.0.0.1:${registry.port}/charts`, insecure: true, auth: { username: USER, password: PASSWORD } };
      const ok = await new RemoteChartCache(path.join(root, 'basic')).ensure(source, 'app', '~1.3');
      assert.equal(ok.key.version, '1.3.0');
      assert.ok(existsSync(path.join(ok.directory, 'Chart.yaml')));
      await assert.rejects(new RemoteChartCache(path.join(root, 'basic2')).ensure({ ...source, auth: undefined }, 'app', '*'), (e: unknown) => e instanceof RemoteChartError && e.kind === 'unauthorized');
      await assert.rejects(new RemoteChartCache(path.join(root, 'basic3')).ensure({ ...source, auth: { username: USER, password: 'nope-wrong' } }, 'app', '1.2.3'), (e: unknown) => e instanceof RemoteChartError && e.kind === 'unauthorized' && !e.message.includes('nope-wrong'));
    });

    it('pulls with a bearer token from the realm', async () => {
      const host = `127.0.0.1:${proxy.port}`;
      const client = new OciClient({ auth: { username: USER, password: PASSWORD }, plainHttp: true });
      const ref = ociChartRef(`oci://${host}/charts`, 'app');
      assert.deepEqual((await client.listTags(ref)).sort(), ['1.2.3', '1.3.0', '1.4.0_build.1', '2.0.0', 'v1.9.0']);
      const source = { url: `oci://${host}/charts`, insecure: true, auth: { username: USER, password: PASSWORD } };
      const tokensBefore = proxy.hits.get('/token') ?? 0;
      const got = await new RemoteChartCache(path.join(root, 'bearer')).ensure(source, 'app', '<1.3.0');
      assert.equal(got.key.version, '1.2.3');
      assert.equal((proxy.hits.get('/token') ?? 0) - tokensBefore, 1, 'one token for the repository scope, reused');
      await assert.rejects(new RemoteChartCache(path.join(root, 'bearer2')).ensure({ ...source, auth: undefined }, 'app', '*'), (e: unknown) => e instanceof RemoteChartError && e.kind === 'unauthorized');
    });
  });
});
