// The Kubernetes API test server, driven by the real kubectl as an independent client, plus the
// Flux simulator reacting to what kubectl does. kubectl must be installed: without it these tests
// fail (they do not skip).
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startApiServer, type ApiServer } from './apiServer';
import { recover, startDemoCluster } from './demoData';
import { conditionMap, startFluxSimulator, type FluxSimulator } from './fluxSimulator';
import { isRecord } from './json';
import type { KubeObject } from './store';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const token = 'test-token';
let api: ApiServer;
let simulator: FluxSimulator;
let dir: string;
let kubeconfig: string;

function kubectl(args: string[], config = kubeconfig): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      'kubectl',
      ['--kubeconfig', config, '--cache-dir', join(dir, 'cache'), ...args],
      { timeout: 20_000 },
      (error, stdout, stderr) => {
        if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(new Error('kubectl is not installed (not found on PATH); these tests drive the API test server with kubectl'));
          return;
        }
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function kubectlOk(args: string[]): Promise<string> {
  const run = await kubectl(args);
  assert.equal(run.code, 0, `kubectl ${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout;
}

async function getJson(args: string[]): Promise<KubeObject> {
  return JSON.parse(await kubectlOk([...args, '-o', 'json'])) as KubeObject;
}

function status(object: KubeObject | undefined): Record<string, unknown> {
  return isRecord(object?.status) ? object.status : {};
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A direct HTTPS request to the server, for what kubectl cannot send. */
function http(method: string, path: string, options: { body?: unknown; contentType?: string; bearer?: string } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, api.url);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = httpsRequest(
      url,
      {
        method,
        ca: api.caCertificate,
        headers: {
          authorization: `Bearer ${options.bearer ?? token}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': options.contentType ?? 'application/json' } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const helmRelease = (name: string, namespace: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  metadata: { name, namespace },
  spec: {
    interval: '5m',
    chart: { spec: { chart: 'podinfo', version: '6.x', sourceRef: { kind: 'HelmRepository', name: 'podinfo', namespace: 'flux-system' } } },
    upgrade: { remediation: { retries: 1 } },
    values: { replicaCount: 1 },
    ...extra,
  },
});

