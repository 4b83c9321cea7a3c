import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FileModel } from '../../server/src/service/model/fileModel';
import { documentSymbols } from '../../server/src/service/languageService';
import type { TextDocumentEdit } from 'vscode-languageserver-types';
import { workspaceMigration } from '../../server/src/node/workspaceMigration';
import { defaultSettings } from '../../server/src/service/settings';
import { applyTextEdits, brief, complete, diagnose, hoverMarkdown, labels, quickFixes, yaml } from '../helpers';

// The notification kinds (Alert, Provider, Receiver) and the image kinds (ImageRepository,
// ImagePolicy, ImageUpdateAutomation) on fixtures of our own.

const NOTIFICATION = 'notification.toolkit.fluxcd.io';
const IMAGE = 'image.toolkit.fluxcd.io';

const object = (apiVersion: string, kind: string, ...spec: string[]) => yaml(`apiVersion: ${apiVersion}`, `kind: ${kind}`, 'metadata:', '  name: team-a', '  namespace: apps', 'spec:', ...spec);

const alert = (...spec: string[]) => object(`${NOTIFICATION}/v1beta3`, 'Alert', '  providerRef:', '    name: chat', ...spec);
const ALERT = alert('  eventSeverity: error', '  eventSources:', '    - kind: HelmRelease', '      name: "*"', '      matchLabels:', '        team: a', '  exclusionList:', '    - ".*upgrade.*has started"');
const PROVIDER = object(`${NOTIFICATION}/v1beta3`, 'Provider', '  type: msteams', '  secretRef:', '    name: teams-webhook', '  timeout: 20s');
const RECEIVER = object(`${NOTIFICATION}/v1`, 'Receiver', '  type: gitlab', '  events:', '    - Push Hook', '  secretRef:', '    name: hook-token', '  resources:', '    - kind: GitRepository', '      name: apps', '      namespace: flux-system');
const IMAGE_REPOSITORY = object(`${IMAGE}/v1`, 'ImageRepository', '  image: registry.example.com/team-a/api', '  interval: 10m', '  secretRef:', '    name: registry-login', '  exclusionList:', '    - "^.*-debug$"');
const IMAGE_POLICY = object(`${IMAGE}/v1`, 'ImagePolicy', '  imageRepositoryRef:', '    name: api', '  filterTags:', "    pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)$'", "    extract: '$ts'", '  policy:', '    numerical:', '      order: asc');
const AUTOMATION = object(`${IMAGE}/v1`, 'ImageUpdateAutomation', '  interval: 1h', '  sourceRef:', '    kind: GitRepository', '    name: apps', '  git:', '    commit:', '      author:', '        email: bot@example.com', '  update:', '    path: ./deploy');

const messages = (text: string) => diagnose(text).map((d) => `${brief(d)} ${d.message}`);

