import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fluxRefOf, inventoryByKind, inventoryOf } from '../../client/src/cluster/inventory';
import type { KubeObject } from '../../client/src/cluster/types';

// The inventory the real kustomize-controller wrote for the demo's `apps` Kustomization.
const apps: KubeObject = {
  kind: 'Kustomization',
  metadata: { name: 'apps', namespace: 'flux-system' },
  status: {
    inventory: {
      entries: [
        { id: '_grade-api__Namespace', v: 'v1' },
        { id: '_podinfo__Namespace', v: 'v1' },
        { id: 'grade-api_grade-api-values__ConfigMap', v: 'v1' },
        { id: 'grade-api_grade-api_helm.toolkit.fluxcd.io_HelmRelease', v: 'v2' },
        { id: 'grade-api_postgres_helm.toolkit.fluxcd.io_HelmRelease', v: 'v2' },
        { id: 'podinfo_podinfo_helm.toolkit.fluxcd.io_HelmRelease', v: 'v2' },
        { id: 'not-an-id', v: 'v1' },
      ],
    },
  },
};

describe('Kustomization inventory', () => {
  it('splits each id into namespace, name, group and kind, leaving malformed ids out', () => {
    const entries = inventoryOf(apps);
    assert.equal(entries.length, 6);
    assert.deepEqual(entries[0], { namespace: '', name: 'grade-api', group: '', kind: 'Namespace', version: 'v1' });
    assert.deepEqual(entries[3], { namespace: 'grade-api', name: 'grade-api', group: 'helm.toolkit.fluxcd.io', kind: 'HelmRelease', version: 'v2' });
  });

  it('groups by kind, sorted, for the tree', () => {
    assert.deepEqual(
      inventoryByKind(inventoryOf(apps)).map((g) => [g.kind, g.entries.map((e) => `${e.namespace}/${e.name}`)]),
      [
        ['ConfigMap', ['grade-api/grade-api-values']],
        ['HelmRelease', ['grade-api/grade-api', 'grade-api/postgres', 'podinfo/podinfo']],
        ['Namespace', ['/grade-api', '/podinfo']],
      ],
    );
  });

  it('links the entries that are Flux objects the view watches, and only when the group matches', () => {
    const [release] = inventoryOf(apps).filter((e) => e.kind === 'HelmRelease');
    assert.deepEqual(fluxRefOf(release!), { kind: 'HelmRelease', namespace: 'grade-api', name: 'grade-api' });
    assert.equal(fluxRefOf({ namespace: 'x', name: 'y', group: 'example.com', kind: 'HelmRelease', version: 'v1' }), undefined);
    assert.equal(fluxRefOf({ namespace: 'x', name: 'y', group: '', kind: 'ConfigMap', version: 'v1' }), undefined);
  });

  it('has no entries when the controller wrote none', () => {
    assert.deepEqual(inventoryOf({ kind: 'Kustomization', metadata: { name: 'k' } }), []);
  });
});
