import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'fs';
import * as path from 'path';
import { defaultSettings, normalizeSettings } from '../../server/src/service/settings';
import { DiagnosticCodes } from '../../server/src/service/codes';

const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, { default: unknown; enum?: string[]; additionalProperties?: { enum: string[] } }> } };
};
const properties = manifest.contributes.configuration.properties;

describe('settings', () => {
  test('every setting in package.json is read by the server, with the same default', () => {
    const expected: Record<string, unknown> = {
      'helmRelease.validate.enable': defaultSettings.validate,
      'helmRelease.completion.enable': defaultSettings.completion,
      'helmRelease.hover.enable': defaultSettings.hover,
      'helmRelease.severity': defaultSettings.severity,
      'helmRelease.maxFileSize': defaultSettings.maxFileSize,
      'helmRelease.fluxVersion': defaultSettings.fluxVersion,
      'helmRelease.exclude': defaultSettings.exclude,
      'helmRelease.diagnostics.scope': defaultSettings.diagnosticsScope,
    };
    for (const [key, value] of Object.entries(expected)) {
      assert.ok(properties[key], `${key} is declared in package.json`);
      assert.deepEqual(properties[key]!.default, value, `default of ${key}`);
    }
    // The trace setting is read by vscode-languageclient; cluster settings by the client's cluster views.
    const declared = Object.keys(properties).filter((k) => k !== 'helmRelease.trace.server' && !k.startsWith('helmRelease.cluster.') && !k.startsWith('helmRelease.reconcile.') && k !== 'helmRelease.charts.download');
    assert.deepEqual(declared.sort(), Object.keys(expected).sort());
  });

  test('the VS Code shape and the config-file shape both normalise', () => {
    assert.deepEqual(normalizeSettings({ validate: { enable: false }, hover: { enable: false } }), { ...defaultSettings, validate: false, hover: false });
    assert.deepEqual(normalizeSettings({ validate: false, completion: false }), { ...defaultSettings, validate: false, completion: false });
  });

  test('invalid values fall back to the defaults, and unknown severities are dropped', () => {
    assert.deepEqual(normalizeSettings({ validate: 'yes', maxFileSize: -1, severity: { 'unknown-field': 'loud', 'wrong-type': 'hint' } }), { ...defaultSettings, severity: { 'wrong-type': 'hint' } });
    assert.deepEqual(normalizeSettings(null), defaultSettings);
    assert.deepEqual(normalizeSettings('nonsense'), defaultSettings);
  });

  test('the severity setting offers exactly the severities the server understands', () => {
    assert.deepEqual(properties['helmRelease.severity']!.additionalProperties!.enum, ['error', 'warning', 'information', 'hint', 'off']);
  });

  test('the README documents every diagnostic code', () => {
    const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
    for (const code of Object.values(DiagnosticCodes)) assert.ok(readme.includes(`\`${code}\``), `README mentions ${code}`);
  });
});
