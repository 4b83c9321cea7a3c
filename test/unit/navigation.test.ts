import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompletionItem, Location, Position, Range, TextDocumentEdit, WorkspaceEdit } from 'vscode-languageserver-types';
import { FileModel } from '../../server/src/service/model/fileModel';
import { extractFileFacts } from '../../server/src/service/workspace/extract';
import { WorkspaceIndex } from '../../server/src/service/workspace/workspaceIndex';
import { completeReferenceNames, definition, documentLinks, hoverReference, invalidNameReason, prepareRename, references, rename } from '../../server/src/service/workspace/navigation';
import { withCursor } from '../helpers';

const lines = (...l: string[]) => l.join('\n') + '\n';

const FILES: Record<string, string> = {
  '/ws/infrastructure/sources.yaml': lines(
    'apiVersion: source.toolkit.fluxcd.io/v1',
    'kind: HelmRepository',
    'metadata:',
    '  name: podinfo',
    '  namespace: flux-system',
    'spec:',
    '  interval: 1h',
    '  url: https://stefanprodan.github.io/podinfo',
    '  secretRef:',
    '    name: repo-auth',
    '---',
    'apiVersion: source.toolkit.fluxcd.io/v1',
    'kind: GitRepository',
    'metadata:',
    '  name: platform',
    '  namespace: flux-system',
    'spec:',
    '  interval: 5m',
    '  url: https://github.com/example/platform',
    '  ref:',
    '    branch: main',
    '---',
    'apiVersion: source.toolkit.fluxcd.io/v1',
    'kind: HelmRepository',
    'metadata:',
    '  name: bitnami',
    '  namespace: other',
    'spec:',
    '  url: https://charts.bitnami.com/bitnami',
    '---',
    'apiVersion: source.toolkit.fluxcd.io/v1',
    'kind: OCIRepository',
    'metadata:',
    '  name: podinfo-oci',
    '  namespace: flux-system',
    'spec:',
    '  url: oci://ghcr.io/stefanprodan/charts/podinfo',
  ),
  '/ws/infrastructure/secret.yaml': lines(
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    '  name: repo-auth',
    '  namespace: flux-system',
    'stringData:',
    '  username: flux',
    '  password: hunter2',
  ),
  '/ws/infrastructure/sops-secret.yaml': lines(
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    '  name: sops-auth',
    '  namespace: flux-system',
    'data:',
    '  token: ENC[AES256_GCM,data:abc,type:str]',
    'sops:',
    '  version: 3.9.0',
  ),
  '/ws/apps/podinfo/kustomization.yaml': lines(
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'namespace: apps',
    'resources:',
    '  - release.yaml',
    '  - values.yaml',
    'configMapGenerator:',
    '  - name: podinfo-extra',
    '    literals:',
    '      - replicaCount=2',
  ),
  '/ws/apps/podinfo/release.yaml': lines(
    'apiVersion: helm.toolkit.fluxcd.io/v2',
    'kind: HelmRelease',
    'metadata:',
    '  name: podinfo',
    'spec:',
    '  interval: 10m',
    '  chart:',
    '    spec:',
    '      chart: podinfo',
    "      version: '6.x'",
    '      sourceRef:',
    '        kind: HelmRepository',
    '        name: podinfo',
    '        namespace: flux-system',
    '  dependsOn:',
    '    - name: redis',
    '  valuesFrom:',
    '    - kind: ConfigMap',
    '      name: podinfo-values',
    '    - kind: ConfigMap',
    '      name: podinfo-extra',
    '    - kind: Secret',
    '      name: podinfo-secret-values',
  ),
  '/ws/apps/podinfo/values.yaml': lines(
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: podinfo-values',
    'data:',
    '  values.yaml: |',
    '    replicaCount: 2',
  ),
  '/ws/apps/redis/release.yaml': lines(
    'apiVersion: helm.toolkit.fluxcd.io/v2',
    'kind: HelmRelease',
    'metadata:',
    '  name: redis',
    '  namespace: apps',
    'spec:',
    '  interval: 10m',
    '  chart:',
    '    spec:',
    '      chart: redis',
    '      sourceRef: {kind: HelmRepository, name: podinfo, namespace: flux-system}',
  ),
  // A release of the same name in another namespace: not the one `dependsOn: [redis]` means.
  '/ws/other/redis.yaml': lines(
    'apiVersion: helm.toolkit.fluxcd.io/v2',
    'kind: HelmRelease',
    'metadata:',
    '  name: redis',
    '  namespace: other',
    'spec:',
    '  interval: 10m',
    '  chart:',
    '    spec:',
    '      chart: redis',
    '      sourceRef: {kind: HelmRepository, name: bitnami}',
  ),
  // In no kustomization and without a namespace: its namespace is unknown, so it matches any.
  '/ws/shared/values.yaml': lines('apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: shared-values', 'data:', '  values.yaml: "a: 1"'),
};

