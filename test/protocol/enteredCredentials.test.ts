import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { TestClient } from './lspClient';
import { PASSWORD, pushChart, startRegistry, USER, type Registry } from '../remoteCharts/registry';
import { CREDENTIALS_NEEDED, REGISTRY_CREDENTIALS, type CredentialsNeeded } from '../../server/src/protocol';
import { newSealKey, seal, SEAL_KEY_ENV } from '../../server/src/sealed';
import { enteredFor } from '../../server/src/node/registryCredentials';

const release = 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: app\n  namespace: apps\nspec:\n  interval: 10m\n  chart:\n    spec:\n      chart: app\n      version: "1.0.0"\n      sourceRef: {kind: HelmRepository, name: private}\n  values:\n    pushed: "x"\n';

describe('credentials entered in the editor (sealed over LSP)', () => {
  let registry: Registry;
  let root: string;
  let repositoryUrl: string;
  const clients: TestClient[] = [];

  before(async () => {
    registry = await startRegistry(true);
    await pushChart(registry.url, 'team/charts/app', 'app', '1.0.0', `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`);
    root = mkdtempSync(path.join(tmpdir(), 'hr-entered-'));
    mkdirSync(path.join(root, 'apps'));
    repositoryUrl = `oci://${registry.url.replace('http://', '')}/team/charts`;
    writeFileSync(path.join(root, 'apps/repo.yaml'), `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: private\n  namespace: apps\nspec:\n  type: oci\n  url: ${repositoryUrl}\n  insecure: true\n`);
    writeFileSync(path.join(root, 'apps/release.yaml'), release);
  });

  after(async () => {
    for (const c of clients) await c.shutdown();
    await registry.stop();
  });

  /** A server with no Docker or Helm credentials at all, and the bytes the client sends it. */
  const start = async (key: string) => {
    const empty = mkdtempSync(path.join(tmpdir(), 'hr-no-config-'));
    const client = new TestClient({ ...process.env, [SEAL_KEY_ENV]: key, DOCKER_CONFIG: empty, HELM_REGISTRY_CONFIG: path.join(empty, 'none.json'), HELM_REPOSITORY_CONFIG: path.join(empty, 'none.yaml') });
    clients.push(client);
    const sent: string[] = [];
    const write = client.process.stdin.write.bind(client.process.stdin) as (chunk: unknown, ...rest: unknown[]) => boolean;
    client.process.stdin.write = ((chunk: unknown, ...rest: unknown[]) => {
      sent.push(Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
      return write(chunk, ...rest);
    }) as typeof client.process.stdin.write;
    const refused: CredentialsNeeded[] = [];
    client.connection.onNotification(CREDENTIALS_NEEDED, (notice: CredentialsNeeded) => void refused.push(notice));
    await client.initialize(true, [root], { globalStoragePath: mkdtempSync(path.join(tmpdir(), 'hr-storage-')), trusted: true });
    await client.ready;
    const uri = pathToFileURL(path.join(root, 'apps/release.yaml')).toString();
    await client.open(uri, release);
    return { client, uri, sent, refused };
  };

  test('a 401 is reported once; entered credentials then fetch the chart, and the password is never on the wire or in a log', async () => {
    const key = newSealKey();
    const { client, uri, sent, refused } = await start(key);
    assert.match(await client.codeLensTitle(uri, /401/), /^Chart not available: .*401 Unauthorized/);
    const deadline = Date.now() + 5_000;
    while (refused.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(refused, [{ url: repositoryUrl, status: 401 }]);

    // A wrong password: still refused, and said once more since the credentials changed.
    await client.connection.sendNotification(REGISTRY_CREDENTIALS, { sealed: seal(key, [{ url: repositoryUrl, username: USER, password: 'wrong' }]) });
    const until = Date.now() + 10_000;
    while (refused.length < 2 && Date.now() < until) await client.codeLensTitle(uri, /./);
    assert.equal(refused.length, 2, 'the server reports the refusal of the new credentials');

    // The right ones, entered for the whole registry host: the longest matching URL wins over nothing.
    const host = `oci://${registry.url.replace('http://', '')}`;
    await client.connection.sendNotification(REGISTRY_CREDENTIALS, { sealed: seal(key, [{ url: host, username: USER, password: PASSWORD }]) });
    assert.match(await client.codeLensTitle(uri, /^Chart app/), /^Chart app 1\.0\.0 · app 1\.0\.0 from oci:\/\//);

    const wire = sent.join('');
    assert.ok(wire.includes(REGISTRY_CREDENTIALS.method), 'the credentials notification was sent');
    assert.ok(!wire.includes(PASSWORD) && !wire.includes('wrong'), 'the passwords never cross the connection in clear');
    assert.ok(![...client.logs, ...client.stderr].some((l) => l.includes(PASSWORD)), 'the password is never logged');
  });

  test('credentials sealed with another key are ignored with a warning, not used', async () => {
    const { client, uri } = await start(newSealKey());
    await client.connection.sendNotification(REGISTRY_CREDENTIALS, { sealed: seal(newSealKey(), [{ url: repositoryUrl, username: USER, password: PASSWORD }]) });
    assert.match(await client.codeLensTitle(uri, /401/), /401 Unauthorized/);
    const deadline = Date.now() + 5_000;
    while (!client.logs.some((l) => l.includes('could not be read')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(client.logs.some((l) => /Registry credentials from the editor could not be read/.test(l)), client.logs.join('\n'));
  });
});

describe('which entered credential applies to a repository URL', () => {
  const entered = [
    { url: 'oci://ghcr.io', username: 'host', password: 'a' },
    { url: 'oci://ghcr.io/team/', username: 'team', password: 'b' },
    { url: 'https://charts.example.com/private', username: 'http', password: 'c' },
  ];
  test('the longest URL that is the repository or a folder above it; case of scheme and host ignored', () => {
    assert.equal(enteredFor(entered, 'oci://ghcr.io/team/charts')?.username, 'team');
    assert.equal(enteredFor(entered, 'oci://GHCR.io/other')?.username, 'host');
    assert.equal(enteredFor(entered, 'oci://ghcr.io/teams')?.username, 'host', 'a folder boundary, not a string prefix');
    assert.equal(enteredFor(entered, 'https://charts.example.com/private/')?.username, 'http');
    assert.equal(enteredFor(entered, 'https://charts.example.com/public'), undefined);
    assert.equal(enteredFor(entered, 'oci://ghcr.io.evil.com/x'), undefined);
  });
});
