import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { FileModel } from '../../server/src/service/model/fileModel';
import { completion, fileDiagnostics, hover } from '../../server/src/service/languageService';
import { defaultSettings } from '../../server/src/service/settings';
import { LocalCharts } from '../../server/src/node/localCharts';
import { schemaFromValuesYaml } from '../../server/src/service/values/inferSchema';

const ROOT = path.resolve(__dirname, '../fixtures/local-chart');
const FILE = path.join(ROOT, 'apps/grade-api.yaml');
const uri = pathToFileURL(FILE).toString();
const charts = new LocalCharts(() => [ROOT]);
const context = { uri, charts: (ref: Parameters<LocalCharts['lookup']>[0]) => charts.lookup(ref) };
const text = readFileSync(FILE, 'utf8');
const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle));

describe('spec.values from a chart in the repository', () => {
  test('values.yaml gives keys, types, defaults, and its comments as documentation', () => {
    const schema = schemaFromValuesYaml(readFileSync(path.join(ROOT, 'charts/grade-api/values.yaml'), 'utf8'));
    assert.equal(schema.properties!.replicaCount!.description, 'Number of API pods.');
    assert.equal(schema.properties!.replicaCount!.default, 1);
    assert.equal(schema.properties!.image!.properties!.tag!.description, "Image tag; defaults to the chart's appVersion.");
    assert.equal(schema.properties!.service!.properties!.type!.description, 'Kubernetes Service type.');
    assert.equal(schema.properties!.ingress!.properties!.hosts!.type, 'array');
  });

  test('unknown keys are warnings with did-you-mean, in the chart and in subcharts under their alias; open maps and global take anything', () => {
    const found = fileDiagnostics(FileModel.fromText(text), defaultSettings, context).map((d) => `${String(d.code)}@${d.range.start.line}:${d.severity}`);
    assert.deepEqual(found, [`unknown-value@${lineOf('tga:')}:2`, `unknown-value@${lineOf('pasword:')}:2`]);
    const messages = fileDiagnostics(FileModel.fromText(text), defaultSettings, context).map((d) => String(d.message));
    assert.match(messages[0]!, /Chart `grade-api` has no value `image.tga`. Did you mean `tag`\?/);
    assert.match(messages[1]!, /has no value `database.auth.pasword`. Did you mean `password`\?|has no value `database.auth.pasword`/);
  });

  test('without the chart (e.g. a chart from an HTTP repository, not resolved yet), values stay free-form', () => {
    assert.deepEqual(fileDiagnostics(FileModel.fromText(text), defaultSettings, {}).map((d) => d.code), []);
  });

  test('completion offers the chart keys not yet present, with the chart default as placeholder', () => {
    const line = lineOf('    image:');
    const edited = text.replace('      tga: "1.4.2"\n', '      tga: "1.4.2"\n      \n');
    const items = completion(FileModel.fromText(edited), { line: line + 3, character: 6 }, defaultSettings, context);
    const pull = items.find((i) => i.label === 'pullPolicy');
    assert.ok(pull, items.map((i) => i.label).join(','));
    assert.equal((pull.textEdit as { newText: string }).newText, 'pullPolicy: ${1:IfNotPresent}');
    assert.ok(!items.some((i) => i.label === 'repository'), 'present keys are not offered');
    const top = completion(FileModel.fromText(edited.replace('    global:', '    \n    global:')), { line: lineOf('    global:') + 1 + 1, character: 4 }, defaultSettings, context);
    assert.ok(top.some((i) => i.label === 'service') && top.some((i) => i.label === 'ingress'), top.map((i) => i.label).join(','));
  });

  test('hover shows the description, type and the chart default', () => {
    const line = lineOf('replicaCount: 2');
    const result = hover(FileModel.fromText(text), { line, character: 6 }, defaultSettings, context)!;
    const value = (result.contents as { value: string }).value;
    assert.match(value, /\*\*spec.values.replicaCount\*\*: `integer`/);
    assert.match(value, /Number of API pods\./);
    assert.match(value, /Default: `1`/);
    assert.match(value, /From chart `grade-api` 1\.4\.2 \(\.\/charts\/grade-api in this repository\)/);
  });

  test('a chart path outside the repository is never read', () => {
    assert.equal(charts.lookup({ uri, sourceKind: 'GitRepository', chart: '../../../../etc' }), undefined);
  });
});

describe('values.yaml comments', () => {
  test('the file header is not taken as the first key\'s description; commented-out examples are not documentation', () => {
    const schema = schemaFromValuesYaml('# Default values for app.\n# This is a YAML-formatted file.\n\nreplicaCount: 1\n# resources:\n#   limits: {}\nresources: {}\n');
    assert.equal(schema.properties!.replicaCount!.description, undefined);
    assert.equal(schema.properties!.resources!.description, undefined);
  });
});

describe('charts from an OCIRepository (chartRef)', () => {
  test('the artifact URL splits into registry repository and chart; semver wins over tag; latest and digests are not resolved ahead', async () => {
    const { ociRepositoryChart } = await import('../../server/src/service/values/chartValues');
    assert.deepEqual(ociRepositoryChart('oci://ghcr.io/stefanprodan/charts/podinfo', { semver: '>=6.0.0', tag: '6.0.0' }), { repository: 'oci://ghcr.io/stefanprodan/charts', chart: 'podinfo', version: '>=6.0.0' });
    assert.deepEqual(ociRepositoryChart('oci://ghcr.io/x/app/', { tag: '1.2.3' }), { repository: 'oci://ghcr.io/x', chart: 'app', version: '1.2.3' });
    assert.equal(ociRepositoryChart('oci://ghcr.io/x/app', {}), undefined);
    assert.equal(ociRepositoryChart('oci://ghcr.io/x/app', { tag: 'latest' }), undefined);
    assert.equal(ociRepositoryChart('https://example.com/app', { tag: '1.0.0' }), undefined);
  });
});