const uriOf = (filePath: string) => `file://${filePath}`;
const SOURCES = uriOf('/ws/infrastructure/sources.yaml');
const SECRET = uriOf('/ws/infrastructure/secret.yaml');
const SOPS = uriOf('/ws/infrastructure/sops-secret.yaml');
const KUSTOMIZATION = uriOf('/ws/apps/podinfo/kustomization.yaml');
const RELEASE = uriOf('/ws/apps/podinfo/release.yaml');
const VALUES = uriOf('/ws/apps/podinfo/values.yaml');
const REDIS = uriOf('/ws/apps/redis/release.yaml');
const OTHER_REDIS = uriOf('/ws/other/redis.yaml');
const OPTIONS = { folders: ['/ws'] };

function buildIndex(files: Record<string, string> = FILES): WorkspaceIndex {
  const index = new WorkspaceIndex();
  index.setFolders(['/ws']);
  for (const [filePath, text] of Object.entries(files)) index.setFile(uriOf(filePath), extractFileFacts(uriOf(filePath), filePath, FileModel.fromText(text)), filePath);
  return index;
}

const index = buildIndex();

const range = (line: number, start: number, end: number): Range => ({ start: { line, character: start }, end: { line, character: end } });
const loc = (uri: string, line: number, start: number, end: number): Location => ({ uri, range: range(line, start, end) });
const pos = (line: number, character: number): Position => ({ line, character });

/** Position of the `occurrence`-th `needle` in a fixture file, plus `shift` characters. */
function at(filePath: string, needle: string, occurrence = 0, shift = 1): Position {
  const text = FILES[filePath]!;
  let offset = -1;
  for (let i = 0; i <= occurrence; i++) offset = text.indexOf(needle, offset + 1);
  assert.ok(offset >= 0, `${needle} not found`);
  const before = text.slice(0, offset + shift).split('\n');
  return pos(before.length - 1, before[before.length - 1]!.length);
}

describe('definition', () => {
  test('a sourceRef name leads to the HelmRepository in another file', () => {
    assert.deepEqual(definition(index, RELEASE, pos(12, 16)), [loc(SOURCES, 3, 8, 15)]);
    // Both ends of the name count.
    assert.deepEqual(definition(index, RELEASE, pos(12, 14)), [loc(SOURCES, 3, 8, 15)]);
    assert.deepEqual(definition(index, RELEASE, pos(12, 21)), [loc(SOURCES, 3, 8, 15)]);
  });

  test('in a flow mapping too', () => {
    assert.deepEqual(definition(index, REDIS, pos(10, 48)), [loc(SOURCES, 3, 8, 15)]);
  });

  test('dependsOn leads to the release in the namespace given by the kustomization, not the one in another namespace', () => {
    assert.deepEqual(definition(index, RELEASE, pos(15, 13)), [loc(REDIS, 3, 8, 13)]);
  });

  test('valuesFrom leads to a ConfigMap file and to a configMapGenerator entry', () => {
    assert.deepEqual(definition(index, RELEASE, pos(18, 14)), [loc(VALUES, 3, 8, 22)]);
    assert.deepEqual(definition(index, RELEASE, pos(20, 14)), [loc(KUSTOMIZATION, 7, 10, 23)]);
  });

  test("on an object's own name it answers the object itself (VS Code then shows its references)", () => {
    assert.deepEqual(definition(index, SOURCES, pos(3, 10)), [loc(SOURCES, 3, 8, 15)]);
  });

  test('nothing on a non-reference, on a missing target, or in an unknown file', () => {
    assert.deepEqual(definition(index, RELEASE, at('/ws/apps/podinfo/release.yaml', 'chart: podinfo', 0, 9)), []);
    assert.deepEqual(definition(index, RELEASE, pos(11, 16)), []); // the kind, not the name
    assert.deepEqual(definition(index, RELEASE, pos(22, 14)), []); // podinfo-secret-values is not defined
    assert.deepEqual(definition(index, 'file:///ws/nowhere.yaml', pos(0, 0)), []);
  });
});

