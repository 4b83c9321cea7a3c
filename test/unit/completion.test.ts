import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { complete, inserted, labels, yaml } from '../helpers';

const header = ['apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', '  name: podinfo'];

describe('completion of keys', () => {
  test('offers the spec fields that are not present yet, required ones first', () => {
    const items = complete(yaml(...header, 'spec:', '  interval: 5m', '  |', '  values: {}'));
    const names = labels(items);
    assert.ok(names.includes('install') && names.includes('chart') && names.includes('driftDetection'));
    assert.ok(!names.includes('interval'), 'interval is present');
    assert.ok(!names.includes('values'), 'values is present below the cursor');
    const chart = items.find((i) => i.label === 'chart')!;
    assert.equal(chart.insertTextFormat, 2);
  });

  test('completes inside nested objects from the indentation, even when the YAML is incomplete', () => {
    const names = labels(complete(yaml(...header, 'spec:', '  install:', '    remediation:', '      re|')));
    assert.deepEqual(names.sort(), ['ignoreTestFailures', 'remediateLastFailure', 'retries'].sort());
  });

  test('replaces the word being typed', () => {
    const item = complete(yaml(...header, 'spec:', '  inst|'))!.find((i) => i.label === 'install')!;
    const edit = item.textEdit as { range: { start: { line: number; character: number }; end: { character: number } } };
    assert.deepEqual([edit.range.start.line, edit.range.start.character, edit.range.end.character], [5, 2, 6]);
  });

  test('object fields insert a block with their required fields filled in', () => {
    const sourceRef = complete(yaml(...header, 'spec:', '  chart:', '    spec:', '      |')).find((i) => i.label === 'sourceRef');
    assert.equal(inserted(sourceRef), 'sourceRef:\n  kind: ${1|HelmRepository,GitRepository,Bucket|}\n  name: $2');
  });

  test('enum and boolean scalars insert a choice, defaults first', () => {
    const items = complete(yaml(...header, 'spec:', '  chart:', '    spec:', '      |'));
    assert.equal(inserted(items.find((i) => i.label === 'reconcileStrategy')), 'reconcileStrategy: ${1|ChartVersion,Revision|}');
    const install = complete(yaml(...header, 'spec:', '  install:', '    |'));
    assert.equal(inserted(install.find((i) => i.label === 'createNamespace')), 'createNamespace: ${1|true,false|}');
  });

  test('lists of objects start their first item', () => {
    const valuesFrom = complete(yaml(...header, 'spec:', '  |')).find((i) => i.label === 'valuesFrom');
    assert.equal(inserted(valuesFrom), 'valuesFrom:\n  - kind: ${1|Secret,ConfigMap|}\n    name: $2');
  });

  test('inside a list item, offers the item fields not present in that item only', () => {
    const text = yaml(...header, 'spec:', '  valuesFrom:', '    - kind: ConfigMap', '      name: a', '      |', '    - kind: Secret', '      name: b', '      optional: true');
    const names = labels(complete(text));
    assert.ok(names.includes('optional'), 'optional is in the other item only');
    assert.ok(names.includes('valuesKey'));
    assert.ok(!names.includes('kind') && !names.includes('name'));
  });

  test('a new list item offers the item fields', () => {
    const names = labels(complete(yaml(...header, 'spec:', '  dependsOn:', '    - |')));
    assert.ok(names.includes('name') && names.includes('namespace'));
  });

  test('lists written without indentation under their key work too', () => {
    const names = labels(complete(yaml(...header, 'spec:', '  dependsOn:', '  - name: db', '    |')));
    assert.ok(names.includes('namespace') && !names.includes('name'));
  });

  test('nothing is offered inside free-form values or unknown fields', () => {
    assert.deepEqual(complete(yaml(...header, 'spec:', '  values:', '    |')), []);
    assert.deepEqual(complete(yaml(...header, 'spec:', '  nonsense:', '    |')), []);
  });

  test('nothing is offered in documents of other kinds', () => {
    assert.deepEqual(complete(yaml('apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: x', '|')), []);
  });

  test('top-level keys of a Flux object leave out apiVersion, kind and status', () => {
    const names = labels(complete(yaml(...header, '|')));
    assert.deepEqual(names.sort(), ['spec']);
  });

  test('nothing is offered inside a block scalar continuation', () => {
    assert.deepEqual(complete(yaml(...header, 'spec:', '  interval: 5m', '    |')), []);
  });
});

describe('completion of values', () => {
  test('enum values', () => {
    const items = complete(yaml(...header, 'spec:', '  driftDetection:', '    mode: |'));
    assert.deepEqual(labels(items), ['enabled', 'warn', 'disabled']);
  });

  test('booleans', () => {
    assert.deepEqual(labels(complete(yaml(...header, 'spec:', '  suspend: |'))), ['true', 'false']);
  });

  test('apiVersion and kind of the Flux kinds at the top level of a new document', () => {
    const kinds = labels(complete('kind: |\n'));
    assert.ok(kinds.includes('HelmRelease') && kinds.includes('OCIRepository') && kinds.includes('ExternalArtifact'));
    const versions = labels(complete('apiVersion: |\n'));
    assert.deepEqual(versions.sort(), [
      'helm.toolkit.fluxcd.io/v2',
      'image.toolkit.fluxcd.io/v1',
      'kustomize.toolkit.fluxcd.io/v1',
      'notification.toolkit.fluxcd.io/v1',
      'notification.toolkit.fluxcd.io/v1beta3',
      'source.extensions.fluxcd.io/v1beta1',
      'source.toolkit.fluxcd.io/v1',
    ]);
    for (const kind of ['Alert', 'Provider', 'Receiver', 'ImageRepository', 'ImagePolicy', 'ImageUpdateAutomation']) assert.ok(kinds.includes(kind), kind);
  });
});

describe('starting a document', () => {
  test('an empty document offers a whole HelmRelease and apiVersion/kind pairs', () => {
    const items = complete('|');
    assert.equal(items[0]!.label, 'HelmRelease (complete)');
    assert.match(inserted(items[0]), /^apiVersion: helm.toolkit.fluxcd.io\/v2\nkind: HelmRelease\n/);
    const repo = items.find((i) => i.label === 'HelmRepository');
    assert.match(inserted(repo), /^apiVersion: source.toolkit.fluxcd.io\/v1\nkind: HelmRepository\n/);
  });

  test('a new document after --- in a file of other objects gets the same', () => {
    const items = complete(yaml('apiVersion: v1', 'kind: Namespace', 'metadata:', '  name: apps', '---', '|'));
    assert.equal(items[0]!.label, 'HelmRelease (complete)');
    const edit = items[0]!.textEdit as { range: { start: { line: number } } };
    assert.equal(edit.range.start.line, 5);
  });
});
