import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { brief, diagnose, yaml } from '../helpers';

const release = (...spec: string[]) =>
  yaml('apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', '  name: podinfo', '  namespace: apps', 'spec:', '  interval: 5m', ...spec);
const chart = ['  chart:', '    spec:', '      chart: podinfo', '      sourceRef:', '        kind: HelmRepository', '        name: podinfo'];
const gitChart = ['  chart:', '    spec:', '      chart: ./charts/podinfo', '      sourceRef:', '        kind: GitRepository', '        name: repo'];
const chartRef = ['  chartRef:', '    kind: OCIRepository', '    name: podinfo'];
const codesOf = (text: string) => diagnose(text).map((d) => String(d.code));

describe('CEL rules of the CRDs', () => {
  test('exactly one of chart and chartRef', () => {
    assert.deepEqual(diagnose(release(...chart, ...chartRef)).map(brief), ['chart-or-chartref@7:2-7:7', 'chart-or-chartref@13:2-13:10']);
    assert.deepEqual(diagnose(release('  timeout: 5m')).map(brief), ['chart-or-chartref@5:0-5:4']);
    assert.deepEqual(codesOf(release(...chart)), []);
    assert.deepEqual(codesOf(release(...chartRef)), []);
  });

  test('retryInterval only with RetryOnFailure, for install and upgrade', () => {
    const text = release(...chart, '  install:', '    strategy:', '      name: RemediateOnFailure', '      retryInterval: 1m', '  upgrade:', '    strategy:', '      name: RetryOnFailure', '      retryInterval: 1m');
    assert.deepEqual(diagnose(text).map(brief), ['retry-interval-strategy@16:6-16:19']);
    assert.deepEqual(codesOf(text.replace('RemediateOnFailure', 'RetryOnFailure')), []);
  });

  test('kubeConfig needs exactly one of secretRef and configMapRef', () => {
    assert.deepEqual(codesOf(release(...chart, '  kubeConfig:', '    secretRef: {name: a}', '    configMapRef: {name: b}')), ['kubeconfig-ref', 'kubeconfig-ref']);
    assert.deepEqual(codesOf(release(...chart, '  kubeConfig: {}')), ['kubeconfig-ref']);
    assert.deepEqual(codesOf(release(...chart, '  kubeConfig:', '    secretRef: {name: a}')), []);
  });

  test('GitRepository serviceAccountName only with the azure or aws provider', () => {
    const repo = (extra: string) => yaml('apiVersion: source.toolkit.fluxcd.io/v1', 'kind: GitRepository', 'metadata: {name: repo}', 'spec:', '  interval: 1m', '  url: https://github.com/x/y', '  serviceAccountName: git', extra);
    assert.deepEqual(codesOf(repo('  provider: github')), ['service-account-provider']);
    assert.deepEqual(codesOf(repo('  provider: azure')), []);
  });

  test('HelmChart verify only with a HelmRepository source', () => {
    const chartDoc = (kind: string) => yaml('apiVersion: source.toolkit.fluxcd.io/v1', 'kind: HelmChart', 'metadata: {name: c}', 'spec:', '  interval: 1m', '  chart: podinfo', `  sourceRef: {kind: ${kind}, name: repo}`, '  verify: {provider: cosign}');
    assert.deepEqual(codesOf(chartDoc('GitRepository')), ['verify-source-kind']);
    assert.deepEqual(codesOf(chartDoc('HelmRepository')), []);
  });

  test('Bucket STS rules', () => {
    const bucket = (...extra: string[]) => yaml('apiVersion: source.toolkit.fluxcd.io/v1', 'kind: Bucket', 'metadata: {name: b}', 'spec:', '  interval: 1m', '  bucketName: b', '  endpoint: s3.example.com', ...extra);
    assert.deepEqual(codesOf(bucket('  provider: gcp', '  sts: {provider: aws, endpoint: https://sts.example.com}')), ['bucket-sts']);
    assert.deepEqual(codesOf(bucket('  provider: aws', '  sts: {provider: ldap, endpoint: https://sts.example.com}')), ['bucket-sts']);
    assert.deepEqual(codesOf(bucket('  sts: {provider: aws, endpoint: https://sts.example.com}')), ['bucket-sts'], 'provider defaults to generic, which needs ldap');
    assert.deepEqual(codesOf(bucket('  provider: aws', '  sts: {provider: aws, endpoint: https://sts.example.com, secretRef: {name: s}}')), ['bucket-sts']);
    assert.deepEqual(codesOf(bucket('  sts: {provider: ldap, endpoint: https://sts.example.com}')), []);
    assert.deepEqual(codesOf(bucket('  provider: aws', '  sts: {provider: aws, endpoint: https://sts.example.com}')), []);
  });
});

