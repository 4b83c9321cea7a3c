import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { TestClient } from './lspClient';
import { PASSWORD, pushChart, startRegistry, USER, type Registry } from '../remoteCharts/registry';
import { RegistryCredentials } from '../../server/src/node/registryCredentials';

const release = 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: app\n  namespace: apps\nspec:\n  interval: 10m\n  chart:\n    spec:\n      chart: app\n      version: "1.0.0"\n      sourceRef: {kind: HelmRepository, name: private}\n  values:\n    pushed: "x"\n';

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
    const title = await client.codeLensTitle(uri, /^Chart app 1\.0\.0/);
    assert.match(title, /^Chart app 1\.0\.0 · app 1\.0\.0 from oci:\/\//);
    assert.ok(![...client.logs, ...client.stderr].some((l) => l.includes(PASSWORD)), 'the password is never logged');
  });

  test('without credentials the lens says the registry refused, without any secret', async () => {
    const { client, uri } = await start(mkdtempSync(path.join(tmpdir(), 'hr-docker-empty-')));
    const title = await client.codeLensTitle(uri, /^Chart not available/);
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

  test('Docker credential helpers (credHelpers per host, else credsStore) are asked with the host on stdin, as docker does', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'hr-helper-home-'));
    const bin = mkdtempSync(path.join(tmpdir(), 'hr-helper-bin-'));
    const asked = path.join(bin, 'asked.log');
    // A credential helper speaking the docker-credential protocol: `get` reads a server URL, prints JSON.
    const helper = (name: string, username: string) => {
      const file = path.join(bin, `docker-credential-${name}`);
      writeFileSync(file, `#!/bin/sh\nread host\necho "${name} $1 $host" >> '${asked}'\ncase "$host" in\n  *.example.com|127.0.0.1:*) echo '{"ServerURL":"'$host'","Username":"${username}","Secret":"helper-secret"}' ;;\n  token.io) echo '{"Username":"<token>","Secret":"refresh"}' ;;\n  *) echo 'credentials not found in native keychain'; exit 1 ;;\nesac\n`);
      chmodSync(file, 0o755);
    };
    helper('store', 'store-user');
    helper('pinned', 'pinned-user');
    mkdirSync(path.join(home, '.docker'));
    writeFileSync(path.join(home, '.docker/config.json'), JSON.stringify({ credsStore: 'store', credHelpers: { 'pinned.example.com': 'pinned' }, auths: { 'reg.example.com': {}, 'inline.io': { auth: Buffer.from('u:p').toString('base64') } } }));
    const credentials = new RegistryCredentials({ PATH: `${bin}:${process.env.PATH ?? ''}` }, home);
    assert.deepEqual(await credentials.resolve('oci://reg.example.com/charts'), { username: 'store-user', password: 'helper-secret' });
    assert.deepEqual(await credentials.resolve('oci://pinned.example.com/charts'), { username: 'pinned-user', password: 'helper-secret' });
    assert.deepEqual(await credentials.resolve('oci://inline.io/charts'), { username: 'u', password: 'p' }, 'inline auths need no helper');
    assert.equal(await credentials.resolve('oci://unknown.org/x'), undefined, 'the helper has nothing for this host');
    assert.equal(await credentials.resolve('oci://token.io/x'), undefined, 'identity tokens are not used as passwords');
    await credentials.resolve('oci://reg.example.com/other');
    const lines = readFileSync(asked, 'utf8').trim().split('\n');
    assert.deepEqual(lines.filter((l) => l.includes('reg.example.com')), ['store get reg.example.com'], 'answers are reused, not asked again for each chart');
    const missing = new RegistryCredentials({ PATH: bin }, mkdtempSync(path.join(tmpdir(), 'hr-helper-none-')));
    mkdirSync(path.join((missing as unknown as { home: string }).home, '.docker'));
    writeFileSync(path.join((missing as unknown as { home: string }).home, '.docker/config.json'), JSON.stringify({ credsStore: 'not-installed' }));
    assert.equal(await missing.resolve('oci://reg.example.com/charts'), undefined, 'a helper that is not installed means no credentials, not a failure');
  });
});
