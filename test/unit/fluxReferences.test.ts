import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hover, Position, WorkspaceEdit } from 'vscode-languageserver-types';
import { FileModel } from '../../server/src/service/model/fileModel';
import { extractFileFacts } from '../../server/src/service/workspace/extract';
import { completeReferenceNames, definition, documentLinks, hoverReference, references, rename } from '../../server/src/service/workspace/navigation';
import { referenceDiagnostics } from '../../server/src/service/workspace/referenceDiagnostics';
import { referenceCodes, referenceMessages, workspace } from '../workspaceHelpers';
import { withCursor } from '../helpers';

const ks = (name: string, spec: string, namespace = 'flux-system') =>
  `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n  interval: 10m\n  prune: true\n${spec}`;
const gitSource = (name: string) => `  sourceRef:\n    kind: GitRepository\n    name: ${name}\n`;
const object = (apiVersion: string, kind: string, name: string, spec = '', namespace = 'flux-system') =>
  `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n  interval: 1m\n${spec}`;
const git = (name: string) => object('source.toolkit.fluxcd.io/v1', 'GitRepository', name, '  url: https://github.com/example/fleet\n  ref:\n    branch: main\n');
const secret = (name: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n  namespace: flux-system\nstringData:\n  token: x\n`;
const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: flux-system\ndata:\n  region: eu\n`;
const release = (name: string, values = '') =>
  `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: ${name}\n  namespace: flux-system\nspec:\n  interval: 5m\n  chart:\n    spec:\n      chart: ${name}\n      sourceRef:\n        kind: HelmRepository\n        name: charts\n${values}`;
const charts = object('source.toolkit.fluxcd.io/v1', 'HelmRepository', 'charts', '  url: https://charts.example.com\n');
const uri = (relative: string) => `file:///ws/${relative}`;
const hoverText = (h: Hover | null) => (h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '');

describe('Flux Kustomization references', () => {
  test('sourceRef, dependsOn, healthChecks, substituteFrom, decryption and kubeConfig resolve, or say what is missing', () => {
    const spec =
      gitSource('fleet') +
      '  path: ./apps\n  dependsOn:\n    - name: infra\n    - name: nowhere\n  healthChecks:\n    - apiVersion: helm.toolkit.fluxcd.io/v2\n      kind: HelmRelease\n      name: podinfo\n      namespace: flux-system\n    - apiVersion: apps/v1\n      kind: Deployment\n      name: not-indexed\n      namespace: apps\n' +
      '  postBuild:\n    substituteFrom:\n      - kind: ConfigMap\n        name: vars\n      - kind: Secret\n        name: absent\n      - kind: ConfigMap\n        name: maybe\n        optional: true\n  decryption:\n    provider: sops\n    secretRef:\n      name: sops-age\n  kubeConfig:\n    secretRef:\n      name: remote\n';
    const index = workspace({
      'clusters/apps.yaml': ks('apps', spec),
      'clusters/infra.yaml': ks('infra', gitSource('fleet') + '  path: ./apps\n'),
      'clusters/git.yaml': git('fleet'),
      'clusters/vars.yaml': configMap('vars'),
      'clusters/sops.yaml': secret('sops-age'),
      'apps/release.yaml': release('podinfo'),
      'apps/charts.yaml': charts,
    });
    assert.deepEqual(referenceCodes(index, 'clusters/apps.yaml'), ['missing-reference@14:12', 'missing-substitute-source@29:14', 'missing-secret@39:12']);
    const messages = referenceMessages(index, 'clusters/apps.yaml');
    assert.match(messages[0]!, /No Kustomization `nowhere` in namespace `flux-system`/);
    assert.match(messages[1]!, /No Secret `absent`.*without `optional: true`: the build fails/);
    assert.equal(referenceDiagnosticsSeverity(index, 'clusters/apps.yaml', 'missing-substitute-source'), 1, 'a required substituteFrom source is an error');
  });

  test('a dependsOn cycle across Kustomizations in different files', () => {
    const index = workspace({
      'clusters/a.yaml': ks('a', gitSource('fleet') + '  dependsOn:\n    - name: b\n'),
      'clusters/b.yaml': ks('b', gitSource('fleet') + '  dependsOn:\n    - name: a\n'),
      'clusters/git.yaml': git('fleet'),
      // A HelmRelease named like a Kustomization is another node.
      'apps/a.yaml': release('a', '  dependsOn:\n    - name: b\n'),
      'apps/charts.yaml': charts,
    });
    assert.deepEqual(referenceCodes(index, 'clusters/a.yaml'), ['dependency-cycle@12:12']);
    assert.match(referenceMessages(index, 'clusters/b.yaml')[0]!, /dependsOn cycle between `a`, `b`/);
    assert.deepEqual(referenceCodes(index, 'apps/a.yaml'), ['reference-wrong-kind@14:12'], 'a HelmRelease depends on HelmReleases only');
    assert.match(referenceMessages(index, 'apps/a.yaml')[0]!, /`b` is a Kustomization; this reference names a HelmRelease/);
  });

  test('a Kustomization from an ExternalArtifact that an ArtifactGenerator makes', () => {
    const generator = object('source.extensions.fluxcd.io/v1beta1', 'ArtifactGenerator', 'bundles', '  sources:\n    - alias: fleet\n      kind: GitRepository\n      name: fleet\n    - alias: missing\n      kind: OCIRepository\n      name: charts-oci\n  artifacts:\n    - name: app-bundle\n      copy:\n        - from: "@fleet/apps/**"\n          to: "@artifact/"\n');
    const index = workspace({
      'clusters/generator.yaml': generator,
      'clusters/git.yaml': git('fleet'),
      'clusters/app.yaml': ks('app', '  sourceRef:\n    kind: ExternalArtifact\n    name: app-bundle\n  path: ./\n'),
    });
    assert.deepEqual(referenceCodes(index, 'clusters/app.yaml'), []);
    assert.deepEqual(referenceCodes(index, 'clusters/generator.yaml'), ['missing-reference@13:12']);
    const at = definition(index, uri('clusters/app.yaml'), { line: 10, character: 12 });
    assert.deepEqual(at.map((l) => `${l.uri}:${l.range.start.line}`), [`${uri('clusters/generator.yaml')}:15`]);
  });
});

function referenceDiagnosticsSeverity(index: ReturnType<typeof workspace>, relative: string, code: string): number | undefined {
  return referenceSeverities(index, relative).get(code);
}
function referenceSeverities(index: ReturnType<typeof workspace>, relative: string): Map<string, number | undefined> {
  return new Map(referenceDiagnostics(index, uri(relative)).map((d) => [String(d.code), d.severity]));
}

describe('notification and image automation references', () => {
  const provider = object('notification.toolkit.fluxcd.io/v1beta3', 'Provider', 'slack', '  type: slack\n  channel: general\n  secretRef:\n    name: slack-url\n');
  const alert = object('notification.toolkit.fluxcd.io/v1beta3', 'Alert', 'on-call', '  providerRef:\n    name: slack\n  eventSources:\n    - kind: Kustomization\n      name: apps\n    - kind: HelmRelease\n      name: "*"\n    - kind: GitRepository\n      name: gone\n');
  const receiver = object('notification.toolkit.fluxcd.io/v1', 'Receiver', 'github', '  type: github\n  secretRef:\n    name: webhook-token\n  resources:\n    - kind: GitRepository\n      name: fleet\n    - kind: ImageRepository\n      name: "*"\n');
  const imageRepository = object('image.toolkit.fluxcd.io/v1', 'ImageRepository', 'podinfo', '  image: ghcr.io/stefanprodan/podinfo\n');
  const policy = object('image.toolkit.fluxcd.io/v1', 'ImagePolicy', 'podinfo', '  imageRepositoryRef:\n    name: podinfo\n  policy:\n    semver:\n      range: 6.x\n');
  const automation = object('image.toolkit.fluxcd.io/v1', 'ImageUpdateAutomation', 'fleet', '  sourceRef:\n    kind: GitRepository\n    name: fleet\n  update:\n    path: ./apps\n    strategy: Setters\n');
  const files = {
    'notifications/provider.yaml': provider,
    'notifications/alert.yaml': alert,
    'notifications/receiver.yaml': receiver,
    'notifications/secrets.yaml': secret('slack-url'),
    'images/repository.yaml': imageRepository,
    'images/policy.yaml': policy,
    'images/automation.yaml': automation,
    'clusters/git.yaml': git('fleet'),
    'clusters/apps.yaml': ks('apps', gitSource('fleet')),
  };

  test('providerRef, eventSources (names, `*`, kinds), Receiver resources, imageRepositoryRef and ImageUpdateAutomation sourceRef', () => {
    const index = workspace(files);
    assert.deepEqual(referenceCodes(index, 'notifications/alert.yaml'), ['missing-reference@15:12'], 'only the GitRepository that is not there; `*` names nothing');
    assert.deepEqual(referenceCodes(index, 'notifications/receiver.yaml'), ['missing-secret@9:10']);
    assert.deepEqual(referenceCodes(index, 'images/policy.yaml'), []);
    assert.deepEqual(referenceCodes(index, 'images/automation.yaml'), []);
    const wrongKind = workspace({ ...files, 'notifications/alert.yaml': alert.replace('kind: Kustomization\n      name: apps', 'kind: HelmRelease\n      name: apps') });
    assert.deepEqual(referenceCodes(wrongKind, 'notifications/alert.yaml'), ['reference-wrong-kind@11:12', 'missing-reference@15:12']);
  });

  test('definition, references, rename, hover and links of a Provider', () => {
    const index = workspace(files);
    const onRef = { line: 8, character: 10 };
    assert.deepEqual(definition(index, uri('notifications/alert.yaml'), onRef).map((l) => `${l.uri}:${l.range.start.line}`), [`${uri('notifications/provider.yaml')}:3`]);
    assert.deepEqual(references(index, uri('notifications/provider.yaml'), { line: 3, character: 9 }, false).map((l) => `${l.uri}:${l.range.start.line}`), [`${uri('notifications/alert.yaml')}:8`]);
    assert.match(hoverText(hoverReference(index, uri('notifications/alert.yaml'), onRef)), /\*\*Provider\*\* `flux-system\/slack`[\s\S]*type: `slack`/);
    assert.equal(documentLinks(index, uri('notifications/alert.yaml')).length, 2, 'the Provider and the Kustomization');
    const edit = rename(index, uri('notifications/alert.yaml'), onRef, 'slack-alerts') as WorkspaceEdit;
    const edited = Object.entries(edit.changes ?? {}).map(([u, edits]) => `${u}:${edits.map((e) => `${e.range.start.line}=${e.newText}`).join(',')}`);
    assert.deepEqual(edited, [`${uri('notifications/alert.yaml')}:8=slack-alerts`, `${uri('notifications/provider.yaml')}:3=slack-alerts`]);
  });

  test('`*` in eventSources: every object of the kind in the namespace, for hover and find references, never renamed', () => {
    const index = workspace({ ...files, 'apps/release.yaml': release('podinfo'), 'apps/other.yaml': release('elsewhere').replace('namespace: flux-system', 'namespace: apps'), 'apps/charts.yaml': charts });
    const star = { line: 13, character: 13 };
    const text = hoverText(hoverReference(index, uri('notifications/alert.yaml'), star));
    assert.match(text, /`\*`: every HelmRelease in namespace `flux-system`/);
    assert.match(text, /`flux-system\/podinfo`/);
    assert.doesNotMatch(text, /elsewhere/, 'a HelmRelease of another namespace is not an event source of this Alert');
    const found = references(index, uri('apps/release.yaml'), { line: 3, character: 9 }, false).map((l) => `${l.uri}:${l.range.start.line}`);
    assert.deepEqual(found, [`${uri('notifications/alert.yaml')}:13`]);
    const edit = rename(index, uri('apps/release.yaml'), { line: 3, character: 9 }, 'web') as WorkspaceEdit;
    assert.deepEqual(Object.keys(edit.changes ?? {}), [uri('apps/release.yaml')], 'the `*` stays');
    assert.deepEqual('error' in rename(index, uri('notifications/alert.yaml'), star, 'x') ? 'refused' : 'renamed', 'refused');
  });

  test('completion of names: Providers in providerRef, the written kind in eventSources, ImageRepositories in imageRepositoryRef', () => {
    const index = workspace(files);
    const complete = (relative: string, marked: string) => {
      const { text, position } = withCursor(marked);
      const model = FileModel.fromText(text);
      index.setFile(uri(relative), extractFileFacts(uri(relative), `/ws/${relative}`, model), `/ws/${relative}`);
      return completeReferenceNames(index, uri(relative), model, position).map((i) => `${i.label} (${String(i.detail)})`);
    };
    assert.deepEqual(complete('notifications/alert.yaml', alert.replace('  providerRef:\n    name: slack', '  providerRef:\n    name: s|')), ['slack (Provider flux-system/slack)']);
    assert.deepEqual(complete('notifications/alert.yaml', alert.replace('      name: apps', '      name: |')), ['apps (Kustomization flux-system/apps)']);
    assert.deepEqual(complete('images/policy.yaml', policy.replace('    name: podinfo', '    name: |')), ['podinfo (ImageRepository flux-system/podinfo)']);
    assert.deepEqual(complete('clusters/other.yaml', ks('other', '  dependsOn:\n    - name: |\n')), ['apps (Kustomization flux-system/apps)']);
  });
});

describe('$imagepolicy setter comments in HelmRelease values', () => {
  const policy = object('image.toolkit.fluxcd.io/v1', 'ImagePolicy', 'podinfo', '  imageRepositoryRef:\n    name: podinfo\n');
  const values = '  values:\n    image:\n      repository: ghcr.io/stefanprodan/podinfo # {"$imagepolicy": "flux-system:podinfo:name"}\n      tag: 6.5.0 # {"$imagepolicy": "flux-system:podinfo:tag"}\n    full: ghcr.io/x/y:1.0 # {"$imagepolicy": "flux-system:podinfo"}\n    other: ghcr.io/x/z:1.0 # {"$imagepolicy": "apps:missing"}\n';
  const files = { 'images/policy.yaml': policy, 'apps/release.yaml': release('podinfo', values), 'apps/charts.yaml': charts };

  test('each form links to the policy; a policy that is not there is a warning', () => {
    const index = workspace(files);
    assert.deepEqual(referenceCodes(index, 'apps/release.yaml'), ['missing-reference@18:52']);
    assert.match(referenceMessages(index, 'apps/release.yaml')[0]!, /No ImagePolicy `missing` in namespace `apps`.*image automation leaves this line as it is/);
    const links = documentLinks(index, uri('apps/release.yaml')).filter((l) => l.target?.startsWith(uri('images/policy.yaml')));
    assert.deepEqual(links.map((l) => `${l.range.start.line}:${l.range.start.character}-${l.range.end.character}`), ['15:79-86', '16:49-56', '17:58-65']);
  });

  test('completion in a setter comment: namespace:name pairs, then the names in the namespace', () => {
    const index = workspace({ ...files, 'images/other.yaml': policy.replace('name: podinfo\n  namespace: flux-system', 'name: web\n  namespace: apps') });
    const complete = (marked: string) => {
      const { text, position } = withCursor(marked);
      const model = FileModel.fromText(text);
      return completeReferenceNames(index, uri('apps/release.yaml'), model, position).map((i) => (i.textEdit && 'range' in i.textEdit ? `${i.textEdit.range.start.character}:${i.textEdit.newText}` : ''));
    };
    const line = '      tag: 6.5.0 # {"$imagepolicy": "';
    assert.deepEqual(complete(release('podinfo', `  values:\n    image:\n${line}|"}\n`)), [`${line.length}:apps:web`, `${line.length}:flux-system:podinfo`]);
    assert.deepEqual(complete(release('podinfo', `  values:\n    image:\n${line}apps:w|"}\n`)), [`${line.length + 5}:web`]);
  });

  test('hover, definition and rename through the comment', () => {
    const index = workspace(files);
    const onTag: Position = { line: 16, character: 51 };
    assert.match(hoverText(hoverReference(index, uri('apps/release.yaml'), onTag)), /\*\*ImagePolicy\*\* `flux-system\/podinfo`/);
    assert.deepEqual(definition(index, uri('apps/release.yaml'), onTag).map((l) => `${l.uri}:${l.range.start.line}`), [`${uri('images/policy.yaml')}:3`]);
    const edit = rename(index, uri('images/policy.yaml'), { line: 3, character: 8 }, 'web') as WorkspaceEdit;
    assert.deepEqual(edit.changes?.[uri('apps/release.yaml')]?.map((e) => `${e.range.start.line}:${e.range.start.character}=${e.newText}`), ['15:79=web', '16:49=web', '17:58=web']);
  });
});
