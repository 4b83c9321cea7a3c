import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FileModel } from '../../server/src/service/model/fileModel';
import { completion, documentSymbols, fileDiagnostics, hover } from '../../server/src/service/languageService';
import { defaultSettings } from '../../server/src/service/settings';
import { checkText } from '../../server/src/cli/check';
import { brief, diagnose, yaml } from '../helpers';
import { resetWorkCounts } from '../../server/src/service/workCounts';

/** Runs every feature at many positions; none may throw. */
function exercise(text: string): void {
  const model = FileModel.fromText(text, defaultSettings.maxFileSize);
  fileDiagnostics(model, defaultSettings);
  documentSymbols(model);
  const lines = text.split('\n');
  const step = Math.max(1, Math.floor(lines.length / 50));
  for (let line = 0; line < lines.length; line += step) {
    for (const character of [0, 2, 5, lines[line]!.length]) {
      completion(model, { line, character }, defaultSettings);
      hover(model, { line, character }, defaultSettings);
    }
  }
}

const release = yaml('apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', '  name: app', 'spec:', '  interval: 5m', '  chart:', '    spec:', '      chart: app', '      sourceRef:', '        kind: HelmRepository', '        name: charts');

describe('bad input', () => {
  test('a binary file gets one information diagnostic and no analysis', () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    const result = checkText(bytes, defaultSettings);
    assert.deepEqual(result.map((d) => [d.code, d.severity]), [['binary-file', 3]]);
    exercise(bytes.toString('latin1'));
  });

  test('non-UTF-8 bytes in a Flux file are replaced and reported, and the rest is still checked', () => {
    const bytes = Buffer.concat([Buffer.from(release.replace('name: app\n', 'name: app\n  annotations:\n    note: "')), Buffer.from([0xff, 0xfe]), Buffer.from('"\n')]);
    const text = Buffer.concat([Buffer.from(release), Buffer.from('  values:\n    note: "'), Buffer.from([0xc3, 0x28]), Buffer.from('"\n')]);
    assert.deepEqual(checkText(text, defaultSettings).map((d) => d.code), ['invalid-encoding']);
    assert.ok(checkText(bytes, defaultSettings).some((d) => d.code === 'invalid-encoding'));
  });

  test('a 50 MB file gets one clear information diagnostic instead of analysis, quickly', () => {
    const big = release.repeat(Math.ceil((50 * 1024 * 1024) / release.length));
    resetWorkCounts();
    const result = diagnose(big);
    assert.deepEqual(result.map((d) => d.code), ['file-too-large']);
    assert.match(String(result[0]!.message), /is larger than the limit of 10\.0 MB and is not checked/);
    assert.equal(resetWorkCounts().documentsParsed, 0, 'no analysis of an oversized file');
    exercise(big.slice(0, 0));
    assert.deepEqual(completion(FileModel.fromText(big, defaultSettings.maxFileSize), { line: 3, character: 2 }, defaultSettings), []);
  });

  test('10,000 levels of nesting: no crash, and the document is reported as not checked or as invalid', () => {
    const deepFlow = `${release}  values:\n    a: ${'['.repeat(10000)}${']'.repeat(10000)}\n`;
    const deepMap = `${release}  values:\n    a: ${'{a: '.repeat(10000)}1${'}'.repeat(10000)}\n`;
    // Block nesting grows quadratically in size; 2,000 levels at one space each is already 2 MB.
    const deepBlock = `${release}  values:\n${Array.from({ length: 2000 }, (_, i) => `${' '.repeat(4 + i)}k${i}:`).join('\n')}\n`;
    for (const text of [deepFlow, deepMap, deepBlock]) {
      exercise(text);
      const result = diagnose(text);
      assert.ok(result.every((d) => ['too-complex', 'yaml-syntax'].includes(String(d.code))), JSON.stringify(result.map(brief)));
    }
  });

  test('tabs used for indentation are a syntax error in a Flux document', () => {
    const text = release.replace('  interval: 5m', '\tinterval: 5m');
    exercise(text);
    assert.ok(diagnose(text).some((d) => d.code === 'yaml-syntax'));
  });

  test('documents that are lists or scalars are not Kubernetes objects and are left alone', () => {
    exercise('- a\n- b\n---\njust a string\n---\n42\n');
    assert.deepEqual(diagnose('- a\n- b\n---\njust a string\n---\n42\n'), []);
  });

  test('anchors, aliases, redefined anchors, alias keys and merge keys', () => {
    const text = yaml(
      'apiVersion: helm.toolkit.fluxcd.io/v2',
      'kind: HelmRelease',
      'metadata:',
      '  name: app',
      'spec:',
      '  interval: &every 5m',
      '  timeout: *every',
      '  chart:',
      '    spec: &chart',
      '      chart: app',
      '      sourceRef: {kind: HelmRepository, name: charts}',
      '  install: &remediate',
      '    remediation: {retries: 3}',
      '  upgrade:',
      '    <<: *remediate',
      '    cleanupOnFail: true',
      '  values:',
      '    a: &x 1',
      '    b: &x 2',
      '    c: *x',
      '    *x : aliasKey',
      '    ? [complex, key]',
      '    : value',
    );
    exercise(text);
    assert.deepEqual(diagnose(text), []);
  });

  test('a merge key brings in required fields, and an unknown field merged in is not reported twice', () => {
    const text = yaml(
      'apiVersion: helm.toolkit.fluxcd.io/v2',
      'kind: HelmRelease',
      'metadata:',
      '  name: app',
      'x-defaults: &defaults',
      '  interval: 5m',
      'spec:',
      '  <<: *defaults',
      '  chart:',
      '    spec: {chart: app, sourceRef: {kind: HelmRepository, name: charts}}',
    );
    assert.deepEqual(diagnose(text).map(brief), ['unknown-field@4:0-4:10']);
  });

  test('an alias of the wrong type is reported where it is used', () => {
    const text = release.replace('  interval: 5m', '  interval: 5m\n  install: &i {createNamespace: true}\n  suspend: *i');
    assert.deepEqual(diagnose(text).map((d) => d.code), ['wrong-type']);
  });

  test('custom tags such as !secret are not errors', () => {
    const text = release.replace('  name: app', '  name: app\n  annotations:\n    password: !secret db_password');
    exercise(text);
    assert.deepEqual(diagnose(text), []);
  });

  test('Helm template syntax inside values does not crash and is reported as YAML only where it is invalid YAML', () => {
    const text = `${release}  values:\n    image: "{{ .Values.image }}"\n    replicas: {{ .Values.replicas }}\n`;
    exercise(text);
    assert.ok(diagnose(text).every((d) => d.code === 'yaml-syntax'));
    const template = '{{- if .Values.enabled }}\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\n{{- end }}\n';
    exercise(template);
  });

  test('a .yaml file that is not YAML at all', () => {
    const text = '#!/bin/bash\nset -e\nfor f in *; do echo "$f"; done\n{ "json": [1, 2, }\n';
    exercise(text);
    assert.deepEqual(diagnose(text), []);
  });

  test('random garbage around a Flux header never throws', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pieces = ['  ', '\t', '- ', ': ', '{', '}', '[', ']', '&a ', '*a', '<<', '"', "'", '|', '>', '#', '\n', '---\n', 'spec', 'chart', 'x', '?', '!!map ', '%YAML 1.2\n', '${VAR}'];
    for (let i = 0; i < 300; i++) {
      let text = 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\n';
      for (let j = 0; j < 60; j++) text += pieces[random(pieces.length)];
      exercise(text);
    }
  });
});
