import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FileModel } from '../../server/src/service/model/fileModel';
import { fileDiagnostics } from '../../server/src/service/languageService';
import { defaultSettings } from '../../server/src/service/settings';

const published = [{ version: '1.2.0' }, { version: '1.4.1' }, { version: '2.0.0-rc.1' }, { version: '2.1.0' }];
const release = (version: string) => `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: app\nspec:\n  interval: 5m\n  chart:\n    spec:\n      chart: app\n      version: "${version}"\n      sourceRef: {kind: HelmRepository, name: charts}\n`;
const found = (version: string, versions = published) =>
  fileDiagnostics(FileModel.fromText(release(version)), defaultSettings, { uri: 'file:///r.yaml', versions: () => versions }).map((d) => `${String(d.code)}:${d.severity}:${String(d.message)}`);

describe('chart versions against the repository index', () => {
  test('a constraint that matches nothing published is a warning with Flux\'s words', () => {
    const [d] = found('>=3.0.0');
    assert.match(d!, /^no-matching-version:2:No published version of `app` matches `>=3.0.0` \(newest: 2.1.0\); Flux fails with "no 'app' chart with version matching '>=3.0.0' found"/);
  });
  test('a constraint held below a newer major version gets a hint; the newest major gets nothing', () => {
    assert.match(found('~1.2')[0]!, /^newer-major-version:4:`~1.2` picks 1.2.0; app 2.1.0 is published/);
    assert.deepEqual(found('>=2.0.0'), []);
    assert.deepEqual(found('*'), []);
  });
  test('pre-releases are picked only by a constraint that asks for them, as in Flux', () => {
    // `~2.0` excludes pre-releases: 2.0.0-rc.1 does not count, so nothing matches.
    assert.match(found('~2.0')[0]!, /^no-matching-version:2:/);
    // With a `-0` comparator the same range picks the release candidate.
    assert.deepEqual(found('>=2.0.0-0 <2.1.0'), []);
  });
  test('without a known index, nothing is said', () => {
    assert.deepEqual(found('>=3.0.0', []), []);
  });
});

describe('OCIRepository ref.semver / ref.tag against the registry tags', () => {
  const source = (ref: string) => `apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: app\nspec:\n  interval: 5m\n  url: oci://ghcr.io/org/charts/app\n  ref:\n${ref}`;
  const seen: string[] = [];
  const check = (ref: string) =>
    fileDiagnostics(FileModel.fromText(source(ref)), defaultSettings, {
      uri: 'file:///s.yaml',
      artifactVersions: (url) => {
        seen.push(url);
        return published;
      },
    }).map((d) => `${String(d.code)}@${d.range.start.line}`);
  test('a semver range or a version tag that matches no tag is a warning on its value; the registry is asked for the artifact URL', () => {
    assert.deepEqual(check('    semver: ">=3.0.0"\n'), ['no-matching-version@8']);
    assert.deepEqual(check('    tag: "1.3.0"\n'), ['no-matching-version@8']);
    assert.equal(seen[0], 'oci://ghcr.io/org/charts/app');
  });
  test('a tag that is not a version (latest, a branch build) is not judged; semver wins over tag as in Flux', () => {
    assert.deepEqual(check('    tag: latest\n'), []);
    assert.deepEqual(check('    tag: main-1a2b3c\n'), []);
    assert.deepEqual(check('    tag: "9.9.9"\n    semver: ">=2.0.0"\n'), []);
  });
  test('a range held below a newer major gets the same hint as a HelmRelease', () => {
    assert.deepEqual(check('    semver: "~1.2"\n'), ['newer-major-version@8']);
  });
});