describe('what Flux rejects or ignores', () => {
  const repo = (...spec: string[]) => yaml('apiVersion: source.toolkit.fluxcd.io/v1', 'kind: HelmRepository', 'metadata: {name: charts}', 'spec:', ...spec);
  test('HelmRepository URL scheme and type must agree', () => {
    assert.deepEqual(diagnose(repo('  type: oci', '  url: https://ghcr.io/x')).map(brief), ['oci-url-type@5:7-5:24']);
    assert.deepEqual(codesOf(repo('  url: oci://ghcr.io/x')), ['oci-url-type']);
    assert.deepEqual(codesOf(repo('  type: oci', '  url: oci://ghcr.io/x')), []);
    assert.deepEqual(codesOf(repo('  interval: 1h', '  url: https://charts.example.com')), []);
  });

  test('an OCI HelmRepository interval is ignored (a hint)', () => {
    const [d] = diagnose(repo('  type: oci', '  interval: 5m', '  url: oci://ghcr.io/x'));
    assert.equal(brief(d!), 'ignored-field@5:2-5:10');
    assert.equal(d!.severity, 4);
    assert.deepEqual(d!.tags, [1]);
  });

  test('chart.spec.version is ignored for Git and Bucket charts', () => {
    const withVersion = release(...gitChart, '      version: "1.x"');
    assert.deepEqual(codesOf(withVersion), ['ignored-field']);
    assert.deepEqual(codesOf(release(...gitChart)), []);
    assert.deepEqual(codesOf(release(...chart, '      version: "1.x"')), []);
  });

  test('deprecated fields are hints with the deprecated tag', () => {
    const result = diagnose(release(...chart, '  install:', '    skipCRDs: true', '  rollback:', '    recreate: false'));
    assert.deepEqual(result.map((d) => [d.code, d.severity, d.tags]), [['deprecated-field', 4, [2]], ['deprecated-field', 4, [2]]]);
    assert.match(String(result[0]!.message), /Use `install.crds: Skip`/);
  });

  test('a release that depends on itself', () => {
    assert.deepEqual(codesOf(release(...chart, '  dependsOn:', '    - name: podinfo')), ['self-dependency']);
    assert.deepEqual(codesOf(release(...chart, '  dependsOn:', '    - name: podinfo', '      namespace: other')), []);
    assert.deepEqual(codesOf(release(...chart, '  dependsOn:', '    - name: postgres')), []);
  });

  test('a derived release name over 53 characters is shortened with a hash', () => {
    const [d] = diagnose(release(...chart, `  targetNamespace: ${'a'.repeat(30)}`, '').replace('name: podinfo\n  namespace', `name: ${'b'.repeat(30)}\n  namespace`));
    assert.equal(d!.code, 'release-name-too-long');
    assert.match(String(d!.message), /has 61 characters; Helm allows 53, so Flux will name the release `a{30}-b{9}-[0-9a-f]{12}`/);
    assert.deepEqual(codesOf(release(...chart, '  targetNamespace: apps')), []);
  });

  test('literal without targetPath has no effect', () => {
    assert.deepEqual(codesOf(release(...chart, '  valuesFrom:', '    - kind: Secret', '      name: s', '      literal: true')), ['literal-without-targetpath']);
    assert.deepEqual(codesOf(release(...chart, '  valuesFrom:', '    - kind: Secret', '      name: s', '      targetPath: a.b', '      literal: true')), []);
  });
});

