import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FileModel } from '../../server/src/service/model/fileModel';
import { documentSymbols } from '../../server/src/service/languageService';
import { brief, codes, complete, diagnose, hoverMarkdown, labels, quickFixes, yaml } from '../helpers';

// ArtifactGenerator (source.extensions.fluxcd.io/v1beta1): diagnostics, its CEL rule, the aliases
// between sources and artifacts, completion, hover, outline and quick fixes.

const head = ['apiVersion: source.extensions.fluxcd.io/v1beta1', 'kind: ArtifactGenerator', 'metadata:', '  name: bundle', '  namespace: flux-system', 'spec:'];
const generator = (...spec: string[]) => yaml(...head, ...spec);
const sources = ['  sources:', '    - alias: repo', '      kind: GitRepository', '      name: fleet', '    - alias: chart', '      kind: HelmChart', '      name: podinfo'];
const artifact = (name: string, from = '"@repo/deploy/**"') => ['  artifacts:', `    - name: ${name}`, '      copy:', `        - from: ${from}`, '          to: "@artifact/"'];

describe('ArtifactGenerator diagnostics', () => {
  test('a generator with two sources, a revision, excludes and a merge strategy gets nothing', () => {
    const text = generator(
      ...sources,
      '  commonMetadata:',
      '    labels:',
      '      team: platform',
      '  artifacts:',
      '    - name: podinfo-bundle',
      '      revision: "@repo"',
      "      originRevision: '@repo'",
      '      copy:',
      '        - from: "@repo/deploy/**"',
      '          to: "@artifact/"',
      '          exclude: ["*.md"]',
      '        - from: "@chart/values.yaml"',
      '          to: "@artifact/values.yaml"',
      '          strategy: Merge',
    );
    assert.deepEqual(diagnose(text).map(brief), []);
  });

  test('sources and artifacts are required, and need at least one item', () => {
    assert.deepEqual(codes(generator('  sources: []', '  artifacts: []')), ['item-count', 'item-count']);
    assert.deepEqual(diagnose(generator(...sources)).map((d) => String(d.message)), ['`spec` is missing the required field `artifacts`.']);
  });

  test('source kinds, alias and path formats, copy strategies', () => {
    assert.deepEqual(codes(generator('  sources:', '    - alias: repo', '      kind: HelmRepository', '      name: fleet', ...artifact('web'))), ['invalid-enum']);
    assert.deepEqual(codes(generator('  sources:', '    - alias: Repo', '      kind: GitRepository', '      name: fleet', ...artifact('web', '"@Repo/x"'))), ['invalid-pattern', 'invalid-pattern']);
    assert.deepEqual(codes(generator(...sources, ...artifact('web', 'repo/deploy'))), ['invalid-pattern']);
    assert.deepEqual(codes(generator(...sources, ...artifact('web'), '          strategy: Replace')), ['invalid-enum']);
  });

  test('CEL rule: without pathPattern, artifact names must be object names', () => {
    const problems = diagnose(generator(...sources, ...artifact("'{app}-bundle'")));
    assert.deepEqual(problems.map((d) => d.code), ['artifact-name']);
    assert.match(String(problems[0]!.message), /only works with `spec.pathPattern`/);
    assert.deepEqual(codes(generator(...sources, ...artifact('Web_Bundle'))), ['artifact-name']);
    // With a pattern, placeholders are what the names are for.
    assert.deepEqual(codes(generator(...sources, '  pathPattern: "@repo/apps/{app}"', ...artifact("'{app}-bundle'", '"@repo/apps/{app}/**"'))), []);
  });

  test('an alias that no source declares is an error, with the closest alias as the fix', () => {
    const text = generator(...sources, ...artifact('web', '"@rpeo/deploy/**"'));
    const problems = diagnose(text);
    assert.deepEqual(problems.map((d) => d.code), ['source-alias']);
    assert.match(String(problems[0]!.message), /`@rpeo` names no source.*Did you mean `repo`\?/);
    // The range is the alias inside the quotes.
    assert.deepEqual(problems[0]!.range, { start: { line: 16, character: 18 }, end: { line: 16, character: 22 } });
    const fix = quickFixes(text).find((f) => f.code === 'source-alias' && f.preferred)!;
    assert.equal(fix.title, 'Change to `repo`');
    assert.match(fix.result, /- from: "@repo\/deploy\/\*\*"/);
    assert.deepEqual(codes(fix.result), []);
  });

  test('revision, originRevision and pathPattern aliases are checked too; a duplicate alias is reported', () => {
    assert.deepEqual(codes(generator(...sources, '  pathPattern: "@other/apps/{app}"', ...artifact("'{app}'"), '      revision: "@nothing"')), ['source-alias', 'source-alias']);
    assert.deepEqual(codes(generator(...sources, '    - alias: repo', '      kind: OCIRepository', '      name: manifests', ...artifact('web'))), ['source-alias']);
  });

  test('a patch file may change artifacts without repeating sources or pathPattern', () => {
    const patch = generator('  artifacts:', "    - name: '{app}-bundle'", '      copy:', '        - from: "@repo/apps/{app}/**"', '          to: "@artifact/"');
    assert.deepEqual(codes(patch).sort(), ['artifact-name', 'missing-required', 'source-alias'], 'as a whole object it is incomplete');
    assert.deepEqual(diagnose(patch, {}, { isPatch: true }).map(brief), []);
    // What the patch states itself is still checked.
    assert.deepEqual(diagnose(generator(...sources, ...artifact('web', '"@nope/x"')), {}, { isPatch: true }).map((d) => d.code), ['source-alias']);
  });

  test('a misspelled field gets a quick fix', () => {
    const text = generator(...sources, ...artifact('web'), '          exlude: ["*.md"]');
    const fix = quickFixes(text).find((f) => f.code === 'unknown-field' && f.preferred)!;
    assert.equal(fix.title, 'Change to `exclude`');
    assert.deepEqual(codes(fix.result), []);
  });

  test('another version of the group is unknown', () => {
    const problems = diagnose(yaml('apiVersion: source.extensions.fluxcd.io/v1', 'kind: ArtifactGenerator', 'metadata:', '  name: x', 'spec:', ...sources, ...artifact('web')));
    assert.deepEqual(problems.map((d) => d.code), ['unknown-api-version']);
    assert.match(String(problems[0]!.message), /Use `source.extensions.fluxcd.io\/v1beta1`/);
  });
});