describe('notification and image kinds: diagnostics', () => {
  test('well-formed objects of every kind get nothing', () => {
    for (const text of [ALERT, PROVIDER, RECEIVER, IMAGE_REPOSITORY, IMAGE_POLICY, AUTOMATION]) assert.deepEqual(messages(text), [], text);
  });

  test('required fields, types, enums, patterns and lengths come from our schemas', () => {
    assert.deepEqual(diagnose(object(`${NOTIFICATION}/v1beta3`, 'Alert', '  eventSeverity: info')).map((d) => `${d.code} ${(d.data as { missing?: string }).missing}`).sort(), [
      'missing-required eventSources',
      'missing-required providerRef',
    ]);
    const badSource = diagnose(alert('  eventSources:', '    - kind: Deployment', '      name: web'));
    assert.deepEqual(badSource.map(brief), ['invalid-enum@9:12-9:22']);
    assert.match(String(badSource[0]!.message), /`ArtifactGenerator`/);
    assert.deepEqual(diagnose(object(`${IMAGE}/v1`, 'ImageRepository', '  image: nginx', "  interval: '300'")).map((d) => d.code), ['invalid-pattern']);
    // Provider timeouts take no hours.
    assert.deepEqual(diagnose(object(`${NOTIFICATION}/v1beta3`, 'Provider', '  type: slack', '  timeout: 1h')).map((d) => d.code), ['invalid-pattern']);
    assert.deepEqual(diagnose(object(`${NOTIFICATION}/v1beta3`, 'Provider', '  type: slack', `  channel: ${'c'.repeat(2049)}`)).map((d) => d.code), ['max-length']);
    assert.deepEqual(diagnose(object(`${IMAGE}/v1`, 'ImageUpdateAutomation', '  interval: 1h', '  sourceRef:', '    kind: OCIRepository', '    name: apps')).map((d) => d.code), ['invalid-enum']);
  });

  test('an unknown kind in a notification or image group is unknown-kind', () => {
    assert.deepEqual(diagnose(object(`${NOTIFICATION}/v1beta3`, 'Alarm', '  foo: 1')).map((d) => d.code), ['unknown-kind']);
    assert.deepEqual(diagnose(object(`${IMAGE}/v1`, 'ImagePolicies', '  foo: 1')).map((d) => d.code), ['unknown-kind']);
  });

  test('Receiver oidcProviders: an issuer listed twice is refused (a map list keyed by issuerURL)', () => {
    const provider = (audience: string) => ['    - issuerURL: https://token.actions.githubusercontent.com', `      audience: ${audience}`, '      validations:', "        - expression: claims.sub != ''", '          message: a subject'];
    const base = ['  type: generic-oidc', '  resources:', '    - kind: GitRepository', '      name: apps', '  oidcProviders:'];
    const twice = diagnose(object(`${NOTIFICATION}/v1`, 'Receiver', ...base, ...provider('a'), ...provider('b')));
    assert.deepEqual(twice.map((d) => d.code), ['duplicate-list-key']);
    assert.match(String(twice[0]!.message), /issuerURL/);
    assert.equal(twice[0]!.range.start.line, 16, "on the second item");
    assert.deepEqual(diagnose(object(`${NOTIFICATION}/v1`, 'Receiver', ...base, ...provider('a'))).map((d) => d.code), []);
  });

  test('a commit message template using the fields Flux 2.7 removed is a warning', () => {
    const withTemplate = (template: string) => AUTOMATION.replace('        email: bot@example.com\n', `        email: bot@example.com\n      messageTemplate: '${template}'\n`);
    const old = diagnose(withTemplate('Update {{ range .Updated.Images }}{{ . }}{{ end }}'));
    assert.deepEqual(old.map((d) => [d.code, d.severity]), [['commit-template-field', 2]]);
    assert.match(String(old[0]!.message), /`\.Updated`.*\.Changed\.FileChanges/);
    assert.deepEqual(diagnose(withTemplate('{{ range .Changed.ImageResult }}x{{ end }}')).map((d) => d.code), ['commit-template-field']);
    assert.deepEqual(diagnose(withTemplate('{{ range $f, $c := .Changed.FileChanges }}{{ $f }}{{ end }} {{ .Values.UpdatedBy }} {{ .Values.Updated }}')), []);
  });

  test('CEL rules read a field without a value as absent, as the API server does', () => {
    const oidc = ['  oidcProviders:', '    - issuerURL: https://issuer.example.com', '      validations:', "        - expression: claims.sub != ''", '          message: a subject'];
    assert.deepEqual(diagnose(object(`${NOTIFICATION}/v1`, 'Receiver', '  type: generic-oidc', '  resources:', '    - kind: GitRepository', '      name: apps', ...oidc, '  secretRef:')).map((d) => d.code), []);
    assert.deepEqual(diagnose(object(`${IMAGE}/v1`, 'ImagePolicy', '  imageRepositoryRef:', '    name: api', '  interval:', '  policy:', '    semver:', "      range: '1.x'")).map((d) => d.code), []);
    // A Receiver whose type is a substituted variable is not judged.
    assert.deepEqual(diagnose(object(`${NOTIFICATION}/v1`, 'Receiver', '  type: ${RECEIVER_TYPE}', '  resources:', '    - kind: GitRepository', '      name: apps')).map((d) => d.code), []);
  });

  test('matchLabels next to a name other than * is ignored by Flux (warning, fix: remove)', () => {
    const named = alert('  eventSources:', '    - kind: Kustomization', '      name: apps', '      matchLabels:', '        team: a');
    assert.deepEqual(diagnose(named).map((d) => [brief(d), d.severity]), [['ignored-field@11:6-11:17', 2]]);
    const removed = quickFixes(named).find((f) => f.code === 'ignored-field')!.result;
    assert.deepEqual(diagnose(removed), []);
    assert.doesNotMatch(removed, /matchLabels/);
    const receiver = RECEIVER.replace('      namespace: flux-system', '      namespace: flux-system\n      matchLabels:\n        team: a');
    assert.deepEqual(diagnose(receiver).map((d) => d.code), ['ignored-field']);
    // With name "*" the labels select the objects (the well-formed Alert above has them).
    assert.deepEqual(diagnose(ALERT), []);
  });

  test('deprecated v1beta3 fields are hints, and only those', () => {
    const summary = diagnose(alert('  summary: prod cluster', '  eventSources:', '    - kind: Kustomization', '      name: apps'));
    assert.deepEqual(summary.map((d) => [d.code, d.severity]), [['deprecated-field', 4]]);
    assert.match(String(summary[0]!.message), /eventMetadata/);
    const provider = diagnose(object(`${NOTIFICATION}/v1beta3`, 'Provider', '  type: slack', '  interval: 5m', '  proxy: http://proxy.example.com:3128'));
    assert.deepEqual(provider.map((d) => [d.code, d.severity]), [['deprecated-field', 4], ['deprecated-field', 4]]);
    const removal = quickFixes(object(`${NOTIFICATION}/v1beta3`, 'Provider', '  type: slack', '  interval: 5m')).find((f) => f.code === 'deprecated-field');
    assert.ok(removal, 'the unused interval can be removed');
    assert.doesNotMatch(removal.result, /interval/);
  });
});

