import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { RemoteChartCache } from '../../server/src/node/remoteCharts/cache';
import { RemoteChartError } from '../../server/src/node/remoteCharts/errors';
import { OciClient, ociChartRef, parseChallenge } from '../../server/src/node/remoteCharts/ociRegistry';
import { startServer, type TestServer } from './helpers';
import { PASSWORD, pushChart, startRegistry, USER, type Registry } from './registry';

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

  describe('a token realm elsewhere in plain http', () => {
    const secret = { username: 'robot', password: 's3cret-pass' };
    /** Authorization headers each token realm received, by realm name. */
    const received = new Map<string, Array<string | undefined>>();
    const servers: Server[] = [];
    let registryPort = 0;
    let realmFor: (path: string) => string;

    /** A token service: records what it was sent; gives a token to anyone, or only with the password. */
    const tokenService = (name: string, requireCredentials: boolean) => (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
      received.set(name, [...(received.get(name) ?? []), req.headers.authorization]);
      if (requireCredentials && req.headers.authorization !== `Basic ${Buffer.from(`${secret.username}:${secret.password}`).toString('base64')}`) {
        res.writeHead(401);
        res.end();
        return;
      }
      res.end(JSON.stringify({ token: `tok-${name}` }));
    };
    const listen = async (host: string, handler: Parameters<typeof createServer>[1]) => {
      const server = createServer(handler);
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, host, resolve));
      return (server.address() as AddressInfo).port;
    };

    before(async () => {
      const otherHost = await listen('127.0.0.2', tokenService('other-host', false));
      const otherPort = await listen('127.0.0.1', tokenService('other-port', false));
      const strict = await listen('127.0.0.2', tokenService('strict', true));
      const realms: Record<string, string> = {
        'other-host': `http://127.0.0.2:${otherHost}/token`,
        'other-port': `http://127.0.0.1:${otherPort}/token`,
        strict: `http://127.0.0.2:${strict}/token`,
      };
      const own = tokenService('own', true);
      // The registry stub: /v2/<realm name>/app/tags/list wants a token from that realm.
      registryPort = await listen('127.0.0.1', (req, res) => {
        const url = new URL(req.url ?? '/', 'http://x');
        if (url.pathname === '/token') return own(req, res);
        const name = url.pathname.split('/')[2] ?? '';
        if (req.headers.authorization !== `Bearer tok-${name}`) {
          const realm = realms[name] ?? `http://127.0.0.1:${registryPort}/token`;
          res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm}",service="stub",scope="repository:${name}/app:pull"` });
          res.end();
          return;
        }
        res.end(JSON.stringify({ name: `${name}/app`, tags: ['1.0.0'] }));
      });
      realmFor = (name) => realms[name] ?? '';
    });
    after(async () => {
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });

    const client = () => new OciClient({ auth: secret, plainHttp: true });
    const ref = (name: string) => ociChartRef(`oci://127.0.0.1:${registryPort}/${name}`, 'app');

    it('on another host: the token is asked for without the credentials', async () => {
      assert.ok(realmFor('other-host').startsWith('http://127.0.0.2:'));
      assert.deepEqual(await client().listTags(ref('other-host')), ['1.0.0']);
      assert.deepEqual(received.get('other-host'), [undefined], 'no Authorization header reached the realm');
    });

    it('on another port of the same host: no credentials either', async () => {
      assert.deepEqual(await client().listTags(ref('other-port')), ['1.0.0']);
      assert.deepEqual(received.get('other-port'), [undefined]);
    });

    it('a realm that wants them: the error says why they were not sent, and holds no secret', async () => {
      await assert.rejects(client().listTags(ref('strict')), (e: unknown) => {
        assert.ok(e instanceof RemoteChartError && e.kind === 'unauthorized', String(e));
        assert.match(e.message, /plain http on another host, so the credentials were not sent/);
        assert.ok(!e.message.includes(secret.password) && !e.message.includes(Buffer.from(`${secret.username}:${secret.password}`).toString('base64')));
        return true;
      });
      assert.deepEqual(received.get('strict'), [undefined]);
    });

    it('on the registry\'s own host and port: the credentials are sent', async () => {
      assert.deepEqual(await client().listTags(ref('own')), ['1.0.0']);
      assert.deepEqual(received.get('own'), [`Basic ${Buffer.from(`${secret.username}:${secret.password}`).toString('base64')}`]);
    });
  });
});

