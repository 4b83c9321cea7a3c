import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import type { Diagnostic } from 'vscode-languageserver-types';
import { FileModel } from '../../server/src/service/model/fileModel';
import { fileDiagnostics } from '../../server/src/service/languageService';
import { defaultSettings } from '../../server/src/service/settings';
import { API_VERSION_TABLE, KNOWN_FLUX_VERSIONS, NEWEST_FLUX_VERSION, apiVersionStatus, servedApiVersions, type ApiVersionState } from '../../server/src/service/migration/apiVersions';
import { applyEdits, migrationEdits, type MigrationEdit } from '../../server/src/service/migration/migrate';

const lines = (...l: string[]) => `${l.join('\n')}\n`;

const HR = 'helm.toolkit.fluxcd.io';
const SRC = 'source.toolkit.fluxcd.io';

function diagnosticsOf(text: string): Diagnostic[] {
  return fileDiagnostics(FileModel.fromText(text), defaultSettings);
}

/**
 * The migrated text must validate cleanly. One allowance: an OCI HelmRepository that sets `interval`
 * (as both OCI source examples do) gets an `ignored-field` hint from the Flux rules — Flux ignores the
 * field there; it has nothing to do with the migration.
 */
function assertValid(text: string): void {
  const problems = diagnosticsOf(text).filter((d) => !(d.code === 'ignored-field' && d.severity === 4));
  assert.deepEqual(problems.map((d) => `${String(d.code)}@${d.range.start.line}: ${d.message}`), []);
}

function migrate(text: string, target: string): { edits: MigrationEdit[]; result: string } {
  const edits = migrationEdits(text, target);
  for (let i = 1; i < edits.length; i++) assert.ok(edits[i]!.start >= edits[i - 1]!.end, 'edits are sorted and do not overlap');
  return { edits, result: applyEdits(text, edits) };
}

/** The parsed object, with every `patches[].patch` string replaced by the value it parses to. */
function structure(text: string): unknown {
  const value = parse(text, { version: '1.1' }) as Record<string, unknown>;
  const spec = value.spec as { postRenderers?: Array<{ kustomize?: { patches?: Array<Record<string, unknown>> } }> } | undefined;
  for (const renderer of spec?.postRenderers ?? []) {
    for (const item of renderer.kustomize?.patches ?? []) {
      assert.equal(typeof item.patch, 'string', 'a patch is a string');
      item.patch = parse(item.patch as string);
    }
  }
  return value;
}