describe('notification and image kinds: quick fixes', () => {
  test('a misspelled field is renamed', () => {
    const text = alert('  eventSeverty: error', '  eventSources:', '    - kind: Kustomization', '      name: apps');
    const fix = quickFixes(text).find((f) => f.title === 'Change to `eventSeverity`');
    assert.ok(fix);
    assert.deepEqual(diagnose(fix.result), []);
  });

  test('an Alert eventSeverity and a Provider type with a typo get the closest allowed value first', () => {
    const severity = quickFixes(alert('  eventSeverity: errors', '  eventSources:', '    - kind: Kustomization', '      name: apps')).filter((f) => f.code === 'invalid-enum');
    assert.deepEqual(severity.filter((f) => f.preferred).map((f) => f.title), ['Change to `error`']);
    assert.deepEqual(diagnose(severity.find((f) => f.preferred)!.result), []);
    const type = quickFixes(object(`${NOTIFICATION}/v1beta3`, 'Provider', '  type: slak')).filter((f) => f.code === 'invalid-enum' && f.preferred);
    assert.deepEqual(type.map((f) => f.title), ['Change to `slack`']);
    assert.match(type[0]!.result, /\n {2}type: slack\n/);
  });

  test('CEL rules with a removable field offer to remove it', () => {
    const expr = quickFixes(object(`${NOTIFICATION}/v1beta3`, 'Provider', '  type: slack', '  commitStatusExpr: "1"')).find((f) => f.code === 'commit-status-expr');
    assert.ok(expr);
    assert.deepEqual(diagnose(expr.result), []);
    const interval = quickFixes(object(`${IMAGE}/v1`, 'ImagePolicy', '  imageRepositoryRef:', '    name: api', '  interval: 5m', '  policy:', '    semver:', "      range: '1.x'")).find((f) => f.code === 'digest-reflection-interval');
    assert.ok(interval);
    assert.deepEqual(diagnose(interval.result), []);
  });
});

