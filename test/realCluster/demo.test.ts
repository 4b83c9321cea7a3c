// The demo `npm run cluster` starts, end to end on the real controllers: source-controller clones
// the fleet repository over smart HTTP and pulls the charts from the local HTTP repository and
// registries, kustomize-controller applies infrastructure and then apps (post-build substitution
// done), helm-controller installs podinfo and postgres and fails grade-api, and kubectl shows it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { reconcile, resume, suspend } from '../../client/src/cluster/actions';
import { listEvents } from '../../client/src/cluster/events';
import type { KubeObject, ObjectRef } from '../../client/src/cluster/types';
import { buildDependencyGraph, pathsTo, waitingFor } from '../../client/src/cluster/dependencyGraph';
import { startRealDemo, type RealDemo } from './demo';

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}
interface FluxObject {
  status?: { conditions?: Condition[]; inventory?: { entries?: Array<{ id: string; v: string }> }; lastAppliedRevision?: string };
}

const ready = (object: FluxObject) => object.status?.conditions?.find((c) => c.type === 'Ready');

describe('the demo on the real cluster', () => {
  let demo: RealDemo;

  before(async () => {
    demo = await startRealDemo();
    await demo.settled();
  });

  after(async () => {
    await demo?.stop();
  });

  const get = <T = FluxObject>(path: string) => demo.api.request<T>('GET', path);
  const kustomization = (name: string) => get(`/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/${name}`);
  const helmRelease = (namespace: string, name: string) => get(`/apis/helm.toolkit.fluxcd.io/v2/namespaces/${namespace}/helmreleases/${name}`);

  it('the Kustomizations apply the repository: both Ready at its commit, apps listing its HelmReleases in its inventory', async () => {
    for (const name of ['infrastructure', 'apps']) {
      const k = await kustomization(name);
      assert.equal(ready(k)?.status, 'True', `${name}: ${ready(k)?.message}`);
      assert.match(k.status?.lastAppliedRevision ?? '', /^main@sha1:[0-9a-f]{40}$/);
    }
    const ids = ((await kustomization('apps')).status?.inventory?.entries ?? []).map((e) => e.id).sort();
    assert.deepEqual(
      ids.filter((id) => id.includes('HelmRelease')),
      ['grade-api_grade-api_helm.toolkit.fluxcd.io_HelmRelease', 'grade-api_postgres_helm.toolkit.fluxcd.io_HelmRelease', 'podinfo_podinfo_helm.toolkit.fluxcd.io_HelmRelease'],
    );
    const sources = ((await kustomization('infrastructure')).status?.inventory?.entries ?? []).map((e) => e.id).sort();
    assert.deepEqual(sources, [
      'flux-system_bitnami_source.toolkit.fluxcd.io_HelmRepository',
      'flux-system_grade-api-charts_source.toolkit.fluxcd.io_HelmRepository',
      'flux-system_podinfo_source.toolkit.fluxcd.io_OCIRepository',
    ]);
  });

  it('podinfo is installed from the OCI registry with the substituted values, postgres from the HTTP repository', async () => {
    const podinfo = await helmRelease('podinfo', 'podinfo');
    assert.equal(ready(podinfo)?.status, 'True', ready(podinfo)?.message);
    const ui = await get<{ data: Record<string, string> }>('/api/v1/namespaces/podinfo/configmaps/podinfo-ui');
    assert.equal(ui.data.message, 'Hello from production');
    assert.equal(ui.data.replicas, '3');
    const postgres = await helmRelease('grade-api', 'postgres');
    assert.equal(ready(postgres)?.status, 'True', ready(postgres)?.message);
    const settings = await get<{ data: Record<string, string> }>('/api/v1/namespaces/grade-api/configmaps/postgres-postgresql');
    assert.equal(settings.data.database, 'grades');
  });

  it('grade-api, from the private registry, fails: its migration Job never completes', async () => {
    const gradeApi = await helmRelease('grade-api', 'grade-api');
    const condition = ready(gradeApi);
    assert.equal(condition?.status, 'False');
    assert.match(condition?.reason ?? '', /InstallFailed|RetriesExceeded/);
    assert.match(condition?.message ?? '', /post-install|timed out|deadline/i);
  });

  const apps: ObjectRef = { kind: 'Kustomization', namespace: 'flux-system', name: 'apps' };
  const fleet: ObjectRef = { kind: 'GitRepository', namespace: 'flux-system', name: 'flux-system' };

  it('Reconcile with source on a Kustomization (the Flux view command) fetches a new commit and applies it, as `flux reconcile ks --with-source` reports it', async () => {
    const commit = demo.git.commit({ 'apps/notes.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: release-notes\n  namespace: podinfo\ndata:\n  note: added in Git\n' }, 'A ConfigMap for the notes');
    const progress: string[] = [];
    const result = await reconcile(demo.api, apps, { withSource: true, timeoutMs: 120_000, pollMs: 250, onProgress: (m) => progress.push(m) });
    assert.equal(result.message, `applied revision main@sha1:${commit}`, progress.join('\n'));
    assert.ok(result.notes.some((n) => n === `GitRepository/flux-system/flux-system: fetched revision main@sha1:${commit}`), result.notes.join('\n'));
    const ids = ((await kustomization('apps')).status?.inventory?.entries ?? []).map((e) => e.id);
    assert.ok(ids.includes('podinfo_release-notes__ConfigMap'), ids.join(', '));
  });

  it('Suspend and Resume on a Kustomization and on its GitRepository: spec.suspend set, then cleared and Ready again', async () => {
    for (const ref of [apps, fleet]) {
      const suspended = await suspend(demo.api, ref);
      assert.equal(suspended.spec?.suspend, true);
      const resumed = await resume(demo.api, ref, { wait: true, timeoutMs: 120_000, pollMs: 250 });
      assert.match(resumed.message, ref.kind === 'Kustomization' ? /^applied revision main@sha1:[0-9a-f]{40}$/ : /^fetched revision main@sha1:[0-9a-f]{40}$/);
    }
  });

  it('Reconcile on every source kind of the demo reports what `flux reconcile source …` reports, and a static OCI HelmRepository is left alone', async () => {
    const sources: Array<[ObjectRef, RegExp]> = [
      [{ kind: 'GitRepository', namespace: 'flux-system', name: 'flux-system' }, /^fetched revision main@sha1:[0-9a-f]{40}$/],
      [{ kind: 'HelmRepository', namespace: 'flux-system', name: 'bitnami' }, /^fetched revision sha256:[0-9a-f]{64}$/],
      [{ kind: 'OCIRepository', namespace: 'flux-system', name: 'podinfo' }, /^fetched revision 6\.7\.0@sha256:[0-9a-f]{64}$/],
      [{ kind: 'HelmChart', namespace: 'flux-system', name: 'grade-api-postgres' }, /^fetched revision 16\.4\.2$/],
      [{ kind: 'HelmRepository', namespace: 'flux-system', name: 'grade-api-charts' }, /^reconciliation not supported by the object$/],
    ];
    for (const [ref, expected] of sources) {
      const result = await reconcile(demo.api, ref, { timeoutMs: 120_000, pollMs: 250 });
      assert.match(result.message, expected, `${ref.kind} ${ref.name}`);
    }
  });

  it("a Kustomization's events are the real kustomize-controller's", async () => {
    const events = await listEvents(demo.api, { kind: 'Kustomization', namespace: 'flux-system', name: 'apps' });
    const seen = JSON.stringify(events.map((e) => [e.reason, e.message]));
    assert.ok(events.some((e) => e.reason === 'Progressing' && (e.message ?? '').includes('HelmRelease/podinfo/podinfo created')), seen);
    assert.ok(events.some((e) => e.reason === 'ReconciliationSucceeded' && /^Reconciliation finished in /.test(e.message ?? '')), seen);
  });

  it('the dependency graph from the live objects: infrastructure → monitoring → dashboards, dashboards waiting for the failed monitoring as kustomize-controller says', async () => {
    const list = async (path: string) => (await demo.api.request<{ items: KubeObject[] }>('GET', path)).items.map((o) => ({ ...o, kind: path.endsWith('kustomizations') ? 'Kustomization' : 'HelmRelease' }));
    // infrastructure up to date with the latest commit (an earlier test pushed one), so that monitoring fails on its own.
    await reconcile(demo.api, { kind: 'Kustomization', namespace: 'flux-system', name: 'infrastructure' }, { timeoutMs: 120_000, pollMs: 250 });
    await reconcile(demo.api, { kind: 'Kustomization', namespace: 'flux-system', name: 'monitoring' }, { timeoutMs: 5_000, pollMs: 250 }).catch(() => undefined);
    let kustomizations: KubeObject[] = [];
    const readyOf = (name: string) => kustomizations.find((k) => k.metadata.name === name)?.status?.conditions?.find((c) => c.type === 'Ready');
    for (let i = 0; i < 240; i++) {
      kustomizations = await list('/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations');
      if (readyOf('dashboards')?.reason === 'DependencyNotReady' && readyOf('monitoring')?.status === 'False' && readyOf('monitoring')?.reason !== 'DependencyNotReady') break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    console.log(`monitoring: ${JSON.stringify(readyOf('monitoring'))}`);
    const graph = buildDependencyGraph({ kustomizations, helmReleases: await list('/apis/helm.toolkit.fluxcd.io/v2/helmreleases') });
    const dashboards = graph.nodes.get('Kustomization/flux-system/dashboards');
    const own = dashboards?.object?.status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(own?.reason, 'DependencyNotReady', JSON.stringify(own));
    assert.match(own?.message ?? '', /flux-system\/monitoring/);
    assert.deepEqual(pathsTo(graph, 'Kustomization/flux-system/dashboards'), [['Kustomization/flux-system/infrastructure', 'Kustomization/flux-system/monitoring', 'Kustomization/flux-system/dashboards']]);
    assert.deepEqual(graph.roots, ['HelmRelease/grade-api/postgres', 'Kustomization/flux-system/infrastructure']);
    assert.match(waitingFor(graph, 'Kustomization/flux-system/dashboards') ?? '', /^waiting for flux-system\/monitoring: Failed — .*monitoring.*(not found|no such file)/);
    assert.match(waitingFor(graph, 'HelmRelease/grade-api/grade-api') ?? 'none', /none/, 'grade-api failed on its own: postgres is Ready');
  });

  it('kubectl get hr -A shows podinfo and postgres Ready and grade-api not', () => {
    const result = spawnSync('kubectl', ['--kubeconfig', demo.cluster.kubeconfig, 'get', 'hr', '-A'], { encoding: 'utf8' });
    assert.ok(!result.error, 'kubectl is missing: install it (the Kubernetes client) to run this test');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^podinfo\s+podinfo\s+\S+\s+True\s+/m);
    assert.match(result.stdout, /^grade-api\s+postgres\s+\S+\s+True\s+/m);
    assert.match(result.stdout, /^grade-api\s+grade-api\s+\S+\s+False\s+/m);
  });
});
