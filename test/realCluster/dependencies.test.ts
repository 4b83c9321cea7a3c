// The dependsOn model against the real kustomize-controller: `infrastructure` reads a
// GitRepository nobody answers for, `apps` depends on it. The controller only checks dependencies
// once the Kustomization's own source has an artifact, so `apps` reads a Git repository served on
// loopback; it then says DependencyNotReady, and the model must agree with it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startRealCluster, type RealCluster } from '../../scripts/cluster/start.mjs';
import { loadKubeconfig } from '../../client/src/cluster/kubeconfig';
import { ResourceCache } from '../../client/src/cluster/resourceCache';
import type { ClusterConnection } from '../../client/src/cluster/connection';
import { condition, stateOf } from '../../client/src/cluster/status';
import { buildDependencyGraph, inCycle, pathsTo, waitingFor } from '../../client/src/cluster/dependencyGraph';
import { freePort, until } from '../clusterCore/helpers';
import { startGitServer, type GitServer } from './gitServer';

const SOURCES = '/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/gitrepositories';
const KUSTOMIZATIONS = '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations';

const gitRepository = (name: string, url: string) => ({
  apiVersion: 'source.toolkit.fluxcd.io/v1',
  kind: 'GitRepository',
  metadata: { name, namespace: 'flux-system' },
  spec: { interval: '10m', url, ref: { branch: 'main' }, timeout: '5s' },
});

const kustomization = (name: string, source: string, dependsOn: Array<{ name: string }> = []) => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name, namespace: 'flux-system' },
  spec: { interval: '10m', path: `./${name}`, prune: true, sourceRef: { kind: 'GitRepository', name: source }, ...(dependsOn.length > 0 ? { dependsOn } : {}) },
});

describe('the dependency model from the real kustomize-controller', () => {
  let cluster: RealCluster;
  let api: ClusterConnection;
  let git: GitServer;
  let tmp: string;
  let cache: ResourceCache | undefined;

  before(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'flux-dependencies-'));
    git = await startGitServer(tmp);
    git.commit({ 'apps/configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: apps-settings\n  namespace: flux-system\ndata:\n  mode: demo\n' }, 'apps');
    cluster = await startRealCluster();
    for (const name of ['source-controller', 'kustomize-controller']) assert.ok(cluster.controllers.includes(name), `${name} is not built: run \`npm run cluster:build\``);
    api = loadKubeconfig({ path: cluster.kubeconfig }).connect('flux-local-token', { requestTimeoutMs: 10_000 });
    await api.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'flux-system' } } });
  });

  after(async () => {
    cache?.dispose();
    await cluster?.stop();
    await git?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('apps waits for infrastructure as the controller says: the chain infrastructure → apps, and waitingFor names flux-system/infrastructure', async () => {
    await api.request('POST', SOURCES, { body: gitRepository('unreachable', `http://127.0.0.1:${await freePort()}/fleet.git`) });
    await api.request('POST', SOURCES, { body: gitRepository('fleet', git.url) });
    await api.request('POST', KUSTOMIZATIONS, { body: kustomization('infrastructure', 'unreachable') });
    await api.request('POST', KUSTOMIZATIONS, { body: kustomization('apps', 'fleet', [{ name: 'infrastructure' }]) });

    cache = new ResourceCache(api, { kinds: ['Kustomization', 'HelmRelease'], backoff: { initialMs: 50 } });
    await cache.start(20_000);
    const ready = (name: string) => {
      const object = cache!.get('Kustomization', 'flux-system', name);
      return object ? condition(object, 'Ready') : undefined;
    };
    // infrastructure decided (its source has no artifact) and apps past its own source, at its dependency check.
    await until(() => ready('apps')?.reason === 'DependencyNotReady' && ready('infrastructure')?.status === 'False', 120_000, 'apps DependencyNotReady and infrastructure not ready');

    const apps = cache.get('Kustomization', 'flux-system', 'apps')!;
    const infrastructure = cache.get('Kustomization', 'flux-system', 'infrastructure')!;
    console.log(`apps Ready: ${JSON.stringify(ready('apps'))}`);
    console.log(`infrastructure Ready: ${JSON.stringify(ready('infrastructure'))} state ${stateOf(infrastructure)}`);
    assert.equal(ready('apps')?.status, 'False');
    assert.equal(ready('apps')?.message, "dependency 'flux-system/infrastructure' is not ready");
    assert.equal(stateOf(apps), 'Waiting');

    const graph = buildDependencyGraph({ kustomizations: cache.list('Kustomization'), helmReleases: cache.list('HelmRelease') });
    assert.deepEqual(graph.roots, ['Kustomization/flux-system/infrastructure']);
    assert.deepEqual(graph.nodes.get('Kustomization/flux-system/infrastructure')?.dependents, ['Kustomization/flux-system/apps']);
    assert.deepEqual(pathsTo(graph, 'Kustomization/flux-system/apps'), [['Kustomization/flux-system/infrastructure', 'Kustomization/flux-system/apps']]);
    assert.ok(!inCycle(graph, 'Kustomization/flux-system/apps'));
    const waiting = waitingFor(graph, 'Kustomization/flux-system/apps');
    console.log(`waitingFor(apps): ${waiting}`);
    // The controller retries infrastructure every 5 s (start.mjs): between attempts it is Failed with the controller's message.
    assert.match(waiting ?? '', /^waiting for flux-system\/infrastructure: (Failed — Source artifact not found, retrying in 5s|Reconciling)$/);
    assert.equal(waitingFor(graph, 'Kustomization/flux-system/infrastructure'), undefined, 'infrastructure fails on its own');
  });
});