describe('apiVersionStatus', () => {
  test('the known Flux versions', () => {
    assert.equal(NEWEST_FLUX_VERSION, '2.9');
    assert.deepEqual([...KNOWN_FLUX_VERSIONS], ['2.3', '2.4', '2.5', '2.6', '2.7', '2.8', '2.9']);
  });

  type Row = [apiVersion: string, kind: string, flux: string, status: ApiVersionState, deprecatedIn?: string, removedIn?: string];
  const hc = (flux: string, v: string) => `Flux ${flux} (helm-controller ${v})`;
  const sc = (flux: string, v: string) => `Flux ${flux} (source-controller ${v})`;
  const rows: Row[] = [];
  const each = (apiVersion: string, kind: string, perFlux: Record<string, ApiVersionState>, deprecatedIn?: string, removedIn?: string) => {
    for (const [flux, status] of Object.entries(perFlux)) rows.push([apiVersion, kind, flux, status, deprecatedIn, removedIn]);
  };
  // HelmRelease
  each(`${HR}/v2beta1`, 'HelmRelease', { '2.9': 'removed', '2.8': 'removed', '2.7': 'removed', '2.6': 'deprecated' }, hc('2.3', '1.0.1'), hc('2.7', '1.4.0'));
  each(`${HR}/v2beta2`, 'HelmRelease', { '2.9': 'removed', '2.8': 'removed', '2.7': 'deprecated', '2.6': 'deprecated' }, hc('2.3', '1.0.1'), hc('2.8', '1.5.0'));
  each(`${HR}/v2`, 'HelmRelease', { '2.9': 'served', '2.8': 'served', '2.7': 'served', '2.6': 'served' });
  each(`${HR}/v2beta3`, 'HelmRelease', { '2.9': 'unknown', '2.6': 'unknown' });
  each(`${SRC}/v1`, 'HelmRelease', { '2.9': 'unknown' });
  // HelmRepository: v1beta1 went one release before v1beta2.
  each(`${SRC}/v1beta1`, 'HelmRepository', { '2.9': 'removed', '2.8': 'removed', '2.7': 'removed', '2.6': 'deprecated' }, sc('2.3', '1.3.0'), sc('2.7', '1.7.0'));
  each(`${SRC}/v1beta2`, 'HelmRepository', { '2.9': 'removed', '2.8': 'removed', '2.7': 'deprecated', '2.6': 'deprecated' }, sc('2.3', '1.3.0'), sc('2.8', '1.8.0'));
  each(`${SRC}/v1`, 'HelmRepository', { '2.9': 'served', '2.8': 'served', '2.7': 'served', '2.6': 'served' });
  // GitRepository: both betas deprecated since v1 became storage (source-controller 1.0.0).
  each(`${SRC}/v1beta1`, 'GitRepository', { '2.9': 'removed', '2.8': 'removed', '2.7': 'deprecated', '2.6': 'deprecated' }, sc('2.0', '1.0.0'), sc('2.8', '1.8.0'));
  each(`${SRC}/v1beta2`, 'GitRepository', { '2.9': 'removed', '2.8': 'removed', '2.7': 'deprecated', '2.6': 'deprecated' }, sc('2.0', '1.0.0'), sc('2.8', '1.8.0'));
  each(`${SRC}/v1`, 'GitRepository', { '2.9': 'served', '2.8': 'served', '2.7': 'served', '2.6': 'served' });
  // OCIRepository: never had v1beta1; v1 from 2.6.
  each(`${SRC}/v1beta1`, 'OCIRepository', { '2.9': 'unknown', '2.8': 'unknown', '2.7': 'unknown', '2.6': 'unknown' });
  each(`${SRC}/v1beta2`, 'OCIRepository', { '2.9': 'removed', '2.8': 'removed', '2.7': 'deprecated', '2.6': 'deprecated' }, sc('2.6', '1.6.0'), sc('2.8', '1.8.0'));
  each(`${SRC}/v1beta2`, 'OCIRepository', { '2.5': 'served' });
  each(`${SRC}/v1`, 'OCIRepository', { '2.9': 'served', '2.8': 'served', '2.7': 'served', '2.6': 'served', '2.5': 'unknown' });
  // HelmChart
  each(`${SRC}/v1beta1`, 'HelmChart', { '2.9': 'removed', '2.8': 'removed', '2.7': 'deprecated', '2.6': 'deprecated' }, sc('2.3', '1.3.0'), sc('2.8', '1.8.0'));
  each(`${SRC}/v1beta2`, 'HelmChart', { '2.9': 'removed', '2.8': 'removed', '2.7': 'deprecated', '2.6': 'deprecated' }, sc('2.3', '1.3.0'), sc('2.8', '1.8.0'));
  each(`${SRC}/v1`, 'HelmChart', { '2.9': 'served', '2.8': 'served', '2.7': 'served', '2.6': 'served' });
  // Bucket: v1 from 2.4.
  each(`${SRC}/v1beta1`, 'Bucket', { '2.9': 'removed', '2.8': 'removed', '2.7': 'deprecated', '2.6': 'deprecated' }, sc('2.3', '1.3.0'), sc('2.8', '1.8.0'));
  each(`${SRC}/v1beta2`, 'Bucket', { '2.9': 'removed', '2.8': 'removed', '2.7': 'deprecated', '2.6': 'deprecated' }, sc('2.4', '1.4.1'), sc('2.8', '1.8.0'));
  each(`${SRC}/v1beta2`, 'Bucket', { '2.3': 'served' });
  each(`${SRC}/v1`, 'Bucket', { '2.9': 'served', '2.6': 'served', '2.4': 'served', '2.3': 'unknown' });
  // ExternalArtifact: v1 only, from 2.7.
  each(`${SRC}/v1`, 'ExternalArtifact', { '2.9': 'served', '2.8': 'served', '2.7': 'served', '2.6': 'unknown' });
  each(`${SRC}/v1beta2`, 'ExternalArtifact', { '2.9': 'unknown', '2.7': 'unknown', '2.6': 'unknown' });
  each(`${SRC}/v1beta1`, 'ExternalArtifact', { '2.9': 'unknown' });

  for (const [apiVersion, kind, flux, status, deprecatedIn, removedIn] of rows) {
    test(`${kind} ${apiVersion} at Flux ${flux}: ${status}`, () => {
      const result = apiVersionStatus(apiVersion, kind, flux);
      assert.equal(result.status, status);
      if (status === 'removed') {
        assert.equal(result.removedIn, removedIn);
        assert.equal(result.deprecatedIn, deprecatedIn);
      } else if (status === 'deprecated') {
        assert.equal(result.deprecatedIn, deprecatedIn);
        assert.equal(result.removedIn, removedIn, 'a deprecated version names its coming removal');
      } else {
        assert.equal(result.removedIn, undefined);
        assert.equal(result.deprecatedIn, undefined);
      }
    });
  }

  test('the replacement is the version to write at that release', () => {
    assert.equal(apiVersionStatus(`${HR}/v2beta1`, 'HelmRelease', '2.9').replacement, `${HR}/v2`);
    assert.equal(apiVersionStatus(`${SRC}/v1beta2`, 'HelmRepository', '2.8').replacement, `${SRC}/v1`);
    assert.equal(apiVersionStatus(`${SRC}/v1beta1`, 'OCIRepository', '2.9').replacement, `${SRC}/v1`);
    assert.equal(apiVersionStatus(`${HR}/v2`, 'HelmRelease').replacement, `${HR}/v2`);
    // OCIRepository v1 does not exist before 2.6, Bucket v1 before 2.4: stay on v1beta2 there.
    assert.equal(apiVersionStatus(`${SRC}/v1beta2`, 'OCIRepository', '2.5').replacement, `${SRC}/v1beta2`);
    assert.equal(apiVersionStatus(`${SRC}/v1beta1`, 'Bucket', '2.3').replacement, `${SRC}/v1beta2`);
    assert.deepEqual(apiVersionStatus('v1', 'ConfigMap'), { status: 'unknown', replacement: '' });
    assert.equal(apiVersionStatus('kustomize.toolkit.fluxcd.io/v1beta2', 'Kustomization', '2.9').replacement, 'kustomize.toolkit.fluxcd.io/v1');
  });

  test('the Flux version defaults to the newest; patch releases and a v prefix are read as their minor', () => {
    assert.deepEqual(apiVersionStatus(`${HR}/v2beta2`, 'HelmRelease'), apiVersionStatus(`${HR}/v2beta2`, 'HelmRelease', '2.9'));
    assert.equal(apiVersionStatus(`${HR}/v2beta2`, 'HelmRelease', 'v2.7.3').status, 'deprecated');
    assert.equal(apiVersionStatus(`${HR}/v2beta2`, 'HelmRelease', '2.10').status, 'removed');
    assert.equal(apiVersionStatus(`${HR}/v2beta2`, 'HelmRelease', 'latest').status, 'removed');
  });

  test('at every known release each kind has one current version, and it is the replacement', () => {
    for (const flux of KNOWN_FLUX_VERSIONS) {
      for (const kind of API_VERSION_TABLE) {
        const current = kind.versions.filter((v) => apiVersionStatus(v.apiVersion, kind.kind, flux).status === 'served');
        if ((kind.kind === 'ExternalArtifact' || kind.kind === 'ArtifactGenerator') && flux < '2.7') {
          assert.equal(current.length, 0);
          continue;
        }
        if ((kind.kind === 'ImageRepository' || kind.kind === 'ImagePolicy') && flux < '2.7') {
          // Notes §1: v1beta2 (storage) and v1beta1 both served, neither deprecated; v1beta2 is the one to write.
          assert.deepEqual(current.map((v) => v.apiVersion), ['image.toolkit.fluxcd.io/v1beta1', 'image.toolkit.fluxcd.io/v1beta2']);
          assert.equal(apiVersionStatus('image.toolkit.fluxcd.io/v1beta1', kind.kind, flux).replacement, 'image.toolkit.fluxcd.io/v1beta2');
          continue;
        }
        assert.equal(current.length, 1, `${kind.kind} at ${flux}`);
        assert.equal(apiVersionStatus(current[0]!.apiVersion, kind.kind, flux).replacement, current[0]!.apiVersion);
        assert.ok(servedApiVersions(kind.kind, flux).includes(current[0]!.apiVersion));
      }
    }
    assert.deepEqual(servedApiVersions('HelmRelease', '2.7'), [`${HR}/v2beta2`, `${HR}/v2`]);
    assert.deepEqual(servedApiVersions('HelmRepository', '2.9'), [`${SRC}/v1`]);
  });
});