describe('Kubernetes API test server, driven by kubectl', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flux-api-test-'));
    api = await startApiServer({
      token,
      user: 'jane',
      retainedEvents: 50,
      bookmarkIntervalMs: 200,
      namespaces: ['default', 'flux-system', 'apps', 'locked'],
      rbac: [
        { verb: '*', resource: 'secrets', namespace: 'apps', allow: false },
        { verb: 'patch', resource: 'helmreleases', namespace: 'locked', allow: false },
      ],
    });
    simulator = startFluxSimulator(api, { reconcileDelayMs: 100, sourceDelayMs: 20 });
    kubeconfig = join(dir, 'kubeconfig');
    api.writeKubeconfig(kubeconfig, { namespace: 'apps' });
    api.store.put({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      metadata: { name: 'podinfo', namespace: 'flux-system' },
      spec: { interval: '5m', url: 'https://stefanprodan.github.io/podinfo' },
    });
    await simulator.idle();
    api.store.put(helmRelease('podinfo', 'apps'));
    api.store.put(helmRelease('guarded', 'locked'));
    await simulator.idle();
  });

  after(async () => {
    simulator?.stop();
    await api?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds kubectl (required: a missing kubectl fails these tests)', async () => {
    const version = await kubectl(['version', '--client', '-o', 'json'], '/dev/null');
    assert.equal(version.code, 0, `kubectl version --client failed: ${version.stderr}`);
    assert.match(version.stdout, /"clientVersion"/);
  });

  it('lists HelmReleases in all namespaces as a table with the CRD printer columns', async () => {
    const out = await kubectlOk(['get', 'hr', '-A']);
    const lines = out.trim().split('\n');
    assert.match(lines[0]!, /^NAMESPACE\s+NAME\s+AGE\s+READY\s+STATUS$/);
    assert.match(out, /apps\s+podinfo\s+\S+\s+True\s+Helm install succeeded for release apps\/podinfo\.v1 with chart podinfo@6\.7\.1/);
    assert.match(out, /locked\s+guarded\s+/);
    const events = await kubectlOk(['get', 'events', '-n', 'apps']);
    assert.match(events, /Normal\s+InstallSucceeded\s+helmrelease\/podinfo/);
  });

  it('gets one HelmRelease as JSON with the status the simulator wrote', async () => {
    const hr = await getJson(['get', 'helmrelease', 'podinfo', '-n', 'apps']);
    assert.equal(hr.kind, 'HelmRelease');
    assert.equal(hr.metadata.generation, 1);
    const s = status(hr);
    assert.equal(s.observedGeneration, 1);
    assert.equal(conditionMap(hr).Ready?.status, 'True');
    assert.equal(conditionMap(hr).Ready?.reason, 'InstallSucceeded');
    const history = s.history as Array<Record<string, unknown>>;
    assert.equal(history.length, 1);
    assert.deepEqual(
      [history[0]!.version, history[0]!.status, history[0]!.chartName, history[0]!.chartVersion],
      [1, 'deployed', 'podinfo', '6.7.1'],
    );
    assert.match(String(history[0]!.configDigest), /^sha256:[0-9a-f]{64}$/);
    assert.equal(s.helmChart, 'flux-system/apps-podinfo');
  });

  it('applies a manifest (create, change → generation 2, unchanged) without --validate=false', async () => {
    const file = join(dir, 'web.yaml');
    const manifest = (replicas: number): string =>
      [
        'apiVersion: helm.toolkit.fluxcd.io/v2',
        'kind: HelmRelease',
        'metadata:',
        '  name: web',
        '  namespace: apps',
        'spec:',
        '  interval: 5m',
        '  chart:',
        '    spec:',
        '      chart: podinfo',
        '      sourceRef:',
        '        kind: HelmRepository',
        '        name: podinfo',
        '        namespace: flux-system',
        '  values:',
        `    replicaCount: ${replicas}`,
        '',
      ].join('\n');
    writeFileSync(file, manifest(1));
    assert.match(await kubectlOk(['apply', '-f', file]), /helmrelease\.helm\.toolkit\.fluxcd\.io\/web created/);
    assert.equal(api.store.get('hr', 'apps', 'web')?.metadata.generation, 1);
    writeFileSync(file, manifest(2));
    assert.match(await kubectlOk(['apply', '-f', file]), /web configured/);
    assert.match(await kubectlOk(['apply', '-f', file]), /web unchanged/);
    const web = await getJson(['get', 'hr', 'web', '-n', 'apps']);
    assert.equal(web.metadata.generation, 2);
    assert.ok(web.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']?.includes('"replicaCount":2'));
    // kubectl asked for server-side field validation: the server rejects unknown fields.
    const patch = api.requests.find((r) => r.method === 'PATCH' && r.url.includes('/helmreleases/web'));
    assert.equal(patch?.contentType, 'application/merge-patch+json');
    assert.match(patch?.url ?? '', /fieldValidation=Strict/);
    writeFileSync(file, manifest(3).replace('  interval: 5m', '  intervall: 5m'));
    const bad = await kubectl(['apply', '-f', file]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /BadRequest[\s\S]*strict decoding error: unknown field "spec\.intervall"/);
    const ready = await waitFor('web to be Ready', () =>
      conditionMap(api.store.get('hr', 'apps', 'web')).Ready?.status === 'True' ? true : undefined,
    );
    assert.ok(ready);
  });

  it('annotate requestedAt: the simulator reconciles and records lastHandledReconcileAt; metadata changes keep the generation', async () => {
    const seen: string[] = [];
    const unsubscribe = api.store.subscribe((e) => {
      if (e.resource.kind === 'HelmRelease' && e.object.metadata.name === 'podinfo')
        seen.push(conditionMap(e.object).Reconciling?.status ?? '-');
    });
    const requestedAt = new Date().toISOString();
    await kubectlOk(['annotate', 'hr', 'podinfo', '-n', 'apps', `reconcile.fluxcd.io/requestedAt=${requestedAt}`, '--overwrite']);
    const done = await waitFor('lastHandledReconcileAt', async () => {
      const hr = await getJson(['get', 'hr', 'podinfo', '-n', 'apps']);
      return status(hr).lastHandledReconcileAt === requestedAt && !conditionMap(hr).Reconciling ? hr : undefined;
    });
    unsubscribe();
    assert.equal(conditionMap(done).Ready?.status, 'True');
    assert.ok(seen.includes('True'), 'went through Reconciling=True');
    assert.equal(done.metadata.generation, 1, 'an annotation is not a spec change');
    assert.equal(status(done).observedGeneration, 1);
    const annotate = api.requests.find((r) => r.method === 'PATCH' && r.url.includes('fieldManager=kubectl-annotate'));
    assert.equal(annotate?.contentType, 'application/merge-patch+json');
  });

  it('patch --type merge spec.suspend: generation bumps, the simulator only acknowledges requests while suspended', async () => {
    await kubectlOk(['patch', 'hr', 'podinfo', '-n', 'apps', '--type', 'merge', '-p', '{"spec":{"suspend":true}}']);
    const requestedAt = `suspended-${Date.now()}`;
    await kubectlOk(['annotate', 'hr', 'podinfo', '-n', 'apps', `reconcile.fluxcd.io/requestedAt=${requestedAt}`, '--overwrite']);
    const hr = await waitFor('suspended acknowledgement', () => {
      const current = api.store.get('hr', 'apps', 'podinfo');
      return status(current).lastHandledReconcileAt === requestedAt ? current : undefined;
    });
    assert.equal(hr.metadata.generation, 2);
    assert.equal(status(hr).observedGeneration, 1, 'a suspended release is not reconciled');
    assert.equal(conditionMap(hr).Reconciling, undefined);
    await kubectlOk(['patch', 'hr', 'podinfo', '-n', 'apps', '--type', 'merge', '-p', '{"spec":{"suspend":false}}']);
    const resumed = await waitFor('resume', () => {
      const current = api.store.get('hr', 'apps', 'podinfo');
      return status(current).observedGeneration === 3 && conditionMap(current).Ready?.status === 'True' ? current : undefined;
    });
    assert.equal(resumed.metadata.generation, 3);
  });

  it('get -w streams a MODIFIED row when the object changes', async () => {
    const child = spawn('kubectl', [
      '--kubeconfig',
      kubeconfig,
      '--cache-dir',
      join(dir, 'cache'),
      'get',
      'hr',
      'podinfo',
      '-n',
      'apps',
      '-w',
      '--output-watch-events',
    ]);
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    try {
      await waitFor('the first row', () => (/ADDED\s+podinfo/.test(out) ? true : undefined));
      await waitFor('the watch request', () => (api.activeWatches > 0 ? true : undefined));
      api.store.patch(
        'hr',
        'apps',
        'podinfo',
        { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'UpgradeFailed', message: 'watch me' }] } },
        { subresource: 'status' },
      );
      await waitFor('a MODIFIED row', () => (/MODIFIED\s+podinfo\s+\S+\s+False\s+watch me/.test(out) ? true : undefined));
    } finally {
      child.kill();
    }
    assert.match(out.split('\n')[0]!, /^EVENT\s+NAME\s+AGE\s+READY\s+STATUS/);
    const watch = api.requests.find((r) => r.url.includes('watch=true') && r.url.includes('fieldSelector=metadata.name%3Dpodinfo'));
    assert.ok(watch, 'kubectl watched with a field selector on the name');
    assert.match(watch.accept, /as=Table/);
  });

  it('answers 404 NotFound', async () => {
    const run = await kubectl(['get', 'hr', 'nope', '-n', 'apps']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Error from server \(NotFound\): helmreleases\.helm\.toolkit\.fluxcd\.io "nope" not found/);
  });

  it('answers 403 Forbidden from the rule table', async () => {
    const list = await kubectl(['get', 'secrets', '-n', 'apps']);
    assert.equal(list.code, 1);
    assert.match(
      list.stderr,
      /Forbidden.*secrets is forbidden: User "jane" cannot list resource "secrets" in API group "" in the namespace "apps"/,
    );
    const annotate = await kubectl(['annotate', 'hr', 'guarded', '-n', 'locked', 'reconcile.fluxcd.io/requestedAt=now', '--overwrite']);
    assert.equal(annotate.code, 1);
    assert.match(
      annotate.stderr,
      /helmreleases\.helm\.toolkit\.fluxcd\.io "guarded" is forbidden: User "jane" cannot patch resource "helmreleases"/,
    );
    assert.equal((await kubectl(['get', 'hr', 'guarded', '-n', 'locked'])).code, 0, 'reading is still allowed');
    // `auth can-i` asks the same table through a SelfSubjectAccessReview.
    const canI = await kubectl(['auth', 'can-i', 'patch', 'hr', '-n', 'locked']);
    assert.equal(canI.code, 1);
    assert.match(canI.stdout, /^no/);
    assert.equal((await kubectl(['auth', 'can-i', 'patch', 'hr', '-n', 'apps'])).stdout.trim(), 'yes');
  });

  it('answers 401 to a wrong token', async () => {
    const wrong = join(dir, 'wrong-kubeconfig');
    api.writeKubeconfig(wrong, { token: 'wrong' });
    const run = await kubectl(['get', 'hr', '-A'], wrong);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /You must be logged in to the server/);
    assert.equal((await http('GET', '/apis/helm.toolkit.fluxcd.io/v2/helmreleases', { bearer: 'wrong' })).status, 401);
  });

  it('answers 409 Conflict to a replace with a stale resourceVersion', async () => {
    const stale = join(dir, 'stale.json');
    writeFileSync(stale, await kubectlOk(['get', 'hr', 'podinfo', '-n', 'apps', '-o', 'json']));
    await kubectlOk(['annotate', 'hr', 'podinfo', '-n', 'apps', 'example.com/touched=yes', '--overwrite']);
    const run = await kubectl(['replace', '-f', stale]);
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /Conflict.*Operation cannot be fulfilled on helmreleases\.helm\.toolkit\.fluxcd\.io "podinfo": the object has been modified/,
    );
    const current = api.store.get('hr', 'apps', 'podinfo')!;
    const direct = await http('PUT', '/apis/helm.toolkit.fluxcd.io/v2/namespaces/apps/helmreleases/podinfo', {
      body: { ...current, metadata: { ...current.metadata, resourceVersion: '1' } },
    });
    assert.equal(direct.status, 409);
    assert.equal(JSON.parse(direct.body).reason, 'Conflict');
  });

  it('keeps the generation on status and metadata changes; the main endpoint ignores status, /status ignores spec', async () => {
    await simulator.idle();
    const before = api.store.get('hr', 'apps', 'podinfo')!;
    const ignored = await kubectlOk([
      'patch',
      'hr',
      'podinfo',
      '-n',
      'apps',
      '--type',
      'merge',
      '-p',
      '{"status":{"observedPostRenderersDigest":"main"}}',
    ]);
    assert.match(ignored, /patched \(no change\)/);
    await kubectlOk([
      'patch',
      'hr',
      'podinfo',
      '-n',
      'apps',
      '--subresource',
      'status',
      '--type',
      'merge',
      '-p',
      '{"spec":{"interval":"1m"},"status":{"observedPostRenderersDigest":"sha256:abc"}}',
    ]);
    const after = api.store.get('hr', 'apps', 'podinfo')!;
    assert.equal(status(after).observedPostRenderersDigest, 'sha256:abc');
    assert.equal((after.spec as Record<string, unknown>).interval, '5m', 'the status subresource ignores spec');
    assert.equal(after.metadata.generation, before.metadata.generation, 'status changes keep the generation');
    assert.notEqual(after.metadata.resourceVersion, before.metadata.resourceVersion);
    await kubectlOk(['label', 'hr', 'podinfo', '-n', 'apps', 'team=web']);
    assert.equal(api.store.get('hr', 'apps', 'podinfo')!.metadata.generation, before.metadata.generation);
    // A JSON patch of the spec bumps it; a failing `test` operation is refused.
    await kubectlOk([
      'patch',
      'hr',
      'podinfo',
      '-n',
      'apps',
      '--type',
      'json',
      '-p',
      '[{"op":"replace","path":"/spec/interval","value":"10m"}]',
    ]);
    assert.equal(api.store.get('hr', 'apps', 'podinfo')!.metadata.generation, (before.metadata.generation ?? 0) + 1);
    const failed = await kubectl([
      'patch',
      'hr',
      'podinfo',
      '-n',
      'apps',
      '--type',
      'json',
      '-p',
      '[{"op":"test","path":"/spec/interval","value":"1h"}]',
    ]);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /test failed/);
  });

  it('plays a failing upgrade: retries with rollbacks, then Stalled; recovers on the next change', async () => {
    await simulator.idle();
    simulator.failNext('apps', 'podinfo', { times: Number.POSITIVE_INFINITY, message: 'timed out waiting for the condition' });
    await kubectlOk(['patch', 'hr', 'podinfo', '-n', 'apps', '--type', 'merge', '-p', '{"spec":{"values":{"replicaCount":5}}}']);
    const stalled = await waitFor('Stalled', () => {
      const hr = api.store.get('hr', 'apps', 'podinfo');
      return conditionMap(hr).Stalled?.status === 'True' ? hr : undefined;
    });
    const c = conditionMap(stalled);
    assert.equal(c.Stalled?.reason, 'RetriesExceeded');
    assert.equal(c.Stalled?.message, 'Failed to upgrade after 2 attempt(s)');
    assert.equal(c.Remediated?.reason, 'RollbackSucceeded');
    assert.equal(c.Ready?.status, 'False');
    const history = status(stalled).history as Array<Record<string, unknown>>;
    assert.deepEqual(
      history.slice(0, 2).map((h) => [h.status, h.action]),
      [
        ['deployed', 'rollback'],
        ['failed', 'upgrade'],
      ],
    );
    assert.equal(status(stalled).upgradeFailures, 2);
    const events = await kubectlOk([
      'get',
      'events',
      '-n',
      'apps',
      '--field-selector',
      'involvedObject.name=podinfo,reason=RollbackSucceeded',
    ]);
    assert.match(events, /Helm rollback to previous release apps\/podinfo\.v\d+ with chart podinfo@6\.7\.1 succeeded/);
    simulator.clearFailures('apps', 'podinfo');
    await kubectlOk(['patch', 'hr', 'podinfo', '-n', 'apps', '--type', 'merge', '-p', '{"spec":{"values":{"replicaCount":4}}}']);
    const recovered = await waitFor('recovery', () => {
      const hr = api.store.get('hr', 'apps', 'podinfo');
      return conditionMap(hr).Ready?.reason === 'UpgradeSucceeded' ? hr : undefined;
    });
    assert.equal(conditionMap(recovered).Stalled, undefined);
    assert.equal(status(recovered).upgradeFailures, 0);
  });

  it('flux reconcile --force / --reset: forceAt upgrades without changes, resetAt retries a stalled release', async () => {
    await simulator.idle();
    const before = api.store.get('hr', 'apps', 'podinfo')!;
    const version = (status(before).history as Array<Record<string, unknown>>)[0]!.version as number;
    const forceAt = `force-${Date.now()}`;
    await kubectlOk([
      'annotate',
      'hr',
      'podinfo',
      '-n',
      'apps',
      '--overwrite',
      `reconcile.fluxcd.io/requestedAt=${forceAt}`,
      `reconcile.fluxcd.io/forceAt=${forceAt}`,
    ]);
    const forced = await waitFor('forced upgrade', () => {
      const hr = api.store.get('hr', 'apps', 'podinfo');
      return status(hr).lastHandledForceAt === forceAt && !conditionMap(hr).Reconciling ? hr : undefined;
    });
    assert.equal((status(forced).history as Array<Record<string, unknown>>)[0]!.version, version + 1);
    assert.equal(status(forced).lastHandledReconcileAt, forceAt);

    simulator.failNext('apps', 'podinfo', { times: 2 });
    await kubectlOk(['patch', 'hr', 'podinfo', '-n', 'apps', '--type', 'merge', '-p', '{"spec":{"values":{"replicaCount":6}}}']);
    await waitFor('Stalled', () => (conditionMap(api.store.get('hr', 'apps', 'podinfo')).Stalled?.status === 'True' ? true : undefined));
    // A plain request does not retry a release whose retries are exhausted...
    const plain = `plain-${Date.now()}`;
    await kubectlOk(['annotate', 'hr', 'podinfo', '-n', 'apps', '--overwrite', `reconcile.fluxcd.io/requestedAt=${plain}`]);
    const still = await waitFor('plain request handled', () => {
      const hr = api.store.get('hr', 'apps', 'podinfo');
      return status(hr).lastHandledReconcileAt === plain && !conditionMap(hr).Reconciling ? hr : undefined;
    });
    assert.equal(conditionMap(still).Stalled?.reason, 'RetriesExceeded');
    // ...a reset does.
    const resetAt = `reset-${Date.now()}`;
    await kubectlOk([
      'annotate',
      'hr',
      'podinfo',
      '-n',
      'apps',
      '--overwrite',
      `reconcile.fluxcd.io/requestedAt=${resetAt}`,
      `reconcile.fluxcd.io/resetAt=${resetAt}`,
    ]);
    const reset = await waitFor('reset', () => {
      const hr = api.store.get('hr', 'apps', 'podinfo');
      return status(hr).lastHandledResetAt === resetAt && conditionMap(hr).Ready?.status === 'True' ? hr : undefined;
    });
    assert.equal(conditionMap(reset).Stalled, undefined);
    assert.equal(status(reset).upgradeFailures, 0);
  });

  it('watch over HTTP: replay from a resourceVersion, bookmarks, 410 Expired for a compacted one, dropped connections', async () => {
    const base = '/apis/helm.toolkit.fluxcd.io/v2/namespaces/apps/helmreleases';
    const from = api.store.resourceVersion;
    api.store.patch('hr', 'apps', 'web', { metadata: { labels: { replay: 'yes' } } });
    const replay = await http('GET', `${base}?watch=true&resourceVersion=${from}&allowWatchBookmarks=true&timeoutSeconds=1`);
    const events = replay.body
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; object: KubeObject });
    assert.equal(events[0]!.type, 'MODIFIED');
    assert.equal(events[0]!.object.metadata.name, 'web');
    assert.ok(events.some((e) => e.type === 'BOOKMARK' && Number(e.object.metadata.resourceVersion) >= from + 1));
    // 50 retained changes: write more than that and the old version is gone.
    for (let i = 0; i < 60; i++)
      api.store.put({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `filler-${i}`, namespace: 'default' },
        data: { i: String(i) },
      });
    const gone = await http('GET', `${base}?watch=true&resourceVersion=${from}`);
    assert.equal(gone.status, 200);
    const lines = gone.body.trim().split('\n');
    assert.equal(lines.length, 1);
    const error = JSON.parse(lines[0]!) as { type: string; object: Record<string, unknown> };
    assert.equal(error.type, 'ERROR');
    assert.equal(error.object.kind, 'Status');
    assert.equal(error.object.code, 410);
    assert.equal(error.object.reason, 'Expired');
    assert.match(String(error.object.message), /^too old resource version: \d+ \(\d+\)$/);
    // A dropped watch ends without the final chunk; latency delays every answer.
    const dropped = http('GET', `${base}?watch=true`);
    await waitFor('the open watch', () => (api.activeWatches > 0 ? true : undefined));
    assert.equal(api.dropWatches(), 1);
    await assert.rejects(dropped);
    api.setLatency(300);
    const started = Date.now();
    assert.equal((await http('GET', `${base}/podinfo`)).status, 200);
    assert.ok(Date.now() - started >= 290);
    api.setLatency(0);
  });
});