describe('notification and image kinds: completion, hover, outline', () => {
  test('completion offers the fields of each kind and the allowed values', () => {
    const fields = labels(complete(alert('  |')));
    for (const f of ['eventSources', 'eventSeverity', 'eventMetadata', 'inclusionList', 'exclusionList', 'suspend']) assert.ok(fields.includes(f), f);
    assert.ok(!fields.includes('providerRef'), 'a field already there is not offered again');
    assert.deepEqual(labels(complete(alert('  eventSeverity: |'))).sort(), ['error', 'info']);
    const types = labels(complete(object(`${NOTIFICATION}/v1beta3`, 'Provider', '  type: |')));
    for (const t of ['slack', 'msteams', 'github', 'generic-hmac', 'otel']) assert.ok(types.includes(t), t);
    assert.ok(labels(complete(object(`${IMAGE}/v1`, 'ImagePolicy', '  policy:', '    |'))).includes('semver'));
    assert.ok(labels(complete(object(`${IMAGE}/v1`, 'ImageUpdateAutomation', '  git:', '    commit:', '      |'))).includes('messageTemplateValues'));
    assert.ok(labels(complete(object(`${NOTIFICATION}/v1`, 'Receiver', '  type: |'))).includes('generic-oidc'));
  });

  test('hover shows our description, default and allowed values', () => {
    const severity = hoverMarkdown(alert('  eventSev|erity: info'))!;
    assert.match(severity, /\*\*spec.eventSeverity\*\*: `string`/);
    assert.match(severity, /lowest severity forwarded/);
    assert.match(severity, /Default: `"info"`/);
    assert.match(severity, /\[Alert documentation\]\(https:\/\/fluxcd.io\/flux\/components\/notification\/alerts\/\)/);
    const policy = hoverMarkdown(object(`${IMAGE}/v1`, 'ImagePolicy', '  digestReflection|Policy: Always'))!;
    assert.match(policy, /Allowed: `Always`, `IfNotPresent`, `Never`/);
    const kind = hoverMarkdown(yaml(`apiVersion: ${IMAGE}/v1`, 'kind: ImageUpdate|Automation', 'metadata:', '  name: x'))!;
    assert.match(kind, /\*\*ImageUpdateAutomation\*\* `image.toolkit.fluxcd.io\/v1`/);
  });

  test('the outline names each object by kind and name', () => {
    const text = [ALERT, PROVIDER, RECEIVER, IMAGE_REPOSITORY, IMAGE_POLICY, AUTOMATION].join('---\n');
    const names = documentSymbols(FileModel.fromText(text)).map((s) => `${s.name} ${s.detail ?? ''}`.trim());
    assert.equal(names.length, 6);
    for (const [i, kind] of ['Alert', 'Provider', 'Receiver', 'ImageRepository', 'ImagePolicy', 'ImageUpdateAutomation'].entries()) {
      assert.match(names[i]!, new RegExp(`${kind}.*team-a|team-a.*${kind}`), names[i]);
    }
  });
});