describe('references that resolve only partly', () => {
  const files = {
    '/p/repo.yaml': lines('apiVersion: source.toolkit.fluxcd.io/v1', 'kind: HelmRepository', 'metadata:', '  name: charts', '  namespace: b', 'spec:', '  url: https://e.io'),
    '/p/release.yaml': lines('apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', '  name: r', '  namespace: a', 'spec:', '  chart:', '    spec:', '      chart: c', '      sourceRef:', '        kind: HelmRepository', '        name: charts'),
  };
  const p = new WorkspaceIndex();
  for (const [filePath, text] of Object.entries(files)) p.setFile(uriOf(filePath), extractFileFacts(uriOf(filePath), filePath, FileModel.fromText(text)), filePath);
  const RELEASE_P = uriOf('/p/release.yaml');

  test('a target in another namespace is still where definition leads', () => {
    assert.deepEqual(definition(p, RELEASE_P, pos(11, 16)), [loc(uriOf('/p/repo.yaml'), 3, 8, 14)]);
  });

  test('the hover says where it is instead; no link, no rename', () => {
    const hover = hoverReference(p, RELEASE_P, pos(11, 16));
    const text = hover && typeof hover.contents === 'object' && 'value' in hover.contents ? hover.contents.value : '';
    assert.match(text, /Not found in namespace `a`/);
    assert.match(text, /\*\*HelmRepository\*\* `b\/charts`/);
    assert.deepEqual(documentLinks(p, RELEASE_P), []);
    assert.equal(prepareRename(p, RELEASE_P, pos(11, 16)), null);
    const result = rename(p, RELEASE_P, pos(11, 16), 'x');
    assert.ok('error' in result && /another namespace/.test(result.error));
    // Not a reference to the object in b: the object has none.
    assert.deepEqual(references(p, uriOf('/p/repo.yaml'), pos(3, 10), false), []);
  });
});

describe('references', () => {
  // Sorted by file, then position.
  const toPodinfoRepository = [loc(RELEASE, 12, 14, 21), loc(REDIS, 10, 46, 53)];

  test('from a source: every reference in every file', () => {
    assert.deepEqual(references(index, SOURCES, pos(3, 10), false), toPodinfoRepository);
  });

  test('includeDeclaration adds the object itself', () => {
    assert.deepEqual(references(index, SOURCES, pos(3, 10), true), [...toPodinfoRepository, loc(SOURCES, 3, 8, 15)]);
  });

  test('from a reference: the references to the same object', () => {
    assert.deepEqual(references(index, REDIS, pos(10, 48), false), toPodinfoRepository);
    assert.deepEqual(references(index, RELEASE, pos(12, 16), true), [...toPodinfoRepository, loc(SOURCES, 3, 8, 15)]);
  });

  test('a HelmRelease: its dependents, not those of a namesake in another namespace', () => {
    assert.deepEqual(references(index, REDIS, pos(3, 10), true), [loc(RELEASE, 15, 12, 17), loc(REDIS, 3, 8, 13)]);
    assert.deepEqual(references(index, OTHER_REDIS, pos(3, 10), false), []);
  });

  test('a ConfigMap generated by a kustomization, and a Secret', () => {
    assert.deepEqual(references(index, KUSTOMIZATION, pos(7, 12), false), [loc(RELEASE, 20, 12, 25)]);
    assert.deepEqual(references(index, SECRET, pos(3, 10), false), [loc(SOURCES, 9, 10, 19)]);
  });

  test('from a reference to a missing object: just the references to that missing name', () => {
    assert.deepEqual(references(index, RELEASE, pos(22, 14), true), [loc(RELEASE, 22, 12, 33)]);
  });

  test('nothing away from names', () => {
    assert.deepEqual(references(index, SOURCES, pos(7, 10), true), []);
  });
});

