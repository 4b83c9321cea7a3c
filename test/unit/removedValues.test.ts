import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FileModel } from '../../server/src/service/model/fileModel';
import { fileDiagnostics, type FileContext } from '../../server/src/service/languageService';
import { defaultSettings } from '../../server/src/service/settings';
import { schemaFromValuesYaml } from '../../server/src/service/values/inferSchema';
import { compileValuesSchema, type CompiledValuesSchema } from '../../server/src/service/values/jsonSchema';
import { ChartBaselines } from '../../server/src/service/values/removedValues';
import type { ChartReference, ChartValues } from '../../server/src/service/values/chartValues';

const V16 = ['auth:', '  # Password of the postgres admin user.', '  postgresPassword: ""', '  database: ""', 'primary:', '  persistence:', '    size: 8Gi', 'podAnnotations: {}', ''].join('\n');
const V17 = ['auth:', '  adminPassword: ""', '  database: ""', 'primary:', '  persistence:', '    size: 8Gi', 'podAnnotations: {}', ''].join('\n');

function chartFromValues(version: string, valuesYaml: string): ChartValues {
  return { id: `postgresql@${version}`, chart: 'postgresql', version, origin: 'test', schema: schemaFromValuesYaml(valuesYaml) };
}

const byVersion: Record<string, ChartValues> = { '16.x': chartFromValues('16.4.2', V16), '17.x': chartFromValues('17.0.0', V17) };

const release = (version: string, values: string[]) =>
  [
    'apiVersion: helm.toolkit.fluxcd.io/v2',
    'kind: HelmRelease',
    'metadata:',
    '  name: postgres',
    'spec:',
    '  interval: 1h',
    '  chart:',
    '    spec:',
    '      chart: postgresql',
    `      version: "${version}"`,
    '      sourceRef: {kind: HelmRepository, name: bitnami}',
    '  values:',
    ...values.map((l) => `    ${l}`),
    '',
  ].join('\n');

const VALUES = ['auth:', '  postgresPassword: s3cret', '  database: grades', 'podAnnotations:', '  team: data'];

function session(charts: Record<string, ChartValues> = byVersion) {
  const baselines = new ChartBaselines();
  const context = (uri: string): FileContext => ({
    uri,
    charts: (ref: ChartReference) => charts[ref.version ?? ''],
    baselineChart: (ref, current) => baselines.baselineOf(uri, ref.release ?? '', current),
  });
  const check = (text: string, uri = 'file:///release.yaml') =>
    fileDiagnostics(FileModel.fromText(text), defaultSettings, context(uri)).map((d) => ({ code: String(d.code), line: d.range.start.line, severity: d.severity, message: String(d.message) }));
  return { baselines, check };
}

describe('values a new chart version no longer has', () => {
  test('after the version changes, a key only the old version had is a warning naming both versions', () => {
    const { check } = session();
    assert.deepEqual(check(release('16.x', VALUES)), [], 'the first version is the baseline: nothing to say');
    const found = check(release('17.x', VALUES));
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.equal(found[0]!.code, 'values-key-removed');
    assert.equal(found[0]!.severity, 2);
    assert.equal(found[0]!.line, 13, 'on the postgresPassword key');
    assert.match(found[0]!.message, /`auth\.postgresPassword` is a value of postgresql 16\.4\.2, but postgresql 17\.0\.0 no longer has it/);
  });

  test('it replaces the unknown-value warning on the same key; other unknown keys keep theirs', () => {
    const { check } = session();
    check(release('16.x', VALUES));
    const found = check(release('17.x', [...VALUES, 'replicaCont: 2']));
    assert.deepEqual(found.map((d) => d.code).sort(), ['unknown-value', 'values-key-removed']);
    assert.match(found.find((d) => d.code === 'unknown-value')!.message, /replicaCont/);
  });

  test('going back to the first version, or renaming the key as the new version wants, clears it', () => {
    const { check } = session();
    check(release('16.x', VALUES));
    assert.equal(check(release('17.x', VALUES)).length, 1);
    assert.deepEqual(check(release('16.x', VALUES)), []);
    assert.deepEqual(check(release('17.x', VALUES.map((l) => l.replace('postgresPassword', 'adminPassword')))), []);
  });

  test('a file first opened at the new version has no baseline; closing the file forgets it', () => {
    const { check, baselines } = session();
    assert.equal(check(release('17.x', VALUES)).map((d) => d.code).join(), 'unknown-value');
    baselines.forget('file:///release.yaml');
    check(release('16.x', VALUES));
    assert.equal(check(release('17.x', VALUES))[0]!.code, 'values-key-removed');
    baselines.forget('file:///release.yaml');
    assert.equal(check(release('17.x', VALUES))[0]!.code, 'unknown-value');
  });

  test('each file and each release keeps its own baseline', () => {
    const { check } = session();
    check(release('16.x', VALUES), 'file:///a.yaml');
    assert.equal(check(release('17.x', VALUES), 'file:///b.yaml')[0]!.code, 'unknown-value', 'b.yaml never had 16.x');
    assert.equal(check(release('17.x', VALUES), 'file:///a.yaml')[0]!.code, 'values-key-removed');
  });

  test('with a values.schema.json that allows any key, the removed key is still reported', () => {
    const schema = (props: Record<string, object>) => ({ type: 'object', properties: { auth: { type: 'object', properties: props } } });
    const compiled = (props: Record<string, object>) => compileValuesSchema(schema(props)) as CompiledValuesSchema;
    const old: ChartValues = { ...chartFromValues('16.4.2', V16), compiled: compiled({ postgresPassword: { type: 'string' }, database: { type: 'string' } }) };
    const now: ChartValues = { ...chartFromValues('17.0.0', V17), compiled: compiled({ adminPassword: { type: 'string' }, database: { type: 'string' } }) };
    const { check } = session({ '16.x': old, '17.x': now });
    check(release('16.x', VALUES));
    const found = check(release('17.x', VALUES));
    assert.deepEqual(found.map((d) => d.code), ['values-key-removed'], JSON.stringify(found));
  });

  test('another chart (not another version of the same one) is not compared', () => {
    const other: ChartValues = { ...chartFromValues('1.0.0', V17), chart: 'mysql', id: 'mysql@1' };
    const { check } = session({ '16.x': byVersion['16.x']!, '17.x': other });
    check(release('16.x', VALUES));
    assert.deepEqual(check(release('17.x', VALUES)).map((d) => d.code), ['unknown-value']);
  });
});
