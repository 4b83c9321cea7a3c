/**
 * Coexistence with Red Hat's YAML extension, at the level of its API: the extension cannot be
 * installed in the real-VS-Code suite here (no network), so its exports are stood in for by an
 * object that behaves like redhat.vscode-yaml's schema contributor API (`registerContributor`,
 * and the two requests its language server sends for a file: which schema, and that schema's
 * content). This is the one place the tests use a stand-in.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { contributeToRedHatYaml, FLUX_SCHEMA_URI, hasFluxDocument } from '../../client/src/yamlCoexistence';

interface Contributor {
  requestSchema: (resource: string) => string | undefined;
  requestSchemaContent: (uri: string) => string | undefined;
}

/** Shaped like the exports of redhat.vscode-yaml (its SchemaExtensionAPI). */
class YamlExtensionExports {
  readonly contributors = new Map<string, Contributor>();

  registerContributor(schema: string, requestSchema: Contributor['requestSchema'], requestSchemaContent: Contributor['requestSchemaContent']): boolean {
    if (this.contributors.has(schema)) return false;
    this.contributors.set(schema, { requestSchema, requestSchemaContent });
    return true;
  }

  /** What its server asks before validating a file: the schemas contributors want for it (none: its settings decide). */
  requestCustomSchema(resource: string): string[] {
    return [...this.contributors.values()].map((c) => c.requestSchema(resource)).filter((uri): uri is string => !!uri);
  }

  requestCustomSchemaContent(uri: string): string | undefined {
    return this.contributors.get(uri.split('://')[0]!)?.requestSchemaContent(uri);
  }
}

const files: Record<string, string> = {
  'file:///repo/apps/release.yaml': 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: app\nspec:\n  timeout: ${HELM_TIMEOUT}\n',
  'file:///repo/apps/mixed.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n---\napiVersion: "kustomize.toolkit.fluxcd.io/v1"\nkind: Kustomization\n',
  'file:///repo/apps/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n',
  'file:///repo/apps/alert.json': '{ "apiVersion": "notification.toolkit.fluxcd.io/v1beta3", "kind": "Alert" }',
  'file:///repo/docs/notes.yaml': '# see helm.toolkit.fluxcd.io/v2 in the docs\ntitle: notes\n',
};

describe('Red Hat YAML extension: Flux files need no schema from it', () => {
  test('files with a Flux document get our empty schema; other files are left to its settings', () => {
    const yamlExtension = new YamlExtensionExports();
    assert.equal(contributeToRedHatYaml(yamlExtension, (resource) => files[resource]), true);
    assert.deepEqual(yamlExtension.requestCustomSchema('file:///repo/apps/release.yaml'), [FLUX_SCHEMA_URI]);
    assert.deepEqual(yamlExtension.requestCustomSchema('file:///repo/apps/mixed.yaml'), [FLUX_SCHEMA_URI]);
    assert.deepEqual(yamlExtension.requestCustomSchema('file:///repo/apps/alert.json'), [FLUX_SCHEMA_URI]);
    assert.deepEqual(yamlExtension.requestCustomSchema('file:///repo/apps/deployment.yaml'), [], 'a Deployment keeps its Kubernetes schema');
    assert.deepEqual(yamlExtension.requestCustomSchema('file:///repo/docs/notes.yaml'), [], 'a mention in a comment is not a Flux document');
    assert.deepEqual(yamlExtension.requestCustomSchema('file:///repo/closed.yaml'), [], 'a file whose text is not known');
  });

  test('the schema it gets accepts anything, so it reports nothing on Flux documents', () => {
    const yamlExtension = new YamlExtensionExports();
    contributeToRedHatYaml(yamlExtension, (resource) => files[resource]);
    const schema = JSON.parse(yamlExtension.requestCustomSchemaContent(FLUX_SCHEMA_URI)!) as Record<string, unknown>;
    for (const keyword of ['type', 'properties', 'required', 'additionalProperties', '$ref', 'allOf', 'anyOf', 'oneOf']) assert.equal(schema[keyword], undefined, keyword);
    assert.match(String(schema.description), /Flux HelmRelease extension/);
    assert.equal(yamlExtension.requestCustomSchemaContent('kubernetes://schema/v1@deployment'), undefined);
  });

  test('exports without the contributor API (an old version) are left alone', () => {
    assert.equal(contributeToRedHatYaml(undefined, () => ''), false);
    assert.equal(contributeToRedHatYaml({ version: '0.1' }, () => ''), false);
  });

  test('the Flux groups are recognised whatever the quoting', () => {
    assert.ok(hasFluxDocument("apiVersion: 'source.toolkit.fluxcd.io/v1'\n"));
    assert.ok(hasFluxDocument('  apiVersion: image.toolkit.fluxcd.io/v1\n'));
    assert.ok(!hasFluxDocument('apiVersion: kustomize.config.k8s.io/v1beta1\n'));
  });
});