describe('demo cluster and connection options', () => {
  it('seeds the tutorial objects: podinfo and postgres installed, grade-api failed, the OCI HelmRepository static', async () => {
    const demo = await startDemoCluster({ server: { tls: false }, simulator: { reconcileDelayMs: 20, sourceDelayMs: 10 } });
    try {
      const podinfo = demo.api.store.get('hr', 'podinfo', 'podinfo');
      assert.equal(conditionMap(podinfo).Ready?.reason, 'InstallSucceeded');
      assert.match(String(status(podinfo).lastAttemptedRevision), /^6\.7\.1\+[0-9a-f]{12}$/);
      assert.equal(conditionMap(demo.api.store.get('hr', 'grade-api', 'postgres')).Ready?.status, 'True');
      const gradeApi = demo.api.store.get('hr', 'grade-api', 'grade-api');
      assert.equal(conditionMap(gradeApi).Ready?.reason, 'InstallFailed');
      assert.equal(conditionMap(gradeApi).Stalled?.reason, 'RetriesExceeded');
      assert.equal(demo.api.store.get('helmrepositories', 'flux-system', 'grade-api-charts')?.status, undefined);
      // Recovery: a values change installs it.
      recover(demo.api, demo.simulator, 'grade-api', 'grade-api', { image: { tag: '1.4.3' } });
      await demo.simulator.idle();
      // The failed install is still in the release history (no install remediation), so this is an upgrade.
      assert.equal(conditionMap(demo.api.store.get('hr', 'grade-api', 'grade-api')).Ready?.reason, 'UpgradeSucceeded');
    } finally {
      await demo.stop();
    }
  });

  it('the simulator can stall a release (stuck in Reconciling) and slow one down', async () => {
    const server = await startApiServer({ tls: false, namespaces: ['flux-system', 'apps'] });
    const sim = startFluxSimulator(server, { reconcileDelayMs: 20, sourceDelayMs: 10 });
    try {
      server.store.put({
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'HelmRepository',
        metadata: { name: 'podinfo', namespace: 'flux-system' },
        spec: { url: 'https://example.com' },
      });
      await sim.idle();
      sim.stall('apps', 'stuck');
      sim.delay('apps', 'slow', 400);
      server.store.put(helmRelease('stuck', 'apps'));
      server.store.put(helmRelease('slow', 'apps'));
      await waitFor('slow to start', () => (conditionMap(server.store.get('hr', 'apps', 'slow')).Reconciling ? true : undefined));
      const started = Date.now();
      await sim.idle();
      assert.ok(Date.now() - started >= 300, 'the slow release took its time');
      assert.equal(conditionMap(server.store.get('hr', 'apps', 'slow')).Ready?.status, 'True');
      const stuck = server.store.get('hr', 'apps', 'stuck');
      assert.equal(conditionMap(stuck).Reconciling?.status, 'True');
      assert.equal(conditionMap(stuck).Ready?.status, 'Unknown');
      sim.release('apps', 'stuck');
      await sim.idle();
      assert.equal(conditionMap(server.store.get('hr', 'apps', 'stuck')).Ready?.reason, 'InstallSucceeded');
    } finally {
      sim.stop();
      await server.stop();
    }
  });

  it('dropWatchAfterMs cuts watch connections; a plain-HTTP server needs no TLS', async () => {
    const server = await startApiServer({ tls: false, dropWatchAfterMs: 150 });
    try {
      assert.match(server.url, /^http:\/\//);
      const { request } = await import('node:http');
      const started = Date.now();
      await assert.rejects(
        new Promise((resolve, reject) => {
          request(`${server.url}/api/v1/namespaces/default/configmaps?watch=true`, (res) => {
            res.on('data', () => undefined);
            res.on('end', resolve);
            res.on('error', reject);
          })
            .on('error', reject)
            .end();
        }),
      );
      assert.ok(Date.now() - started >= 140);
    } finally {
      await server.stop();
    }
  });
});
