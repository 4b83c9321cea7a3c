import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hover } from 'vscode-languageserver-types';
import { FileModel } from '../../server/src/service/model/fileModel';
import { extractFileFacts } from '../../server/src/service/workspace/extract';
import { completeReferenceNames, definition, documentLinks, hoverReference, prepareRename } from '../../server/src/service/workspace/navigation';
import { resetWorkCounts } from '../../server/src/service/workCounts';
import { EditingSession, type Disk } from '../editingHarness';
import { referenceCodes, referenceMessages, workspace } from '../workspaceHelpers';
import { withCursor } from '../helpers';

const ks = (name: string, path: string, source = '  sourceRef:\n    kind: GitRepository\n    name: flux-system\n') =>
  `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: ${name}\n  namespace: flux-system\nspec:\n  interval: 10m\n  prune: true\n  path: ${path}\n${source}`;
const git = (name: string, url: string) => `apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: ${name}\n  namespace: flux-system\nspec:\n  interval: 1m\n  url: ${url}\n  ref:\n    branch: main\n`;
const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: b\n`;
const uri = (relative: string) => `file:///ws/${relative}`;
const hoverText = (h: Hover | null) => (h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '');
const PATH_LINE = 8;
const pathCodes = (index: ReturnType<typeof workspace>, relative: string) => referenceCodes(index, relative).filter((c) => c.startsWith('kustomization-path-missing'));

/** A repository whose scan listed every directory (as the server's does). */
function repository(files: Record<string, string>, directories: string[] = []): ReturnType<typeof workspace> {
  const index = workspace(files);
  index.addDirectories(directories.map((d) => `/ws/${d}`), [], true);
  return index;
}

const FILES = {
  'clusters/prod/sync.yaml': git('flux-system', 'ssh://git@github.com/example/fleet') + '---\n' + ks('flux-system', './clusters/prod'),
  'clusters/prod/apps.yaml': ks('apps', './apps/prod/'),
  'apps/prod/kustomization.yaml': 'resources:\n  - ../base\n',
  'apps/base/kustomization.yaml': 'resources:\n  - config.yaml\n',
  'apps/base/config.yaml': cm('config'),
  'infra/controllers/ingress.yaml': cm('ingress'),
  'infra/configs/kustomization.yaml': 'resources:\n  - issuer.yaml\n',
  'infra/configs/issuer.yaml': cm('issuer'),
};

describe('a Flux Kustomization spec.path against the repository', () => {
  test('a folder that exists, written with ./ and a trailing slash, or without either, is fine', () => {
    for (const path of ['./apps/prod/', 'apps/prod', '/apps/prod', './apps/../apps/prod']) {
      const index = repository({ ...FILES, 'clusters/prod/apps.yaml': ks('apps', path) });
      assert.deepEqual(referenceCodes(index, 'clusters/prod/apps.yaml'), [], path);
    }
  });

  test('a folder that does not exist is an error on the path', () => {
    const index = repository({ ...FILES, 'clusters/prod/apps.yaml': ks('apps', './apps/production') });
    assert.deepEqual(referenceCodes(index, 'clusters/prod/apps.yaml'), [`kustomization-path-missing@${PATH_LINE}:8`]);
    assert.match(referenceMessages(index, 'clusters/prod/apps.yaml')[0]!, /no folder `apps\/production` in this repository: Flux fails with "kustomization path not found"/);
  });

  test('a folder with no YAML file in it, that the scan listed, exists', () => {
    const index = repository({ ...FILES, 'clusters/prod/apps.yaml': ks('apps', './docs') }, ['docs']);
    assert.deepEqual(referenceCodes(index, 'clusters/prod/apps.yaml'), []);
  });

  test('no judgement when the source is another repository, an OCI artifact, or when the directories are not all known', () => {
    const other = repository({ ...FILES, 'clusters/prod/apps.yaml': git('app-repo', 'https://github.com/example/app') + '---\n' + ks('apps', './deploy', '  sourceRef:\n    kind: GitRepository\n    name: app-repo\n') });
    assert.deepEqual(pathCodes(other, 'clusters/prod/apps.yaml'), []);
    assert.match(hoverText(hoverReference(other, uri('clusters/prod/apps.yaml'), { line: 11 + PATH_LINE, character: 10 })), /GitRepository `app-repo`, which is not this repository/);
    const oci = repository({ ...FILES, 'clusters/prod/apps.yaml': ks('apps', './nowhere', '  sourceRef:\n    kind: OCIRepository\n    name: manifests\n') });
    assert.deepEqual(pathCodes(oci, 'clusters/prod/apps.yaml'), []);
    const unlisted = workspace({ ...FILES, 'clusters/prod/apps.yaml': ks('apps', './apps/production') });
    assert.deepEqual(pathCodes(unlisted, 'clusters/prod/apps.yaml'), [], 'without the list of directories a folder cannot be told missing');
  });

  test('a source that is not in the workspace: the workspace folder, when there is only one', () => {
    const files = { 'apps.yaml': ks('apps', './apps/nope'), 'apps/x/a.yaml': cm('a') };
    assert.deepEqual(pathCodes(repository(files), 'apps.yaml'), [`kustomization-path-missing@${PATH_LINE}:8`]);
    const twoFolders = workspace(files, ['/ws', '/other']);
    twoFolders.addDirectories([], [], true);
    assert.deepEqual(pathCodes(twoFolders, 'apps.yaml'), []);
  });

  test('hover and go to definition open the kustomization.yaml of the folder', () => {
    const index = repository(FILES);
    const at = { line: PATH_LINE, character: 12 };
    assert.deepEqual(definition(index, uri('clusters/prod/apps.yaml'), at).map((l) => l.uri), [uri('apps/prod/kustomization.yaml')]);
    assert.match(hoverText(hoverReference(index, uri('clusters/prod/apps.yaml'), at, { folders: ['/ws'] })), /\*\*Folder\*\* `apps\/prod`[\s\S]*Flux builds \[apps\/prod\/kustomization.yaml\]/);
    assert.deepEqual(documentLinks(index, uri('clusters/prod/apps.yaml')).map((l) => `${l.range.start.line}:${l.target}`).sort(), [`11:${uri('clusters/prod/sync.yaml')}#L4`, `${PATH_LINE}:${uri('apps/prod/kustomization.yaml')}`]);
    assert.equal(prepareRename(index, uri('clusters/prod/apps.yaml'), at), null, 'a folder is not renamed from here');
  });

  test('without a kustomization.yaml: what Flux would generate, a folder with its own as one entry', () => {
    const index = repository({ ...FILES, 'clusters/prod/infra.yaml': ks('infra', './infra') });
    const at = { line: PATH_LINE, character: 10 };
    const text = hoverText(hoverReference(index, uri('clusters/prod/infra.yaml'), at, { folders: ['/ws'] }));
    assert.match(text, /No kustomization.yaml: Flux generates one/);
    assert.match(text, /\[infra\/configs\/kustomization.yaml\]/);
    assert.match(text, /\[infra\/controllers\/ingress.yaml\]/);
    assert.doesNotMatch(text, /issuer/, 'the inner kustomization decides what its folder holds');
    assert.deepEqual(definition(index, uri('clusters/prod/infra.yaml'), at).map((l) => l.uri), [uri('infra/configs/kustomization.yaml'), uri('infra/controllers/ingress.yaml')]);
  });

  test('completion offers the folders below what is typed', () => {
    const index = repository(FILES, ['apps/empty', '.github']);
    const complete = (marked: string) => {
      const { text, position } = withCursor(marked);
      const model = FileModel.fromText(text);
      index.setFile(uri('clusters/prod/new.yaml'), extractFileFacts(uri('clusters/prod/new.yaml'), '/ws/clusters/prod/new.yaml', model), '/ws/clusters/prod/new.yaml');
      return completeReferenceNames(index, uri('clusters/prod/new.yaml'), model, position).map((i) => (i.textEdit && 'newText' in i.textEdit ? i.textEdit.newText : i.label)).sort();
    };
    assert.deepEqual(complete(ks('new', './|')), ['./apps', './clusters', './infra']);
    assert.deepEqual(complete(ks('new', './apps/|')), ['./apps/base', './apps/empty', './apps/prod']);
    assert.deepEqual(complete(ks('new', 'infra/c|')), ['infra/configs', 'infra/controllers']);
  });
});

