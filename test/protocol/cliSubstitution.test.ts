/**
 * The CLI over a repository of our own (test/fixtures/postbuild-repo) with Flux Kustomizations that
 * substitute variables into HelmReleases, sources, notifications and image automation: it reports
 * exactly the problems written into it on purpose, and nothing else.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'child_process';
import { existsSync } from 'fs';
import * as path from 'path';

const CLI = path.resolve(__dirname, '../../dist/cli.js');
const REPO = path.resolve(__dirname, '../fixtures/postbuild-repo');

interface Item {
  file: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity: string;
  code: string;
  message: string;
}

function check(args: string[]): Promise<{ code: number; items: Item[]; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'check', '--format', 'json', ...args], { cwd: REPO }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, items: JSON.parse(stdout || '[]') as Item[], stderr });
    });
  });
}

const where = (item: Item) => `${path.relative(REPO, item.file)}:${item.range.start.line + 1}:${item.range.start.character + 1} ${item.code}`;

describe('helmrelease-check: post-build substitution', () => {
  before(() => assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`));

  test('reports exactly the problems that are there: a non-duration timeout and an undefined variable, with the Kustomization named; invalid variable names', async () => {
    const result = await check(['.']);
    assert.equal(result.code, 1, result.stderr);
    assert.deepEqual(result.items.map(where), [
      'apps/base/podinfo/release.yaml:7:12 invalid-substituted-value',
      'apps/base/podinfo/release.yaml:20:19 undefined-variable',
      'clusters/production/flux-system/gotk-sync.yaml:11:11 missing-secret',
      'clusters/production/flux-system/infrastructure.yaml:16:7 invalid-variable-name',
      'clusters/production/flux-system/infrastructure.yaml:19:15 invalid-variable-name',
    ]);
    const [timeout, undefinedVariable, , substituteKey, configMapKey] = result.items;
    assert.equal(timeout!.message, '`${HELM_TIMEOUT}` becomes `five minutes` when Kustomization flux-system/apps applies it (`HELM_TIMEOUT` from its `spec.postBuild.substitute`): `five minutes` is not a duration. Write a number and a unit (ms, s, m or h), e.g. `30s`, `5m`, `1h30m`. (`spec.timeout`)');
    assert.deepEqual(timeout!.range, { start: { line: 6, character: 11 }, end: { line: 6, character: 26 } });
    assert.match(undefinedVariable!.message, /^`APP_REPLICAS` is not defined by Kustomization flux-system\/apps/);
    assert.deepEqual(undefinedVariable!.range, { start: { line: 19, character: 18 }, end: { line: 19, character: 33 } });
    assert.match(substituteKey!.message, /`app.tier` is not a valid variable name/);
    assert.match(configMapKey!.message, /ConfigMap `infra-vars` has the key `log-level`/);
  });

  test('values from a configMapGenerator (envs and literals), a SOPS Secret and defaults are used, and are not reported', async () => {
    const result = await check(['.']);
    const release = result.items.filter((i) => i.file.endsWith(path.join('podinfo', 'release.yaml')));
    // interval from cluster.env, chart version and upgrade strategy from literals, the token from the Secret: all fine.
    assert.deepEqual(release.map((i) => i.range.start.line + 1), [7, 20]);
    assert.ok(!result.items.some((i) => /RECONCILE_INTERVAL|PODINFO_VERSION|UPGRADE_STRATEGY|SLACK_TOKEN|UI_COLOR|DASHBOARD_TITLE|INFRA_INTERVAL|SCAN_INTERVAL|IMAGE_BRANCH|ALERT_/.test(i.message)));
  });

  test('given only the release file, no Kustomization is known: nothing is reported, as before', async () => {
    const result = await check([path.join('apps', 'base', 'podinfo', 'release.yaml')]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.items, []);
  });
});
