// Helm's storage Secret as the real helm-controller writes it: decoded by readDeployedRelease with a
// user who may read Secrets (config, manifest, masking of the values from Secrets), and the
// fallback to status.history for a user whose RBAC grants HelmReleases but not Secrets.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RealCluster } from '../../scripts/cluster/start.mjs';
import type { ClusterConnection } from '../../client/src/cluster/connection';
import { ClusterError } from '../../client/src/cluster/errors';
import { maskManifest, maskValues, fillMasked, readDeployedRelease, secretKeyReader, secretStrings, secretValuePaths, userSuppliedValues } from '../../client/src/cluster/helmStorage';
import { loadKubeconfig } from '../../client/src/cluster/kubeconfig';
import type { TestServer } from '../remoteCharts/helpers';
import { serveSettingsChart, startHelmCluster } from './helmFixture';
import type { KubeObject } from '../../client/src/cluster/types';
import { effectiveValues, renderEffectiveValues } from '../../server/src/service/values/effectiveValues';

const RELEASES = '/apis/helm.toolkit.fluxcd.io/v2/namespaces/apps/helmreleases';
const PASSWORD = 's3cret-password-value';
const TOKEN = 'tok-0123456789';

/** The HelmRelease once helm-controller has decided its Ready condition and written its history. */
async function released(api: ClusterConnection, name: string, timeoutMs = 120_000): Promise<KubeObject> {
  const deadline = Date.now() + timeoutMs;
  let last: KubeObject | undefined;
  while (Date.now() < deadline) {
    last = await api.request<KubeObject>('GET', `${RELEASES}/${name}`);
    const ready = last.status?.conditions?.find((c) => c.type === 'Ready');
    const current = last.status?.observedGeneration === last.metadata.generation;
    if (current && ready?.status === 'True' && (last.status?.history?.length ?? 0) > 0) return last;
    if (current && ready?.status === 'False' && /Failed|RetriesExceeded/.test(ready.reason ?? '')) assert.fail(`${name}: ${ready.reason}: ${ready.message}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${name}: not released after ${timeoutMs / 1000} s; status: ${JSON.stringify(last?.status)}`);
}

describe('Helm storage written by the real helm-controller', () => {
  let cluster: RealCluster;
  let api: ClusterConnection;
  let charts: TestServer;
  let helmRelease: KubeObject;

  before(async () => {
    // The password goes into the ConfigMap, so the manifest holds a value that came from a Secret.
    charts = await serveSettingsChart('mode: demo\npassword: none\n', {
      'configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-settings\ndata:\n  mode: {{ .Values.mode | quote }}\n  url: {{ printf "db://app:%s@db" .Values.password | quote }}\n',
    });
    ({ cluster, api } = await startHelmCluster(charts.url));
    const secret = (name: string, stringData: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'apps' }, stringData });
    await api.request('POST', '/api/v1/namespaces/apps/secrets', { body: secret('settings-password', { password: PASSWORD }) });
    await api.request('POST', '/api/v1/namespaces/apps/secrets', { body: secret('settings-extra', { 'values.yaml': `extra:\n  token: ${TOKEN}\n` }) });
    await api.request('POST', RELEASES, {
      body: {
        apiVersion: 'helm.toolkit.fluxcd.io/v2',
        kind: 'HelmRelease',
        metadata: { name: 'vault', namespace: 'apps' },
        spec: {
          interval: '10m',
          chart: { spec: { chart: 'settings', version: '1.x', sourceRef: { kind: 'HelmRepository', name: 'charts', namespace: 'flux-system' } } },
          values: { mode: 'live' },
          valuesFrom: [
            { kind: 'Secret', name: 'settings-extra' },
            { kind: 'Secret', name: 'settings-password', valuesKey: 'password', targetPath: 'password' },
          ],
        },
      },
    });
    helmRelease = await released(api, 'vault');
  });

  after(async () => {
    await cluster?.stop();
    await charts?.close();
  });

  it('readDeployedRelease with a user who may read Secrets: the record from storage, config = the user-supplied values, the manifest', async () => {
    const deployed = await readDeployedRelease(api, helmRelease);
    assert.equal(deployed.source, 'storage', deployed.source === 'history' ? deployed.reason : '');
    assert.ok(deployed.source === 'storage');
    const { record } = deployed;
    assert.equal(deployed.secretName, `sh.helm.release.v1.vault.v${deployed.entry.version}`);
    assert.deepEqual([record.name, record.namespace, record.version, record.info.status], ['vault', 'apps', deployed.entry.version, 'deployed']);
    assert.deepEqual(record.chart.metadata, { name: 'settings', version: '1.2.0', appVersion: undefined });
    assert.deepEqual(record.chart.values, { mode: 'demo', password: 'none' }, 'the chart defaults are kept apart');
    assert.deepEqual(record.config, { mode: 'live', password: PASSWORD, extra: { token: TOKEN } });
    assert.match(record.manifest, /kind: ConfigMap/);
    assert.match(record.manifest, /name: vault-settings/);
    assert.ok(record.manifest.includes(PASSWORD));
  });

  it('values from the Secrets are masked in config and in the manifest', async () => {
    const deployed = await readDeployedRelease(api, helmRelease);
    assert.ok(deployed.source === 'storage');
    const secrets = await secretValuePaths(helmRelease, secretKeyReader(api));
    assert.deepEqual(secrets, { paths: [['extra', 'token'], ['password']], unidentified: [] });
    const masked = maskValues(deployed.record.config, secrets.paths);
    assert.deepEqual(masked, { mode: 'live', password: '••••••', extra: { token: '••••••' } });
    const manifest = maskManifest(deployed.record.manifest, secretStrings(deployed.record.config, secrets.paths));
    assert.ok(!manifest.includes(PASSWORD), manifest);
    // helm-controller's post-renderer (its labels) writes the YAML again: the quotes are gone.
    assert.match(manifest, /url: "?db:\/\/app:••••••@db"?\n/);
  });

  it('the workspace effective values, without the chart defaults and masked alike, equal the deployed config', async () => {
    const deployed = await readDeployedRelease(api, helmRelease);
    assert.ok(deployed.source === 'storage');
    const secrets = await secretValuePaths(helmRelease, secretKeyReader(api));
    // What the language server computes for this HelmRelease (it never reads Secrets).
    const text = renderEffectiveValues(
      effectiveValues(
        deployed.record.chart.values,
        [
          { kind: 'Secret', name: 'settings-extra', valuesKey: 'values.yaml' },
          { kind: 'Secret', name: 'settings-password', valuesKey: 'password', targetPath: 'password' },
        ],
        { mode: 'live' },
        'settings',
      ),
      ['Effective values of HelmRelease vault'],
    );
    const desired = fillMasked(maskValues(userSuppliedValues(text).values, secrets.paths), secrets.paths);
    assert.deepEqual(desired, maskValues(deployed.record.config, secrets.paths));
  });

  it('a user who may read HelmReleases but not Secrets gets the status.history entry and the reason', async () => {
    await api.request('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/apps/roles', {
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'helmrelease-reader', namespace: 'apps' },
        rules: [{ apiGroups: ['helm.toolkit.fluxcd.io'], resources: ['helmreleases'], verbs: ['get', 'list', 'watch'] }],
      },
    });
    await api.request('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/apps/rolebindings', {
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'helmrelease-reader', namespace: 'apps' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'helmrelease-reader' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'no-rights' }],
      },
    });
    const reader = loadKubeconfig({ path: cluster.kubeconfig }).connect('flux-local-no-rights', { requestTimeoutMs: 10_000 });
    // The authorizer sees new bindings through its informer: a moment after they are created.
    let object: KubeObject | undefined;
    for (let i = 0; i < 80 && !object; i++) {
      object = await reader.request<KubeObject>('GET', `${RELEASES}/vault`).catch((error: unknown) => {
        if (error instanceof ClusterError && error.code === 'Forbidden') return new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 250));
        throw error;
      });
    }
    assert.ok(object, 'the Role lets no-rights get the HelmRelease');
    await assert.rejects(reader.request('GET', '/api/v1/namespaces/apps/secrets'), (error: unknown) => error instanceof ClusterError && error.code === 'Forbidden');

    const deployed = await readDeployedRelease(reader, object);
    assert.equal(deployed.source, 'history');
    assert.ok(deployed.source === 'history');
    assert.equal(deployed.entry.name, 'vault');
    assert.equal(deployed.entry.chartVersion, '1.2.0');
    assert.match(deployed.reason, /^Secrets could not be read: access to Helm's storage Secret apps\/sh\.helm\.release\.v1\.vault\.v\d+ was denied/);
    assert.match(deployed.reason, /only status\.history is shown\.$/);

    const secrets = await secretValuePaths(object, secretKeyReader(reader));
    assert.deepEqual(secrets.paths, [['password']], 'a targetPath needs no read');
    assert.deepEqual(secrets.unidentified.map((u) => [u.name, u.valuesKey]), [['settings-extra', 'values.yaml']]);
    assert.match(secrets.unidentified[0]!.reason, /403/);
  });
});
