import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { referenceCodes, referenceMessages, workspace } from '../workspaceHelpers';

const source = (kind: string, name: string, namespace = 'flux-system') =>
  `apiVersion: source.toolkit.fluxcd.io/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n  interval: 1h\n  url: https://example.com/${name}\n`;
const release = (name: string, spec: string, namespace?: string) =>
  `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: ${name}\n${namespace ? `  namespace: ${namespace}\n` : ''}spec:\n  interval: 5m\n${spec}`;
const sourceRef = (name: string, namespace?: string, kind = 'HelmRepository') =>
  `  chart:\n    spec:\n      chart: app\n      sourceRef:\n        kind: ${kind}\n        name: ${name}\n${namespace ? `        namespace: ${namespace}\n` : ''}`;
const kustomization = (namespace: string | undefined, resources: string[]) => `${namespace ? `namespace: ${namespace}\n` : ''}resources:\n${resources.map((r) => `  - ${r}\n`).join('')}`;

describe('references across the workspace', () => {
  test('a reference to an existing source in another file resolves, with no diagnostic', () => {
    const index = workspace({ 'infra/sources.yaml': source('HelmRepository', 'podinfo'), 'apps/podinfo.yaml': release('podinfo', sourceRef('podinfo', 'flux-system')) });
    assert.deepEqual(referenceCodes(index, 'apps/podinfo.yaml'), []);
  });

  test('a reference to nothing is a warning on the name', () => {
    const index = workspace({ 'apps/podinfo.yaml': release('podinfo', sourceRef('podinfo', 'flux-system')) });
    assert.deepEqual(referenceCodes(index, 'apps/podinfo.yaml'), ['missing-reference@11:14']);
    assert.match(referenceMessages(index, 'apps/podinfo.yaml')[0]!, /No HelmRepository `podinfo` in namespace `flux-system` is defined in this workspace/);
  });

  test('a name that exists only with another kind', () => {
    const index = workspace({ 'infra/git.yaml': source('GitRepository', 'platform'), 'apps/app.yaml': release('app', '  chartRef:\n    kind: OCIRepository\n    name: platform\n    namespace: flux-system\n') });
    assert.deepEqual(referenceCodes(index, 'apps/app.yaml'), ['reference-wrong-kind@8:10']);
    assert.match(referenceMessages(index, 'apps/app.yaml')[0]!, /`platform` is a GitRepository; this reference names an OCIRepository/);
  });

  test('a name that exists only in another namespace, and the namespace a reference without one uses', () => {
    const index = workspace({ 'infra/sources.yaml': source('HelmRepository', 'podinfo'), 'apps/podinfo.yaml': release('podinfo', sourceRef('podinfo'), 'apps') });
    assert.deepEqual(referenceCodes(index, 'apps/podinfo.yaml'), ['reference-wrong-namespace@12:14']);
    assert.match(referenceMessages(index, 'apps/podinfo.yaml')[0]!, /HelmRepository `podinfo` exists only in namespace `flux-system`; this reference looks in `apps`/);
  });

  test('an object without metadata.namespace takes the namespace of the kustomization that lists it', () => {
    const files = {
      'infra/sources.yaml': source('HelmRepository', 'podinfo', 'apps'),
      'apps/podinfo/release.yaml': release('podinfo', sourceRef('podinfo')),
      'apps/podinfo/kustomization.yaml': kustomization('apps', ['release.yaml']),
    };
    assert.deepEqual(referenceCodes(workspace(files), 'apps/podinfo/release.yaml'), []);
    const wrong = { ...files, 'apps/podinfo/kustomization.yaml': kustomization('other', ['release.yaml']) };
    assert.deepEqual(referenceCodes(workspace(wrong), 'apps/podinfo/release.yaml'), ['reference-wrong-namespace@11:14']);
  });

  test('an outer kustomization namespace wins over an inner one', () => {
    const index = workspace({
      'infra/sources.yaml': source('HelmRepository', 'podinfo', 'prod'),
      'apps/base/release.yaml': release('podinfo', sourceRef('podinfo')),
      'apps/base/kustomization.yaml': kustomization('base', ['release.yaml']),
      'apps/prod/kustomization.yaml': kustomization('prod', ['../base']),
    });
    assert.deepEqual(referenceCodes(index, 'apps/base/release.yaml'), []);
  });

  test('an unknown namespace matches anything rather than raising a false alarm', () => {
    const index = workspace({
      'infra/sources.yaml': source('HelmRepository', 'podinfo', 'somewhere'),
      'apps/release.yaml': release('podinfo', sourceRef('podinfo')),
    });
    assert.deepEqual(referenceCodes(index, 'apps/release.yaml'), []);
  });

  test('overlays that put a base in several namespaces leave its namespace unknown', () => {
    const index = workspace({
      'infra/sources.yaml': source('HelmRepository', 'podinfo', 'staging'),
      'apps/base/release.yaml': release('podinfo', sourceRef('podinfo')),
      'apps/base/kustomization.yaml': kustomization(undefined, ['release.yaml']),
      'apps/staging/kustomization.yaml': kustomization('staging', ['../base']),
      'apps/production/kustomization.yaml': kustomization('production', ['../base']),
    });
    assert.deepEqual(referenceCodes(index, 'apps/base/release.yaml'), []);
  });
});

