/**
 * Errors that are not errors, found on real repositories: each case here was reported although
 * Flux would accept the manifest (or the true problem is elsewhere). Checked through the language
 * service and the CLI on files of our own.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { checkFiles } from '../../server/src/cli/check';
import { collectFiles } from '../../server/src/node/files';
import { defaultSettings } from '../../server/src/service/settings';
import { brief, diagnose, quickFixes } from '../helpers';

describe('syntax errors where they start', () => {
  test('an unterminated quoted string is reported at its opening quote, and nothing that follows from it', () => {
    const text = [
      'apiVersion: helm.toolkit.fluxcd.io/v2',
      'kind: HelmRelease',
      'metadata:',
      '  name: "grade-api',
      'spec:',
      '  interval: 5m',
      '  chart:',
      '    spec:',
      '      chart: grade-api',
      '      sourceRef:',
      '        kind: HelmRepository',
      '        name: charts',
      '',
    ].join('\n');
    const found = diagnose(text);
    assert.deepEqual(found.map(brief), [brief(found[0]!)]);
    assert.equal(found[0]!.code, 'yaml-syntax');
    assert.deepEqual(found[0]!.range.start, { line: 3, character: 8 }, 'on the opening quote');
    assert.match(String(found[0]!.message), /never closed/);
  });

  test('an unclosed flow sequence is reported at its bracket', () => {
    const text = ['apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', '  name: app', 'spec:', '  interval: 5m', '  values:', '    hosts: [a, b', '  chart:', '    spec:', '      chart: app', ''].join('\n');
    const found = diagnose(text);
    assert.deepEqual(found.map((d) => [d.code, d.range.start.line, d.range.start.character]), [['yaml-syntax', 7, 11]]);
    assert.match(String(found[0]!.message), /flow sequence is never closed/);
  });

  test('a document with a duplicate key still gets its other checks (it parses)', () => {
    const text = ['apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', '  name: app', '  name: app', 'spec:', '  interval: 5 minutes', ''].join('\n');
    const codes = diagnose(text).map((d) => d.code);
    assert.ok(codes.includes('duplicate-key') && codes.includes('invalid-pattern'), codes.join(', '));
  });
});

describe('patches', () => {
  const kustomization = (patch: string) =>
    [
      'apiVersion: kustomize.toolkit.fluxcd.io/v1',
      'kind: Kustomization',
      'metadata:',
      '  name: apps',
      '  namespace: flux-system',
      'spec:',
      '  interval: 10m',
      '  path: ./apps',
      '  prune: true',
      '  sourceRef:',
      '    kind: GitRepository',
      '    name: flux-system',
      '  patches:',
      ...patch.split('\n').map((l) => `    ${l}`),
      '',
    ].join('\n');

  test('an inline patch with a target may name its object `_`', () => {
    const text = kustomization(['- target:', '    kind: HelmRelease', '  patch: |', '    apiVersion: helm.toolkit.fluxcd.io/v2', '    kind: HelmRelease', '    metadata:', '      name: _', '    spec:', '      interval: 1h'].join('\n'));
    assert.deepEqual(diagnose(text).map(brief), []);
  });

  test('without a target, the patch names the object it changes, and a bad name is still reported', () => {
    const text = kustomization(['- patch: |', '    apiVersion: helm.toolkit.fluxcd.io/v2', '    kind: HelmRelease', '    metadata:', '      name: _', '    spec:', '      interval: 1h'].join('\n'));
    assert.deepEqual(diagnose(text).map((d) => d.code), ['invalid-pattern']);
    assert.match(String(diagnose(text)[0]!.message), /metadata.name/);
  });

  test('an inline patch with a target still gets its other fields checked', () => {
    const text = kustomization(['- target:', '    kind: HelmRelease', '  patch: |', '    apiVersion: helm.toolkit.fluxcd.io/v2', '    kind: HelmRelease', '    metadata:', '      name: _', '    spec:', '      interval: one hour'].join('\n'));
    assert.deepEqual(diagnose(text).map((d) => d.code), ['invalid-pattern']);
  });

  describe('files in a patches folder', () => {
    let root: string;
    const partial = ['apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', '  name: grade-api', 'spec:', '  values:', '    replicaCount: 3', ''].join('\n');
    before(() => {
      root = mkdtempSync(path.join(tmpdir(), 'hr-patches-'));
      for (const dir of ['listed/patches', 'unlisted/patches']) mkdirSync(path.join(root, dir), { recursive: true });
      writeFileSync(path.join(root, 'listed/patches/replicas.yaml'), partial);
      writeFileSync(path.join(root, 'listed/kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\npatches:\n  - path: patches/replicas.yaml\n');
      writeFileSync(path.join(root, 'unlisted/patches/replicas.yaml'), partial);
    });
    after(() => rmSync(root, { recursive: true, force: true }));

    test('are partial objects: no "missing interval" or "needs chart or chartRef"; one that nothing lists gets only an information', async () => {
      const { files } = await collectFiles([root]);
      const { results } = await checkFiles(files, defaultSettings, false, { folders: [root] });
      const byFile = Object.fromEntries(results.map((r) => [path.relative(root, r.file), r.diagnostics.map((d) => `${String(d.code)}:${d.severity}`)]));
      assert.deepEqual(byFile['listed/patches/replicas.yaml'], []);
      assert.deepEqual(byFile['unlisted/patches/replicas.yaml'], ['patch-not-applied:3']);
    });
  });
});

describe('JSON manifests', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'hr-json-'));
    writeFileSync(
      path.join(root, 'release.json'),
      JSON.stringify({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'app', namespace: 'apps' }, spec: { interval: '5 minutes', chart: { spec: { chart: 'app', sourceRef: { kind: 'HelmRepository', name: 'charts', namespace: 'apps' } } }, valuesFrom: [{ kind: 'ConfigMap', name: 'app-values' }] } }, null, 2),
    );
    writeFileSync(path.join(root, 'values.json'), JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-values', namespace: 'apps' }, data: { 'values.yaml': 'replicaCount: 2\n' } }));
    writeFileSync(path.join(root, 'sources.yaml'), 'apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: charts\n  namespace: apps\nspec:\n  interval: 1h\n  url: https://charts.example.com\n');
    writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'tooling', kind: 'not kubernetes', version: '1.0.0' }));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('are checked like YAML ones, and what they define is found by references; other JSON files are left alone', async () => {
    const { files } = await collectFiles([root]);
    assert.deepEqual(files.map((f) => path.basename(f)), ['package.json', 'release.json', 'sources.yaml', 'values.json']);
    const { results } = await checkFiles(files, defaultSettings, false, { folders: [root] });
    const byFile = Object.fromEntries(results.map((r) => [path.basename(r.file), r.diagnostics.map((d) => `${String(d.code)}@${d.range.start.line}`)]));
    assert.deepEqual(byFile['release.json'], ['invalid-pattern@8']);
    assert.deepEqual(byFile['package.json'], []);
    assert.deepEqual(byFile['values.json'], []);
  });

  test('--fix never rewrites a JSON file', async () => {
    const file = path.join(root, 'old.json');
    const text = JSON.stringify({ apiVersion: 'source.toolkit.fluxcd.io/v1beta2', kind: 'HelmRepository', metadata: { name: 'old' }, spec: { interval: '1h', url: 'https://charts.example.com' } });
    writeFileSync(file, text);
    const { results } = await checkFiles([file], defaultSettings, true);
    assert.equal(results[0]!.fixed, undefined);
    assert.deepEqual(results[0]!.diagnostics.map((d) => d.code), ['api-version-removed']);
    assert.equal(readFileSync(file, 'utf8'), text);
  });
});

describe('earlier API versions judged by their own schema', () => {
  const release = [
    'apiVersion: helm.toolkit.fluxcd.io/v2beta1',
    'kind: HelmRelease',
    'metadata:',
    '  name: app',
    'spec:',
    '  interval: 5m',
    '  chart:',
    '    spec:',
    '      chart: app',
    '      valuesFile: values-prod.yaml',
    '      sourceRef:',
    '        kind: HelmRepository',
    '        name: charts',
    '  postRenderers:',
    '    - kustomize:',
    '        patchesJson6902:',
    '          - target:',
    '              kind: Deployment',
    '              name: app',
    '            patch:',
    '              - op: add',
    '                path: /metadata/labels/team',
    '                value: platform',
    '',
  ].join('\n');

  test('fields of the old version are not unknown; the removed version says what the migration changes', () => {
    const found = diagnose(release);
    assert.deepEqual(found.map((d) => d.code), ['api-version-removed']);
    assert.match(String(found[0]!.message), /valuesFile` becomes `valuesFiles/);
    assert.match(String(found[0]!.message), /patchesJson6902` becomes `patches/);
  });

  test('a field no version had is still unknown', () => {
    const found = diagnose(release.replace('      valuesFile: values-prod.yaml', '      valuesFyle: values-prod.yaml'));
    assert.deepEqual(found.map((d) => d.code), ['api-version-removed', 'unknown-field']);
  });

  test('the same fields at the current version are unknown there', () => {
    const found = diagnose(release.replace('helm.toolkit.fluxcd.io/v2beta1', 'helm.toolkit.fluxcd.io/v2'));
    assert.deepEqual(found.map((d) => d.code).sort(), ['unknown-field', 'unknown-field']);
  });

  test('the migrate quick fix renames them, and the result validates cleanly', () => {
    const migrate = quickFixes(release).find((f) => f.title.startsWith('Migrate to helm.toolkit.fluxcd.io/v2'))!;
    assert.ok(migrate, 'a migration quick fix');
    assert.match(migrate.result, /valuesFiles:/);
    assert.deepEqual(diagnose(migrate.result).map(brief), []);
  });

  test('GitRepository v1beta2 may still say gitImplementation', () => {
    const found = diagnose('apiVersion: source.toolkit.fluxcd.io/v1beta2\nkind: GitRepository\nmetadata:\n  name: repo\nspec:\n  interval: 5m\n  url: https://example.com/repo.git\n  gitImplementation: go-git\n');
    assert.deepEqual(found.map((d) => d.code), ['api-version-removed']);
    assert.match(String(found[0]!.message), /gitImplementation` is dropped/);
  });
});