describe('notification and image kinds: removed versions and migration', () => {
  const oldAlert = (version: string) => yaml(
    `apiVersion: ${NOTIFICATION}/${version}`,
    'kind: Alert',
    'metadata:',
    '  name: team-a',
    'spec:',
    '  # what the chat shows first',
    '  summary: "Cluster: prod-eu" # set by the platform team',
    '  providerRef:',
    '    name: chat',
    '  eventSources:',
    '    - kind: Kustomization',
    '      name: apps',
  );

  test('the removed-version error names the release and what the migration moves', () => {
    const v1beta2 = diagnose(oldAlert('v1beta2')).find((d) => d.code === 'api-version-removed')!;
    assert.match(String(v1beta2.message), /removed in Flux 2\.9 \(notification-controller 1\.9\.0\)/);
    assert.match(String(v1beta2.message), /`notification.toolkit.fluxcd.io\/v1beta3`/);
    assert.match(String(v1beta2.message), /eventMetadata\.summary/);
    const v1beta1 = diagnose(oldAlert('v1beta1')).find((d) => d.code === 'api-version-removed')!;
    assert.match(String(v1beta1.message), /removed in Flux 2\.7 \(notification-controller 1\.7\.0\)/);
    const receiver = diagnose(RECEIVER.replace(`${NOTIFICATION}/v1`, `${NOTIFICATION}/v1beta2`)).find((d) => d.code === 'api-version-removed')!;
    assert.match(String(receiver.message), /Use `notification.toolkit.fluxcd.io\/v1`/);
    const automation = diagnose(AUTOMATION.replace(`${IMAGE}/v1`, `${IMAGE}/v1beta1`)).find((d) => d.code === 'api-version-removed')!;
    assert.match(String(automation.message), /removed in Flux 2\.7 \(image-automation-controller 1\.0\.0\)/);
    const policy = diagnose(IMAGE_POLICY.replace(`${IMAGE}/v1`, `${IMAGE}/v1beta2`)).find((d) => d.code === 'api-version-removed')!;
    assert.match(String(policy.message), /removed in Flux 2\.9 \(image-reflector-controller 1\.2\.0\)/);
    assert.doesNotMatch(String(policy.message), /moves|becomes|dropped/, 'nothing else changes for an ImagePolicy spec');
  });

  test('Alert and Provider have no v1 (only Receiver does): v1 is an unknown version, fixed to v1beta3', () => {
    const v1 = ALERT.replace(`${NOTIFICATION}/v1beta3`, `${NOTIFICATION}/v1`);
    assert.deepEqual(diagnose(v1).map((d) => d.code), ['unknown-api-version']);
    const fix = quickFixes(v1).find((f) => f.title === 'Migrate to notification.toolkit.fluxcd.io/v1beta3');
    assert.ok(fix);
    assert.equal(fix.result, ALERT);
    assert.deepEqual(diagnose(PROVIDER.replace(`${NOTIFICATION}/v1beta3`, `${NOTIFICATION}/v1`)).map((d) => d.code), ['unknown-api-version']);
  });

  test('for an older Flux the beta versions are deprecated, not removed, and point to the version that release serves', () => {
    const at27 = diagnose(oldAlert('v1beta2'), { fluxVersion: '2.7' }).map((d) => d.code);
    assert.ok(at27.includes('api-version-deprecated') && !at27.includes('api-version-removed'));
    const repo = diagnose(IMAGE_REPOSITORY.replace(`${IMAGE}/v1`, `${IMAGE}/v1beta2`), { fluxVersion: '2.6' }).map((d) => d.code);
    assert.ok(!repo.includes('api-version-removed') && !repo.includes('api-version-deprecated'), repo.join());
  });

  test('the migration moves Alert summary into eventMetadata and keeps the comments', () => {
    const fix = quickFixes(oldAlert('v1beta2')).find((f) => f.code === 'api-version-removed');
    assert.ok(fix, 'a quick fix migrates');
    assert.equal(fix.result, yaml(
      `apiVersion: ${NOTIFICATION}/v1beta3`,
      'kind: Alert',
      'metadata:',
      '  name: team-a',
      'spec:',
      '  # what the chat shows first',
      '  eventMetadata:',
      '    summary: "Cluster: prod-eu" # set by the platform team',
      '  providerRef:',
      '    name: chat',
      '  eventSources:',
      '    - kind: Kustomization',
      '      name: apps',
    ));
    assert.deepEqual(diagnose(fix.result), []);
  });

  test('into an existing eventMetadata; one that already has a summary is left for the user', () => {
    const text = oldAlert('v1beta1').replace('  providerRef:', '  eventMetadata:\n    env: prod\n  providerRef:');
    const migrated = quickFixes(text).find((f) => f.code === 'api-version-removed')!.result;
    assert.match(migrated, /\n {2}eventMetadata:\n {4}summary: "Cluster: prod-eu" # set by the platform team\n {4}env: prod\n/);
    assert.doesNotMatch(migrated, /\n {2}summary:/);
    assert.deepEqual(diagnose(migrated), []);
    const both = oldAlert('v1beta1').replace('  providerRef:', '  eventMetadata:\n    summary: other\n  providerRef:');
    const kept = quickFixes(both).find((f) => f.code === 'api-version-removed')!.result;
    assert.match(kept, /\n {2}summary: "Cluster: prod-eu"/);
    assert.match(kept, /apiVersion: notification.toolkit.fluxcd.io\/v1beta3/);
  });

  test('image kinds: only the version changes', () => {
    const old = IMAGE_POLICY.replace(`${IMAGE}/v1`, `${IMAGE}/v1beta2`).replace('  filterTags:', '  # newest build of main\n  filterTags:');
    const fix = quickFixes(old).find((f) => f.code === 'api-version-removed')!;
    assert.equal(fix.result, old.replace(`${IMAGE}/v1beta2`, `${IMAGE}/v1`));
    assert.deepEqual(diagnose(fix.result), []);
  });

  test('the workspace command migrates every old notification and image object, shown for preview first', () => {
    const oldReceiver = RECEIVER.replace(`${NOTIFICATION}/v1`, `${NOTIFICATION}/v1beta2`);
    const oldAutomation = AUTOMATION.replace(`${IMAGE}/v1`, `${IMAGE}/v1beta1`);
    const { edit, objects } = workspaceMigration(
      [
        { uri: 'file:///repo/notify.yaml', text: `${oldReceiver}---\n${ALERT}`, version: null },
        { uri: 'file:///repo/images.yaml', text: oldAutomation, version: 2 },
      ],
      defaultSettings,
    );
    assert.equal(objects, 2);
    assert.equal(edit.changeAnnotations?.['flux-migration']?.needsConfirmation, true);
    const byUri = new Map((edit.documentChanges as TextDocumentEdit[]).map((c) => [c.textDocument.uri, c.edits.map((e) => ({ range: e.range, newText: 'newText' in e ? e.newText : '' }))]));
    assert.equal(applyTextEdits(`${oldReceiver}---\n${ALERT}`, byUri.get('file:///repo/notify.yaml')!), `${RECEIVER}---\n${ALERT}`);
    assert.equal(applyTextEdits(oldAutomation, byUri.get('file:///repo/images.yaml')!), AUTOMATION);
  });
});
