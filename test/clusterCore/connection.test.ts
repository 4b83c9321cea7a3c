import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClusterError } from '../../client/src/cluster/errors';
import { kubeconfigFiles, loadKubeconfig } from '../../client/src/cluster/kubeconfig';
import { ResourceCache } from '../../client/src/cluster/resourceCache';
import { freePort, startTestCluster, tempDir, testToken, until, type TestCluster } from './helpers';

function kubeconfigYaml(server: string, token: string, context = 'ctx', extra = ''): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${context}`,
    '  cluster:',
    `    server: ${server}`,
    '    insecure-skip-tls-verify: true',
    'users:',
    `- name: ${context}`,
    '  user:',
    `    token: ${token}`,
    'contexts:',
    `- name: ${context}`,
    '  context:',
    `    cluster: ${context}`,
    `    user: ${context}`,
    `current-context: ${context}`,
    extra,
  ].join('\n');
}

async function rejectsWith(promise: Promise<unknown>, code: string, secret?: string): Promise<ClusterError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ClusterError, `expected a ClusterError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (secret !== undefined) assert.ok(!error.message.includes(secret), `message exposes a credential: ${error.message}`);
    return error;
  }
  assert.fail(`expected ${code}`);
}

function throwsWith(fn: () => unknown, code: string, secret?: string): ClusterError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ClusterError, `expected a ClusterError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (secret !== undefined) assert.ok(!error.message.includes(secret), `message exposes a credential: ${error.message}`);
    return error;
  }
  assert.fail(`expected ${code}`);
}

describe('kubeconfig loading', () => {
  const dir = tempDir();

  it('finds files: explicit path, KUBECONFIG list, ~/.kube/config', () => {
    assert.deepEqual(kubeconfigFiles({ path: '/x/config', env: { KUBECONFIG: '/a:/b' } }), ['/x/config']);
    assert.deepEqual(kubeconfigFiles({ env: { KUBECONFIG: '/a::/b' } }), ['/a', '/b']);
    assert.deepEqual(kubeconfigFiles({ env: {}, homeDir: '/home/u' }), ['/home/u/.kube/config']);
  });

  it('merges several KUBECONFIG files; the first current-context and the first definition of a name win', () => {
    const a = join(dir, 'a.yaml');
    const b = join(dir, 'b.yaml');
    writeFileSync(a, kubeconfigYaml('https://a.example:6443', 'token-a', 'alpha'));
    writeFileSync(b, kubeconfigYaml('https://b.example:6443', 'token-b', 'beta'));
    const config = loadKubeconfig({ env: { KUBECONFIG: `${a}:${b}:${join(dir, 'missing.yaml')}` } });
    assert.deepEqual(config.files, [a, b]);
    assert.equal(config.currentContext, 'alpha');
    assert.deepEqual(
      config.contexts().map((c) => [c.name, c.server]),
      [
        ['alpha', 'https://a.example:6443'],
        ['beta', 'https://b.example:6443'],
      ],
    );
    const connection = config.connect('beta');
    assert.equal(connection.server, 'https://b.example:6443');
    assert.equal(connection.namespace, 'default');
  });

  it('reports a kubeconfig that does not parse, without exposing its token', () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, `${kubeconfigYaml('https://x:1', 'super-secret-token-value')}\n  - : [unclosed\n\tbad: {`);
    const error = throwsWith(() => loadKubeconfig({ path: file }), 'KubeconfigInvalid', 'super-secret-token-value');
    assert.match(error.message, /could not be read/);
  });

  it('reports a missing kubeconfig', () => {
    throwsWith(() => loadKubeconfig({ path: join(dir, 'nope') }), 'KubeconfigNotFound');
  });

  it('reports a context that does not exist, listing the known ones', () => {
    const file = join(dir, 'one.yaml');
    writeFileSync(file, kubeconfigYaml('https://x:1', 'tok-123456', 'only'));
    const error = throwsWith(() => loadKubeconfig({ path: file }).connect('prod'), 'ContextNotFound', 'tok-123456');
    assert.match(error.message, /"prod" does not exist.*only/);
  });

  after(() => {
    // temp files are small; leave the OS to clean them up
  });
});

describe('connection errors against the API test server', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster({ seed: false });
  });
  after(async () => {
    await cluster.stop();
  });

  it('connects and verifies that Flux is served', async () => {
    await cluster.connection.verify();
  });

  it('unreachable server (ECONNREFUSED) → Unreachable, no token in the message', async () => {
    const file = join(cluster.dir, 'unreachable.yaml');
    writeFileSync(file, kubeconfigYaml(`https://127.0.0.1:${await freePort()}`, testToken));
    const error = await rejectsWith(loadKubeconfig({ path: file }).connect().verify(), 'Unreachable', testToken);
    assert.match(error.message, /ECONNREFUSED/);
  });

  it('a server that never answers → Timeout', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const file = join(cluster.dir, 'silent.yaml');
    const port = (silent.address() as AddressInfo).port;
    writeFileSync(file, kubeconfigYaml(`http://127.0.0.1:${port}`, testToken));
    try {
      await rejectsWith(loadKubeconfig({ path: file }).connect(undefined, { requestTimeoutMs: 300 }).verify(), 'Timeout', testToken);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('wrong token → Unauthorized (401), the wrong token is not shown', async () => {
    const file = join(cluster.dir, 'wrong-token.yaml');
    cluster.api.writeKubeconfig(file, { token: 'wrong-token-abcdef' });
    const error = await rejectsWith(loadKubeconfig({ path: file }).connect().verify(), 'Unauthorized', 'wrong-token-abcdef');
    assert.equal(error.status, 401);
    assert.ok(!error.message.includes(testToken));
  });

  it('an RBAC rule → Forbidden (403) with the server message; the cache reports it as an error state', async () => {
    cluster.api.setRbac([{ verb: 'list', resource: 'helmreleases', allow: false }]);
    try {
      const error = await rejectsWith(cluster.connection.request('GET', '/apis/helm.toolkit.fluxcd.io/v2/helmreleases'), 'Forbidden', testToken);
      assert.equal(error.status, 403);
      assert.match(error.message, /cannot list resource "helmreleases"/);
      const cache = new ResourceCache(cluster.connection, { kinds: ['HelmRelease', 'HelmRepository'], backoff: { initialMs: 50 } });
      cache.start().catch(() => undefined);
      await until(() => cache.stateOf('HelmRelease')?.state === 'error', 3000, 'error state');
      const state = cache.state;
      assert.equal(state.state, 'error');
      assert.ok(state.state === 'error' && state.code === 'Forbidden' && /forbidden/i.test(state.message));
      await until(() => cache.stateOf('HelmRepository')?.state === 'connected', 3000, 'HelmRepository connected');
      cache.dispose();
    } finally {
      cluster.api.setRbac([]);
    }
  });
});

