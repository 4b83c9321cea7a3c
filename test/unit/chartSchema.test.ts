import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { FileModel } from '../../server/src/service/model/fileModel';
import { completion, fileDiagnostics, hover } from '../../server/src/service/languageService';
import { defaultSettings } from '../../server/src/service/settings';
import { LocalCharts } from '../../server/src/node/localCharts';

const ROOT = path.resolve(__dirname, '../fixtures/schema-chart');
const uri = pathToFileURL(path.join(ROOT, 'apps/release.yaml')).toString();
const charts = new LocalCharts(() => [ROOT]);
const context = { uri, charts: (ref: Parameters<LocalCharts['lookup']>[0]) => charts.lookup(ref) };

const release = (chart: string, values: string[], extra: string[] = []) =>
  ['apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', '  name: app', 'spec:', '  interval: 5m', '  chart:', '    spec:', `      chart: ./charts/${chart}`, '      sourceRef: {kind: GitRepository, name: repo}', ...extra, ...(values.length ? ['  values:', ...values.map((v) => `    ${v}`)] : []), ''].join('\n');
const found = (text: string) => fileDiagnostics(FileModel.fromText(text), defaultSettings, context).map((d) => `${String(d.code)}@${d.range.start.line}:${d.range.start.character}`);
const messages = (text: string) => fileDiagnostics(FileModel.fromText(text), defaultSettings, context).map((d) => String(d.message));

describe('spec.values against the chart\'s values.schema.json (draft-07)', () => {
  test('correct values, and values the chart defaults, give no diagnostics', () => {
    assert.deepEqual(found(release('podinfo', ['replicaCount: 3', 'image:', '  tag: 6.6.0', 'service:', '  type: NodePort'])), []);
    assert.deepEqual(found(release('podinfo', [])), [], 'required image and service come from the chart defaults');
  });

  test('types, enums, minimum, maximum and patterns are errors on the value written', () => {
    const text = release('podinfo', ['replicaCount: -1', 'image:', '  pullPolicy: Sometimes', 'service:', '  port: 70000', 'ui:', '  color: blue']);
    assert.deepEqual(found(text), ['invalid-value@11:18', 'invalid-value@13:18', 'invalid-value@15:12', 'invalid-value@17:13']);
    const all = messages(text).join('\n');
    assert.match(all, /`image.pullPolicy` must be one of `"Always"`, `"IfNotPresent"`, `"Never"`/);
    assert.match(all, /Helm rejects the release \(values.schema.json of `podinfo`\)/);
  });

  test('a key the schema does not allow, with did-you-mean from the $ref\'d definition', () => {
    const text = release('podinfo', ['image:', '  tga: "1"']);
    assert.deepEqual(found(text), ['invalid-value@12:6']);
    assert.match(messages(text)[0]!, /Chart `podinfo` does not allow `image.tga`. Did you mean `tag`\?/);
  });

  test('a required value removed by the user is reported where the user wrote it; valuesFrom may supply it', () => {
    const text = release('podinfo', ['image:', '  repository: null']);
    assert.ok(found(text).some((f) => f.startsWith('invalid-value@')), found(text).join(','));
    const withValuesFrom = release('podinfo', ['image:', '  repository: null'], ['  valuesFrom:', '    - {kind: ConfigMap, name: extra}']);
    assert.ok(!messages(withValuesFrom).some((m) => /requires/.test(m)), messages(withValuesFrom).join('\n'));
  });

  test('a ${VAR} that Flux substitutes is not checked', () => {
    assert.deepEqual(found(release('podinfo', ['ui:', '  color: ${UI_COLOR}'])), []);
  });

  test('completion and hover use the schema: descriptions, enums, and the chart default', () => {
    const text = release('podinfo', ['image:', '  pullPolicy: ']);
    const values = completion(FileModel.fromText(text), { line: 12, character: 18 }, defaultSettings, context).map((i) => i.label);
    assert.deepEqual(values, ['Always', 'IfNotPresent', 'Never']);
    const keys = completion(FileModel.fromText(release('podinfo', ['service:', '  '])), { line: 12, character: 6 }, defaultSettings, context);
    assert.deepEqual(keys.map((i) => i.label).sort(), ['port', 'type']);
    const h = hover(FileModel.fromText(release('podinfo', ['service:', '  type: NodePort'])), { line: 12, character: 7 }, defaultSettings, context)!;
    const md = (h.contents as { value: string }).value;
    assert.match(md, /Kubernetes Service type\./);
    assert.match(md, /Default: `"ClusterIP"`/);
  });
});

describe('other schemas', () => {
  test('2020-12 schemas are validated with the 2020-12 dialect', () => {
    assert.deepEqual(found(release('modern', ['mode: slow'])), ['invalid-value@11:10']);
    assert.deepEqual(found(release('modern', ['tags: [a, b]'])).length, 1, 'items: false after prefixItems');
    assert.deepEqual(found(release('modern', ['tags: [a]'])), []);
  });

  test('an invalid values.schema.json is one clear information message, and values.yaml still helps', () => {
    const text = release('broken', ['replicaCount: 2', 'replicaCont: 3']);
    const result = fileDiagnostics(FileModel.fromText(text), defaultSettings, context);
    assert.deepEqual(result.map((d) => [d.code, d.severity]), [['chart-schema-problem', 3], ['unknown-value', 2]]);
    assert.match(String(result[0]!.message), /values.schema.json of chart `broken` cannot be used \(it is not valid JSON/);
  });
});

describe('values supplied by valuesFrom', () => {
  test('a required value given by a ConfigMap in the workspace counts as present; one not given is reported; a Secret may give anything', async () => {
    const { compileValuesSchema } = await import('../../server/src/service/values/jsonSchema');
    const { chartValuesDiagnostics, valuesSources } = await import('../../server/src/service/values/chartValues');
    const { parseDocument } = await import('yaml');
    const compiled = compileValuesSchema({ type: 'object', required: ['token'], properties: { token: { type: 'string' }, mode: { type: 'string' } } });
    assert.ok(!('error' in compiled));
    const chart = { id: 'c', chart: 'app', origin: 'test', schema: compiled.node, compiled, defaults: { mode: 'x' } };
    const doc = (valuesFrom: string) => parseDocument(['apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata: {name: app}', 'spec:', '  interval: 5m', valuesFrom, '  values:', '    mode: fast', ''].join('\n'));
    const run = (valuesFrom: string, content?: string) => {
      const d = doc(valuesFrom);
      return chartValuesDiagnostics(d, chart, valuesSources(d, () => content)).map((x) => x.message);
    };
    assert.match(run('')[0]!, /The chart requires `token`/);
    assert.deepEqual(run('  valuesFrom: [{kind: ConfigMap, name: cfg}]', 'token: abc\n'), []);
    assert.match(run('  valuesFrom: [{kind: ConfigMap, name: cfg}]', 'other: 1\n')[0]!, /requires `token`/);
    assert.deepEqual(run('  valuesFrom: [{kind: ConfigMap, name: cfg, valuesKey: t, targetPath: token}]', 'abc'), []);
    assert.deepEqual(run('  valuesFrom: [{kind: Secret, name: creds}]'), [], 'a Secret may hold it');
    assert.deepEqual(run('  valuesFrom: [{kind: ConfigMap, name: elsewhere}]'), [], 'a ConfigMap not in the workspace may hold it');
  });
});