function documentEdits(edit: WorkspaceEdit): Record<string, Array<[Range, string]>> {
  const out: Record<string, Array<[Range, string]>> = {};
  for (const [uri, edits] of Object.entries(edit.changes ?? {})) out[uri] = edits.map((e) => [e.range, e.newText]);
  return out;
}

function asEdit(result: WorkspaceEdit | { error: string }): WorkspaceEdit {
  if ('error' in result) assert.fail(`rename failed: ${result.error}`);
  return result;
}

describe('rename', () => {
  test('a HelmRepository from its name: metadata.name and every reference, in every file', () => {
    const edit = asEdit(rename(index, SOURCES, pos(3, 10), 'podinfo-charts'));
    assert.deepEqual(documentEdits(edit), {
      [REDIS]: [[range(10, 46, 53), 'podinfo-charts']],
      [RELEASE]: [[range(12, 14, 21), 'podinfo-charts']],
      [SOURCES]: [[range(3, 8, 15), 'podinfo-charts']],
    });
  });

  test('the same edits from a reference, with an annotation that asks for confirmation', () => {
    const edit = asEdit(rename(index, REDIS, pos(10, 48), 'podinfo-charts'));
    assert.deepEqual(documentEdits(edit), documentEdits(asEdit(rename(index, SOURCES, pos(3, 10), 'podinfo-charts'))));
    const changes = edit.documentChanges as TextDocumentEdit[];
    assert.deepEqual(changes.map((c) => c.textDocument.uri), [RELEASE, REDIS, SOURCES]);
    for (const change of changes) for (const e of change.edits) assert.equal('annotationId' in e ? e.annotationId : undefined, 'flux-rename');
    const annotation = edit.changeAnnotations?.['flux-rename'];
    assert.equal(annotation?.needsConfirmation, true);
    assert.match(annotation?.label ?? '', /Rename HelmRepository podinfo to podinfo-charts/);
  });

  test('a HelmRelease from dependsOn leaves its namesake in another namespace alone', () => {
    const edit = asEdit(rename(index, RELEASE, pos(15, 13), 'cache'));
    assert.deepEqual(documentEdits(edit), { [REDIS]: [[range(3, 8, 13), 'cache']], [RELEASE]: [[range(15, 12, 17), 'cache']] });
    assert.match(edit.changeAnnotations?.['flux-rename']?.description ?? '', /uninstalled/);
  });

  test('a configMapGenerator entry is renamed in the kustomization', () => {
    const edit = asEdit(rename(index, RELEASE, pos(20, 14), 'podinfo-more'));
    assert.deepEqual(documentEdits(edit), { [KUSTOMIZATION]: [[range(7, 10, 23), 'podinfo-more']], [RELEASE]: [[range(20, 12, 25), 'podinfo-more']] });
  });

  test('quoted names keep their quotes; names YAML would read as numbers or booleans get quotes', () => {
    const files = {
      '/q/repo.yaml': lines('apiVersion: source.toolkit.fluxcd.io/v1', 'kind: HelmRepository', 'metadata:', '  name: "charts"', '  namespace: x', 'spec:', '  url: https://e.io'),
      '/q/release.yaml': lines('apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata: {name: r, namespace: x}', 'spec:', '  chart:', '    spec:', '      chart: c', "      sourceRef: {kind: HelmRepository, name: 'charts'}"),
    };
    const q = new WorkspaceIndex();
    for (const [p, t] of Object.entries(files)) q.setFile(uriOf(p), extractFileFacts(uriOf(p), p, FileModel.fromText(t)), p);
    assert.deepEqual(prepareRename(q, uriOf('/q/repo.yaml'), pos(3, 10)), { range: range(3, 9, 15), placeholder: 'charts' });
    assert.deepEqual(documentEdits(asEdit(rename(q, uriOf('/q/repo.yaml'), pos(3, 10), 'charts2'))), {
      [uriOf('/q/release.yaml')]: [[range(7, 47, 53), 'charts2']],
      [uriOf('/q/repo.yaml')]: [[range(3, 9, 15), 'charts2']],
    });
    assert.deepEqual(documentEdits(asEdit(rename(index, REDIS, pos(3, 10), '123'))), { [REDIS]: [[range(3, 8, 13), '"123"']], [RELEASE]: [[range(15, 12, 17), '"123"']] });
    assert.deepEqual(documentEdits(asEdit(rename(index, REDIS, pos(3, 10), 'on')))[REDIS], [[range(3, 8, 13), '"on"']]);
  });

  test('invalid Kubernetes names are rejected with a reason', () => {
    for (const bad of ['Podinfo', '-podinfo', 'podinfo-', 'pod_info', 'pod info', '', 'a'.repeat(254), 'a..b']) {
      const result = rename(index, SOURCES, pos(3, 10), bad);
      assert.ok('error' in result, `${bad} should be rejected`);
      assert.equal(result.error, invalidNameReason(bad));
    }
    assert.equal(invalidNameReason('a'.repeat(253)), undefined);
    assert.equal(invalidNameReason('podinfo.v2'), undefined);
  });

  test('refused when an object of the same kind and namespace already has the new name', () => {
    const result = rename(index, VALUES, pos(3, 10), 'podinfo-extra');
    assert.ok('error' in result && /ConfigMap `podinfo-extra` already exists in namespace `apps`/.test(result.error));
    // Another kind, or another namespace, is no conflict.
    assert.ok(!('error' in rename(index, SOURCES, pos(3, 10), 'platform')));
    assert.ok(!('error' in rename(index, SOURCES, pos(3, 10), 'bitnami')));
  });

  test('renaming to the same name changes nothing', () => {
    assert.deepEqual(rename(index, SOURCES, pos(3, 10), 'podinfo'), { changes: {} });
  });

  test('refused away from names, on a missing target, and on a SOPS-encrypted Secret', () => {
    assert.ok('error' in rename(index, SOURCES, pos(7, 10), 'x'));
    const missing = rename(index, RELEASE, pos(22, 14), 'x');
    assert.ok('error' in missing && /not defined in this workspace/.test(missing.error));
    const sops = rename(index, SOPS, pos(3, 10), 'x');
    assert.ok('error' in sops && /SOPS/.test(sops.error));
  });

  test('prepareRename gives the name range and text, or null', () => {
    assert.deepEqual(prepareRename(index, RELEASE, pos(12, 16)), { range: range(12, 14, 21), placeholder: 'podinfo' });
    assert.deepEqual(prepareRename(index, SOURCES, pos(3, 8)), { range: range(3, 8, 15), placeholder: 'podinfo' });
    assert.equal(prepareRename(index, RELEASE, pos(8, 14)), null);
    assert.equal(prepareRename(index, RELEASE, pos(22, 14)), null);
    assert.equal(prepareRename(index, SOPS, pos(3, 10)), null);
  });
});

