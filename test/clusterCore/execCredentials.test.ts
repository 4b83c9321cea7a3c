// Kubeconfig exec credential plugins, with real plugin scripts on disk that count their runs.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClusterError } from '../../client/src/cluster/errors';
import { loadKubeconfig } from '../../client/src/cluster/kubeconfig';
import type { ExecCredentialOptions } from '../../client/src/cluster/execCredentials';
import { ResourceCache } from '../../client/src/cluster/resourceCache';
import { allFluxKinds } from '../../client/src/cluster/types';
import { startTestCluster, testToken, until, type TestCluster } from './helpers';

/** Prints an ExecCredential with $PLUGIN_TOKEN (and $EXPIRES when set); appends a line to $RUNS per run. */
const tokenPlugin = `#!/bin/sh
echo run >> "$RUNS"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$RUNS.info"
if [ -n "$EXPIRES" ]; then expiry=",\\"expirationTimestamp\\":\\"$EXPIRES\\""; else expiry=""; fi
printf '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"%s"%s}}\\n' "$PLUGIN_TOKEN" "$expiry"
`;

/** Never finishes, like a plugin waiting for a browser login; records its pid and its child's. */
const hangingPlugin = `#!/bin/sh
echo run >> "$RUNS"
echo $$ > "$RUNS.pid"
sleep 600 &
echo $! > "$RUNS.child"
wait
`;

/** Fails like a plugin whose refresh token expired, quoting that token on stderr. */
const failingPlugin = `#!/bin/sh
echo run >> "$RUNS"
echo "error: refresh failed, refresh-token: rt-0123456789-secret" >&2
echo "please log in again with: example-login" >&2
exit 3
`;

let cluster: TestCluster;
let counter = 0;

interface Plugin {
  kubeconfig: string;
  runs: string;
  script: string;
  count(): number;
}

/** Writes `script` and a kubeconfig whose user runs it, for the test API server. */
function plugin(script: string, env: Record<string, string> = {}, options: { relative?: boolean } = {}): Plugin {
  const dir = join(cluster.dir, `plugin-${++counter}`);
  mkdirSync(join(dir, 'bin'), { recursive: true });
  const file = join(dir, 'bin', 'credential-plugin.sh');
  writeFileSync(file, script);
  chmodSync(file, 0o755);
  const runs = join(dir, 'runs');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'test', cluster: { server: cluster.api.url, 'certificate-authority-data': Buffer.from(cluster.api.caCertificate ?? '').toString('base64') } }],
    users: [
      {
        name: 'sso-user',
        user: {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1beta1',
            command: options.relative ? './bin/credential-plugin.sh' : file,
            args: ['get-token', '--cluster', 'test'],
            env: Object.entries({ RUNS: runs, PLUGIN_TOKEN: testToken, ...env }).map(([name, value]) => ({ name, value })),
            interactiveMode: 'Never',
          },
        },
      },
    ],
    contexts: [{ name: 'sso', context: { cluster: 'test', user: 'sso-user' } }],
    'current-context': 'sso',
  };
  const kubeconfig = join(dir, 'config');
  writeFileSync(kubeconfig, JSON.stringify(config));
  return { kubeconfig, runs, script: file, count: () => (existsSync(runs) ? readFileSync(runs, 'utf8').split('\n').filter((l) => l !== '').length : 0) };
}

function connect(p: Plugin, exec: ExecCredentialOptions = {}) {
  return loadKubeconfig({ path: p.kubeconfig }).connect(undefined, { requestTimeoutMs: 5000, exec });
}

