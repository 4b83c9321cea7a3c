import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { CLI, runCli } from './cliRunner';

const run = runCli;

const good = `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: podinfo
spec:
  interval: 5m
  url: https://stefanprodan.github.io/podinfo
`;
const bad = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
spec:
  interval: 5m
  chart:
    spec:
      chart: podinfo
      sourceRef:
        kind: HelmRepository
        name: podinfo
  install:
    remediaton:
      retries: 3
`;

describe('helmrelease-check', () => {
  let dir: string;
  before(() => {
    assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`);
    dir = mkdtempSync(path.join(tmpdir(), 'hr-cli-'));
    mkdirSync(path.join(dir, 'repo/apps/podinfo'), { recursive: true });
    mkdirSync(path.join(dir, 'repo/node_modules/x'), { recursive: true });
    writeFileSync(path.join(dir, 'repo/apps/podinfo/repository.yaml'), good);
    writeFileSync(path.join(dir, 'repo/apps/podinfo/release.yml'), bad);
    writeFileSync(path.join(dir, 'repo/apps/podinfo/notes.txt'), bad);
    writeFileSync(path.join(dir, 'repo/node_modules/x/release.yaml'), bad);
    symlinkSync('..', path.join(dir, 'repo/apps/loop'));
  });

  test('text output is one compiler-style line per problem, exit 1 on errors', async () => {
    const result = await run(['repo'], dir);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stdout.trim(), `${path.join('repo', 'apps', 'podinfo', 'release.yml')}:14:5: error unknown-field: Unknown field \`remediaton\` in \`spec.install\`. Did you mean \`remediation\`?`);
    assert.match(result.stderr, /1 error\(s\), 0 warning\(s\), 0 other in 2 file\(s\)/);
  });

  test('json output is one array of file, range, severity, code, message', async () => {
    const result = await run(['check', '--format', 'json', 'repo'], dir);
    assert.equal(result.code, 1);
    const items = JSON.parse(result.stdout) as unknown[];
    assert.deepEqual(items, [
      {
        file: path.join(dir, 'repo/apps/podinfo/release.yml'),
        range: { start: { line: 13, character: 4 }, end: { line: 13, character: 14 } },
        severity: 'error',
        code: 'unknown-field',
        message: 'Unknown field `remediaton` in `spec.install`. Did you mean `remediation`?',
      },
    ]);
  });

  test('exit 0 when there are no errors', async () => {
    const result = await run(['repo/apps/podinfo/repository.yaml'], dir);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, '');
  });

  test('a .helmrelease.yaml in the repository changes severities', async () => {
    const project = mkdtempSync(path.join(tmpdir(), 'hr-cfg-'));
    writeFileSync(path.join(project, '.helmrelease.yaml'), 'severity:\n  unknown-field: warning\n');
    writeFileSync(path.join(project, 'release.yaml'), bad);
    const result = await run(['release.yaml'], project);
    assert.equal(result.code, 0, 'a warning does not fail the check');
    assert.match(result.stdout, /warning unknown-field/);
  });

  test('bad usage exits 2 with the reason and the usage', async () => {
    for (const args of [[], ['--format', 'xml', 'repo'], ['--nope', 'repo']]) {
      const result = await run(args, dir);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr, /helmrelease-check: .+\n\nUsage:/);
    }
  });

  test('an unreadable input exits 2 with the reason, after checking the rest', async () => {
    const result = await run(['repo', 'missing.yaml'], dir);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /cannot read .*missing.yaml: no such file or directory/);
    assert.match(result.stdout, /unknown-field/);
  });

  test('a settings file that does not parse exits 2', async () => {
    const project = mkdtempSync(path.join(tmpdir(), 'hr-cfg-'));
    writeFileSync(path.join(project, '.helmrelease.yaml'), 'severity: [\n');
    writeFileSync(path.join(project, 'release.yaml'), good);
    const result = await run(['release.yaml'], project);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /cannot use the settings file: .*\.helmrelease\.yaml is not valid YAML/);
  });

  test('--help prints the usage and exits 0', async () => {
    const result = await run(['--help'], dir);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: helmrelease-check/);
  });
});