/** Completion in `marked` (with a `|` cursor) as the text of the file at `filePath`. */
function completeIn(filePath: string, marked: string, idx = index): CompletionItem[] {
  const { text, position } = withCursor(marked);
  return completeReferenceNames(idx, uriOf(filePath), FileModel.fromText(text), position, OPTIONS);
}
const labelsOf = (items: CompletionItem[]) => items.map((i) => i.label);

const RELEASE_HEAD = ['apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', '  name: podinfo', 'spec:', '  interval: 10m', '  chart:', '    spec:', '      chart: podinfo'];
const sourceRef = (kind: string, namespace: string | undefined, nameLine: string) =>
  lines(...RELEASE_HEAD, '      sourceRef:', `        kind: ${kind}`, `        ${nameLine}`, ...(namespace ? [`        namespace: ${namespace}`] : []));

describe('completion of reference names', () => {
  const RELEASE_PATH = '/ws/apps/podinfo/release.yaml';

  test('sourceRef: sources of the written kind in the written namespace; the value is replaced', () => {
    const items = completeIn(RELEASE_PATH, sourceRef('HelmRepository', 'flux-system', 'name: po|dinfo'));
    assert.deepEqual(labelsOf(items), ['podinfo']);
    const item = items[0]!;
    assert.equal(item.kind, 18);
    assert.equal(item.detail, 'HelmRepository flux-system/podinfo');
    assert.deepEqual(item.textEdit, { range: range(11, 14, 21), newText: 'podinfo' });
    const doc = item.documentation;
    assert.ok(doc && typeof doc === 'object');
    assert.match(doc.value, /^infrastructure\/sources\.yaml, line 4/);
    assert.match(doc.value, /url: `https:\/\/stefanprodan.github.io\/podinfo`/);
  });

  test('the kind and namespace narrow the list', () => {
    assert.deepEqual(labelsOf(completeIn(RELEASE_PATH, sourceRef('GitRepository', 'flux-system', 'name: |'))), ['platform']);
    assert.deepEqual(labelsOf(completeIn(RELEASE_PATH, sourceRef('HelmRepository', 'other', 'name: |'))), ['bitnami']);
    // Without a namespace the reference looks in the release's own (apps, from the kustomization).
    assert.deepEqual(labelsOf(completeIn(RELEASE_PATH, sourceRef('HelmRepository', undefined, 'name: |'))), []);
  });

  test('a kind that is not one the field accepts falls back to all accepted kinds', () => {
    assert.deepEqual(labelsOf(completeIn(RELEASE_PATH, sourceRef('Helm', 'flux-system', 'name: |'))).sort(), ['platform', 'podinfo']);
  });

  test('while the YAML is incomplete, at the end of the file', () => {
    const text = [...RELEASE_HEAD, '      sourceRef:', '        kind: HelmRepository', '        namespace: flux-system', '        name: po|'].join('\n');
    const items = completeIn(RELEASE_PATH, text);
    assert.deepEqual(labelsOf(items), ['podinfo']);
    assert.deepEqual(items[0]!.textEdit, { range: range(12, 14, 16), newText: 'podinfo' });
    const broken = [...RELEASE_HEAD, '      sourceRef:', '        kind: HelmRepository', '        namespace: flux-system', '        name: "po|', '  values: {'].join('\n');
    const quoted = completeIn(RELEASE_PATH, broken);
    assert.deepEqual(labelsOf(quoted), ['podinfo']);
    assert.deepEqual(quoted[0]!.textEdit, { range: range(12, 15, 17), newText: 'podinfo' });
  });

  test('in a flow mapping', () => {
    const text = lines(...RELEASE_HEAD, '      sourceRef: {kind: HelmRepository, name: po|, namespace: flux-system}');
    assert.deepEqual(labelsOf(completeIn(RELEASE_PATH, text)), ['podinfo']);
  });

  test('dependsOn: releases of the same namespace, not the release itself nor namesakes elsewhere', () => {
    const text = lines(...RELEASE_HEAD, '  dependsOn:', '    - name: |');
    const items = completeIn(RELEASE_PATH, text);
    assert.deepEqual(labelsOf(items), ['redis']);
    assert.equal(items[0]!.detail, 'HelmRelease apps/redis');
  });

  test('valuesFrom: ConfigMaps of the namespace (and of unknown namespaces, after them), no Secrets', () => {
    const text = lines(...RELEASE_HEAD, '  valuesFrom:', '    - kind: ConfigMap', '      name: |');
    const items = completeIn(RELEASE_PATH, text);
    assert.deepEqual(labelsOf(items), ['podinfo-extra', 'podinfo-values', 'shared-values']);
    assert.equal(items[2]!.detail, 'ConfigMap shared-values');
    const item = items.find((i) => i.label === 'podinfo-extra')!;
    assert.match(JSON.stringify(item.documentation), /apps\/podinfo\/kustomization\.yaml, line 8/);
    // The Secret of flux-system is not in the release's namespace.
    assert.deepEqual(labelsOf(completeIn(RELEASE_PATH, lines(...RELEASE_HEAD, '  valuesFrom:', '    - kind: Secret', '      name: |'))), []);
  });

  test('secretRef of a source: Secret names only, never their data', () => {
    const text = lines('apiVersion: source.toolkit.fluxcd.io/v1', 'kind: HelmRepository', 'metadata:', '  name: podinfo', '  namespace: flux-system', 'spec:', '  secretRef:', '    name: |');
    const items = completeIn('/ws/infrastructure/sources.yaml', text);
    assert.deepEqual(labelsOf(items), ['repo-auth', 'sops-auth']);
    const all = JSON.stringify(items);
    for (const secret of ['hunter2', 'password', 'username', 'ENC[', 'token']) assert.ok(!all.includes(secret), `${secret} leaked`);
  });

  test('HelmChart sourceRef', () => {
    const text = lines('apiVersion: source.toolkit.fluxcd.io/v1', 'kind: HelmChart', 'metadata:', '  name: c', '  namespace: flux-system', 'spec:', '  chart: podinfo', '  sourceRef:', '    kind: GitRepository', '    name: |');
    assert.deepEqual(labelsOf(completeIn('/ws/infrastructure/chart.yaml', text)), ['platform']);
  });

  test('nothing outside reference names', () => {
    assert.deepEqual(completeIn(RELEASE_PATH, lines(...RELEASE_HEAD.slice(0, -1), '      chart: po|')), []);
    assert.deepEqual(completeIn(RELEASE_PATH, lines('apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', '  name: po|')), []);
    assert.deepEqual(completeIn(RELEASE_PATH, sourceRef('HelmRepository', 'flux-system', 'kind: Helm|')), []);
    assert.deepEqual(completeIn(RELEASE_PATH, lines(...RELEASE_HEAD, '  values:', '    sourceRef:', '      name: |')), []);
    assert.deepEqual(completeIn('/ws/x.yaml', lines('apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: |')), []);
    // Inside a block scalar that only looks like a reference.
    assert.equal(completeIn(RELEASE_PATH, lines(...RELEASE_HEAD, '  kubeConfig:', '    configMapRef:', '      name: |')).length, 3);
    assert.deepEqual(completeIn(RELEASE_PATH, lines(...RELEASE_HEAD, '  kubeConfig:', '    configMapRef: >-', '      name: |')), []);
  });
});

