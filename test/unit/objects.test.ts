import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { FileModel } from '../../server/src/service/model/fileModel';
import { manifestObjects } from '../../server/src/service/features/objects';
import { resetWorkCounts, workCounts } from '../../server/src/service/workCounts';

const release = (name: string, namespace = 'apps') =>
  ['apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', `  name: ${name}`, `  namespace: ${namespace}`, 'spec:', '  interval: 5m', ''].join('\n');

describe('the Kubernetes objects of a file, for the cluster CodeLens', () => {
  test('block style: each object with its name, namespace and the line of its first key', () => {
    const text = ['# podinfo', '---', release('podinfo'), '---', 'apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: podinfo-values', 'data: {}', ''].join('\n');
    assert.deepEqual(manifestObjects(FileModel.fromText(text)), [
      { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name: 'podinfo', namespace: 'apps', line: 2 },
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'podinfo-values', line: 11 },
    ]);
  });

  test('metadata indented by four spaces, keys in any order, quoted values and comments', () => {
    const text = [
      'kind: HelmRelease # the release',
      'metadata:',
      '    namespace: "grade-api"',
      "    name: 'grade-api'",
      'apiVersion: helm.toolkit.fluxcd.io/v2',
      'spec:',
      '    interval: 5m',
      '',
    ].join('\n');
    assert.deepEqual(manifestObjects(FileModel.fromText(text)), [{ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name: 'grade-api', namespace: 'grade-api', line: 0 }]);
  });

  test('flow style, on one line and over several, after a comment', () => {
    const text = [
      '# sources',
      '{apiVersion: source.toolkit.fluxcd.io/v1, kind: HelmRepository, metadata: {name: bitnami, namespace: flux-system}, spec: {url: "https://charts.example.com"}}',
      '---',
      '{',
      '  "apiVersion": "source.toolkit.fluxcd.io/v1",',
      '  "kind": "OCIRepository",',
      '  "metadata": { "name": "podinfo" }',
      '}',
      '',
    ].join('\n');
    assert.deepEqual(manifestObjects(FileModel.fromText(text)), [
      { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository', name: 'bitnami', namespace: 'flux-system', line: 1 },
      { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'OCIRepository', name: 'podinfo', line: 3 },
    ]);
  });

  test('a name that is missing or a ${VAR} leaves the object out; a ${VAR} namespace is not given', () => {
    const text = [
      release('${APP_NAME}'),
      '---',
      ['apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', '  labels: {}', 'spec: {}', ''].join('\n'),
      '---',
      release('podinfo', '${TENANT}'),
      '---',
      'just: a values file',
      '',
    ].join('\n');
    assert.deepEqual(manifestObjects(FileModel.fromText(text)), [{ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name: 'podinfo', line: 16 }]);
  });

  test('CRLF and lone CR line breaks count lines as the editor does', () => {
    const lines = ['apiVersion: v1', 'kind: Namespace', 'metadata:', '  name: apps', '---', release('podinfo').trimEnd()];
    for (const eol of ['\r\n', '\r']) {
      const text = lines.join('\n').replace(/\n/g, eol);
      assert.deepEqual(
        manifestObjects(FileModel.fromText(text)).map((o) => [o.name, o.line]),
        [
          ['apps', 0],
          ['podinfo', 5],
        ],
        JSON.stringify(eol),
      );
    }
  });

  test('after an edit, the lines follow and only the edited document is read again', () => {
    const text = Array.from({ length: 50 }, (_, i) => release(`app-${i}`)).join('---\n');
    let doc = TextDocument.create('file:///apps.yaml', 'yaml', 1, text);
    const model = FileModel.fromText(text);
    manifestObjects(model);
    // A comment line above the first object's first key, and a renamed tenth object.
    const renamed = text.split('\n').indexOf('  name: app-9');
    const edits = [
      { range: { start: { line: renamed, character: 8 }, end: { line: renamed, character: 13 } }, text: 'renamed-9' },
      { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# apps\n' },
    ];
    doc = TextDocument.update(doc, edits, 2);
    model.applyEdits(edits, doc);
    resetWorkCounts();
    const objects = manifestObjects(model);
    assert.ok(workCounts.documentsParsed <= 3, `documents parsed after the edit: ${workCounts.documentsParsed}`);
    assert.deepEqual(objects, manifestObjects(FileModel.fromText(doc.getText())));
    assert.deepEqual(objects.slice(0, 2).map((o) => [o.name, o.line]), [
      ['app-0', 1],
      ['app-1', 9],
    ]);
    assert.equal(objects[9]!.name, 'renamed-9');
  });
});