describe('helmrelease-check --fix and kustomize patches', () => {
  const oldRepository = `# The chart repository
apiVersion: source.toolkit.fluxcd.io/v1beta2 # old
kind: HelmRepository
metadata:
  name: grade-api
  namespace: flux-system
spec:
  type: oci
  url: oci://ghcr.io/your-org/charts
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: grade-api
spec:
  interval: 5m
  chart:
    spec:
      chart: grade-api
      sourceRef: {kind: HelmRepository, name: grade-api}
  values:
    ingress:
      enabled: on
`;

  test('--fix migrates removed API versions and quotes YAML 1.1 scalars, prints the changes, and keeps comments', async () => {
    const project = mkdtempSync(path.join(tmpdir(), 'hr-fix-'));
    const file = path.join(project, 'grade-api.yaml');
    writeFileSync(file, oldRepository);
    const before = await run(['grade-api.yaml'], project);
    assert.equal(before.code, 1);
    assert.match(before.stdout, /api-version-removed/);
    const fixed = await run(['--fix', 'grade-api.yaml'], project);
    assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
    assert.match(fixed.stderr, /fixed grade-api\.yaml: line 2: migrated HelmRepository to source\.toolkit\.fluxcd\.io\/v1/);
    assert.match(fixed.stderr, /fixed grade-api\.yaml: line 23: quoted on/);
    const text = readFileSync(file, 'utf8');
    assert.equal(text, oldRepository.replace('source.toolkit.fluxcd.io/v1beta2 # old', 'source.toolkit.fluxcd.io/v1 # old').replace('enabled: on', 'enabled: "on"'));
    const after = await run(['grade-api.yaml'], project);
    assert.equal(after.code, 0);
    assert.equal(after.stdout, '');
  });

  test('hints are listed only with --hints, and never fail the check', async () => {
    const project = mkdtempSync(path.join(tmpdir(), 'hr-hints-'));
    writeFileSync(path.join(project, 'repo.yaml'), 'apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: r}\nspec:\n  type: oci\n  interval: 5m\n  url: oci://ghcr.io/x\n');
    assert.equal((await run(['repo.yaml'], project)).stdout, '');
    const withHints = await run(['--hints', 'repo.yaml'], project);
    assert.equal(withHints.code, 0);
    assert.match(withHints.stdout, /repo\.yaml:6:3: hint ignored-field:/);
  });

  test('a file a kustomization lists as a patch may leave out required fields', async () => {
    const project = mkdtempSync(path.join(tmpdir(), 'hr-patch-'));
    mkdirSync(path.join(project, 'overlays/prod'), { recursive: true });
    const partial = 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: podinfo\nspec:\n  values:\n    replicaCount: 3\n';
    writeFileSync(path.join(project, 'overlays/prod/replicas.yaml'), partial);
    writeFileSync(path.join(project, 'overlays/prod/other.yaml'), partial);
    writeFileSync(path.join(project, 'overlays/prod/kustomization.yaml'), 'resources: [../../base]\npatches:\n  - path: replicas.yaml\n    target: {kind: HelmRelease}\n');
    const result = await run(['--format', 'json', 'overlays'], project);
    const files = (JSON.parse(result.stdout) as Array<{ file: string }>).map((d) => path.basename(d.file));
    assert.ok(files.includes('other.yaml'), 'the same object outside a patch is reported');
    assert.ok(!files.includes('replicas.yaml'), 'the patch is not');
  });
});

describe('a realistic GitOps repository', () => {
  const fixture = path.resolve(__dirname, '../fixtures/gitops-repo');

  test('reports exactly the intended problems and nothing else, hints included', async () => {
    const result = await run(['--hints', '--format', 'json', fixture], fixture);
    const found = (JSON.parse(result.stdout) as Array<{ file: string; range: { start: { line: number } }; code: string; severity: string }>).map((d) => `${path.relative(fixture, d.file)}:${d.range.start.line + 1} ${d.severity} ${d.code}`);
    assert.deepEqual(found, [
      // flux bootstrap creates this Secret on the cluster; it is really not in the repository.
      'clusters/production/flux-system/gotk-sync.yaml:12 information missing-secret',
      'infrastructure/sources/helm-repositories.yaml:11 error api-version-removed',
    ]);
    assert.equal(result.code, 1);
  });

  test('after --fix on a copy, the repository is clean', async () => {
    const copy = mkdtempSync(path.join(tmpdir(), 'hr-repo-'));
    cpSync(fixture, copy, { recursive: true });
    const fixed = await run(['--fix', '.'], copy);
    assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
    assert.match(fixed.stderr, /migrated HelmRepository to source\.toolkit\.fluxcd\.io\/v1/);
    assert.match((await run(['--hints', '.'], copy)).stdout, /^[^\n]*gotk-sync\.yaml:12:11: information missing-secret[^\n]*\n$/);
  });
});

describe('chart values from a chart in the repository', () => {
  test('the CLI reports values the chart does not have, as warnings that do not fail the check', async () => {
    const fixture = path.resolve(__dirname, '../fixtures/local-chart');
    const result = await run(['--format', 'json', '.'], fixture);
    assert.equal(result.code, 0);
    const found = (JSON.parse(result.stdout) as Array<{ range: { start: { line: number } }; code: string; severity: string }>).map((d) => `${d.range.start.line + 1} ${d.severity} ${d.code}`);
    assert.deepEqual(found, ['29 warning unknown-value', '35 warning unknown-value']);
  });
});
