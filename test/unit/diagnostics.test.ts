import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { brief, diagnose, yaml } from '../helpers';

const header = ['apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', '  name: podinfo'];
const chart = ['  chart:', '    spec:', '      chart: podinfo', '      sourceRef:', '        kind: HelmRepository', '        name: podinfo'];
const release = (...specLines: string[]) => yaml(...header, 'spec:', '  interval: 10m', ...chart, ...specLines);

describe('diagnostics of HelmRelease documents', () => {
  test('a correct HelmRelease has no diagnostics', () => {
    assert.deepEqual(diagnose(release('  install:', '    remediation:', '      retries: 3', '  values:', '    anything: [1, 2]', '    deep: {a: {b: c}}')), []);
  });

  test('an unknown field is reported on its key, with the closest known field', () => {
    const [d, ...rest] = diagnose(release('  install:', '    remediaton:', '      retries: 3'));
    assert.deepEqual(rest, []);
    assert.equal(brief(d!), 'unknown-field@13:4-13:14');
    assert.match(String(d!.message), /Unknown field `remediaton` in `spec.install`. Did you mean `remediation`\?/);
    assert.equal(d!.source, 'helmrelease');
    assert.equal(d!.severity, 1);
  });

  test('an unknown field with nothing close lists the known fields', () => {
    const [d] = diagnose(release('  upgrade:', '    zzzzzzzz: true'));
    assert.equal(d!.code, 'unknown-field');
    assert.match(String(d!.message), /Known fields: .*`remediation`/);
  });

  test('wrong types are reported on the value', () => {
    const result = diagnose(release('  install:', '    remediation:', '      retries: three', '  suspend: "yes"'));
    assert.deepEqual(result.map(brief), ['wrong-type@14:15-14:20', 'wrong-type@15:11-15:16']);
    assert.match(String(result[0]!.message), /`spec.install.remediation.retries` must be an integer, not a string/);
    assert.match(String(result[1]!.message), /must be a boolean, not a string/);
  });

  test('YAML 1.1 booleans are booleans, as Kubernetes reads them', () => {
    assert.deepEqual(diagnose(release('  suspend: yes')), []);
  });

  test('an enum violation lists the allowed values and suggests the closest', () => {
    const [d] = diagnose(release('  driftDetection:', '    mode: Enabled'));
    assert.equal(brief(d!), 'invalid-enum@13:10-13:17');
    assert.match(String(d!.message), /`Enabled` is not allowed in `spec.driftDetection.mode`. Allowed values: `enabled`, `warn` or `disabled`. Did you mean `enabled`\?/);
  });

  test('durations are checked against the Flux pattern', () => {
    const [d] = diagnose(release('  timeout: 5 minutes'));
    assert.equal(brief(d!), 'invalid-pattern@12:11-12:20');
    assert.match(String(d!.message), /`5 minutes` is not a duration/);
    assert.deepEqual(diagnose(release('  timeout: 1h30m')), []);
  });

  test('targetPath and valuesKey patterns are checked', () => {
    const result = diagnose(release('  valuesFrom:', '    - kind: ConfigMap', '      name: values', '      valuesKey: "values yaml"', '      targetPath: "a b"'));
    assert.deepEqual(result.map((d) => d.code), ['invalid-pattern', 'invalid-pattern']);
    assert.match(String(result[0]!.message), /not a valid data key/);
    assert.match(String(result[1]!.message), /not a valid values path/);
  });

  test('lengths are checked: empty and too long strings', () => {
    const result = diagnose(release('  releaseName: ""', `  targetNamespace: ${'n'.repeat(64)}`));
    assert.deepEqual(result.map((d) => d.code), ['min-length', 'max-length']);
    assert.match(String(result[1]!.message), /64 characters long; at most 63/);
  });

  test('missing required fields are reported on the key of the object that lacks them', () => {
    const result = diagnose(yaml(...header, 'spec:', '  chart:', '    spec:', '      chart: podinfo', '      sourceRef:', '        name: podinfo'));
    assert.deepEqual(result.map(brief), ['missing-required@4:0-4:4', 'missing-required@8:6-8:15']);
    assert.match(String(result[0]!.message), /`spec` is missing the required field `interval`/);
    assert.match(String(result[1]!.message), /`spec.chart.spec.sourceRef` is missing the required field `kind`/);
  });

  test('a required field without a value counts as missing', () => {
    const [d] = diagnose(yaml(...header, 'spec:', '  interval:', ...chart));
    assert.equal(brief(d!), 'missing-required@5:2-5:10');
    assert.match(String(d!.message), /is required but has no value/);
  });

  test('a missing spec is reported on the kind', () => {
    const [d] = diagnose(yaml(...header));
    assert.equal(brief(d!), 'missing-required@1:6-1:17');
  });

  test('duplicate keys are reported on the second key', () => {
    const [d] = diagnose(release('  timeout: 5m', '  timeout: 6m'));
    assert.equal(brief(d!), 'duplicate-key@13:2-13:9');
  });

  test('YAML syntax errors in a Flux document are reported', () => {
    const result = diagnose(release('  values:', '    a: [1, 2'));
    assert.ok(result.some((d) => d.code === 'yaml-syntax' && d.severity === 1), JSON.stringify(result));
  });

  test('invalid names in references are reported', () => {
    const [d] = diagnose(yaml(...header, 'spec:', '  interval: 10m', '  chart:', '    spec:', '      chart: podinfo', '      sourceRef:', '        kind: HelmRepository', '        name: Podinfo_Charts'));
    assert.equal(brief(d!), 'invalid-name@11:14-11:28');
    assert.match(String(d!.message), /not a valid Kubernetes name/);
  });

  test('metadata is checked too: label values must be strings', () => {
    const [d] = diagnose(yaml('apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', '  name: podinfo', '  labels:', '    version: 1.2', 'spec:', '  interval: 10m', ...chart));
    assert.equal(brief(d!), 'wrong-type@5:13-5:16');
  });

  test('a version Flux no longer serves is reported on the apiVersion, once', () => {
    const result = diagnose(yaml('apiVersion: helm.toolkit.fluxcd.io/v2beta1', 'kind: HelmRelease', 'metadata:', '  name: podinfo', 'spec:', '  interval: 10m', ...chart));
    assert.deepEqual(result.map(brief), ['api-version-removed@0:12-0:42']);
  });

  test('an unknown kind in a Flux group gets a suggestion', () => {
    const [d] = diagnose(yaml('apiVersion: source.toolkit.fluxcd.io/v1', 'kind: HelmRepo', 'metadata:', '  name: x'));
    assert.equal(d!.code, 'unknown-kind');
    assert.match(String(d!.message), /Did you mean `HelmRepository`\?/);
  });
});