// Two OCI HelmRepositories at `source.toolkit.fluxcd.io/v1beta2`, written the way the tutorial's
// scenarios write them: a comment above the object, a comment after a value, credentials from a
// docker-registry Secret.
const OLD_OCI_SOURCE = lines(
  '# charts of the team, from the registry',
  'apiVersion: source.toolkit.fluxcd.io/v1beta2',
  'kind: HelmRepository',
  'metadata:',
  '  name: team-charts',
  '  namespace: flux-system',
  'spec:',
  '  type: oci',
  '  interval: 10m',
  '  url: oci://registry.example.org/team/charts',
  '  secretRef:',
  '    name: registry-login   # a kubernetes.io/dockerconfigjson Secret',
);
const OLD_APP_SOURCE = lines(
  '# apps/scores/source.yaml',
  'apiVersion: source.toolkit.fluxcd.io/v1beta2',
  'kind: HelmRepository',
  'metadata:',
  '  name: scores',
  '  namespace: flux-system',
  'spec:',
  '  type: oci',
  '  interval: 30m',
  '  url: oci://registry.example.org/team/charts',
  '  secretRef:',
  '    name: registry-login',
);

/** A v2beta1 HelmRelease with `valuesFile` and both old patch forms, comments throughout. */
const FULL_V2BETA1 = lines(
  '# podinfo, production',
  'apiVersion: helm.toolkit.fluxcd.io/v2beta1  # migrate me',
  'kind: HelmRelease',
  'metadata:',
  '  name: podinfo',
  '  namespace: apps',
  'spec:',
  '  interval: 10m',
  '  chart:',
  '    spec:',
  '      chart: podinfo',
  '      version: "6.x"',
  '      # production values on top of the chart defaults',
  '      valuesFile: values-prod.yaml # from the chart',
  '      sourceRef:',
  '        kind: HelmRepository',
  '        name: podinfo',
  '        namespace: flux-system',
  '  install:',
  '    remediation:',
  '      retries: 3',
  '  values:',
  '    replicaCount: 2 # HPA takes over',
  '  postRenderers:',
  '    # pin the image and label the service',
  '    - kustomize:',
  '        patchesStrategicMerge:',
  '          - apiVersion: apps/v1',
  '            kind: Deployment',
  '            metadata:',
  '              name: podinfo',
  '            spec:',
  '              template:',
  '                spec:',
  '                  containers:',
  '                    - name: podinfo',
  '                      image: ghcr.io/stefanprodan/podinfo:6.5.0 # pinned',
  '          # the service too',
  '          - apiVersion: v1',
  '            kind: Service',
  '            metadata: {name: podinfo, labels: {tier: "frontend"}}',
  '        images:',
  '          - name: nginx',
  '            newTag: "1.25"',
  '        patchesJson6902:',
  '          - target:',
  '              group: apps',
  '              version: v1',
  '              kind: Deployment',
  '              name: podinfo',
  '            patch:',
  '              - op: add',
  '                path: /metadata/annotations/owner',
  '                value: team-a',
  '              - op: replace',
  '                path: /spec/replicas',
  '                value: 3',
);