async function rejection(promise: Promise<unknown>): Promise<ClusterError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ClusterError, `expected a ClusterError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('exec credential plugins', () => {
  before(async () => {
    cluster = await startTestCluster({ seed: false });
    cluster.simulator.stop();
  });
  after(async () => {
    await cluster.stop();
  });

  it('runs once for the first list and watch of every Flux kind (a credential without expiry is reused)', async () => {
    const p = plugin(tokenPlugin);
    const cache = new ResourceCache(connect(p));
    try {
      await cache.start(10_000);
      await until(() => cluster.api.activeWatches >= allFluxKinds.length, 10_000, 'a watch per kind');
      assert.equal(cache.state.state, 'connected');
      console.log(`exec plugin runs for the first list+watch of ${allFluxKinds.length} kinds: ${p.count()}`);
      assert.equal(p.count(), 1);
      const info = JSON.parse(readFileSync(`${p.runs}.info`, 'utf8')) as { apiVersion?: string; kind?: string; spec?: { interactive?: boolean } };
      assert.deepEqual(info, { apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', spec: { interactive: false } });
    } finally {
      cache.dispose();
    }
  });

  it('runs again once the reuse time of a credential without expiry is over', async () => {
    const p = plugin(tokenPlugin);
    const connection = connect(p, { reuseMs: 200 });
    await connection.verify();
    await connection.verify();
    assert.equal(p.count(), 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await connection.verify();
    assert.equal(p.count(), 2);
  });

  it('reuses a credential until its expirationTimestamp, and renews an expired one', async () => {
    const fresh = plugin(tokenPlugin, { EXPIRES: new Date(Date.now() + 3600_000).toISOString() });
    const connection = connect(fresh, { reuseMs: 0 });
    await connection.verify();
    await connection.verify();
    assert.equal(fresh.count(), 1);
    const expired = plugin(tokenPlugin, { EXPIRES: '2020-01-01T00:00:00Z' });
    await connect(expired).verify();
    assert.equal(expired.count(), 2, 'verify() sends two requests; an expired credential serves neither twice');
  });

  it('stops a plugin that does not finish, with a message that names it, says it timed out and suggests a terminal login', async () => {
    const p = plugin(hangingPlugin);
    const connection = connect(p, { timeoutMs: 300 });
    const error = await rejection(connection.verify());
    assert.equal(error.code, 'CredentialPluginFailed');
    assert.ok(error.message.includes(p.script), error.message);
    assert.match(error.message, /timed out/);
    assert.match(error.message, /log in/);
    assert.match(error.message, /terminal/);
    assert.ok(!error.message.includes('get-token'), 'arguments are not shown (they may hold secrets)');
    const pid = Number(readFileSync(`${p.runs}.pid`, 'utf8'));
    const child = Number(readFileSync(`${p.runs}.child`, 'utf8'));
    await until(() => !alive(pid) && !alive(child), 5000, 'the plugin and its child to be stopped');

    // It may be waiting for a login: it is not started again right away, and the view shows why.
    const again = await rejection(connection.verify());
    assert.equal(again.message, error.message);
    const cache = new ResourceCache(connection, { kinds: ['HelmRelease'] });
    cache.start().catch(() => undefined);
    await until(() => cache.state.state === 'error', 5000, 'the cache to report the error');
    const state = cache.state;
    cache.dispose();
    assert.ok(state.state === 'error' && state.code === 'CredentialPluginFailed' && state.message === error.message, JSON.stringify(state));
    assert.equal(p.count(), 1);
  });

  it('reports a failing plugin with its last stderr lines, without the secrets in them', async () => {
    const p = plugin(failingPlugin);
    const error = await rejection(connect(p).verify());
    assert.equal(error.code, 'CredentialPluginFailed');
    assert.match(error.message, /exit code 3/);
    assert.match(error.message, /please log in again with: example-login/);
    assert.ok(!error.message.includes('rt-0123456789-secret'), error.message);
  });

  it('does not reuse a credential the server rejects, and does not show it', async () => {
    const p = plugin(tokenPlugin, { PLUGIN_TOKEN: 'plugin-token-rejected-42' });
    const connection = connect(p);
    const first = await rejection(connection.verify());
    assert.equal(first.code, 'Unauthorized');
    assert.ok(!first.message.includes('plugin-token-rejected-42'));
    await rejection(connection.verify());
    assert.equal(p.count(), 2);
  });

  it('resolves a relative command from the kubeconfig directory, as kubectl does', async () => {
    const p = plugin(tokenPlugin, {}, { relative: true });
    await connect(p).verify();
    assert.equal(p.count(), 1);
  });
});
