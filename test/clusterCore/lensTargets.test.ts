import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ManifestObject } from '../../server/src/protocol';
import { lensTargets, type LiveObjects } from '../../client/src/clusterUi/lensTargets';
import type { FluxKind, KubeObject } from '../../client/src/cluster/types';

const ready = { conditions: [{ type: 'Ready', status: 'True' }] };

function live(objects: Array<KubeObject & { kind: FluxKind }>): LiveObjects {
  return { list: (kind) => objects.filter((o) => o.kind === kind) };
}

const cluster = live([
  { kind: 'HelmRelease', metadata: { name: 'podinfo', namespace: 'podinfo' }, status: { ...ready, history: [{ chartVersion: '6.7.0' }] } },
  { kind: 'HelmRelease', metadata: { name: 'grade-api', namespace: 'grade-api' }, spec: { suspend: true }, status: ready },
  { kind: 'HelmRelease', metadata: { name: 'redis', namespace: 'team-a' }, status: ready },
  { kind: 'HelmRelease', metadata: { name: 'redis', namespace: 'team-b' }, status: ready },
  { kind: 'OCIRepository', metadata: { name: 'podinfo', namespace: 'podinfo' }, status: { ...ready, artifact: { revision: '6.7.0@sha256:0123' } } },
]);

const object = (kind: string, name: string, line: number, namespace?: string, apiVersion = kind === 'HelmRelease' ? 'helm.toolkit.fluxcd.io/v2' : 'source.toolkit.fluxcd.io/v1'): ManifestObject => ({
  apiVersion,
  kind,
  name,
  line,
  ...(namespace ? { namespace } : {}),
});

const titlesByLine = (objects: ManifestObject[]) => lensTargets(objects, cluster).map((t) => `${t.line}: ${t.title} → ${t.command} ${t.ref.kind}/${t.ref.namespace}/${t.ref.name}`);

describe('the cluster CodeLens above the objects the language server found', () => {
  test('state, revision and namespace, then Reconcile, Deployed ↔ manifest (HelmReleases) and Suspend, on the line of each object on the cluster', () => {
    assert.deepEqual(titlesByLine([object('HelmRelease', 'podinfo', 3, 'podinfo'), object('OCIRepository', 'podinfo', 20, 'podinfo')]), [
      '3: Ready · 6.7.0 (podinfo) → flux.showLiveObject HelmRelease/podinfo/podinfo',
      '3: Reconcile → flux.reconcile HelmRelease/podinfo/podinfo',
      '3: Deployed ↔ manifest → flux.compareDeployed HelmRelease/podinfo/podinfo',
      '3: Suspend → flux.suspend HelmRelease/podinfo/podinfo',
      '20: Ready · 6.7.0@sha256:0123 (podinfo) → flux.showLiveObject OCIRepository/podinfo/podinfo',
      '20: Reconcile → flux.reconcile OCIRepository/podinfo/podinfo',
      '20: Suspend → flux.suspend OCIRepository/podinfo/podinfo',
    ]);
  });

  test('a suspended object offers Resume', () => {
    assert.deepEqual(titlesByLine([object('HelmRelease', 'grade-api', 0, 'grade-api')]), [
      '0: Suspended (grade-api) → flux.showLiveObject HelmRelease/grade-api/grade-api',
      '0: Reconcile → flux.reconcile HelmRelease/grade-api/grade-api',
      '0: Deployed ↔ manifest → flux.compareDeployed HelmRelease/grade-api/grade-api',
      '0: Resume → flux.resume HelmRelease/grade-api/grade-api',
    ]);
  });

  test('without a namespace, a name in one namespace is taken to be it; a name in two is left alone', () => {
    const titles = titlesByLine([object('HelmRelease', 'podinfo', 0), object('HelmRelease', 'redis', 10)]);
    assert.equal(titles.length, 4);
    assert.ok(titles.every((t) => t.startsWith('0: ') && t.endsWith('HelmRelease/podinfo/podinfo')), titles.join('\n'));
  });

  test('no lens for an object not on the cluster, in another namespace, of another API group or not a Flux kind', () => {
    assert.deepEqual(
      titlesByLine([
        object('HelmRelease', 'missing', 0, 'podinfo'),
        object('HelmRelease', 'podinfo', 5, 'default'),
        object('HelmRelease', 'podinfo', 10, 'podinfo', 'example.com/v1'),
        object('ConfigMap', 'podinfo', 15, 'podinfo', 'v1'),
        object('toString', 'podinfo', 20, 'podinfo', 'v1'),
      ]),
      [],
    );
  });
});