describe('ArtifactGenerator completion, hover and outline', () => {
  test('fields and enum values are offered', () => {
    assert.deepEqual(labels(complete(generator('  |'))).filter((l) => !l.startsWith('flux-')), ['artifacts', 'commonMetadata', 'pathPattern', 'sources']);
    assert.deepEqual(labels(complete(generator('  sources:', '    - alias: repo', '      kind: |'))), ['Bucket', 'GitRepository', 'OCIRepository', 'HelmChart', 'ExternalArtifact']);
    assert.deepEqual(labels(complete(generator(...sources, ...artifact('web'), '          strategy: |'))), ['Overwrite', 'Merge', 'Extract']);
  });

  test('hover explains a field in our words and links the docs', () => {
    const text = hoverMarkdown(generator(...sources, ...artifact('web'), '          stra|tegy: Merge'))!;
    assert.match(text, /^\*\*spec\.artifacts\[0\]\.copy\[0\]\.strategy\*\*: `string`/);
    assert.match(text, /Allowed: `Overwrite`, `Merge`, `Extract`/);
    assert.match(text, /Helm merges values files/);
    assert.match(text, /ArtifactGenerator documentation/);
  });

  test('the outline names the generator', () => {
    const symbols = documentSymbols(FileModel.fromText(generator(...sources, ...artifact('web'))));
    assert.equal(symbols[0]!.name, 'ArtifactGenerator bundle');
  });
});
