import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';

const CLI = path.resolve(__dirname, '../../dist/cli.js');

const release = (spec: string, meta = '  name: podinfo\n') =>
  `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n${meta}spec:\n  interval: 5m\n${spec}`;
const chart = '  chart:\n    spec:\n      chart: podinfo\n      sourceRef: {kind: HelmRepository, name: podinfo}\n';
const source = (kind: string, spec: string) => `apiVersion: source.toolkit.fluxcd.io/v1\nkind: ${kind}\nmetadata:\n  name: src\nspec:\n${spec}`;

/** Every rule of the semantics issue: a manifest that breaks it and the same written correctly. */
const RULES: Array<{ code: string; bad: string; good: string }> = [
  { code: 'api-version-removed', bad: source('HelmRepository', '  url: https://c.example.com\n').replace('/v1\n', '/v1beta2\n'), good: source('HelmRepository', '  url: https://c.example.com\n') },
  { code: 'chart-or-chartref', bad: release('  timeout: 5m\n'), good: release(chart) },
  { code: 'retry-interval-strategy', bad: release(`${chart}  upgrade:\n    strategy: {name: RemediateOnFailure, retryInterval: 1m}\n`), good: release(`${chart}  upgrade:\n    strategy: {name: RetryOnFailure, retryInterval: 1m}\n`) },
  { code: 'kubeconfig-ref', bad: release(`${chart}  kubeConfig: {secretRef: {name: a}, configMapRef: {name: b}}\n`), good: release(`${chart}  kubeConfig: {secretRef: {name: a}}\n`) },
  { code: 'service-account-provider', bad: source('GitRepository', '  interval: 1m\n  url: https://g.example.com/r\n  serviceAccountName: sa\n'), good: source('GitRepository', '  interval: 1m\n  url: https://g.example.com/r\n  provider: aws\n  serviceAccountName: sa\n') },
  { code: 'verify-source-kind', bad: source('HelmChart', '  interval: 1m\n  chart: c\n  sourceRef: {kind: Bucket, name: b}\n  verify: {provider: cosign}\n'), good: source('HelmChart', '  interval: 1m\n  chart: c\n  sourceRef: {kind: HelmRepository, name: b}\n  verify: {provider: cosign}\n') },
  { code: 'bucket-sts', bad: source('Bucket', '  interval: 1m\n  bucketName: b\n  endpoint: e\n  provider: azure\n  sts: {provider: ldap, endpoint: https://s}\n'), good: source('Bucket', '  interval: 1m\n  bucketName: b\n  endpoint: e\n  sts: {provider: ldap, endpoint: https://s}\n') },
  { code: 'oci-url-type', bad: source('HelmRepository', '  url: oci://ghcr.io/x\n'), good: source('HelmRepository', '  type: oci\n  url: oci://ghcr.io/x\n') },
  { code: 'ignored-field', bad: release('  chart:\n    spec:\n      chart: ./c\n      version: "1.x"\n      sourceRef: {kind: GitRepository, name: g}\n'), good: release('  chart:\n    spec:\n      chart: ./c\n      sourceRef: {kind: GitRepository, name: g}\n') },
  { code: 'deprecated-field', bad: release(`${chart}  rollback:\n    recreate: true\n`), good: release(`${chart}  rollback:\n    cleanupOnFail: true\n`) },
  { code: 'self-dependency', bad: release(`${chart}  dependsOn:\n    - name: podinfo\n`), good: release(`${chart}  dependsOn:\n    - name: redis\n`) },
  { code: 'release-name-too-long', bad: release(`${chart}  targetNamespace: ${'n'.repeat(50)}\n`), good: release(`${chart}  targetNamespace: ${'n'.repeat(50)}\n  releaseName: podinfo\n`) },
  { code: 'literal-without-targetpath', bad: release(`${chart}  valuesFrom:\n    - {kind: Secret, name: s, literal: true}\n`), good: release(`${chart}  valuesFrom:\n    - {kind: Secret, name: s, literal: true, targetPath: a.b}\n`) },
  { code: 'chart-layer-selector', bad: `${source('OCIRepository', '  interval: 5m\n  url: oci://ghcr.io/x/podinfo\n')}---\n${release('  chartRef: {kind: OCIRepository, name: src}\n')}`, good: `${source('OCIRepository', '  interval: 5m\n  url: oci://ghcr.io/x/podinfo\n  layerSelector:\n    mediaType: application/vnd.cncf.helm.chart.content.v1.tar+gzip\n    operation: copy\n')}---\n${release('  chartRef: {kind: OCIRepository, name: src}\n')}` },
  { code: 'invalid-constraint', bad: release(chart.replace('chart: podinfo', 'chart: podinfo\n      version: ">==1.0"')), good: release(chart.replace('chart: podinfo', 'chart: podinfo\n      version: ">=1.0, <2 || ~3.1"')) },
  { code: 'inexact-version', bad: source('OCIRepository', '  interval: 5m\n  url: oci://x/y\n  ref: {semver: "1.2"}\n'), good: source('OCIRepository', '  interval: 5m\n  url: oci://x/y\n  ref: {semver: "1.2.0"}\n') },
  { code: 'invalid-substitution', bad: release(chart, '  name: podinfo-${env\n'), good: release(chart, '  name: podinfo-${env}\n') },
  { code: 'yaml11-boolean', bad: release(`${chart}  values:\n    enabled: on\n`), good: release(`${chart}  values:\n    enabled: "on"\n`) },
  { code: 'yaml11-octal', bad: release(`${chart}  values:\n    mode: 0644\n`), good: release(`${chart}  values:\n    mode: "0644"\n`) },
];

describe('every semantic rule through the CLI', () => {
  let found: Map<string, string[]>;

  before(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hr-rules-'));
    RULES.forEach(({ code, bad, good }) => {
      writeFileSync(path.join(dir, `bad-${code}.yaml`), bad);
      writeFileSync(path.join(dir, `good-${code}.yaml`), good);
    });
    // Files, not the directory: each pair is checked on its own, without cross-file references.
    const files = RULES.flatMap(({ code }) => [path.join(dir, `bad-${code}.yaml`), path.join(dir, `good-${code}.yaml`)]);
    const stdout = await new Promise<string>((resolve) => execFile(process.execPath, [CLI, '--hints', '--format', 'json', ...files], (_e, out) => resolve(out)));
    found = new Map();
    for (const d of JSON.parse(stdout) as Array<{ file: string; code: string }>) {
      const name = path.basename(d.file, '.yaml');
      found.set(name, [...(found.get(name) ?? []), d.code]);
    }
  });

  for (const { code } of RULES) {
    test(`${code}: reported for the wrong manifest, nothing for the right one`, () => {
      assert.deepEqual([...new Set(found.get(`bad-${code}`))], [code]);
      assert.equal(found.get(`good-${code}`), undefined, `good-${code} reported ${found.get(`good-${code}`)?.join(', ')}`);
    });
  }
});