const FULL_V2 = lines(
  '# podinfo, production',
  'apiVersion: helm.toolkit.fluxcd.io/v2  # migrate me',
  'kind: HelmRelease',
  'metadata:',
  '  name: podinfo',
  '  namespace: apps',
  'spec:',
  '  interval: 10m',
  '  chart:',
  '    spec:',
  '      chart: podinfo',
  '      version: "6.x"',
  '      # production values on top of the chart defaults',
  '      valuesFiles:',
  '        - values-prod.yaml # from the chart',
  '      sourceRef:',
  '        kind: HelmRepository',
  '        name: podinfo',
  '        namespace: flux-system',
  '  install:',
  '    remediation:',
  '      retries: 3',
  '  values:',
  '    replicaCount: 2 # HPA takes over',
  '  postRenderers:',
  '    # pin the image and label the service',
  '    - kustomize:',
  '        patches:',
  '          - patch: |',
  '              apiVersion: apps/v1',
  '              kind: Deployment',
  '              metadata:',
  '                name: podinfo',
  '              spec:',
  '                template:',
  '                  spec:',
  '                    containers:',
  '                      - name: podinfo',
  '                        image: ghcr.io/stefanprodan/podinfo:6.5.0 # pinned',
  '          # the service too',
  '          - patch: |',
  '              apiVersion: v1',
  '              kind: Service',
  '              metadata: {name: podinfo, labels: {tier: "frontend"}}',
  '          - target:',
  '              group: apps',
  '              version: v1',
  '              kind: Deployment',
  '              name: podinfo',
  '            patch: |',
  '              - op: add',
  '                path: /metadata/annotations/owner',
  '                value: team-a',
  '              - op: replace',
  '                path: /spec/replicas',
  '                value: 3',
  '        images:',
  '          - name: nginx',
  '            newTag: "1.25"',
);

const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'podinfo' }, spec: { template: { spec: { containers: [{ name: 'podinfo', image: 'ghcr.io/stefanprodan/podinfo:6.5.0' }] } } } };
const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'podinfo', labels: { tier: 'frontend' } } };
const ops = [
  { op: 'add', path: '/metadata/annotations/owner', value: 'team-a' },
  { op: 'replace', path: '/spec/replicas', value: 3 },
];
const FULL_EXPECTED = {
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  metadata: { name: 'podinfo', namespace: 'apps' },
  spec: {
    interval: '10m',
    chart: { spec: { chart: 'podinfo', version: '6.x', valuesFiles: ['values-prod.yaml'], sourceRef: { kind: 'HelmRepository', name: 'podinfo', namespace: 'flux-system' } } },
    install: { remediation: { retries: 3 } },
    values: { replicaCount: 2 },
    postRenderers: [
      {
        kustomize: {
          patches: [{ patch: deployment }, { patch: service }, { target: { group: 'apps', version: 'v1', kind: 'Deployment', name: 'podinfo' }, patch: ops }],
          images: [{ name: 'nginx', newTag: '1.25' }],
        },
      },
    ],
  },
};

