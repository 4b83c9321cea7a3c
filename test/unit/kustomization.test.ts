import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import type { TextDocumentEdit } from 'vscode-languageserver-types';
import { FileModel } from '../../server/src/service/model/fileModel';
import { documentSymbols } from '../../server/src/service/languageService';
import { workspaceMigration } from '../../server/src/node/workspaceMigration';
import { defaultSettings } from '../../server/src/service/settings';
import { apiVersionStatus } from '../../server/src/service/migration/apiVersions';
import { applyTextEdits, brief, codes, complete, diagnose, hoverMarkdown, inserted, labels, quickFixes, yaml } from '../helpers';

// Flux Kustomization (kustomize.toolkit.fluxcd.io/v1): diagnostics, completion, hover, outline and
// quick fixes, on manifests written for these tests.

const KS = 'kustomize.toolkit.fluxcd.io';
const head = (apiVersion = `${KS}/v1`) => [`apiVersion: ${apiVersion}`, 'kind: Kustomization', 'metadata:', '  name: apps', '  namespace: flux-system', 'spec:'];
const ks = (...spec: string[]) => yaml(...head(), ...spec);
const basics = ['  interval: 10m', '  prune: true', '  sourceRef:', '    kind: GitRepository', '    name: fleet'];

describe('Kustomization diagnostics', () => {
  test('a Kustomization using every part of the spec, as Flux accepts it, gets nothing', () => {
    const text = ks(
      '  interval: 10m0s',
      '  retryInterval: 2m',
      '  timeout: 5m',
      '  path: ./clusters/production',
      '  prune: true',
      '  deletionPolicy: WaitForTermination',
      '  suspend: false',
      '  targetNamespace: apps',
      '  namePrefix: prod-',
      '  nameSuffix: -eu',
      '  force: false',
      '  wait: false',
      '  serviceAccountName: deployer',
      '  sourceRef:',
      '    kind: OCIRepository',
      '    name: manifests',
      '    namespace: flux-system',
      '  commonMetadata:',
      '    labels:',
      '      team: payments',
      '  components:',
      '    - ../components/monitoring',
      '  ignoreMissingComponents: true',
      '  buildMetadata: [originAnnotations, transformerAnnotations]',
      '  images:',
      '    - name: ghcr.io/example/web',
      '      newTag: 1.4.2',
      '  patches:',
      '    - target:',
      '        kind: Deployment',
      '        labelSelector: app=web',
      '      patch: |',
      '        - op: replace',
      '          path: /spec/replicas',
      '          value: 3',
      '  healthChecks:',
      '    - apiVersion: apps/v1',
      '      kind: Deployment',
      '      name: web',
      '      namespace: apps',
      '  healthCheckExprs:',
      '    - apiVersion: cert-manager.io/v1',
      '      kind: Certificate',
      "      current: status.conditions.all(c, c.type != 'Ready' || c.status == 'True')",
      '  dependsOn:',
      '    - name: infrastructure',
      '      readyExpr: dep.status.observedGeneration == dep.metadata.generation',
      '  decryption:',
      '    provider: sops',
      '    secretRef:',
      '      name: sops-age',
      '  postBuild:',
      '    substituteStrategy: Always',
      '    substitute:',
      '      region: eu-west-1',
      '    substituteFrom:',
      '      - kind: ConfigMap',
      '        name: cluster-vars',
      '        optional: true',
      '  ignore:',
      '    - paths: [/spec/replicas]',
      '      target:',
      '        kind: Deployment',
      '  kubeConfig:',
      '    secretRef:',
      '      name: edge-kubeconfig',
      '      key: value.yaml',
    );
    assert.deepEqual(diagnose(text).map(brief), []);
  });

  test('interval, prune and sourceRef are required; the missing ones are named at the kind', () => {
    const problems = diagnose(ks('  path: ./apps'));
    assert.deepEqual(problems.map((d) => d.code), ['missing-required', 'missing-required', 'missing-required']);
    assert.deepEqual(problems.map((d) => String(d.message).match(/`(interval|prune|sourceRef)`/)?.[1]).sort(), ['interval', 'prune', 'sourceRef']);
    assert.deepEqual(diagnose(ks('  interval: 10m', '  sourceRef:', '    kind: GitRepository', '    name: fleet')).map((d) => String(d.message)), ['`spec` is missing the required field `prune`.']);
  });

  test('sourceRef.kind is one of the four artifact sources; HelmRepository is not one', () => {
    const [problem] = diagnose(ks('  interval: 10m', '  prune: true', '  sourceRef:', '    kind: HelmRepository', '    name: fleet'));
    assert.equal(problem?.code, 'invalid-enum');
    assert.match(String(problem!.message), /`OCIRepository`, `GitRepository`, `Bucket` or `ExternalArtifact`/);
    for (const kind of ['GitRepository', 'OCIRepository', 'Bucket', 'ExternalArtifact']) {
      assert.deepEqual(codes(ks('  interval: 10m', '  prune: true', '  sourceRef:', `    kind: ${kind}`, '    name: fleet')), [], kind);
    }
  });

  test('durations need a unit, prune is a boolean, deletionPolicy and substituteFrom kinds are enums', () => {
    assert.deepEqual(codes(ks('  interval: 300', '  prune: true', '  sourceRef:', '    kind: GitRepository', '    name: fleet')), ['wrong-type']);
    assert.deepEqual(codes(ks('  interval: 5 minutes', '  prune: true', '  sourceRef:', '    kind: GitRepository', '    name: fleet')), ['invalid-pattern']);
    assert.deepEqual(codes(ks(...basics.filter((l) => !l.includes('prune')), '  prune: "yes"')), ['wrong-type']);
    assert.deepEqual(codes(ks(...basics, '  deletionPolicy: Keep')), ['invalid-enum']);
    assert.deepEqual(codes(ks(...basics, '  postBuild:', '    substituteFrom:', '      - kind: Secrets', '        name: vars')), ['invalid-enum']);
  });

  test('fields that do not exist in v1 are unknown (validation, patchesStrategicMerge)', () => {
    const problems = diagnose(ks(...basics, '  validation: server', '  patchesStrategicMerge: []'));
    assert.deepEqual(problems.map((d) => d.code), ['unknown-field', 'unknown-field']);
  });

  test('kubeConfig needs exactly one of secretRef and configMapRef', () => {
    assert.deepEqual(codes(ks(...basics, '  kubeConfig:', '    configMapRef:', '      name: a', '    secretRef:', '      name: b')), ['kubeconfig-ref', 'kubeconfig-ref']);
    assert.deepEqual(codes(ks(...basics, '  kubeConfig:', '    configMapRef:', '      name: a')), []);
  });

  test('a Kustomization that depends on itself is reported; one in another namespace is not itself', () => {
    const self = diagnose(ks(...basics, '  dependsOn:', '    - name: apps'));
    assert.deepEqual(self.map((d) => d.code), ['self-dependency']);
    assert.match(String(self[0]!.message), /before applying it/);
    assert.deepEqual(codes(ks(...basics, '  dependsOn:', '    - name: apps', '      namespace: tenants')), []);
  });

  test('a JSON 6902 patch without target is an error; with a target, or a strategic merge patch without one, is fine', () => {
    const ops = ['      patch: |', '        - op: replace', '          path: /spec/replicas', '          value: 2'];
    const problems = diagnose(ks(...basics, '  patches:', '    - patch: |', '        - op: add', '          path: /metadata/labels/a', '          value: b'));
    assert.deepEqual(problems.map((d) => d.code), ['json-patch-target']);
    assert.deepEqual(problems[0]!.range.start, { line: 12, character: 6 });
    assert.deepEqual(codes(ks(...basics, '  patches:', '    - target:', '        kind: Deployment', ...ops)), []);
    assert.deepEqual(codes(ks(...basics, '  patches:', '    - patch: |', '        apiVersion: apps/v1', '        kind: Deployment', '        metadata:', '          name: web')), []);
  });

  test('a timeout under 30 seconds is a hint that Flux uses 30s', () => {
    const problems = diagnose(ks(...basics, '  timeout: 10s'));
    assert.deepEqual(problems.map((d) => `${String(d.code)} ${d.severity}`), ['short-timeout 4']);
    assert.match(String(problems[0]!.message), /`10s` behaves as `30s`/);
    assert.deepEqual(codes(ks(...basics, '  timeout: 29s999ms')), ['short-timeout']);
    assert.deepEqual(codes(ks(...basics, '  timeout: 30s')), []);
    assert.deepEqual(codes(ks(...basics, '  timeout: 0.5m')), []);
  });

  test('components must be local relative paths', () => {
    const problems = diagnose(ks(...basics, '  components:', '    - ../components/monitoring', '    - https://github.com/example/components//tls?ref=v1', '    - /opt/components/base', '    - git@github.com:example/components.git'));
    assert.deepEqual(problems.map((d) => `${String(d.code)}@${d.range.start.line}`), ['component-path@13', 'component-path@14', 'component-path@15']);
    assert.match(String(problems[0]!.message), /component path 'https:\/\/github.com\/example\/components\/\/tls\?ref=v1' must be local and relative/);
    assert.deepEqual(codes(ks(...basics, '  components:', '    - ./components/tls', '    - ../../shared/components/monitoring')), []);
  });

  test('healthChecks next to wait: true is ignored by Flux, and the fix removes it', () => {
    const text = ks(...basics, '  wait: true', '  healthChecks:', '    - kind: Deployment', '      name: web', '      namespace: apps');
    const problems = diagnose(text);
    assert.deepEqual(problems.map((d) => `${String(d.code)} ${d.severity}`), ['ignored-field 2']);
    const fix = quickFixes(text).find((f) => f.code === 'ignored-field' && !f.title.startsWith('Disable'))!;
    assert.equal(fix.result, ks(...basics, '  wait: true'));
    assert.deepEqual(codes(ks(...basics, '  wait: false', '  healthChecks:', '    - kind: Deployment', '      name: web', '      namespace: apps')), []);
  });

  test('a patch file that only changes a few fields of a Kustomization is not asked for the required ones', () => {
    const patch = ks('  timeout: 15m', '  postBuild:', '    substitute:', '      region: eu');
    assert.deepEqual(codes(patch), ['missing-required', 'missing-required', 'missing-required']);
    assert.deepEqual(diagnose(patch, {}, { isPatch: true }).map(brief), []);
    assert.deepEqual(diagnose(ks('  deletionPolicy: Keep'), {}, { isPatch: true }).map((d) => d.code), ['invalid-enum']);
  });

  test('kustomize’s own Kustomization (kustomization.yaml) is not a Flux object', () => {
    assert.deepEqual(diagnose(yaml('apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', 'resources:', '  - deployment.yaml', 'prune: true')), []);
  });

  test('a misspelled kind in the kustomize group is reported with the right one', () => {
    const problems = diagnose(yaml(`apiVersion: ${KS}/v1`, 'kind: Kustomisation', 'metadata:', '  name: apps'));
    assert.deepEqual(problems.map((d) => d.code), ['unknown-kind']);
    assert.match(String(problems[0]!.message), /Did you mean `Kustomization`\?/);
  });
});

