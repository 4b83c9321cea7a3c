// The dependsOn model behind the dependency tree: foundations at the top, dependents below,
// missing targets and cycles, and the "waiting for" sentence of a not-ready object.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildDependencyModel, type DependencyModel } from '../../client/src/cluster/dependencies';
import { stateOf } from '../../client/src/cluster/status';
import type { KubeObject } from '../../client/src/cluster/types';

type Kind = 'Kustomization' | 'HelmRelease';
type Ready = { status: string; reason: string; message?: string };

const READY: Ready = { status: 'True', reason: 'ReconciliationSucceeded', message: 'Applied revision: main@sha1:0123' };
const RECONCILING: Ready = { status: 'Unknown', reason: 'Progressing', message: 'Reconciliation in progress' };
const waitingOn = (ref: string): Ready => ({ status: 'False', reason: 'DependencyNotReady', message: `dependency '${ref}' is not ready` });

function object(kind: Kind, namespace: string, name: string, dependsOn: Array<{ name: string; namespace?: string }> = [], ready: Ready = READY): KubeObject {
  return { kind, metadata: { name, namespace }, spec: { dependsOn }, status: { conditions: [{ type: 'Ready', ...ready }] } };
}

/** The tree as text, two spaces per level, as the view would show it. */
function tree(model: DependencyModel): string[] {
  const lines: string[] = [];
  const walk = (path: string[]) => {
    lines.push(`${'  '.repeat(path.length - 1)}${path[path.length - 1]}`);
    for (const child of model.childrenOf(path)) walk([...path, child.key]);
  };
  for (const root of model.roots) walk([root.key]);
  return lines;
}

