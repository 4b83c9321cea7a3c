// Helm's storage record decoded as the API returns it, the fallback to status.history when Secrets
// may not be read, and the masking of values that come from Secrets.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import type { HttpMethod, KubeApi, RequestOptions, WatchHandle } from '../../client/src/cluster/connection';
import { ClusterError } from '../../client/src/cluster/errors';
import {
  decodeReleaseData,
  fillMasked,
  maskManifest,
  maskValues,
  readDeployedRelease,
  secretKeyReader,
  secretStrings,
  secretValuePaths,
  userSuppliedValues,
  type SecretKeyReader,
} from '../../client/src/cluster/helmStorage';
import type { KubeObject } from '../../client/src/cluster/types';
import { effectiveValues, renderEffectiveValues } from '../../server/src/service/values/effectiveValues';

const b64 = (bytes: Buffer | string) => Buffer.from(bytes).toString('base64');

const record = {
  name: 'podinfo',
  namespace: 'apps',
  version: 3,
  info: { status: 'deployed', description: 'Upgrade complete', first_deployed: '2026-01-01T00:00:00Z', last_deployed: '2026-01-02T00:00:00Z', notes: 'hello' },
  chart: {
    metadata: { name: 'podinfo', version: '6.5.0', appVersion: '6.5.0', apiVersion: 'v2' },
    values: { replicaCount: 1 },
    templates: [{ name: 'templates/cm.yaml', data: b64('kind: ConfigMap') }],
  },
  config: { replicaCount: 2, auth: { password: 'hunter2-secret' } },
  manifest: '---\n# Source: podinfo/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\n',
};

/** What Helm writes (gzip, base64) and the API then sends (base64 again). */
const asTheApiSendsIt = (value: unknown, gzip = true) => {
  const json = Buffer.from(JSON.stringify(value));
  return b64(b64(gzip ? gzipSync(json, { level: 9 }) : json));
};

class FakeApi implements KubeApi {
  readonly paths: string[] = [];
  constructor(private readonly answer: (path: string) => unknown) {}
  request<T>(_method: HttpMethod, path: string, _options?: RequestOptions): Promise<T> {
    this.paths.push(path);
    try {
      return Promise.resolve(this.answer(path) as T);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
  watch(): WatchHandle {
    throw new Error('not used');
  }
}

// Helm-controller's snapshots carry more fields than types.ts declares: no excess-property check.
const snapshots = [
  { name: 'podinfo', namespace: 'apps', version: 2, status: 'superseded', chartVersion: '6.4.0' },
  { name: 'podinfo', namespace: 'apps', version: 3, status: 'deployed', chartVersion: '6.5.0', configDigest: 'sha256:abc' },
];

const helmRelease = (extra: { status?: Record<string, unknown>; valuesFrom?: unknown[] } = {}): KubeObject => ({
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  metadata: { name: 'podinfo', namespace: 'flux-system' },
  spec: { valuesFrom: extra.valuesFrom },
  status: {
    storageNamespace: 'apps',
    history: snapshots,
    ...extra.status,
  },
});

describe('decodeReleaseData', () => {
  it('decodes base64 twice, gunzips and parses: the typed record, without templates', () => {
    const decoded = decodeReleaseData(asTheApiSendsIt(record));
    assert.deepEqual(decoded, {
      name: 'podinfo',
      namespace: 'apps',
      version: 3,
      info: { status: 'deployed', description: 'Upgrade complete', first_deployed: '2026-01-01T00:00:00Z', last_deployed: '2026-01-02T00:00:00Z' },
      chart: { metadata: { name: 'podinfo', version: '6.5.0', appVersion: '6.5.0' }, values: { replicaCount: 1 } },
      config: { replicaCount: 2, auth: { password: 'hunter2-secret' } },
      manifest: record.manifest,
    });
  });

  it('accepts an uncompressed (older) record, and text already decoded once', () => {
    assert.equal(decodeReleaseData(asTheApiSendsIt(record, false)).version, 3);
    assert.equal(decodeReleaseData(b64(gzipSync(JSON.stringify(record)))).version, 3);
  });

  it('an empty config (omitted by Helm) is {}', () => {
    const { config: _config, ...withoutConfig } = record;
    assert.deepEqual(decodeReleaseData(asTheApiSendsIt(withoutConfig)).config, {});
  });

  it('garbage gives a clear ClusterError that quotes nothing of the data', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /outer base64 layer is not base64/],
      ['not base64 at all!', /outer base64 layer is not base64/],
      [b64('hunter2-secret!'), /inner base64 layer is not base64/],
      [b64(b64(Buffer.from([0x1f, 0x8b, 0x08, 1, 2, 3, 4, 5]))), /gunzip failed/],
      [b64(b64(gzipSync('{"password": "hunter2-secret"'))), /it is not JSON/],
      [asTheApiSendsIt({ password: 'hunter2-secret' }), /not a Helm release record/],
    ];
    for (const [data, message] of cases) {
      assert.throws(
        () => decodeReleaseData(data),
        (error: unknown) => error instanceof ClusterError && message.test(error.message) && !error.message.includes('hunter2') && /^Helm's release record could not be decoded/.test(error.message),
      );
    }
  });
});