describe('targets generated by kustomize and secret tools', () => {
  const valuesFrom = (kind: string, name: string, extra = '') => release('app', `${sourceRef('charts', 'flux-system')}  valuesFrom:\n    - kind: ${kind}\n      name: ${name}\n${extra}`, 'apps');
  const charts = source('HelmRepository', 'charts');

  test('configMapGenerator and secretGenerator names, with their namespace and keys', () => {
    const index = workspace({
      'infra/charts.yaml': charts,
      'apps/release.yaml': valuesFrom('ConfigMap', 'app-values'),
      'apps/kustomization.yaml': 'namespace: apps\nresources: [release.yaml]\nconfigMapGenerator:\n  - name: app-values\n    files:\n      - values.yaml=prod-values.yaml\n',
    });
    assert.deepEqual(referenceCodes(index, 'apps/release.yaml'), []);
    const missingKey = workspace({
      'infra/charts.yaml': charts,
      'apps/release.yaml': valuesFrom('ConfigMap', 'app-values', '      valuesKey: overrides.yaml\n'),
      'apps/kustomization.yaml': 'namespace: apps\nresources: [release.yaml]\nconfigMapGenerator:\n  - name: app-values\n    literals:\n      - values.yaml=x\n',
    });
    assert.deepEqual(referenceCodes(missingKey, 'apps/release.yaml'), ['missing-values-key@17:17']);
    assert.match(referenceMessages(missingKey, 'apps/release.yaml')[0]!, /has no key `overrides.yaml`.*It has `values.yaml`/);
  });

  test('Secrets from SOPS files, ExternalSecret and SealedSecret are targets; their keys are never listed', () => {
    for (const secretFile of [
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: apps\ndata:\n  password: ENC[AES256_GCM,data:x]\nsops:\n  version: 3.9.0\n',
      'apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: db-sync\n  namespace: apps\nspec:\n  target:\n    name: db\n  data:\n    - secretKey: password\n      remoteRef: {key: db}\n',
      'apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: db\n  namespace: apps\nspec:\n  encryptedData:\n    password: AgBy8h\n',
    ]) {
      const index = workspace({ 'infra/charts.yaml': charts, 'apps/secret.yaml': secretFile, 'apps/release.yaml': valuesFrom('Secret', 'db', '      valuesKey: password\n') });
      assert.deepEqual(referenceCodes(index, 'apps/release.yaml'), [], secretFile.split('\n')[1]);
      const wrongKey = workspace({ 'infra/charts.yaml': charts, 'apps/secret.yaml': secretFile, 'apps/release.yaml': valuesFrom('Secret', 'db', '      valuesKey: token\n') });
      const [message] = referenceMessages(wrongKey, 'apps/release.yaml');
      assert.match(message!, /Secret `db` has no key `token`/);
      assert.doesNotMatch(message!, /password/, 'a Secret\'s keys are not shown');
    }
  });

  test('a missing Secret is only information: Secrets often live outside Git', () => {
    const index = workspace({ 'infra/charts.yaml': charts, 'apps/release.yaml': valuesFrom('Secret', 'db') });
    assert.deepEqual(referenceCodes(index, 'apps/release.yaml'), ['missing-secret@16:12']);
  });

  test('optional valuesFrom entries do not need their key', () => {
    const index = workspace({
      'infra/charts.yaml': charts,
      'apps/values.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-values\n  namespace: apps\ndata:\n  other: x\n',
      'apps/release.yaml': valuesFrom('ConfigMap', 'app-values', '      optional: true\n'),
    });
    assert.deepEqual(referenceCodes(index, 'apps/release.yaml'), []);
  });

  test('a targetPath pointing at a YAML document', () => {
    const index = workspace({
      'infra/charts.yaml': charts,
      'apps/values.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-values\n  namespace: apps\ndata:\n  values.yaml: |\n    replicaCount: 2\n    image:\n      tag: "1"\n  host: example.com\n',
      'apps/release.yaml': valuesFrom('ConfigMap', 'app-values', '      targetPath: ingress.host\n'),
    });
    assert.deepEqual(referenceCodes(index, 'apps/release.yaml'), ['target-path-not-scalar@16:12']);
    const scalar = workspace({
      'infra/charts.yaml': charts,
      'apps/values.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-values\n  namespace: apps\ndata:\n  host: example.com\n',
      'apps/release.yaml': valuesFrom('ConfigMap', 'app-values', '      valuesKey: host\n      targetPath: ingress.host\n'),
    });
    assert.deepEqual(referenceCodes(scalar, 'apps/release.yaml'), []);
  });

  test('Helm templates are not indexed: their names are not real', () => {
    const index = workspace({ 'charts/app/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-values\n', 'infra/charts.yaml': charts });
    assert.equal(index.objects().filter((o) => o.kind === 'ConfigMap').length, 0);
  });
});

