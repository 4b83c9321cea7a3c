import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildDependencyGraph, inCycle, pathsTo, waitingFor } from '../../client/src/cluster/dependencyGraph';
import { stateOf } from '../../client/src/cluster/status';
import type { KubeObject } from '../../client/src/cluster/types';

type Ready = { status: string; reason: string; message?: string };

function object(kind: 'Kustomization' | 'HelmRelease', namespace: string, name: string, dependsOn: Array<{ name: string; namespace?: string }> = [], ready: Ready = { status: 'True', reason: 'ReconciliationSucceeded' }): KubeObject {
  return { kind, metadata: { name, namespace }, spec: { dependsOn }, status: { conditions: [{ type: 'Ready', ...ready }] } };
}

const waitingOn = (name: string): Ready => ({ status: 'False', reason: 'DependencyNotReady', message: `dependency 'flux-system/${name}' is not ready` });

describe('the dependency graph', () => {
  it('puts the foundations at the top and each object under what it depends on', () => {
    const graph = buildDependencyGraph({
      kustomizations: [
        object('Kustomization', 'flux-system', 'apps', [{ name: 'infrastructure' }], waitingOn('infrastructure')),
        object('Kustomization', 'flux-system', 'infrastructure', [], { status: 'Unknown', reason: 'Progressing', message: 'Reconciliation in progress' }),
        object('Kustomization', 'flux-system', 'lonely'),
      ],
      helmReleases: [object('HelmRelease', 'grade-api', 'grade-api', [{ name: 'postgres' }]), object('HelmRelease', 'grade-api', 'postgres')],
    });
    assert.deepEqual(graph.roots, ['HelmRelease/grade-api/postgres', 'Kustomization/flux-system/infrastructure']);
    assert.ok(!graph.nodes.has('Kustomization/flux-system/lonely'), 'an object with no dependency is left out');
    assert.deepEqual(graph.nodes.get('HelmRelease/grade-api/postgres')?.dependents, ['HelmRelease/grade-api/grade-api'], 'the namespace defaults to the dependent\'s');
    assert.deepEqual(pathsTo(graph, 'Kustomization/flux-system/apps'), [['Kustomization/flux-system/infrastructure', 'Kustomization/flux-system/apps']]);
  });

  it('says what a not-ready object waits for, with the failed dependency\'s message', () => {
    const graph = buildDependencyGraph({
      kustomizations: [
        object('Kustomization', 'flux-system', 'infrastructure', [], { status: 'Unknown', reason: 'Progressing', message: 'Reconciliation in progress' }),
        object('Kustomization', 'flux-system', 'apps', [{ name: 'infrastructure' }], waitingOn('infrastructure')),
        object('Kustomization', 'flux-system', 'monitoring', [], { status: 'False', reason: 'ArtifactFailed', message: 'kustomization path not found' }),
        object('Kustomization', 'flux-system', 'dashboards', [{ name: 'monitoring' }], waitingOn('monitoring')),
      ],
      helmReleases: [],
    });
    assert.equal(waitingFor(graph, 'Kustomization/flux-system/apps'), 'waiting for flux-system/infrastructure: Reconciling');
    assert.equal(waitingFor(graph, 'Kustomization/flux-system/dashboards'), 'waiting for flux-system/monitoring: Failed — kustomization path not found');
    assert.equal(waitingFor(graph, 'Kustomization/flux-system/monitoring'), undefined, 'monitoring failed on its own');
    assert.equal(stateOf(graph.nodes.get('Kustomization/flux-system/dashboards')!.object!), 'Waiting', 'DependencyNotReady is waiting, not failed');
  });

  it('names a dependency that is not on the cluster, across namespaces', () => {
    const graph = buildDependencyGraph({ kustomizations: [object('Kustomization', 'team-a', 'app', [{ name: 'base', namespace: 'platform' }], waitingOn('base'))], helmReleases: [] });
    const node = graph.nodes.get('Kustomization/platform/base');
    assert.ok(node && !node.object);
    assert.equal(waitingFor(graph, 'Kustomization/team-a/app'), 'waiting for platform/base: not found');
    assert.deepEqual(graph.roots, ['Kustomization/team-a/app'], 'an object whose dependencies are all missing is a root');
  });

  it('shows a cycle once and finds it without looping', () => {
    const graph = buildDependencyGraph({
      kustomizations: [object('Kustomization', 'ns', 'a', [{ name: 'b' }], waitingOn('b')), object('Kustomization', 'ns', 'b', [{ name: 'a' }], waitingOn('a'))],
      helmReleases: [],
    });
    assert.deepEqual(graph.roots, ['Kustomization/ns/a']);
    assert.ok(inCycle(graph, 'Kustomization/ns/a') && inCycle(graph, 'Kustomization/ns/b'));
    assert.deepEqual(pathsTo(graph, 'Kustomization/ns/b'), [['Kustomization/ns/a', 'Kustomization/ns/b']]);
  });

  it('keeps Kustomizations and HelmReleases apart: a name is looked up in its own kind', () => {
    const graph = buildDependencyGraph({
      kustomizations: [object('Kustomization', 'ns', 'db')],
      helmReleases: [object('HelmRelease', 'ns', 'app', [{ name: 'db' }], waitingOn('db'))],
    });
    assert.equal(waitingFor(graph, 'HelmRelease/ns/app'), 'waiting for ns/db: not found');
  });
});