describe('readDeployedRelease', () => {
  it('reads the highest revision from the storage namespace', async () => {
    const api = new FakeApi(() => ({ data: { release: asTheApiSendsIt(record) } }));
    const deployed = await readDeployedRelease(api, helmRelease());
    assert.deepEqual(api.paths, ['/api/v1/namespaces/apps/secrets/sh.helm.release.v1.podinfo.v3']);
    assert.equal(deployed.source, 'storage');
    assert.ok(deployed.source === 'storage');
    assert.equal(deployed.record.config.replicaCount, 2);
    assert.equal(deployed.entry.configDigest, 'sha256:abc');
    assert.equal(deployed.secretName, 'sh.helm.release.v1.podinfo.v3');
  });

  it('without status.storageNamespace, the HelmRelease namespace', async () => {
    const api = new FakeApi(() => ({ data: { release: asTheApiSendsIt(record) } }));
    await readDeployedRelease(api, helmRelease({ status: { storageNamespace: undefined } }));
    assert.deepEqual(api.paths, ['/api/v1/namespaces/flux-system/secrets/sh.helm.release.v1.podinfo.v3']);
  });

  it('403: falls back to the status.history entry, saying Secrets could not be read', async () => {
    const api = new FakeApi(() => {
      throw new ClusterError('Forbidden', 'Access denied (403): secrets "sh.helm.release.v1.podinfo.v3" is forbidden', 403);
    });
    const deployed = await readDeployedRelease(api, helmRelease());
    assert.equal(deployed.source, 'history');
    assert.ok(deployed.source === 'history');
    assert.equal(deployed.entry.version, 3);
    assert.match(deployed.reason, /^Secrets could not be read: access to Helm's storage Secret apps\/sh\.helm\.release\.v1\.podinfo\.v3 was denied/);
    assert.match(deployed.reason, /only status\.history is shown\.$/);
  });

  it('404 and undecodable data fall back too; other errors are thrown', async () => {
    const missing = await readDeployedRelease(new FakeApi(() => { throw new ClusterError('NotFound', 'Not found (404)', 404); }), helmRelease());
    assert.ok(missing.source === 'history' && /does not exist/.test(missing.reason));
    const garbage = await readDeployedRelease(new FakeApi(() => ({ data: { release: b64('hunter2-secret!') } })), helmRelease());
    assert.ok(garbage.source === 'history' && /could not be decoded/.test(garbage.reason) && !garbage.reason.includes('hunter2'));
    await assert.rejects(readDeployedRelease(new FakeApi(() => { throw new ClusterError('Unreachable', 'Cannot reach'); }), helmRelease()), /Cannot reach/);
  });

  it('no history: NotFound', async () => {
    await assert.rejects(readDeployedRelease(new FakeApi(() => ({})), helmRelease({ status: { history: [] } })), (error: unknown) => error instanceof ClusterError && error.code === 'NotFound');
  });
});

describe('values from Secrets', () => {
  const files: Record<string, string | Error> = {
    'flux-system/root/values.yaml': 'db:\n  user: admin\n  password: hunter2-secret\nlist: [a, b]\nempty: {}\n',
    'flux-system/custom/extra': 'token: abcd-1234\n',
    'flux-system/broken/values.yaml': 'a: [hunter2-secret\n',
    'flux-system/denied/values.yaml': new ClusterError('Forbidden', 'Access denied (403): secrets "denied" is forbidden', 403),
  };
  const read: SecretKeyReader = (namespace, name, key) => {
    const file = files[`${namespace}/${name}/${key}`];
    return file instanceof Error ? Promise.reject(file) : Promise.resolve(file);
  };

  it('targetPath entries give their path; whole values files every leaf path; unreadable ones are reported', async () => {
    const result = await secretValuePaths(
      helmRelease({
        valuesFrom: [
          { kind: 'Secret', name: 'pw', valuesKey: 'password', targetPath: 'auth.password' },
          { kind: 'Secret', name: 'item', valuesKey: 'x', targetPath: 'hosts[1].name' },
          { kind: 'Secret', name: 'dotted', valuesKey: 'x', targetPath: 'annotations.example\\.com/key' },
          { kind: 'ConfigMap', name: 'root', valuesKey: 'values.yaml' },
          { kind: 'Secret', name: 'root' },
          { kind: 'Secret', name: 'custom', valuesKey: 'extra' },
          { kind: 'Secret', name: 'denied' },
          { kind: 'Secret', name: 'broken' },
          { kind: 'Secret', name: 'nokey', valuesKey: 'values.yaml' },
        ],
      }),
      read,
    );
    assert.deepEqual(result.paths, [['auth', 'password'], ['hosts', 1, 'name'], ['annotations', 'example.com/key'], ['db', 'user'], ['db', 'password'], ['list'], ['empty'], ['token']]);
    assert.deepEqual(
      result.unidentified.map((u) => [u.name, u.valuesKey]),
      [['denied', 'values.yaml'], ['broken', 'values.yaml'], ['nokey', 'values.yaml']],
    );
    assert.match(result.unidentified[0]!.reason, /403/);
    assert.ok(result.unidentified.every((u) => !u.reason.includes('hunter2')), 'a parse error quotes nothing');
  });

  it('secretKeyReader GETs the Secret and decodes the key', async () => {
    const api = new FakeApi(() => ({ data: { 'values.yaml': b64('a: 1\n') } }));
    assert.equal(await secretKeyReader(api)('apps', 'vals', 'values.yaml'), 'a: 1\n');
    assert.equal(await secretKeyReader(api)('apps', 'vals', 'other'), undefined);
    assert.deepEqual(api.paths, ['/api/v1/namespaces/apps/secrets/vals', '/api/v1/namespaces/apps/secrets/vals']);
  });

  it('maskValues replaces the values at the paths in a deep copy; missing paths are ignored', () => {
    const values = { auth: { password: 'hunter2-secret', user: 'admin' }, hosts: [{ name: 'a' }, { name: 'b' }], db: { password: { nested: true } } };
    const masked = maskValues(values, [['auth', 'password'], ['hosts', 1, 'name'], ['db', 'password'], ['not', 'there'], ['auth', 'user', 'deeper']]);
    assert.deepEqual(masked, { auth: { password: '••••••', user: 'admin' }, hosts: [{ name: 'a' }, { name: '••••••' }], db: { password: '••••••' } });
    assert.equal(values.auth.password, 'hunter2-secret', 'the original is untouched');
    assert.deepEqual(maskValues({ a: 1 }, [['a']], '***'), { a: '***' });
  });

  it('fillMasked adds the mask where the values lack it, and never overwrites', () => {
    const filled = fillMasked({ db: { user: 'x' }, flat: 'text' }, [['db', 'password'], ['db', 'user'], ['token'], ['flat', 'inner'], ['list', 0]]);
    assert.deepEqual(filled, { db: { user: 'x', password: '••••••' }, flat: 'text', token: '••••••' });
  });

  it('maskManifest hides Secret data and the Secret-sourced strings elsewhere, keeping the rest', () => {
    const manifest = [
      '---',
      '# Source: c/templates/secret.yaml',
      'apiVersion: v1',
      'kind: Secret',
      'metadata:',
      '  name: creds',
      'data:',
      '  password: aHVudGVyMi1zZWNyZXQ=',
      'stringData:',
      '  config: |',
      '    multi',
      '    line',
      '  other: plain',
      '---',
      '# Source: c/templates/cm.yaml',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: settings',
      'data:',
      '  url: "postgres://admin:hunter2-secret@db"',
      '  mode: live',
      '',
    ].join('\n');
    const secrets = secretStrings({ auth: { password: 'hunter2-secret', short: 'abc', on: true } }, [['auth']]);
    assert.deepEqual(secrets, ['hunter2-secret']);
    const masked = maskManifest(manifest, secrets);
    assert.ok(!masked.includes('hunter2') && !masked.includes('aHVudGVy') && !masked.includes('multi'), masked);
    assert.match(masked, /password: "••••••"\nstringData:\n {2}config: "••••••"\n {2}other: "••••••"\n---/);
    assert.match(masked, /url: "postgres:\/\/admin:••••••@db"\n {2}mode: live\n/);
    assert.match(masked, /# Source: c\/templates\/cm.yaml/);
  });
});

describe('userSuppliedValues', () => {
  it('leaves out what the effective values took from the chart defaults: comparable with Helm config', () => {
    const result = effectiveValues(
      { replicaCount: 1, image: { repository: 'ghcr.io/x', tag: '1.0' }, ports: [80], resources: {}, ingress: { enabled: false, hosts: [] } },
      [
        { kind: 'ConfigMap', name: 'common', valuesKey: 'values.yaml', content: 'image:\n  tag: "2.0"\n' },
        { kind: 'Secret', name: 'pw', valuesKey: 'password', targetPath: 'auth.password' },
        { kind: 'Secret', name: 'root', valuesKey: 'values.yaml' },
      ],
      { replicaCount: 1, extra: {}, ports: [8080], note: null },
      'podinfo',
    );
    const text = renderEffectiveValues(result, ['Effective values of HelmRelease podinfo: what Flux passes to Helm.', 'Order: chart defaults, …']);
    const desired = userSuppliedValues(text);
    assert.deepEqual(desired.values, { replicaCount: 1, image: { tag: '2.0' }, extra: {}, ports: [8080], note: null, auth: { password: '***' } });
    assert.equal(desired.notes.length, 1);
    assert.match(desired.notes[0]!, /^Secret root, key values\.yaml: merged at the root/);
  });

  it('without chart defaults (chart not available) every value is kept; invalid YAML throws', () => {
    const text = renderEffectiveValues(effectiveValues({}, [], { a: { b: [1] } }, 'unknown'), ['Chart not available here: its defaults are not included.']);
    assert.deepEqual(userSuppliedValues(text).values, { a: { b: [1] } });
    assert.deepEqual(userSuppliedValues('{}\n').values, {});
    assert.throws(() => userSuppliedValues('a: [\n'), /not valid YAML/);
  });
});