function hoverText(uri: string, position: Position): string | undefined {
  const hover = hoverReference(index, uri, position, OPTIONS);
  if (!hover) return undefined;
  const contents = hover.contents;
  return typeof contents === 'object' && 'value' in contents ? contents.value : undefined;
}

describe('hover on references', () => {
  test('summarises the source: kind, namespace, URL, file and line', () => {
    const text = hoverText(RELEASE, pos(12, 16))!;
    assert.match(text, /\*\*HelmRepository\*\* `flux-system\/podinfo`/);
    assert.match(text, /url: `https:\/\/stefanprodan\.github\.io\/podinfo`/);
    assert.match(text, /interval: `1h`/);
    assert.match(text, /\[infrastructure\/sources\.yaml:4\]\(file:\/\/\/ws\/infrastructure\/sources\.yaml#L4\)/);
    assert.deepEqual(hoverReference(index, RELEASE, pos(12, 16))?.range, range(12, 14, 21));
  });

  test('a generated ConfigMap says where it comes from', () => {
    const text = hoverText(RELEASE, pos(20, 14))!;
    assert.match(text, /\*\*ConfigMap\*\* `apps\/podinfo-extra`/);
    assert.match(text, /From a configMapGenerator, \[apps\/podinfo\/kustomization\.yaml:8\]/);
  });

  test('a Secret shows no keys or data', () => {
    const text = hoverText(SOURCES, pos(9, 12))!;
    assert.match(text, /\*\*Secret\*\* `flux-system\/repo-auth`/);
    assert.match(text, /infrastructure\/secret\.yaml:4/);
    for (const secret of ['hunter2', 'password', 'username']) assert.ok(!text.includes(secret), `${secret} leaked`);
  });

  test('a missing target is said to be not defined in the workspace', () => {
    assert.match(hoverText(RELEASE, pos(22, 14))!, /No Secret `podinfo-secret-values` in namespace `apps` is defined in this workspace/);
  });

  test('no hover away from reference names', () => {
    assert.equal(hoverReference(index, RELEASE, pos(3, 10)), null);
    assert.equal(hoverReference(index, RELEASE, pos(8, 14)), null);
  });
});

describe('document links', () => {
  test('one per reference that resolves to exactly one object, to its file and line', () => {
    assert.deepEqual(documentLinks(index, RELEASE), [
      { range: range(12, 14, 21), target: `${SOURCES}#L4`, tooltip: 'HelmRepository flux-system/podinfo' },
      { range: range(15, 12, 17), target: `${REDIS}#L4`, tooltip: 'HelmRelease apps/redis' },
      { range: range(18, 12, 26), target: `${VALUES}#L4`, tooltip: 'ConfigMap apps/podinfo-values' },
      { range: range(20, 12, 25), target: `${KUSTOMIZATION}#L8`, tooltip: 'ConfigMap apps/podinfo-extra' },
    ]);
    assert.deepEqual(documentLinks(index, SECRET), []);
    assert.deepEqual(documentLinks(index, 'file:///ws/nowhere.yaml'), []);
  });
});
