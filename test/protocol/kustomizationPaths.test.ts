import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { Hover, Location } from 'vscode-languageserver-protocol';
import { TestClient } from './lspClient';

const KUSTOMIZATIONS = `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: fleet
  namespace: flux-system
spec:
  interval: 1m
  url: https://github.com/example/fleet
  ref:
    branch: main
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 10m
  prune: true
  path: ./apps/prod
  targetNamespace: prod
  sourceRef:
    kind: GitRepository
    name: fleet
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: staging
  namespace: flux-system
spec:
  interval: 10m
  prune: true
  path: ./apps/staging
  sourceRef:
    kind: GitRepository
    name: fleet
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: docs
  namespace: flux-system
spec:
  interval: 10m
  prune: true
  path: ./docs/
  sourceRef:
    kind: GitRepository
    name: fleet
`;
const RELEASE = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
spec:
  interval: 5m
  chart:
    spec:
      chart: podinfo
      sourceRef:
        kind: HelmRepository
        name: charts
`;
const REPOSITORY = `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: charts
  namespace: prod
spec:
  interval: 1h
  url: https://charts.example.com
`;

describe('Kustomization paths in a Git repository, over the protocol', () => {
  let client: TestClient;
  let root: string;
  const file = (relative: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
    writeFileSync(path.join(root, relative), text);
  };
  const uri = (relative: string) => pathToFileURL(path.join(root, relative)).toString();
  const lineOf = (needle: string) => KUSTOMIZATIONS.split('\n').findIndex((l) => l.includes(needle));

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'hr-paths-'));
    // The repository's remote names the same repository as the GitRepository, in another URL form.
    file('.git/config', '[core]\n\tbare = false\n[remote "origin"]\n\turl = git@github.com:example/fleet.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n');
    file('clusters/prod/kustomizations.yaml', KUSTOMIZATIONS);
    file('apps/prod/release.yaml', RELEASE);
    file('infrastructure/repository.yaml', REPOSITORY);
    file('infrastructure/other.yaml', REPOSITORY.replace('namespace: prod', 'namespace: other'));
    file('docs/README.md', '# Not a manifest\n');
    client = new TestClient();
    await client.initialize(true, [root]);
    await client.ready;
  });

  after(async () => {
    await client.shutdown();
  });

  test('a path that names no folder of this repository is an error; ./docs/ (no YAML in it) exists', async () => {
    const diagnostics = await client.open(uri('clusters/prod/kustomizations.yaml'), KUSTOMIZATIONS);
    assert.deepEqual(diagnostics.map((d) => `${String(d.code)}@${d.range.start.line}`), [`kustomization-path-missing@${lineOf('./apps/staging')}`]);
  });

  test('the targetNamespace of the Kustomization applying a release is where its sourceRef looks', async () => {
    assert.deepEqual(await client.open(uri('apps/prod/release.yaml'), RELEASE), []);
    const line = RELEASE.split('\n').findIndex((l) => l.includes('name: charts'));
    const locations = (await client.connection.sendRequest('textDocument/definition', { textDocument: { uri: uri('apps/prod/release.yaml') }, position: { line, character: 16 } })) as Location[];
    assert.deepEqual(locations.map((l) => l.uri), [uri('infrastructure/repository.yaml')], 'the HelmRepository in prod, not the one in other');
  });

  test('go to definition and hover on a path without kustomization.yaml: the files Flux would apply', async () => {
    const line = lineOf('./apps/prod');
    const locations = (await client.connection.sendRequest('textDocument/definition', { textDocument: { uri: uri('clusters/prod/kustomizations.yaml') }, position: { line, character: 10 } })) as Location[];
    assert.deepEqual(locations.map((l) => l.uri), [uri('apps/prod/release.yaml')]);
    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: uri('clusters/prod/kustomizations.yaml') }, position: { line, character: 10 } })) as Hover;
    assert.match(JSON.stringify(hover.contents), /No kustomization.yaml: Flux generates one[^"]*apps\/prod\/release.yaml/);
  });
});
