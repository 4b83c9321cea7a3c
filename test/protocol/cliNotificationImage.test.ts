import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { CLI, runCli } from './cliRunner';

// The CLI checks Alerts, Providers, Receivers and the image kinds like the other Flux kinds, and
// --fix migrates a removed notification version (Alert summary into eventMetadata).

const run = runCli;

const notifications = `apiVersion: notification.toolkit.fluxcd.io/v1beta3
kind: Provider
metadata:
  name: chat
  namespace: flux-system
spec:
  type: slak
  channel: deployments
---
apiVersion: notification.toolkit.fluxcd.io/v1
kind: Receiver
metadata:
  name: push
  namespace: flux-system
spec:
  type: github
  resources:
    - kind: GitRepository
      name: fleet
`;

const images = `apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata:
  name: api
  namespace: flux-system
spec:
  image: registry.example.com/team/api
  interval: 5m
---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata:
  name: api
  namespace: flux-system
spec:
  imageRepositoryRef:
    name: api
  digestReflectionPolicy: Always
  policy:
    semver:
      range: ">=1.0.0"
`;

const fleet = `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: fleet
  namespace: flux-system
spec:
  interval: 5m
  url: https://git.example.com/platform/fleet
  ref:
    branch: main
`;

const oldAlert = `apiVersion: notification.toolkit.fluxcd.io/v1beta2 # from the Flux 2.1 days
kind: Alert
metadata:
  name: on-call
  namespace: flux-system
spec:
  summary: production # shown in the chat
  providerRef:
    name: chat
  eventSources:
    - kind: Kustomization
      name: "*"
`;

const chat = `apiVersion: notification.toolkit.fluxcd.io/v1beta3
kind: Provider
metadata:
  name: chat
  namespace: flux-system
spec:
  type: slack
  channel: deployments
`;

describe('helmrelease-check on notification and image kinds', () => {
  let dir: string;
  before(() => {
    assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`);
    dir = mkdtempSync(path.join(tmpdir(), 'hr-cli-notify-'));
    mkdirSync(path.join(dir, 'clusters'), { recursive: true });
    writeFileSync(path.join(dir, 'clusters/notifications.yaml'), notifications);
    writeFileSync(path.join(dir, 'clusters/images.yaml'), images);
    writeFileSync(path.join(dir, 'clusters/fleet.yaml'), fleet);
  });

  test('a Provider type typo, a Receiver without secretRef and an ImagePolicy without interval are errors', async () => {
    const result = await run(['clusters'], dir);
    assert.equal(result.code, 1, result.stderr);
    const lines = result.stdout.trim().split('\n').sort();
    assert.equal(lines.length, 3, result.stdout);
    assert.match(lines[0]!, /^clusters.images\.yaml:18:27: error digest-reflection-interval: /);
    assert.match(lines[1]!, /^clusters.notifications\.yaml:16:9: error receiver-auth: A `github` Receiver needs `secretRef`/);
    assert.match(lines[2]!, /^clusters.notifications\.yaml:7:9: error invalid-enum: `slak` is not allowed in `spec.type`.* Did you mean `slack`\?$/);
  });

  test('--fix migrates a v1beta2 Alert to v1beta3, moving summary into eventMetadata and keeping the comments', async () => {
    const project = mkdtempSync(path.join(tmpdir(), 'hr-cli-notify-fix-'));
    const file = path.join(project, 'alert.yaml');
    writeFileSync(file, oldAlert);
    writeFileSync(path.join(project, 'chat.yaml'), chat);
    const before = await run(['.'], project);
    assert.equal(before.code, 1);
    assert.match(before.stdout, /api-version-removed: `notification.toolkit.fluxcd.io\/v1beta2` was removed in Flux 2\.9/);
    const fixed = await run(['--fix', '.'], project);
    assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
    assert.equal(readFileSync(file, 'utf8'), oldAlert
      .replace('v1beta2 # from', 'v1beta3 # from')
      .replace('  summary: production # shown in the chat', '  eventMetadata:\n    summary: production # shown in the chat'));
    const after = await run(['.'], project);
    assert.equal(after.code, 0, after.stdout);
    assert.equal(after.stdout, '');
  });
});