describe('the dependsOn model', () => {
  it('infrastructure → apps: infrastructure is a foundation, apps under it, waiting for it while it reconciles', () => {
    const apps = object('Kustomization', 'flux-system', 'apps', [{ name: 'infrastructure' }], waitingOn('flux-system/infrastructure'));
    const model = buildDependencyModel({
      kustomizations: [apps, object('Kustomization', 'flux-system', 'infrastructure', [], RECONCILING)],
      helmReleases: [],
    });
    assert.deepEqual(tree(model), ['Kustomization/flux-system/infrastructure', '  Kustomization/flux-system/apps']);
    assert.equal(stateOf(apps), 'Waiting');
    assert.equal(model.waitingFor(apps), 'waiting for flux-system/infrastructure: Reconciling');
    assert.equal(model.waitingFor({ kind: 'Kustomization', namespace: 'flux-system', name: 'infrastructure' }), undefined, 'infrastructure waits for nothing');
    assert.deepEqual(model.pathTo(apps), [['Kustomization/flux-system/infrastructure', 'Kustomization/flux-system/apps']]);
    const entry = model.entry(apps)!;
    assert.deepEqual(entry.dependencies.map((d) => d.key), ['Kustomization/flux-system/infrastructure']);
    assert.deepEqual(model.entry({ kind: 'Kustomization', namespace: 'flux-system', name: 'infrastructure' })!.dependents.map((d) => d.key), ['Kustomization/flux-system/apps']);
    assert.deepEqual(model.cycles, []);
  });

  it('a ready object waits for nothing; once the dependency is ready the controller\'s DependencyNotReady is still shown until it rechecks', () => {
    const apps = object('Kustomization', 'flux-system', 'apps', [{ name: 'infrastructure' }], waitingOn('flux-system/infrastructure'));
    const model = buildDependencyModel({ kustomizations: [apps, object('Kustomization', 'flux-system', 'infrastructure')], helmReleases: [] });
    assert.equal(model.waitingFor(apps), "waiting for a dependency: dependency 'flux-system/infrastructure' is not ready");
    const ready = buildDependencyModel({ kustomizations: [object('Kustomization', 'flux-system', 'apps', [{ name: 'infrastructure' }]), object('Kustomization', 'flux-system', 'infrastructure')], helmReleases: [] });
    assert.equal(ready.waitingFor({ kind: 'Kustomization', namespace: 'flux-system', name: 'apps' }), undefined);
  });

  it('HelmRelease grade-api depends on postgres in its own namespace (the default), and says why postgres failed', () => {
    const long = `install retries exhausted: ${'x'.repeat(200)}`;
    const gradeApi = object('HelmRelease', 'grade-api', 'grade-api', [{ name: 'postgres' }], waitingOn('grade-api/postgres'));
    const model = buildDependencyModel({
      kustomizations: [object('Kustomization', 'grade-api', 'postgres')],
      helmReleases: [gradeApi, object('HelmRelease', 'grade-api', 'postgres', [], { status: 'False', reason: 'InstallFailed', message: long })],
    });
    assert.deepEqual(model.entry(gradeApi)!.dependencies.map((d) => d.key), ['HelmRelease/grade-api/postgres'], 'a HelmRelease depends on a HelmRelease, not on the Kustomization of the same name');
    const sentence = model.waitingFor(gradeApi)!;
    assert.match(sentence, /^waiting for grade-api\/postgres: Failed — install retries exhausted: x+…$/);
    assert.ok(sentence.length < 160, sentence);
    assert.equal(model.waitingFor({ kind: 'HelmRelease', namespace: 'grade-api', name: 'postgres' }), undefined, 'postgres failed on its own');
    assert.deepEqual(tree(model), ['Kustomization/grade-api/postgres', 'HelmRelease/grade-api/postgres', '  HelmRelease/grade-api/grade-api']);
  });

  it('a missing dependency is marked missing, is a root, and is what the dependent waits for', () => {
    const app = object('Kustomization', 'flux-system', 'app', [{ name: 'base' }, { name: 'infrastructure' }], waitingOn('flux-system/base'));
    const model = buildDependencyModel({ kustomizations: [app, object('Kustomization', 'flux-system', 'infrastructure')], helmReleases: [] });
    const base = model.entry({ kind: 'Kustomization', namespace: 'flux-system', name: 'base' })!;
    assert.equal(base.missing, true);
    assert.equal(base.object, undefined);
    assert.deepEqual(model.entry(app)!.dependencies.map((d) => [d.ref.name, d.missing]), [['base', true], ['infrastructure', false]]);
    assert.equal(model.waitingFor(app), 'waiting for flux-system/base: not found');
    assert.deepEqual(tree(model), ['Kustomization/flux-system/base', '  Kustomization/flux-system/app', 'Kustomization/flux-system/infrastructure', '  Kustomization/flux-system/app']);
    assert.deepEqual(model.pathTo(app), [
      ['Kustomization/flux-system/base', 'Kustomization/flux-system/app'],
      ['Kustomization/flux-system/infrastructure', 'Kustomization/flux-system/app'],
    ], 'an object with two dependencies sits under both');
  });

  it('a cycle is found without looping, shown once from one of its members, with what hangs below it', () => {
    const model = buildDependencyModel({
      kustomizations: [
        object('Kustomization', 'ns', 'b', [{ name: 'a' }], waitingOn('ns/a')),
        object('Kustomization', 'ns', 'a', [{ name: 'c' }], waitingOn('ns/c')),
        object('Kustomization', 'ns', 'c', [{ name: 'b' }], waitingOn('ns/b')),
        object('Kustomization', 'ns', 'd', [{ name: 'c' }], waitingOn('ns/c')),
        object('Kustomization', 'ns', 'self', [{ name: 'self' }], waitingOn('ns/self')),
      ],
      helmReleases: [],
    });
    assert.deepEqual(model.cycles, [['Kustomization/ns/a', 'Kustomization/ns/c', 'Kustomization/ns/b'], ['Kustomization/ns/self']]);
    assert.deepEqual(
      [...model.entries.values()].filter((e) => e.inCycle).map((e) => e.ref.name).sort(),
      ['a', 'b', 'c', 'self'],
    );
    assert.deepEqual(tree(model), ['Kustomization/ns/a', '  Kustomization/ns/b', '    Kustomization/ns/c', '      Kustomization/ns/d', 'Kustomization/ns/self']);
    assert.deepEqual(model.pathTo({ kind: 'Kustomization', namespace: 'ns', name: 'd' }), [['Kustomization/ns/a', 'Kustomization/ns/b', 'Kustomization/ns/c', 'Kustomization/ns/d']]);
    assert.equal(model.waitingFor({ kind: 'Kustomization', namespace: 'ns', name: 'a' }), 'waiting for ns/c: Waiting');
  });

  it('a dependency in another namespace is found there, not in the dependent\'s', () => {
    const app = object('Kustomization', 'team-a', 'app', [{ name: 'infrastructure', namespace: 'flux-system' }], waitingOn('flux-system/infrastructure'));
    const model = buildDependencyModel({
      kustomizations: [app, object('Kustomization', 'team-a', 'infrastructure'), object('Kustomization', 'flux-system', 'infrastructure', [], RECONCILING)],
      helmReleases: [],
    });
    assert.deepEqual(model.entry(app)!.dependencies.map((d) => d.key), ['Kustomization/flux-system/infrastructure']);
    assert.equal(model.waitingFor(app), 'waiting for flux-system/infrastructure: Reconciling');
    assert.deepEqual(tree(model), ['Kustomization/flux-system/infrastructure', '  Kustomization/team-a/app', 'Kustomization/team-a/infrastructure']);
  });

  it('finds an object read elsewhere (no kind, a copy) by kind or by its unique name', () => {
    const model = buildDependencyModel({ kustomizations: [object('Kustomization', 'ns', 'a')], helmReleases: [object('HelmRelease', 'ns', 'b')] });
    assert.equal(model.entry({ metadata: { name: 'a', namespace: 'ns' } })?.key, 'Kustomization/ns/a');
    assert.equal(model.entry({ kind: 'HelmRelease', metadata: { name: 'b', namespace: 'ns' } })?.key, 'HelmRelease/ns/b');
    assert.deepEqual(model.pathTo({ kind: 'HelmRelease', namespace: 'ns', name: 'nope' }), []);
  });
});
