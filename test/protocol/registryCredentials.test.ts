import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { TestClient } from './lspClient';
import { PASSWORD, pushChart, startRegistry, USER, type Registry } from '../remoteCharts/registry';
import { RegistryCredentials } from '../../server/src/node/registryCredentials';

const release = 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: app\n  namespace: apps\nspec:\n  interval: 10m\n  chart:\n    spec:\n      chart: app\n      version: "1.0.0"\n      sourceRef: {kind: HelmRepository, name: private}\n  values:\n    pushed: "x"\n';

async function lensTitle(client: TestClient, uri: string, until: RegExp): Promise<string> {
  const deadline = Date.now() + 20_000;
  let title = '';
  while (!until.test(title) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    const lenses = (await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as Array<{ command: { title: string } }>;
    title = lenses[0]?.command.title ?? '';
  }
  return title;
}

describe('a private OCI registry, with credentials from the user\'s Docker config', () => {
  let registry: Registry;
  let root: string;
  const clients: TestClient[] = [];

  before(async () => {
    registry = await startRegistry(true);
    await pushChart(registry.url, 'charts/app', 'app', '1.0.0', `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`);
    root = mkdtempSync(path.join(tmpdir(), 'hr-private-'));
    mkdirSync(path.join(root, 'apps'));
    writeFileSync(path.join(root, 'apps/repo.yaml'), `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: private\n  namespace: apps\nspec:\n  type: oci\n  url: oci://${registry.url.replace('http://', '')}/charts\n  insecure: true\n  secretRef:\n    name: registry-credentials\n`);
    writeFileSync(path.join(root, 'apps/release.yaml'), release);
  });

  after(async () => {
    for (const c of clients) await c.shutdown();
    await registry.stop();
  });

  const start = async (dockerConfig: string) => {
    const client = new TestClient({ ...process.env, DOCKER_CONFIG: dockerConfig, HELM_REGISTRY_CONFIG: path.join(dockerConfig, 'none.json') });
    clients.push(client);
    await client.initialize(true, [root], { globalStoragePath: mkdtempSync(path.join(tmpdir(), 'hr-storage-')), trusted: true });
    await client.ready;
    const uri = pathToFileURL(path.join(root, 'apps/release.yaml')).toString();
    await client.open(uri, release);
    return { client, uri };
  };

  test('with the registry in ~/.docker/config.json, the chart is pulled and the password never appears', async () => {
    const dockerConfig = mkdtempSync(path.join(tmpdir(), 'hr-docker-'));
    writeFileSync(path.join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [registry.url.replace('http://', '')]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } }));
    const { client, uri } = await start(dockerConfig);
    const title = await lensTitle(client, uri, /^Chart app 1\.0\.0/);
    assert.match(title, /^Chart app 1\.0\.0 · app 1\.0\.0 from oci:\/\//);
    assert.ok(![...client.logs, ...client.stderr].some((l) => l.includes(PASSWORD)), 'the password is never logged');
  });

  test('without credentials the lens says the registry refused, without any secret', async () => {
    const { client, uri } = await start(mkdtempSync(path.join(tmpdir(), 'hr-docker-empty-')));
    const title = await lensTitle(client, uri, /^Chart not available/);
    assert.match(title, /^Chart not available: .*(401|unauthori[sz]ed|authentication)/i);
    assert.ok(!title.includes(PASSWORD));
  });
});

describe('reading credentials', () => {
  test('docker auths (base64 or username/password), Helm registry config first, Helm repositories.yaml for HTTP', () => {
    const home = mkdtempSync(path.join(tmpdir(), 'hr-home-'));
    mkdirSync(path.join(home, '.docker'));
    mkdirSync(path.join(home, '.config/helm/registry'), { recursive: true });
    writeFileSync(path.join(home, '.docker/config.json'), JSON.stringify({ auths: { 'ghcr.io': { auth: Buffer.from('docker-user:s3cret:with:colons').toString('base64') }, 'quay.io': { username: 'q', password: 'p' } } }));
    writeFileSync(path.join(home, '.config/helm/registry/config.json'), JSON.stringify({ auths: { 'quay.io': { auth: Buffer.from('helm-user:hp').toString('base64') } } }));
    writeFileSync(path.join(home, '.config/helm/repositories.yaml'), 'repositories:\n  - name: private\n    url: https://charts.example.com/private/\n    username: chart-user\n    password: chart-pass\n');
    const credentials = new RegistryCredentials({}, home);
    assert.deepEqual(credentials.credentialsFor('oci://ghcr.io/org/charts'), { username: 'docker-user', password: 's3cret:with:colons' });
    assert.deepEqual(credentials.credentialsFor('oci://quay.io/org'), { username: 'helm-user', password: 'hp' });
    assert.deepEqual(credentials.credentialsFor('https://charts.example.com/private'), { username: 'chart-user', password: 'chart-pass' });
    assert.equal(credentials.credentialsFor('oci://docker.io/x'), undefined);
    assert.equal(credentials.credentialsFor('https://charts.example.com/public'), undefined);
  });
});