describe('plain HTTP API server', () => {
  it('works without insecure-skip-tls-verify (as kubectl does)', async () => {
    const cluster = await startTestCluster({ server: { tls: false }, seed: false });
    try {
      assert.ok(cluster.api.url.startsWith('http:'));
      await cluster.connection.verify();
    } finally {
      await cluster.stop();
    }
  });
});

const NOT_FOUND = JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 });

/** A minimal API server on loopback answering with `handler`, and a kubeconfig pointing at it. */
async function fakeApiServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ file: string; close(): void }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const file = join(tempDir(), 'config');
  writeFileSync(file, kubeconfigYaml(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, testToken));
  return {
    file,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

describe('a Flux kind the cluster does not serve', () => {
  // HelmReleases served (empty), Kustomizations not: a cluster without kustomize-controller.
  let fake: { file: string; close(): void };
  before(async () => {
    fake = await fakeApiServer((req, res) => {
      const url = req.url ?? '';
      if (url.includes('/kustomizations')) {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end(NOT_FOUND);
      } else if (url.includes('watch=')) {
        res.writeHead(200, { 'Content-Type': 'application/json' }); // held open, as a watch with no events
      } else {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ kind: 'HelmReleaseList', apiVersion: 'helm.toolkit.fluxcd.io/v2', metadata: { resourceVersion: '7' }, items: [] }));
      }
    });
  });
  after(() => fake.close());

  it('the cache syncs and is connected at once; only that kind says it is not served', async () => {
    const cache = new ResourceCache(loadKubeconfig({ path: fake.file }).connect(), { kinds: ['HelmRelease', 'Kustomization'], backoff: { initialMs: 50 } });
    try {
      await cache.start(3000);
      assert.equal(cache.state.state, 'connected');
      assert.deepEqual(cache.list('Kustomization'), []);
      const kustomizations = cache.stateOf('Kustomization');
      assert.ok(kustomizations?.state === 'error' && kustomizations.code === 'FluxNotInstalled', JSON.stringify(kustomizations));
    } finally {
      cache.dispose();
    }
  });
});

describe('Flux not installed', () => {
  // The API test server always serves the Flux kinds, so a minimal server answers 404 like an
  // API server without the Flux CRDs ("the server could not find the requested resource").
  let fake: { file: string; close(): void };
  before(async () => {
    fake = await fakeApiServer((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(NOT_FOUND);
    });
  });
  after(() => fake.close());

  it('verify() → FluxNotInstalled', async () => {
    const error = await rejectsWith(loadKubeconfig({ path: fake.file }).connect().verify(), 'FluxNotInstalled', testToken);
    assert.match(error.message, /Flux is not installed on this cluster/);
  });

  it('the cache reports FluxNotInstalled', async () => {
    const cache = new ResourceCache(loadKubeconfig({ path: fake.file }).connect(), { kinds: ['HelmRelease'], backoff: { initialMs: 50 } });
    cache.start().catch(() => undefined);
    await until(() => cache.state.state === 'error', 3000, 'error state');
    const state = cache.state;
    assert.ok(state.state === 'error' && state.code === 'FluxNotInstalled', JSON.stringify(state));
    cache.dispose();
  });
});
