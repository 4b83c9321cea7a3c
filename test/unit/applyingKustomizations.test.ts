import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FileModel } from '../../server/src/service/model/fileModel';
import { extractFileFacts } from '../../server/src/service/workspace/extract';
import { resetWorkCounts } from '../../server/src/service/workCounts';
import { workspace } from '../workspaceHelpers';

const fluxKustomization = (name: string, path: string, extra = '', source = 'flux-system') => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${name}
  namespace: flux-system
spec:
  interval: 10m
  path: ${path}
  prune: true
  sourceRef:
    kind: GitRepository
    name: ${source}
${extra}`;
const gitRepository = (name: string, url: string) => `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: ${name}
  namespace: flux-system
spec:
  interval: 1m
  url: ${url}
  ref:
    branch: main
`;
const release = (name: string, namespace?: string) => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: ${name}
${namespace ? `  namespace: ${namespace}\n` : ''}spec:
  interval: 5m
  chart:
    spec:
      chart: ${name}
      sourceRef:
        kind: HelmRepository
        name: charts
`;
const names = (index: ReturnType<typeof workspace>, relative: string) => index.applyingKustomizations(`file:///ws/${relative}`).map((k) => k.name).sort();

describe('which Flux Kustomizations apply a file', () => {
  test('through spec.path and the kustomize resources tree, nested directories and components included', () => {
    const index = workspace({
      'clusters/prod/apps.yaml': fluxKustomization('apps', './apps/prod', '  postBuild:\n    substitute:\n      cluster: prod\n    substituteFrom:\n      - kind: ConfigMap\n        name: cluster-vars\n      - kind: Secret\n        name: cluster-secrets\n        optional: true\n'),
      'apps/prod/kustomization.yaml': 'resources:\n  - ../base/podinfo\n  - extra.yaml\ncomponents:\n  - ../components/monitoring\n',
      'apps/prod/extra.yaml': release('extra'),
      'apps/prod/unlisted.yaml': release('unlisted'),
      'apps/base/podinfo/kustomization.yaml': 'resources:\n  - release.yaml\n',
      'apps/base/podinfo/release.yaml': release('podinfo'),
      'apps/components/monitoring/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n  - monitor.yaml\n',
      'apps/components/monitoring/monitor.yaml': release('monitor'),
    });
    assert.deepEqual(names(index, 'apps/base/podinfo/release.yaml'), ['apps']);
    assert.deepEqual(names(index, 'apps/prod/extra.yaml'), ['apps']);
    assert.deepEqual(names(index, 'apps/components/monitoring/monitor.yaml'), ['apps']);
    assert.deepEqual(names(index, 'apps/prod/unlisted.yaml'), [], 'a file the kustomization.yaml does not list is not applied');
    const [apps] = index.applyingKustomizations('file:///ws/apps/base/podinfo/release.yaml');
    assert.equal(apps!.namespace, 'flux-system');
    assert.equal(apps!.uri, 'file:///ws/clusters/prod/apps.yaml');
    assert.equal(apps!.directory, '/ws/apps/prod');
    assert.deepEqual(apps!.substitute, { cluster: 'prod' });
    assert.deepEqual(apps!.substituteFrom, [{ kind: 'ConfigMap', name: 'cluster-vars', optional: false }, { kind: 'Secret', name: 'cluster-secrets', optional: true }]);
    assert.equal(apps!.postBuild?.strategy, 'WithVariables');
  });

  test('a folder without kustomization.yaml applies every YAML file below it, a sub-directory with one as a whole', () => {
    const index = workspace({
      'clusters/prod/infra.yaml': fluxKustomization('infra', 'infrastructure/'),
      'infrastructure/controllers/ingress.yaml': release('ingress'),
      'infrastructure/top.yml': release('top'),
      'infrastructure/bundle/kustomization.yaml': 'resources:\n  - a.yaml\n',
      'infrastructure/bundle/a.yaml': release('a'),
      'infrastructure/bundle/b.yaml': release('b'),
      'elsewhere/x.yaml': release('x'),
    });
    assert.deepEqual(names(index, 'infrastructure/controllers/ingress.yaml'), ['infra']);
    assert.deepEqual(names(index, 'infrastructure/top.yml'), ['infra']);
    assert.deepEqual(names(index, 'infrastructure/bundle/a.yaml'), ['infra']);
    assert.deepEqual(names(index, 'infrastructure/bundle/b.yaml'), [], 'the nested kustomization.yaml decides');
    assert.deepEqual(names(index, 'elsewhere/x.yaml'), []);
  });

  test('several Kustomizations may apply one file; targetNamespace gives its objects their namespace', () => {
    const files = {
      'clusters/a.yaml': fluxKustomization('a', './apps', '  targetNamespace: team-a\n'),
      'clusters/b.yaml': fluxKustomization('b', 'apps', '  targetNamespace: team-a\n'),
      'apps/release.yaml': release('podinfo'),
      'apps/explicit.yaml': release('explicit', 'own'),
    };
    const index = workspace(files);
    assert.deepEqual(names(index, 'apps/release.yaml'), ['a', 'b']);
    assert.equal(index.namespaceOfFile('file:///ws/apps/release.yaml'), 'team-a');
    const explicit = index.objects().find((o) => o.name === 'explicit')!;
    assert.equal(index.namespaceOf(explicit), 'own', 'an object that names its namespace keeps it');
    const split = workspace({ ...files, 'clusters/b.yaml': fluxKustomization('b', 'apps', '  targetNamespace: team-b\n') });
    assert.equal(split.namespaceOfFile('file:///ws/apps/release.yaml'), undefined, 'two different target namespaces: unknown');
  });

  test('references resolve in the targetNamespace', () => {
    const repo = 'apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: charts\n  namespace: team-a\nspec:\n  interval: 1h\n  url: https://charts.example.com\n';
    const index = workspace({ 'clusters/a.yaml': fluxKustomization('a', './apps', '  targetNamespace: team-a\n'), 'apps/release.yaml': release('podinfo'), 'infra/repo.yaml': repo });
    const ref = index.factsOf('file:///ws/apps/release.yaml')!.references.find((r) => r.field === 'sourceRef')!;
    assert.equal(index.resolve(ref).status, 'found');
    const other = workspace({ 'clusters/a.yaml': fluxKustomization('a', './apps', '  targetNamespace: team-b\n'), 'apps/release.yaml': release('podinfo'), 'infra/repo.yaml': repo });
    const moved = other.factsOf('file:///ws/apps/release.yaml')!.references.find((r) => r.field === 'sourceRef')!;
    assert.equal(other.resolve(moved).status, 'wrong-namespace');
  });

  test('a Kustomization whose GitRepository is another repository applies nothing here', () => {
    const index = workspace({
      'clusters/sync.yaml': gitRepository('flux-system', 'ssh://git@github.com/org/fleet') + '---\n' + fluxKustomization('flux-system', './clusters'),
      'clusters/other.yaml': gitRepository('app-repo', 'https://github.com/org/app') + '---\n' + fluxKustomization('app', './deploy', '', 'app-repo'),
      'deploy/release.yaml': release('podinfo'),
    });
    assert.deepEqual(names(index, 'clusters/other.yaml'), ['flux-system'], 'the GitRepository that syncs the file defining it is this repository');
    assert.deepEqual(names(index, 'deploy/release.yaml'), [], 'the other repository has its own deploy/');
  });

  test('a Kustomization from an OCIRepository or Bucket applies nothing here', () => {
    const index = workspace({
      'clusters/apps.yaml': fluxKustomization('apps', './apps').replace('kind: GitRepository', 'kind: OCIRepository'),
      'apps/release.yaml': release('podinfo'),
    });
    assert.deepEqual(names(index, 'apps/release.yaml'), []);
  });

  test('with the repository URL known, a GitRepository is this repository when its URL matches', () => {
    const files = {
      'clusters/sync.yaml': gitRepository('fleet', 'https://github.com/Org/fleet.git') + '---\n' + fluxKustomization('apps', './apps', '', 'fleet'),
      'apps/release.yaml': release('podinfo'),
    };
    const index = workspace(files);
    assert.deepEqual(names(index, 'apps/release.yaml'), [], 'without the URL, nothing shows this GitRepository is this repository');
    index.setRepositoryUrls('/ws', ['git@github.com:org/fleet.git']);
    assert.deepEqual(names(index, 'apps/release.yaml'), ['apps']);
    index.setRepositoryUrls('/ws', ['git@github.com:org/other.git']);
    assert.deepEqual(names(index, 'apps/release.yaml'), []);
  });

  test('typing in a HelmRelease does not walk the kustomize trees again; editing spec.path does', () => {
    const files: Record<string, string> = { 'clusters/apps.yaml': fluxKustomization('apps', './apps') };
    for (let i = 0; i < 50; i++) files[`apps/app-${i}/release.yaml`] = release(`app-${i}`);
    const index = workspace(files);
    const set = (relative: string, text: string, parts = true) => {
      const uri = `file:///ws/${relative}`;
      index.setFile(uri, extractFileFacts(uri, `/ws/${relative}`, FileModel.fromText(text), { parts }), `/ws/${relative}`);
    };
    assert.deepEqual(names(index, 'apps/app-7/release.yaml'), ['apps']);
    resetWorkCounts();
    for (const c of ['a', 'b', 'c']) {
      set('apps/app-7/release.yaml', release('app-7') + `  values:\n    x: ${c}\n`);
      assert.deepEqual(names(index, 'apps/app-7/release.yaml'), ['apps']);
      assert.equal(index.namespaceOfFile('file:///ws/apps/app-7/release.yaml'), undefined);
    }
    assert.equal(resetWorkCounts().applyingMapsBuilt, 0, 'typing in a HelmRelease keeps the map');
    set('clusters/apps.yaml', fluxKustomization('apps', './apps', '  postBuild:\n    substitute:\n      a: b\n'));
    assert.deepEqual(index.applyingKustomizations('file:///ws/apps/app-7/release.yaml')[0]!.substitute, { a: 'b' }, 'postBuild is read as written now');
    assert.equal(resetWorkCounts().applyingMapsBuilt, 0, 'a postBuild edit changes no path');
    set('clusters/apps.yaml', fluxKustomization('apps', './apps/app-7'));
    assert.deepEqual(names(index, 'apps/app-7/release.yaml'), ['apps']);
    assert.deepEqual(names(index, 'apps/app-8/release.yaml'), []);
    assert.equal(resetWorkCounts().applyingMapsBuilt, 1, 'a new spec.path: the map is worked out again, once');
  });
});
