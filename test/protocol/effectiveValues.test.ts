import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { parse } from 'yaml';
import { TestClient } from './lspClient';

describe('Show effective values, over the protocol', () => {
  let client: TestClient;
  let root: string;
  let uri: string;
  let text: string;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'hr-values-'));
    cpSync(path.resolve(__dirname, '../fixtures/local-chart'), root, { recursive: true });
    const file = path.join(root, 'apps/grade-api.yaml');
    text = readFileSync(file, 'utf8')
      .replace('      tga: "1.4.2"\n', '')
      .replace('        pasword: x\n', '')
      .replace('  values:\n', '  valuesFrom:\n    - kind: ConfigMap\n      name: grade-api-values\n    - kind: Secret\n      name: grade-api-db\n      valuesKey: password\n      targetPath: database.auth.password\n  values:\n');
    writeFileSync(file, text);
    writeFileSync(path.join(root, 'apps/values.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: grade-api-values\n  namespace: flux-system\ndata:\n  values.yaml: |\n    replicaCount: 5\n    service:\n      port: 9090\n');
    uri = pathToFileURL(file).toString();
    client = new TestClient();
    await client.initialize(true, [root]);
    await client.ready;
    await client.open(uri, text);
  });

  after(async () => {
    await client.shutdown();
  });

  test('merges chart defaults, the ConfigMap, spec.values and a masked Secret targetPath, naming each source', async () => {
    const line = text.split('\n').findIndex((l) => l.includes('kind: HelmRelease'));
    const result = (await client.connection.sendRequest('helmRelease/effectiveValues', { uri, position: { line, character: 0 } })) as { title: string; text: string };
    assert.equal(result.title, 'grade-api.effective-values.yaml');
    const values = parse(result.text) as Record<string, Record<string, unknown>>;
    assert.equal(values.replicaCount, 2, 'spec.values wins over the ConfigMap');
    assert.deepEqual(values.service, { type: 'ClusterIP', port: 9090 });
    assert.equal((values.database!.auth as Record<string, unknown>).password, '***');
    assert.match(result.text, /port: 9090 # ConfigMap grade-api-values, key values.yaml/);
    assert.match(result.text, /type: ClusterIP # chart grade-api default/);
    assert.match(result.text, /Chart grade-api 1\.4\.2 \(\.\/charts\/grade-api in this repository\)/);
  });

  test('outside a HelmRelease it says what to do', async () => {
    const result = (await client.connection.sendRequest('helmRelease/effectiveValues', { uri, position: { line: 1, character: 0 } })) as { error: string };
    assert.match(result.error, /Place the cursor in a HelmRelease/);
  });
});
