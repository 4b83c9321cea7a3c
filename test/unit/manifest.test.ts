/**
 * What package.json promises VS Code: Restricted Mode is supported in a limited way (language
 * features on; downloads, credential helpers and the cluster off), and the settings that point at
 * files or programs, or that reach the network, are ignored there.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as {
  activationEvents: string[];
  capabilities?: { untrustedWorkspaces?: { supported: boolean | 'limited'; description?: string; restrictedConfigurations?: string[] } };
  contributes: { configuration: { properties: Record<string, unknown> }; viewsWelcome?: Array<{ view: string; when?: string }>; views: Record<string, Array<{ id: string }>> };
};

describe('package.json', () => {
  test('Restricted Mode: supported in a limited way, with the reason said', () => {
    const untrusted = manifest.capabilities?.untrustedWorkspaces;
    assert.equal(untrusted?.supported, 'limited');
    assert.match(untrusted?.description ?? '', /completion, hover, diagnostics and navigation work/);
  });

  test('settings that point at files or programs, or download, are restricted; each exists', () => {
    const restricted = manifest.capabilities?.untrustedWorkspaces?.restrictedConfigurations ?? [];
    for (const key of ['helmRelease.cluster.kubeconfig', 'helmRelease.cluster.context', 'helmRelease.charts.download']) assert.ok(restricted.includes(key), key);
    for (const key of restricted) assert.ok(manifest.contributes.configuration.properties[key], `${key} is a setting`);
  });

  test('each Flux view explains itself in an untrusted workspace', () => {
    const views = Object.values(manifest.contributes.views).flat().map((v) => v.id);
    for (const view of views) assert.ok(manifest.contributes.viewsWelcome?.some((w) => w.view === view && w.when === '!isWorkspaceTrusted'), view);
  });

  test('activates for YAML and JSON files, which both hold manifests', () => {
    assert.ok(manifest.activationEvents.includes('onLanguage:yaml'));
    assert.ok(manifest.activationEvents.includes('onLanguage:json'));
  });
});