describe('post-build substitution', () => {
  test('a value with ${VAR} is not checked against type, pattern or enum', () => {
    assert.deepEqual(codesOf(release(...chart, '  timeout: ${TIMEOUT}', '  suspend: ${SUSPEND}', '  install:', '    remediation:', '      retries: ${RETRIES}', '  driftDetection:', '    mode: ${DRIFT}')), []);
  });

  test('a default value is checked, read as YAML unless quoted', () => {
    assert.deepEqual(codesOf(release(...chart, '  install:', '    remediation:', '      retries: ${RETRIES:=3}')), []);
    assert.deepEqual(codesOf(release(...chart, '  install:', '    remediation:', '      retries: ${RETRIES:=three}')), ['wrong-type']);
    assert.deepEqual(codesOf(release(...chart, '  timeout: ${TIMEOUT:-5 minutes}')), ['invalid-pattern']);
    assert.deepEqual(codesOf(release(...chart, '  install:', '    remediation:', '      retries: "${RETRIES:=3}"')), ['wrong-type']);
  });

  test('malformed substitutions are errors everywhere, metadata and values included', () => {
    const text = release(...chart, '  values:', '    host: ${HOST', '    empty: "${}"').replace('name: podinfo\n', 'name: podinfo-${ENV\n');
    assert.deepEqual(diagnose(text).map(brief), ['invalid-substitution@3:16-3:21', 'invalid-substitution@14:10-14:16', 'invalid-substitution@15:11-15:16']);
  });

  test('an escaped $${VAR} is a literal and no substitution', () => {
    assert.deepEqual(codesOf(release(...chart, '  values:', '    script: echo $${HOME}')), []);
  });
});

describe('YAML 1.1 pitfalls', () => {
  test('an unquoted on/yes/no in a string field is read as a boolean', () => {
    const [d] = diagnose(release(...chart, '  targetNamespace: no'));
    assert.equal(brief(d!), 'yaml11-boolean@13:19-13:21');
    assert.match(String(d!.message), /reads an unquoted `no` as the boolean `false`/);
    assert.deepEqual(codesOf(release(...chart, '  targetNamespace: "no"')), []);
  });

  test('inside values, 1.1 booleans and octals are warnings, quoted ones are fine', () => {
    const result = diagnose(release(...chart, '  values:', '    controller:', '      config:', '        use-forwarded-headers: on', '        mode: 0755', '        quoted: "on"', '        real: true', '        off: 1'));
    assert.deepEqual(result.map((d) => [d.code, d.severity, d.range.start.line]), [['yaml11-boolean', 2, 16], ['yaml11-octal', 2, 17], ['yaml11-boolean', 2, 20]]);
  });
});

describe('suppression comments', () => {
  const typo = ['  install:', '    remediaton: {}'];
  test('disable-next-line silences the named code on the next line only', () => {
    assert.deepEqual(codesOf(release(...chart, '  install:', '    # helmrelease-disable-next-line unknown-field', '    remediaton: {}')), []);
    assert.deepEqual(codesOf(release(...chart, '  install:', '    # helmrelease-disable-next-line wrong-type', '    remediaton: {}')), ['unknown-field']);
    assert.deepEqual(codesOf(release(...chart, '  install:', '    # helmrelease-disable-next-line', '    remediaton: {}', '    remediatio: {}')), ['unknown-field']);
  });
  test('disable without next-line silences the whole document', () => {
    assert.deepEqual(codesOf(`# helmrelease-disable unknown-field\n${release(...chart, ...typo)}`), []);
    assert.deepEqual(codesOf(`# helmrelease-disable\n${release(...typo)}`), []);
    const two = `${release(...chart, ...typo)}---\n# helmrelease-disable\n${release(...chart, ...typo)}`;
    assert.deepEqual(codesOf(two), ['unknown-field'], 'only the document with the comment is silenced');
  });
});