describe('dependsOn cycles and duplicates', () => {
  const charts = source('HelmRepository', 'charts', 'apps');
  const dependent = (name: string, on: string) => release(name, `${sourceRef('charts')}  dependsOn:\n    - name: ${on}\n`, 'apps');

  test('a cycle across files is an error on each edge of the cycle', () => {
    const index = workspace({ 'charts.yaml': charts, 'a.yaml': dependent('a', 'b'), 'b.yaml': dependent('b', 'c'), 'c.yaml': dependent('c', 'a') });
    for (const file of ['a.yaml', 'b.yaml', 'c.yaml']) assert.deepEqual(referenceCodes(index, file), ['dependency-cycle@14:12'], file);
    assert.match(referenceMessages(index, 'a.yaml')[0]!, /dependsOn cycle between `a`, `b`, `c`|dependsOn cycle between/);
  });

  test('a chain without a cycle reports nothing', () => {
    const index = workspace({ 'charts.yaml': charts, 'a.yaml': dependent('a', 'b'), 'b.yaml': dependent('b', 'c'), 'c.yaml': release('c', sourceRef('charts'), 'apps') });
    for (const file of ['a.yaml', 'b.yaml', 'c.yaml']) assert.deepEqual(referenceCodes(index, file), [], file);
  });

  test('the same kind/namespace/name defined twice in files applied together', () => {
    const index = workspace({
      'apps/kustomization.yaml': kustomization('apps', ['one.yaml', 'two.yaml']),
      'apps/one.yaml': source('HelmRepository', 'charts', 'apps'),
      'apps/two.yaml': source('HelmRepository', 'charts', 'apps'),
    });
    assert.deepEqual(referenceCodes(index, 'apps/two.yaml'), ['duplicate-object@3:8']);
    assert.match(referenceMessages(index, 'apps/two.yaml')[0]!, /also defined at one\.yaml:4/);
  });

  test('the same object in two clusters, or two workspace folders, is not a duplicate', () => {
    const clusters = workspace({
      'clusters/staging/kustomization.yaml': kustomization(undefined, ['sync.yaml']),
      'clusters/staging/sync.yaml': source('GitRepository', 'flux-system'),
      'clusters/production/kustomization.yaml': kustomization(undefined, ['sync.yaml']),
      'clusters/production/sync.yaml': source('GitRepository', 'flux-system'),
    });
    assert.deepEqual(referenceCodes(clusters, 'clusters/production/sync.yaml'), []);
    const folders = workspace({ '/one/repo.yaml': source('HelmRepository', 'charts'), '/two/repo.yaml': source('HelmRepository', 'charts') }, ['/one', '/two']);
    assert.equal(folders.duplicatesOf(folders.objects()[0]!).length, 0);
  });
});