describe('Kustomization quick fixes', () => {
  test('a misspelled field, an enum value and a missing prune', () => {
    const text = ks('  interval: 10m', '  sourceRef:', '    kind: GitRepo', '    name: fleet', '  targetNamepsace: apps');
    const fixes = quickFixes(text).filter((f) => f.preferred);
    const field = fixes.find((f) => f.code === 'unknown-field')!;
    assert.equal(field.title, 'Change to `targetNamespace`');
    assert.match(field.result, /\n {2}targetNamespace: apps\n/);
    const kind = fixes.find((f) => f.code === 'invalid-enum')!;
    assert.equal(kind.title, 'Change to `GitRepository`');
    assert.match(kind.result, /\n {4}kind: GitRepository\n/);
    const prune = fixes.find((f) => f.code === 'missing-required')!;
    assert.equal(prune.title, 'Add the required field `prune`');
    assert.match(prune.result, /\n {2}prune: /);
  });
});

describe('Kustomization completion, hover and outline', () => {
  test('spec fields are offered, without the ones already written', () => {
    const items = labels(complete(ks('  interval: 10m', '  |')));
    for (const field of ['prune', 'sourceRef', 'path', 'postBuild', 'healthChecks', 'decryption', 'deletionPolicy']) assert.ok(items.includes(field), field);
    assert.ok(!items.includes('interval'));
    assert.ok(!items.includes('validation'), 'a field removed in v1 is not offered');
  });

  test('the values of sourceRef.kind, deletionPolicy and substituteStrategy', () => {
    assert.deepEqual(labels(complete(ks('  sourceRef:', '    kind: |'))), ['OCIRepository', 'GitRepository', 'Bucket', 'ExternalArtifact']);
    assert.deepEqual(labels(complete(ks('  deletionPolicy: |'))), ['MirrorPrune', 'Delete', 'WaitForTermination', 'Orphan']);
    assert.deepEqual(labels(complete(ks('  postBuild:', '    substituteStrategy: |'))), ['WithVariables', 'Always']);
  });

  test('apiVersion and kind pair at the top of a new document includes Kustomization', () => {
    const item = complete('|').find((i) => i.label === 'Kustomization');
    assert.match(inserted(item), /^apiVersion: kustomize.toolkit.fluxcd.io\/v1\nkind: Kustomization\n/);
  });

  test('hover shows our description, the type and a link to the Kustomization docs', () => {
    const text = hoverMarkdown(ks('  interval: 10m', '  time|out: 5m'))!;
    assert.match(text, /\*\*spec.timeout\*\*: `string`/);
    assert.match(text, /interval` minus 30 seconds/);
    assert.match(text, /\[Kustomization documentation\]\(https:\/\/fluxcd.io\/flux\/components\/kustomize\/kustomizations\/\)/);
    const kind = hoverMarkdown(yaml(`apiVersion: ${KS}/v1`, 'kind: Kustomiz|ation', 'metadata:', '  name: x'))!;
    assert.match(kind, /\*\*Kustomization\*\* `kustomize.toolkit.fluxcd.io\/v1`/);
  });

  test('hover on a value highlights the allowed value in use', () => {
    assert.match(hoverMarkdown(ks(...basics, '  deletionPolicy: Orph|an'))!, /\*\*`Orphan`\*\*/);
  });

  test('the outline names the Kustomization and lists its spec fields', () => {
    const symbols = documentSymbols(FileModel.fromText(ks(...basics, '  path: ./apps')));
    assert.equal(symbols.length, 1);
    assert.equal(symbols[0]!.name, 'Kustomization apps');
    const spec = JSON.stringify(symbols[0]);
    for (const field of ['interval', 'prune', 'sourceRef', 'path']) assert.ok(spec.includes(`"name":"${field}"`), field);
  });
});

describe('Kustomization v1beta1 and v1beta2', () => {
  const old = (version: string, ...spec: string[]) => yaml(...head(`${KS}/${version}`), ...spec);

  test('v1beta2 is reported as removed in Flux 2.8, v1beta1 in Flux 2.7, with the fields the migration changes', () => {
    const v1beta2 = diagnose(old('v1beta2', ...basics, '  validation: client', '  patchesStrategicMerge:', '    - apiVersion: v1', '      kind: ConfigMap', '      metadata:', '        name: settings'));
    assert.deepEqual(v1beta2.map((d) => d.code), ['api-version-removed'], 'fields of v1beta2 are not unknown there');
    assert.match(String(v1beta2[0]!.message), /removed in Flux 2\.8 \(kustomize-controller 1\.8\.0\)/);
    assert.match(String(v1beta2[0]!.message), /`spec\.patchesStrategicMerge` becomes `patches`/);
    assert.match(String(v1beta2[0]!.message), /`spec\.validation` is dropped/);
    assert.doesNotMatch(String(v1beta2[0]!.message), /patchesJson6902/, 'only the fields the document has');
    const v1beta1 = diagnose(old('v1beta1', ...basics));
    assert.deepEqual(v1beta1.map((d) => d.code), ['api-version-removed']);
    assert.match(String(v1beta1[0]!.message), /removed in Flux 2\.7 \(kustomize-controller 1\.7\.0\).*Use `kustomize.toolkit.fluxcd.io\/v1`/);
  });

  test('hover explains a field that only the old version has', () => {
    const text = hoverMarkdown(old('v1beta2', ...basics, '  valida|tion: client'))!;
    assert.match(text, /^\*\*spec\.validation\*\*: `string`/);
    assert.match(text, /removed in v1/);
    assert.match(text, /Allowed: `none`, `client`, `server`/);
    assert.equal(hoverMarkdown(ks(...basics, '  valida|tion: client')), undefined, 'in v1 it is not a field');
  });

  test('served, deprecated and removed per Flux release (kustomize group and ArtifactGenerator)', () => {
    const status = (apiVersion: string, kind: string, flux: string) => apiVersionStatus(apiVersion, kind, flux).status;
    assert.equal(status(`${KS}/v1beta1`, 'Kustomization', '2.6'), 'deprecated');
    assert.equal(status(`${KS}/v1beta1`, 'Kustomization', '2.7'), 'removed');
    assert.equal(status(`${KS}/v1beta2`, 'Kustomization', '2.7'), 'deprecated');
    assert.equal(status(`${KS}/v1beta2`, 'Kustomization', '2.8'), 'removed');
    assert.equal(status(`${KS}/v1`, 'Kustomization', '2.3'), 'served');
    assert.equal(status('source.extensions.fluxcd.io/v1beta1', 'ArtifactGenerator', '2.6'), 'unknown');
    assert.equal(status('source.extensions.fluxcd.io/v1beta1', 'ArtifactGenerator', '2.9'), 'served');
    assert.equal(apiVersionStatus(`${KS}/v1beta1`, 'Kustomization', '2.9').removedIn, 'Flux 2.7 (kustomize-controller 1.7.0)');
  });

  test('at Flux 2.7, v1beta2 is deprecated rather than removed', () => {
    const [problem] = diagnose(old('v1beta2', ...basics), { fluxVersion: '2.7' });
    assert.equal(problem?.code, 'api-version-deprecated');
  });

  test('an old version still gets its other problems checked (its own enum of validation, required prune)', () => {
    assert.deepEqual(codes(old('v1beta2', '  interval: 10m', '  validation: always', '  sourceRef:', '    kind: GitRepository', '    name: fleet')).sort(), ['api-version-removed', 'invalid-enum', 'missing-required']);
  });

  test('the migrate quick fix rewrites both patch lists into patches, drops validation and keeps comments', () => {
    const text = old(
      'v1beta2',
      '  interval: 10m',
      '  prune: true # clean up',
      '  validation: server',
      '  sourceRef:',
      '    kind: GitRepository',
      '    name: fleet',
      '  # pin replicas',
      '  patchesStrategicMerge:',
      '    - apiVersion: apps/v1',
      '      kind: Deployment',
      '      metadata:',
      '        name: web',
      '      spec:',
      '        replicas: 2 # two is enough',
      '  patchesJson6902:',
      '    - target:',
      '        kind: Service',
      '        name: web',
      '      patch:',
      '        - op: remove',
      '          path: /spec/externalIPs',
    );
    const fix = quickFixes(text).find((f) => f.code === 'api-version-removed' && f.preferred);
    assert.equal(fix?.title, `Migrate to ${KS}/v1`);
    assert.equal(
      fix.result,
      ks(
        '  interval: 10m',
        '  prune: true # clean up',
        '  sourceRef:',
        '    kind: GitRepository',
        '    name: fleet',
        '  # pin replicas',
        '  patches:',
        '    - patch: |',
        '        apiVersion: apps/v1',
        '        kind: Deployment',
        '        metadata:',
        '          name: web',
        '        spec:',
        '          replicas: 2 # two is enough',
        '    - target:',
        '        kind: Service',
        '        name: web',
        '      patch: |',
        '        - op: remove',
        '          path: /spec/externalIPs',
      ),
    );
    assert.deepEqual(diagnose(fix.result).map(brief), [], 'the migrated Kustomization is valid v1');
  });

  test('patches from patchesStrategicMerge go before an existing patches list, JSON 6902 ones after it', () => {
    const text = old(
      'v1beta2',
      ...basics,
      '  patches:',
      '    - patch: |',
      '        kind: Deployment',
      '        metadata:',
      '          name: existing',
      '  patchesJson6902:',
      '    - target: {kind: Service, name: web}',
      '      patch: [{op: remove, path: /spec/type}]',
      '  patchesStrategicMerge:',
      '    - {apiVersion: v1, kind: ConfigMap, metadata: {name: strategic}}',
    );
    const result = quickFixes(text).find((f) => f.code === 'api-version-removed' && f.preferred)!.result;
    assert.deepEqual(diagnose(result).map(brief), []);
    const patches = (parse(result) as { spec: { patches: Array<{ patch: string; target?: unknown }> } }).spec.patches;
    assert.deepEqual(
      patches.map((p) => [parse(p.patch) as unknown, p.target ?? null]),
      [
        [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'strategic' } }, null],
        [{ kind: 'Deployment', metadata: { name: 'existing' } }, null],
        [[{ op: 'remove', path: '/spec/type' }], { kind: 'Service', name: 'web' }],
      ],
    );
  });

  test('the workspace command migrates every old Kustomization, as one edit shown for preview first', () => {
    const oldOne = old('v1beta1', ...basics, '  validation: client');
    const current = ks(...basics);
    const { edit, objects } = workspaceMigration(
      [
        { uri: 'file:///repo/apps.yaml', text: oldOne, version: null },
        { uri: 'file:///repo/current.yaml', text: current, version: 3 },
      ],
      defaultSettings,
    );
    assert.equal(objects, 1);
    assert.equal(edit.documentChanges?.length, 1);
    const change = edit.documentChanges![0] as TextDocumentEdit;
    assert.equal(change.textDocument.uri, 'file:///repo/apps.yaml');
    assert.equal(edit.changeAnnotations?.['flux-migration']?.needsConfirmation, true);
    const edits = change.edits.map((e) => ({ range: e.range, newText: 'newText' in e ? e.newText : '' }));
    assert.equal(applyTextEdits(oldOne, edits), current);
  });
});