describe('migrationEdits', () => {
  test('OCI HelmRepository sources as the tutorial writes them: only the apiVersion changes', () => {
    for (const fixture of [OLD_OCI_SOURCE, OLD_APP_SOURCE]) {
      const { edits, result } = migrate(fixture, `${SRC}/v1`);
      const start = fixture.indexOf('source.toolkit.fluxcd.io/v1beta2');
      assert.deepEqual(edits, [{ start, end: start + 'source.toolkit.fluxcd.io/v1beta2'.length, newText: 'source.toolkit.fluxcd.io/v1' }]);
      assert.equal(result, fixture.replace('source.toolkit.fluxcd.io/v1beta2', 'source.toolkit.fluxcd.io/v1'));
      assert.ok(diagnosticsOf(fixture).some((d) => d.code === 'api-version-removed'), 'the old version is reported before');
      assertValid(result);
    }
  });

  test('apiVersion only, for every old version of a source kind', () => {
    for (const kind of ['GitRepository', 'HelmChart', 'Bucket', 'OCIRepository', 'HelmRepository']) {
      const text = lines(`apiVersion: ${SRC}/v1beta1`, `kind: ${kind}`, 'metadata:', '  name: x', 'spec:', '  interval: 5m');
      assert.deepEqual(migrationEdits(text, `${SRC}/v1`), [{ start: 12, end: 12 + `${SRC}/v1beta1`.length, newText: `${SRC}/v1` }]);
    }
  });

  test('the quotes of the apiVersion value are kept', () => {
    const double = lines(`apiVersion: "${SRC}/v1beta2"`, 'kind: HelmRepository', 'metadata:', '  name: a', 'spec:', '  url: https://charts.example.com');
    assert.equal(migrate(double, `${SRC}/v1`).result, double.replace('/v1beta2"', '/v1"'));
    assertValid(migrate(double, `${SRC}/v1`).result);
    const single = double.replace(/"/g, "'");
    assert.equal(migrate(single, `${SRC}/v1`).result, single.replace("/v1beta2'", "/v1'"));
    assertValid(migrate(single, `${SRC}/v1`).result);
  });

  test('comments are kept: on the apiVersion line and inside spec', () => {
    const text = lines(
      '---',
      '# the chart repository',
      `apiVersion: ${SRC}/v1beta2 # TODO: upgrade`,
      'kind: HelmRepository',
      'metadata:',
      '  name: podinfo # short name',
      'spec:',
      '  # refresh often',
      '  interval: 1m',
      '  url: https://stefanprodan.github.io/podinfo  # public',
      '  # end of spec',
    );
    const { result } = migrate(text, `${SRC}/v1`);
    assert.equal(result, text.replace(`${SRC}/v1beta2 #`, `${SRC}/v1 #`));
    assertValid(result);
  });

  test('a HelmRelease without removed fields gets only the apiVersion edit', () => {
    const text = lines(`apiVersion: ${HR}/v2beta2`, 'kind: HelmRelease', 'metadata:', '  name: a', 'spec:', '  interval: 5m', '  chart:', '    spec:', '      chart: a', '      sourceRef:', '        kind: HelmRepository', '        name: a');
    const { edits, result } = migrate(text, `${HR}/v2`);
    assert.equal(edits.length, 1);
    assert.equal(result, text.replace('v2beta2', 'v2'));
    assertValid(result);
  });

  test('valuesFile becomes a one-item valuesFiles list at the document’s indentation', () => {
    const text = lines(
      `apiVersion: ${HR}/v2beta1`,
      'kind: HelmRelease',
      'metadata:',
      '  name: a',
      'spec:',
      '  interval: 5m',
      '  chart:',
      '    spec:',
      '      chart: ./charts/a',
      '      valuesFile: "values/prod.yaml"   # prod',
      '      sourceRef:',
      '        kind: GitRepository',
      '        name: a',
    );
    const { result } = migrate(text, `${HR}/v2`);
    assert.equal(result, text.replace('v2beta1', 'v2').replace('      valuesFile: "values/prod.yaml"', '      valuesFiles:\n        - "values/prod.yaml"'));
    assertValid(result);
  });

  test('with lists written flush with their key, the new list is too', () => {
    const text = lines(
      `apiVersion: ${HR}/v2beta1`,
      'kind: HelmRelease',
      'metadata:',
      '  name: a',
      'spec:',
      '  interval: 5m',
      '  dependsOn:',
      '  - name: b',
      '  chart:',
      '    spec:',
      '      chart: ./charts/a',
      '      valuesFile: prod.yaml',
      '      sourceRef:',
      '        kind: GitRepository',
      '        name: a',
    );
    const { result } = migrate(text, `${HR}/v2`);
    assert.equal(result, text.replace('v2beta1', 'v2').replace('      valuesFile: prod.yaml', '      valuesFiles:\n      - prod.yaml'));
    assertValid(result);
  });

  test('valuesFile goes first into an existing valuesFiles list (block and flow)', () => {
    const block = lines(
      `apiVersion: ${HR}/v2beta2`,
      'kind: HelmRelease',
      'metadata:',
      '  name: a',
      'spec:',
      '  interval: 5m',
      '  chart:',
      '    spec:',
      '      chart: ./charts/a',
      '      valuesFiles:',
      '        # overrides',
      '        - values-eu.yaml',
      '        - values-eu-1.yaml',
      '      valuesFile: values-prod.yaml # merged first',
      '      sourceRef:',
      '        kind: GitRepository',
      '        name: a',
    );
    const { result } = migrate(block, `${HR}/v2`);
    assert.equal(
      result,
      block
        .replace('v2beta2', 'v2')
        .replace('        # overrides\n', '        # overrides\n        - values-prod.yaml\n')
        .replace('      valuesFile: values-prod.yaml # merged first\n', ''),
    );
    assert.deepEqual((parse(result) as { spec: { chart: { spec: { valuesFiles: string[] } } } }).spec.chart.spec.valuesFiles, ['values-prod.yaml', 'values-eu.yaml', 'values-eu-1.yaml']);
    assertValid(result);

    const flow = block.replace('      valuesFiles:\n        # overrides\n        - values-eu.yaml\n        - values-eu-1.yaml\n', '      valuesFiles: [values-eu.yaml, "values-eu-1.yaml"]\n');
    const migrated = migrate(flow, `${HR}/v2`).result;
    assert.equal(migrated, flow.replace('v2beta2', 'v2').replace('[values-eu.yaml', '[values-prod.yaml, values-eu.yaml').replace('      valuesFile: values-prod.yaml # merged first\n', ''));
    assertValid(migrated);
  });

  test('HelmChart spec.valuesFile becomes spec.valuesFiles', () => {
    const text = lines(
      `apiVersion: ${SRC}/v1beta2`,
      'kind: HelmChart',
      'metadata:',
      '  name: podinfo',
      'spec:',
      '  chart: podinfo',
      '  interval: 5m',
      '  sourceRef:',
      '    kind: HelmRepository',
      '    name: podinfo',
      '  valuesFile: values-prod.yaml',
      '  version: "6.x"',
    );
    const { result } = migrate(text, `${SRC}/v1`);
    assert.equal(result, text.replace('v1beta2', 'v1').replace('  valuesFile: values-prod.yaml', '  valuesFiles:\n    - values-prod.yaml'));
    assertValid(result);
    // Moving to v1beta2 (where valuesFile still exists, deprecated) changes only the apiVersion.
    assert.equal(migrationEdits(text.replace('v1beta2', 'v1beta1'), `${SRC}/v1beta2`).length, 1);
  });

  test('the full v2beta1 HelmRelease: valuesFile and both patch forms', () => {
    const { result } = migrate(FULL_V2BETA1, `${HR}/v2`);
    assert.equal(result, FULL_V2);
    assert.deepEqual(structure(result), FULL_EXPECTED);
    assertValid(result);
    // Only v2 drops the fields: to v2beta2 it is the apiVersion alone.
    assert.equal(migrate(FULL_V2BETA1, `${HR}/v2beta2`).result, FULL_V2BETA1.replace('/v2beta1', '/v2beta2'));
  });

  test('the full HelmRelease with CRLF line breaks', () => {
    const crlf = FULL_V2BETA1.replace(/\n/g, '\r\n');
    const { result } = migrate(crlf, `${HR}/v2`);
    assert.equal(result, FULL_V2.replace(/\n/g, '\r\n'));
    assert.ok(!/[^\r]\n/.test(result), 'only CRLF line breaks');
    assert.deepEqual(structure(result), FULL_EXPECTED);
    assertValid(result);
  });

  test('a document indented with 4 spaces (and `-   ` list markers)', () => {
    const text = lines(
      `apiVersion: ${HR}/v2beta1`,
      'kind: HelmRelease',
      'metadata:',
      '    name: podinfo',
      'spec:',
      '    interval: 10m',
      '    chart:',
      '        spec:',
      '            chart: podinfo',
      '            valuesFile: values-prod.yaml',
      '            sourceRef:',
      '                kind: HelmRepository',
      '                name: podinfo',
      '    postRenderers:',
      '        -   kustomize:',
      '                patchesStrategicMerge:',
      '                    -   apiVersion: apps/v1',
      '                        kind: Deployment',
      '                        metadata:',
      '                            name: podinfo',
      '                patchesJson6902:',
      '                    -   target:',
      '                            kind: Deployment',
      '                            name: podinfo',
      '                        patch:',
      '                            -   op: add',
      '                                path: /metadata/labels/a',
      '                                value: b',
    );
    const { result } = migrate(text, `${HR}/v2`);
    assert.equal(
      result,
      lines(
        `apiVersion: ${HR}/v2`,
        'kind: HelmRelease',
        'metadata:',
        '    name: podinfo',
        'spec:',
        '    interval: 10m',
        '    chart:',
        '        spec:',
        '            chart: podinfo',
        '            valuesFiles:',
        '                -   values-prod.yaml',
        '            sourceRef:',
        '                kind: HelmRepository',
        '                name: podinfo',
        '    postRenderers:',
        '        -   kustomize:',
        '                patches:',
        '                    -   patch: |',
        '                            apiVersion: apps/v1',
        '                            kind: Deployment',
        '                            metadata:',
        '                                name: podinfo',
        '                    -   target:',
        '                            kind: Deployment',
        '                            name: podinfo',
        '                        patch: |',
        '                            -   op: add',
        '                                path: /metadata/labels/a',
        '                                value: b',
      ),
    );
    assert.deepEqual(structure(result), {
      apiVersion: `${HR}/v2`,
      kind: 'HelmRelease',
      metadata: { name: 'podinfo' },
      spec: {
        interval: '10m',
        chart: { spec: { chart: 'podinfo', valuesFiles: ['values-prod.yaml'], sourceRef: { kind: 'HelmRepository', name: 'podinfo' } } },
        postRenderers: [
          {
            kustomize: {
              patches: [
                { patch: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'podinfo' } } },
                { target: { kind: 'Deployment', name: 'podinfo' }, patch: [{ op: 'add', path: '/metadata/labels/a', value: 'b' }] },
              ],
            },
          },
        ],
      },
    });
    assertValid(result);
  });

  test('patch lists written in flow style are written out as block items', () => {
    const text = lines(
      `apiVersion: ${HR}/v2beta2`,
      'kind: HelmRelease',
      'metadata:',
      '  name: a',
      'spec:',
      '  interval: 5m',
      '  chartRef:',
      '    kind: OCIRepository',
      '    name: a',
      '  postRenderers:',
      '    - kustomize:',
      '        patchesStrategicMerge: [{apiVersion: v1, kind: Service, metadata: {name: a}, spec: {type: NodePort}}]',
      '        patchesJson6902: [{target: {kind: Service, name: a}, patch: [{op: remove, path: /spec/ports/0}]}]',
    );
    const { result } = migrate(text, `${HR}/v2`);
    assert.deepEqual(structure(result), {
      apiVersion: `${HR}/v2`,
      kind: 'HelmRelease',
      metadata: { name: 'a' },
      spec: {
        interval: '5m',
        chartRef: { kind: 'OCIRepository', name: 'a' },
        postRenderers: [
          {
            kustomize: {
              patches: [
                { patch: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' }, spec: { type: 'NodePort' } } },
                { target: { kind: 'Service', name: 'a' }, patch: [{ op: 'remove', path: '/spec/ports/0' }] },
              ],
            },
          },
        ],
      },
    });
    assert.equal(result.split('\n').slice(0, 11).join('\n'), text.replace('v2beta2', 'v2').split('\n').slice(0, 11).join('\n'), 'the lines before are unchanged');
    assert.match(result, /\n {8}patches:\n {10}- patch: \|\n {14}apiVersion: v1\n/);
    assertValid(result);
  });

  test('patches merge into an existing patches list: strategic merge first, then patches, then JSON 6902 (kustomize’s order)', () => {
    const text = lines(
      `apiVersion: ${HR}/v2beta2`,
      'kind: HelmRelease',
      'metadata:',
      '  name: a',
      'spec:',
      '  interval: 5m',
      '  chartRef:',
      '    kind: OCIRepository',
      '    name: a',
      '  postRenderers:',
      '  - kustomize:',
      '      patchesJson6902:',
      '      - target: {kind: Deployment, name: a}',
      '        patch:',
      '        - {op: remove, path: /spec/replicas}',
      '      patches:',
      '      - patch: |',
      '          - op: add',
      '            path: /metadata/labels/x',
      '            value: "y"',
      '        target:',
      '          kind: Deployment',
      '      patchesStrategicMerge:',
      '      - kind: ConfigMap',
      '        apiVersion: v1',
      '        metadata:',
      '          name: a',
      '        data:',
      '          enabled: "true"',
    );
    const { result } = migrate(text, `${HR}/v2`);
    assert.equal(
      result,
      lines(
        `apiVersion: ${HR}/v2`,
        'kind: HelmRelease',
        'metadata:',
        '  name: a',
        'spec:',
        '  interval: 5m',
        '  chartRef:',
        '    kind: OCIRepository',
        '    name: a',
        '  postRenderers:',
        '  - kustomize:',
        '      patches:',
        '      - patch: |',
        '          kind: ConfigMap',
        '          apiVersion: v1',
        '          metadata:',
        '            name: a',
        '          data:',
        '            enabled: "true"',
        '      - patch: |',
        '          - op: add',
        '            path: /metadata/labels/x',
        '            value: "y"',
        '        target:',
        '          kind: Deployment',
        '      - target: {kind: Deployment, name: a}',
        '        patch: |',
        '          - {op: remove, path: /spec/replicas}',
      ),
    );
    assert.deepEqual(structure(result), {
      apiVersion: `${HR}/v2`,
      kind: 'HelmRelease',
      metadata: { name: 'a' },
      spec: {
        interval: '5m',
        chartRef: { kind: 'OCIRepository', name: 'a' },
        postRenderers: [
          {
            kustomize: {
              patches: [
                { patch: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'a' }, data: { enabled: 'true' } } },
                { patch: [{ op: 'add', path: '/metadata/labels/x', value: 'y' }], target: { kind: 'Deployment' } },
                { target: { kind: 'Deployment', name: 'a' }, patch: [{ op: 'remove', path: '/spec/replicas' }] },
              ],
            },
          },
        ],
      },
    });
    assertValid(result);
  });

  test('flow-style maps are rewritten in flow style; an empty valuesFile is dropped', () => {
    const head = [`apiVersion: ${HR}/v2beta1`, 'kind: HelmRelease', 'metadata:', '  name: a', 'spec:', '  interval: 5m'];
    const flowChart = lines(...head, '  chart: {spec: {chart: a, valuesFile: "v,1.yaml", sourceRef: {kind: GitRepository, name: a}}}');
    const chart = migrate(flowChart, `${HR}/v2`).result;
    assert.deepEqual(parse(chart), { ...(parse(flowChart) as object), apiVersion: `${HR}/v2`, spec: { interval: '5m', chart: { spec: { chart: 'a', valuesFiles: ['v,1.yaml'], sourceRef: { kind: 'GitRepository', name: 'a' } } } } });
    assertValid(chart);

    const flowKustomize = lines(...head, '  chartRef: {kind: OCIRepository, name: a}', '  postRenderers:', '    - kustomize: {patchesStrategicMerge: [{kind: Service, metadata: {name: a}}], images: [{name: x, newTag: "1"}]}');
    const kustomize = migrate(flowKustomize, `${HR}/v2`).result;
    assert.deepEqual((structure(kustomize) as { spec: { postRenderers: unknown } }).spec.postRenderers, [{ kustomize: { patches: [{ patch: { kind: 'Service', metadata: { name: 'a' } } }], images: [{ name: 'x', newTag: '1' }] } }]);
    assert.equal(kustomize.split('\n').slice(0, 8).join('\n'), flowKustomize.replace('v2beta1', 'v2').split('\n').slice(0, 8).join('\n'));
    assertValid(kustomize);

    const empty = lines(...head, '  chart:', '    spec:', '      chart: a', '      valuesFile:', '      sourceRef:', '        kind: GitRepository', '        name: a');
    const dropped = migrate(empty, `${HR}/v2`).result;
    assert.equal(dropped, empty.replace('v2beta1', 'v2').replace('      valuesFile:\n', ''));
    assertValid(dropped);
  });

  test('a document without apiVersion gets no edits', () => {
    assert.deepEqual(migrationEdits(lines('kind: HelmRelease', 'spec:', '  chart:', '    spec:', '      valuesFile: a.yaml'), `${HR}/v2`), []);
  });

  test('a patch whose text would read differently in YAML 1.2 is written from its value', () => {
    const text = lines(
      `apiVersion: ${HR}/v2beta1`,
      'kind: HelmRelease',
      'metadata:',
      '  name: a',
      'spec:',
      '  interval: 5m',
      '  chartRef:',
      '    kind: OCIRepository',
      '    name: a',
      '  postRenderers:',
      '    - kustomize:',
      '        patchesStrategicMerge:',
      '          - apiVersion: v1',
      '            kind: ConfigMap',
      '            metadata:',
      '              name: a',
      '            data:',
      '              flag: "on"',
      '            immutable: yes',
    );
    const { result } = migrate(text, `${HR}/v2`);
    const patch = (parse(result) as { spec: { postRenderers: Array<{ kustomize: { patches: Array<{ patch: string }> } }> } }).spec.postRenderers[0]!.kustomize.patches[0]!.patch;
    // Kubernetes read `yes` as true; the patch string must say so to any reader.
    assert.deepEqual(parse(patch, { version: '1.2' }), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { flag: 'on' }, immutable: true });
    assert.deepEqual(parse(patch, { version: '1.1' }), parse(patch, { version: '1.2' }));
    assertValid(result);
  });

  test('a document without a final line break keeps it that way', () => {
    const text = FULL_V2BETA1.replace(/\n$/, '');
    const { result } = migrate(text, `${HR}/v2`);
    assert.equal(result, FULL_V2.replace(/\n$/, ''));
    assertValid(result);
  });

  test('a document that cannot be parsed gets only the apiVersion edit, found line by line', () => {
    const broken = lines(`apiVersion: "${HR}/v2beta1"`, 'kind: HelmRelease', 'metadata:', '  name: [a', 'spec:', '  chart:', '    spec:', '      valuesFile: x.yaml');
    const edits = migrationEdits(broken, `${HR}/v2`);
    assert.deepEqual(edits, [{ start: 12, end: 12 + `"${HR}/v2beta1"`.length, newText: `"${HR}/v2"` }]);
    assert.equal(applyEdits(broken, edits), broken.replace('v2beta1', 'v2'));
    assert.deepEqual(migrationEdits('kind: HelmRelease\nmetadata: {name: [\n', `${HR}/v2`), []);
    assert.deepEqual(migrationEdits('', `${HR}/v2`), []);
  });

  test('applyEdits applies edits in any order and refuses overlapping ones', () => {
    assert.equal(applyEdits('abcdef', [{ start: 4, end: 5, newText: 'E' }, { start: 0, end: 1, newText: 'A' }, { start: 2, end: 2, newText: '-' }]), 'Ab-cdEf');
    assert.throws(() => applyEdits('abcdef', [{ start: 0, end: 3, newText: '' }, { start: 2, end: 4, newText: '' }]));
  });
});
