import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose, quickFixes, yaml } from '../helpers';

const header = ['apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', '  name: podinfo'];
const chart = ['  chart:', '    spec:', '      chart: podinfo', '      sourceRef:', '        kind: HelmRepository', '        name: podinfo'];
const release = (...spec: string[]) => yaml(...header, 'spec:', '  interval: 5m', ...chart, ...spec);

function fix(text: string, title: string | RegExp): string {
  const fixes = quickFixes(text);
  const found = fixes.find((f) => (typeof title === 'string' ? f.title === title : title.test(f.title)));
  assert.ok(found, `no fix "${String(title)}" among: ${fixes.map((f) => f.title).join(' | ')}`);
  return found.result;
}

const clean = (text: string) => diagnose(text).filter((d) => d.severity !== 4);

describe('quick fixes', () => {
  test('did you mean: renames an unknown key to the known one', () => {
    const text = release('  install:', '    remediaton:', '      retries: 3');
    const result = fix(text, 'Change to `remediation`');
    assert.equal(result, text.replace('remediaton', 'remediation'));
    assert.deepEqual(clean(result), []);
    assert.ok(quickFixes(text).find((f) => f.title === 'Change to `remediation`')!.preferred);
  });

  test('replace with an allowed value: one fix per value, the closest preferred', () => {
    const text = release('  driftDetection:', '    mode: Enabled');
    const fixes = quickFixes(text).filter((f) => f.code === 'invalid-enum' && f.title.startsWith('Change'));
    assert.deepEqual(fixes.map((f) => [f.title, f.preferred]), [['Change to `enabled`', true], ['Change to `warn`', false], ['Change to `disabled`', false]]);
    assert.deepEqual(clean(fixes[0]!.result), []);
  });

  test('insert the missing required fields, with their own required fields', () => {
    const text = yaml(...header, 'spec:', '  timeout: 5m', ...chart.map((l) => l.replace('        kind: HelmRepository\n', '')));
    const result = fix(text, 'Add the required field `interval`');
    assert.match(result, /\n {2}interval: 10m\n/);
    assert.deepEqual(clean(result), []);
    const noSource = yaml(...header, 'spec:', '  interval: 5m', '  chart:', '    spec:', '      chart: podinfo');
    const withSource = fix(noSource, 'Add the required field `sourceRef`');
    assert.match(withSource, /\n {6}sourceRef:\n {8}kind: HelmRepository\n {8}name: ""\n/);
  });

  test('remove a deprecated field, or replace skipCRDs: true by crds: Skip', () => {
    const recreate = release('  rollback:', '    recreate: true', '    timeout: 5m');
    assert.equal(fix(recreate, 'Remove `recreate`'), recreate.replace('    recreate: true\n', ''));
    const skip = release('  install:', '    skipCRDs: true');
    const replaced = fix(skip, 'Replace with `crds: Skip`');
    assert.equal(replaced, skip.replace('skipCRDs: true', 'crds: Skip'));
    assert.deepEqual(diagnose(replaced), []);
  });

  test('quote a YAML 1.1 boolean', () => {
    const text = release('  values:', '    enabled: on');
    assert.equal(fix(text, 'Quote the value'), text.replace('enabled: on', 'enabled: "on"'));
  });

  test('add type: oci to an oci:// HelmRepository', () => {
    const text = yaml('apiVersion: source.toolkit.fluxcd.io/v1', 'kind: HelmRepository', 'metadata: {name: r}', 'spec:', '  url: oci://ghcr.io/x');
    const result = fix(text, 'Add `type: oci`');
    assert.equal(result, text.replace('  url:', '  type: oci\n  url:'));
    assert.deepEqual(clean(result), []);
  });

  test('migrate a removed API version in place', () => {
    const text = yaml('# repository', 'apiVersion: source.toolkit.fluxcd.io/v1beta2 # was beta', 'kind: HelmRepository', 'metadata:', '  name: charts', 'spec:', '  url: https://charts.example.com');
    const result = fix(text, 'Migrate to source.toolkit.fluxcd.io/v1');
    assert.equal(result, text.replace('v1beta2', 'v1'));
    assert.deepEqual(diagnose(result), []);
  });

  test('select the chart layer of an OCIRepository used by chartRef', () => {
    const text = yaml(
      'apiVersion: source.toolkit.fluxcd.io/v1',
      'kind: OCIRepository',
      'metadata:',
      '  name: podinfo',
      'spec:',
      '  interval: 10m',
      '  url: oci://ghcr.io/stefanprodan/charts/podinfo',
      '  ref:',
      '    semver: ">=6.0.0"',
      '---',
      ...header,
      'spec:',
      '  interval: 10m',
      '  chartRef:',
      '    kind: OCIRepository',
      '    name: podinfo',
    );
    const hints = diagnose(text).filter((d) => d.code === 'chart-layer-selector');
    assert.equal(hints.length, 1);
    assert.equal(hints[0]!.severity, 4);
    const result = fix(text, 'Select the Helm chart layer with operation: copy');
    assert.match(result, /url: oci:\/\/ghcr.io\/stefanprodan\/charts\/podinfo\n {2}layerSelector:\n {4}mediaType: application\/vnd.cncf.helm.chart.content.v1.tar\+gzip\n {4}operation: copy\n/);
    assert.deepEqual(diagnose(result), []);
    // Not referenced by a chartRef: no hint.
    assert.deepEqual(diagnose(text.split('---\n')[0]!), []);
  });

  test('every diagnostic can be silenced on its line', () => {
    const text = release('  install:', '    remediaton: {}');
    const result = fix(text, 'Disable `unknown-field` for this line');
    assert.match(result, /\n {4}# helmrelease-disable-next-line unknown-field\n {4}remediaton: \{\}/);
    assert.deepEqual(diagnose(result), []);
  });
});