describe('quick fix for a reference in the wrong namespace', () => {
  test('inserts the namespace where the object is, or replaces a wrong one', async () => {
    const { codeActions } = await import('../../server/src/service/features/codeActions');
    const { referenceDiagnostics } = await import('../../server/src/service/workspace/referenceDiagnostics');
    const { FileModel } = await import('../../server/src/service/model/fileModel');
    const { applyTextEdits } = await import('../helpers');
    for (const [written, expected] of [
      [sourceRef('podinfo'), sourceRef('podinfo', 'flux-system')],
      [sourceRef('podinfo', 'apps'), sourceRef('podinfo', 'flux-system')],
    ] as const) {
      const text = release('podinfo', written, 'apps');
      const index = workspace({ 'infra/sources.yaml': source('HelmRepository', 'podinfo'), 'apps/podinfo.yaml': text });
      const uri = 'file:///ws/apps/podinfo.yaml';
      const diagnostics = referenceDiagnostics(index, uri);
      const [fix] = codeActions(FileModel.fromText(text), uri, diagnostics[0]!.range, diagnostics).filter((a) => a.title.startsWith('Set namespace'));
      assert.equal(fix!.title, 'Set namespace: flux-system');
      assert.equal(applyTextEdits(text, fix!.edit!.changes![uri]!), release('podinfo', expected, 'apps'));
    }
  });
});

describe('the index follows changes file by file', () => {
  test('adding, changing and removing files updates resolution, namespaces and duplicates', async () => {
    const { FileModel } = await import('../../server/src/service/model/fileModel');
    const { extractFileFacts } = await import('../../server/src/service/workspace/extract');
    const index = workspace({
      'apps/kustomization.yaml': kustomization('apps', ['release.yaml', 'repo.yaml']),
      'apps/release.yaml': release('podinfo', sourceRef('charts')),
    });
    const set = (relative: string, text: string) => {
      const file = `/ws/${relative}`;
      index.setFile(`file://${file}`, extractFileFacts(`file://${file}`, file, FileModel.fromText(text)), file);
    };
    assert.deepEqual(referenceCodes(index, 'apps/release.yaml'), ['missing-reference@11:14']);
    // A new file listed by the existing kustomization: its namespace comes from there.
    set('apps/repo.yaml', source('HelmRepository', 'charts').replace('  namespace: flux-system\n', ''));
    assert.deepEqual(referenceCodes(index, 'apps/release.yaml'), []);
    set('apps/repo.yaml', source('HelmRepository', 'charts', 'elsewhere'));
    assert.deepEqual(referenceCodes(index, 'apps/release.yaml'), ['reference-wrong-namespace@11:14']);
    index.removeFile('file:///ws/apps/repo.yaml');
    assert.deepEqual(referenceCodes(index, 'apps/release.yaml'), ['missing-reference@11:14']);
    // A kustomization change moves the release to another namespace.
    set('apps/repo.yaml', source('HelmRepository', 'charts', 'team'));
    set('apps/kustomization.yaml', kustomization('team', ['release.yaml', 'repo.yaml']));
    assert.deepEqual(referenceCodes(index, 'apps/release.yaml'), []);
  });
});