describe('spec.path costs: a keystroke in a HelmRelease walks no kustomize tree', () => {
  const release = (i: number) => `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: app-${i}\nspec:\n  interval: 5m\n  chart:\n    spec:\n      chart: app\n      sourceRef:\n        kind: HelmRepository\n        name: charts\n        namespace: flux-system\n  values:\n    replicas: 1\n`;
  const KS = uri('clusters/apps.yaml');
  const APP = uri('apps/app-7/release.yaml');

  test('typing in values keeps the map; editing spec.path works it out again, once, and reports a missing folder', () => {
    const disk: Disk = new Map([[KS, ks('apps', './apps', '  sourceRef:\n    kind: GitRepository\n    name: fleet\n  targetNamespace: apps\n')]]);
    for (let i = 0; i < 200; i++) disk.set(uri(`apps/app-${i}/release.yaml`), release(i));
    disk.set(uri('infra/charts.yaml'), 'apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: charts\n  namespace: flux-system\nspec:\n  interval: 1h\n  url: https://charts.example.com\n');
    const session = new EditingSession(disk, '/ws');
    session.index.addDirectories([], [], true);
    session.open(APP, disk.get(APP)!);
    session.open(KS, disk.get(KS)!);
    assert.deepEqual(session.diagnostics(APP).map((d) => d.code), []);
    assert.deepEqual(session.diagnostics(KS).map((d) => d.code), ['missing-reference'], 'GitRepository fleet is not in the workspace: the folder is taken to be this repository');
    assert.equal(session.index.namespaceOfFile(APP), 'apps', 'targetNamespace');
    resetWorkCounts();
    const line = release(7).split('\n').indexOf('    replicas: 1');
    for (let i = 0; i < 5; i++) {
      session.change(APP, [{ range: { start: { line, character: 14 }, end: { line, character: 15 } }, text: String(i + 2) }]);
      session.diagnostics(APP);
      session.diagnostics(KS);
    }
    const typing = resetWorkCounts();
    assert.equal(typing.applyingMapsBuilt, 0, 'typing in a HelmRelease walks no tree');
    assert.equal(typing.crossFileChecks, 5, 'and checks the edited document only');
    session.change(KS, [{ range: { start: { line: PATH_LINE, character: 14 }, end: { line: PATH_LINE, character: 14 } }, text: '-old' }]);
    assert.deepEqual(session.diagnostics(KS).map((d) => `${String(d.code)}@${d.range.start.line}`), [`kustomization-path-missing@${PATH_LINE}`, 'missing-reference@11']);
    assert.deepEqual(session.index.applyingKustomizations(APP), [], 'the Kustomization applies other files now');
    assert.equal(session.index.namespaceOfFile(APP), undefined);
    assert.equal(resetWorkCounts().applyingMapsBuilt, 1, 'a new spec.path: worked out again once');
  });
});