describe('diagnostics of multi-document files', () => {
  test('only Flux documents are checked; others are left alone, even when broken', () => {
    const text = yaml(
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: x}',
      'data: {unknownThing: [1, 2}',
      '---',
      'apiVersion: source.toolkit.fluxcd.io/v1',
      'kind: HelmRepository',
      'metadata:',
      '  name: charts',
      'spec:',
      '  url: ftp://example.com',
      '---',
      '{{- if .Values.enabled }}',
      'kind: Deployment',
    );
    assert.deepEqual(diagnose(text).map(brief), ['invalid-pattern@10:7-10:24']);
  });

  test('a broken document does not hide the problems of the next one', () => {
    const text = yaml(
      'apiVersion: helm.toolkit.fluxcd.io/v2',
      'kind: HelmRelease',
      'metadata: {name: a',
      '---',
      'apiVersion: source.toolkit.fluxcd.io/v1',
      'kind: GitRepository',
      'metadata:',
      '  name: repo',
      'spec:',
      '  interval: 1m',
      '  url: https://github.com/example/repo',
      '  ref:',
      '    branchh: main',
    );
    const result = diagnose(text);
    assert.ok(result.some((d) => d.code === 'yaml-syntax' && d.range.start.line <= 3));
    assert.ok(result.some((d) => brief(d) === 'unknown-field@12:4-12:11'), JSON.stringify(result.map(brief)));
  });
});

describe('severity settings', () => {
  const text = release('  install:', '    remediaton: {}');
  test('a code can be made a warning', () => {
    assert.equal(diagnose(text, { severity: { 'unknown-field': 'warning' } })[0]!.severity, 2);
  });
  test('a code can be turned off', () => {
    assert.deepEqual(diagnose(text, { severity: { 'unknown-field': 'off' } }), []);
  });
  test('validation can be turned off', () => {
    assert.deepEqual(diagnose(text, { validate: { enable: false } }), []);
  });
});