describe('kustomize patches', () => {
  test('a partial object in a patch file may omit required fields and chart/chartRef', () => {
    const patch = yaml('apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', '  name: podinfo', 'spec:', '  values:', '    replicaCount: 3');
    assert.deepEqual(codesOf(patch).sort(), ['chart-or-chartref', 'missing-required']);
    assert.deepEqual(diagnose(patch, {}, { isPatch: true }), []);
  });
  test('field names, types and enums are still checked in a patch', () => {
    const patch = yaml('apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', '  name: podinfo', 'spec:', '  suspend: maybe', '  intreval: 5m');
    assert.deepEqual(diagnose(patch, {}, { isPatch: true }).map((d) => d.code), ['wrong-type', 'unknown-field']);
  });
});

describe('objects inlined as patches by a Flux Kustomization', () => {
  const kustomization = (patch: string[]) =>
    yaml('apiVersion: kustomize.toolkit.fluxcd.io/v1', 'kind: Kustomization', 'metadata:', '  name: apps', 'spec:', '  interval: 10m', '  path: ./apps', '  prune: true', '  sourceRef: {kind: GitRepository, name: flux-system}', '  patches:', '    - target: {kind: HelmRelease, name: podinfo}', '      patch: |', ...patch.map((l) => `        ${l}`));

  test('are checked as partial objects, with ranges inside the block', () => {
    const text = kustomization(['apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', '  name: podinfo', 'spec:', '  install:', '    remediaton:', '      retries: 3', '  suspend: maybe']);
    assert.deepEqual(diagnose(text).map(brief), ['unknown-field@18:12-18:22', 'wrong-type@20:19-20:24']);
  });

  test('a correct inline patch reports nothing, and required fields may be missing', () => {
    assert.deepEqual(diagnose(kustomization(['apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', '  name: podinfo', 'spec:', '  values:', '    replicaCount: 3'])), []);
  });

  test('JSON 6902 patches and patches of other kinds are left alone', () => {
    assert.deepEqual(diagnose(kustomization(['- op: replace', '  path: /spec/interval', '  value: 5 minutes'])), []);
    assert.deepEqual(diagnose(kustomization(['apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: x}', 'spec: {replicas: many}'])), []);
  });
});

describe('chart version constraints', () => {
  const withVersion = (version: string) => release(...chart.slice(0, 3), `      version: ${version}`, ...chart.slice(3));
  test('an invalid constraint is an error on the offending part', () => {
    const [d] = diagnose(withVersion('">=1.0 <<2"'));
    assert.equal(d!.code, 'invalid-constraint');
    assert.equal(d!.range.start.line, 10);
    assert.ok(d!.range.start.character > 16, 'points inside the value, at the bad comparator');
  });
  test('Masterminds syntax that npm rejects is valid: commas, !=, =>, ~>', () => {
    for (const v of ['">1.1, <2"', '">=1.1 <2 !=1.2.3"', '"=> 1.2"', '"~> 1.2"', '"4.10.*"', '"1.1 - 2"', '"^0.2.3 || ~1.4"']) assert.deepEqual(codesOf(withVersion(v)), [], v);
  });
  test('a bare partial version warns and says how Flux reads it', () => {
    const [d] = diagnose(withVersion('"1.2"'));
    assert.equal(d!.code, 'inexact-version');
    assert.match(String(d!.message), /≥ 1\.2\.0 and < 1\.3\.0/);
    assert.deepEqual(codesOf(withVersion('"1.2.0"')), []);
  });
  test('OCIRepository and GitRepository ref.semver are checked, ${VAR} skipped', () => {
    const oci = (semver: string) => yaml('apiVersion: source.toolkit.fluxcd.io/v1', 'kind: OCIRepository', 'metadata: {name: o}', 'spec:', '  interval: 5m', '  url: oci://ghcr.io/x', `  ref: {semver: "${semver}"}`);
    assert.deepEqual(codesOf(oci('>=1.0.0 <')), ['invalid-constraint']);
    assert.deepEqual(codesOf(oci('${CHART_RANGE}')), []);
    const git = yaml('apiVersion: source.toolkit.fluxcd.io/v1', 'kind: GitRepository', 'metadata: {name: g}', 'spec:', '  interval: 5m', '  url: https://g.example.com/r', '  ref: {semver: "~~1"}');
    assert.deepEqual(codesOf(git), ['invalid-constraint']);
  });
});
