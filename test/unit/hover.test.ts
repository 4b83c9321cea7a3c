import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hoverMarkdown, yaml } from '../helpers';

const doc = (line: string) => yaml('apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', '  name: podinfo', 'spec:', '  interval: 5m', line);

describe('hover', () => {
  test('a field shows its path, type, description, default and a link to the docs', () => {
    const text = hoverMarkdown(yaml('apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', '  name: podinfo', 'spec:', '  chart:', '    spec:', '      reconcile|Strategy: Revision'))!;
    assert.match(text, /\*\*spec.chart.spec.reconcileStrategy\*\*: `string`/);
    assert.match(text, /Default: `"ChartVersion"`/);
    assert.match(text, /Allowed: `ChartVersion`, `Revision`/);
    assert.match(text, /\[HelmRelease documentation\]\(https:\/\/fluxcd.io\/flux\/components\/helm\/helmreleases\/\)/);
  });

  test('on a value, the allowed value in use is highlighted', () => {
    const text = hoverMarkdown(doc('  driftDetection:\n    mode: wa|rn'))!;
    assert.match(text, /\*\*`warn`\*\*/);
  });

  test('kind and apiVersion describe the kind', () => {
    const text = hoverMarkdown(yaml('apiVersion: source.toolkit.fluxcd.io/v1', 'kind: OCIRepo|sitory', 'metadata:', '  name: x'))!;
    assert.match(text, /\*\*OCIRepository\*\* `source.toolkit.fluxcd.io\/v1`/);
  });

  test('descriptions are ours and present for every field hovered', () => {
    const text = hoverMarkdown(doc('  install:\n    remediation:\n      retr|ies: 3'))!;
    assert.match(text, /\*\*spec.install.remediation.retries\*\*: `integer`\n\n\S/);
  });

  test('no hover inside free-form values, unknown fields or other kinds', () => {
    assert.equal(hoverMarkdown(doc('  values:\n    replica|Count: 2')), undefined);
    assert.equal(hoverMarkdown(doc('  nonsen|se: 1')), undefined);
    assert.equal(hoverMarkdown(yaml('apiVersion: v1', 'kind: Config|Map')), undefined);
  });

  test('hover works in any document of a multi-document file', () => {
    const text = hoverMarkdown(yaml('apiVersion: v1', 'kind: Namespace', 'metadata: {name: a}', '---', 'apiVersion: source.toolkit.fluxcd.io/v1', 'kind: HelmRepository', 'metadata:', '  name: x', 'spec:', '  ty|pe: oci'))!;
    assert.match(text, /\*\*spec.type\*\*/);
  });
});

describe('hover on chart version constraints', () => {
  const release = (version: string) => yaml('apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', '  name: podinfo', 'spec:', '  interval: 5m', '  chart:', '    spec:', '      chart: podinfo', `      ver|sion: "${version}"`, '      sourceRef: {kind: HelmRepository, name: podinfo}');
  test('explains the constraint in words, with the pre-release rule', () => {
    assert.match(hoverMarkdown(release('>=1.0.0 <2.0.0'))!, /\*\*Selects:\*\* the highest version ≥ 1\.0\.0 and < 2\.0\.0, pre-releases excluded\./);
    assert.match(hoverMarkdown(release('*'))!, /highest stable version/);
  });
  test('OCIRepository ref.semver is explained too', () => {
    const text = hoverMarkdown(yaml('apiVersion: source.toolkit.fluxcd.io/v1', 'kind: OCIRepository', 'metadata: {name: x}', 'spec:', '  interval: 5m', '  url: oci://ghcr.io/x/podinfo', '  ref:', '    sem|ver: "^6.5.0"'))!;
    assert.match(text, /≥ 6\.5\.0 and < 7\.0\.0/);
  });
});
