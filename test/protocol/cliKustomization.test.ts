import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { CLI, runCli } from './cliRunner';

// The CLI checks Flux Kustomizations and ArtifactGenerators like the other kinds, and --fix migrates
// a removed Kustomization version with its patch lists.

const run = runCli;

const missingPrune = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 10m
  path: ./apps
  sourceRef:
    kind: GitRepository
    name: fleet
`;

const generator = `apiVersion: source.extensions.fluxcd.io/v1beta1
kind: ArtifactGenerator
metadata:
  name: bundle
  namespace: flux-system
spec:
  sources:
    - alias: repo
      kind: GitRepository
      name: fleet
  artifacts:
    - name: bundle
      copy:
        - from: "@rep/deploy/**"
          to: "@artifact/"
`;

const fleet = `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: fleet
  namespace: flux-system
spec:
  interval: 5m
  url: https://git.example.com/platform/fleet
  ref:
    branch: main
`;

const oldKustomization = `apiVersion: kustomize.toolkit.fluxcd.io/v1beta2 # written for Flux 2.0
kind: Kustomization
metadata:
  name: infra
  namespace: flux-system
spec:
  interval: 1h
  prune: true
  validation: client
  sourceRef:
    kind: GitRepository
    name: fleet
  patchesStrategicMerge:
    - apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: ingress
      spec:
        replicas: 2
`;

describe('helmrelease-check on Kustomizations and ArtifactGenerators', () => {
  let dir: string;
  before(() => {
    assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`);
    dir = mkdtempSync(path.join(tmpdir(), 'hr-cli-ks-'));
    mkdirSync(path.join(dir, 'clusters'), { recursive: true });
    writeFileSync(path.join(dir, 'clusters/apps.yaml'), missingPrune);
    writeFileSync(path.join(dir, 'clusters/bundle.yaml'), generator);
    writeFileSync(path.join(dir, 'clusters/fleet.yaml'), fleet);
  });

  test('a Kustomization without prune and an ArtifactGenerator with an unknown alias are errors', async () => {
    const result = await run(['clusters'], dir);
    assert.equal(result.code, 1, result.stderr);
    assert.deepEqual(result.stdout.trim().split('\n').sort(), [
      `${path.join('clusters', 'apps.yaml')}:6:1: error missing-required: \`spec\` is missing the required field \`prune\`.`,
      `${path.join('clusters', 'bundle.yaml')}:14:19: error source-alias: \`@rep\` names no source of this ArtifactGenerator (the sources are \`repo\`). Did you mean \`repo\`?`,
    ]);
  });

  test('--fix migrates a v1beta2 Kustomization, folding its patches and keeping the comment', async () => {
    const project = mkdtempSync(path.join(tmpdir(), 'hr-cli-ks-fix-'));
    const file = path.join(project, 'infra.yaml');
    writeFileSync(file, oldKustomization);
    const before = await run(['infra.yaml'], project);
    assert.equal(before.code, 1);
    assert.match(before.stdout, /api-version-removed: `kustomize.toolkit.fluxcd.io\/v1beta2` was removed in Flux 2\.8/);
    const fixed = await run(['--fix', 'infra.yaml'], project);
    assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^apiVersion: kustomize\.toolkit\.fluxcd\.io\/v1 # written for Flux 2\.0\n/);
    assert.doesNotMatch(text, /validation:|patchesStrategicMerge/);
    assert.match(text, /\n {2}patches:\n {4}- patch: \|\n {8}apiVersion: apps\/v1\n/);
    const after = await run(['infra.yaml'], project);
    assert.equal(after.code, 0, after.stdout);
    assert.equal(after.stdout, '');
  });
});

describe('CLI: spec.path of a Kustomization against the repository checked', () => {
  test('a path to a folder that does not exist is reported, one that exists is not', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'hr-cli-path-'));
    mkdirSync(path.join(root, 'clusters/prod'), { recursive: true });
    mkdirSync(path.join(root, 'apps/prod'), { recursive: true });
    writeFileSync(path.join(root, 'apps/prod/config.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: apps\ndata:\n  mode: prod\n');
    const kustomization = (name: string, where: string) =>
      `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: ${name}\n  namespace: flux-system\nspec:\n  interval: 10m\n  prune: true\n  path: ${where}\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n`;
    writeFileSync(path.join(root, 'clusters/prod/apps.yaml'), [kustomization('apps', './apps/prod'), kustomization('infra', './infrastructure/prod')].join('---\n'));
    const { code, stdout } = await run(['--format', 'json', '.'], root);
    assert.equal(code, 1, stdout);
    const reported = JSON.parse(stdout) as Array<{ file: string; code: string; message: string }>;
    const missing = reported.filter((d) => d.code === 'kustomization-path-missing');
    assert.equal(missing.length, 1, JSON.stringify(reported));
    assert.match(missing[0]!.message, /infrastructure\/prod/);
  });
});
