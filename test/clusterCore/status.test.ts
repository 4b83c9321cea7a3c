import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  failureMessage,
  generatedChartRef,
  messageOf,
  reconcileVerdict,
  resumeVerdict,
  revisionOf,
  shortenHex,
  sourceRevisionOf,
  sourceText,
  stateOf,
  tooltipOf,
} from '../../client/src/cluster/status';
import { redact } from '../../client/src/cluster/errors';
import type { Condition, KubeObject } from '../../client/src/cluster/types';

function hr(conditions: Condition[], extra: Partial<KubeObject> = {}, generation = 2, observedGeneration = 2): KubeObject {
  return {
    kind: 'HelmRelease',
    metadata: { name: 'app', namespace: 'team', generation },
    spec: { chart: { spec: { chart: 'app', sourceRef: { kind: 'HelmRepository', name: 'repo', namespace: 'flux-system' } } } },
    status: { observedGeneration, conditions },
    ...extra,
  };
}

const ready = (status: string, message = 'ok', reason = 'UpgradeSucceeded'): Condition => ({ type: 'Ready', status, reason, message, lastTransitionTime: '2026-11-23T10:00:00Z' });

describe('stateOf', () => {
  it('maps conditions and spec.suspend to a state', () => {
    assert.equal(stateOf(hr([ready('True')])), 'Ready');
    assert.equal(stateOf(hr([ready('False', 'boom', 'UpgradeFailed')])), 'Failed');
    assert.equal(stateOf(hr([ready('Unknown', 'reconciliation in progress', 'Progressing'), { type: 'Reconciling', status: 'True' }])), 'Reconciling');
    assert.equal(stateOf(hr([ready('False'), { type: 'Stalled', status: 'True', message: 'Failed to upgrade after 4 attempt(s)' }])), 'Stalled');
    assert.equal(stateOf(hr([ready('True')], {}, 3, 2)), 'Reconciling');
    assert.equal(stateOf(hr([])), 'Unknown');
    const suspended = hr([ready('True')]);
    suspended.spec = { ...suspended.spec, suspend: true };
    assert.equal(stateOf(suspended), 'Suspended');
  });

  it('a failed upgrade the real helm-controller is retrying is Failed, not Reconciling (Reconciling=True/ProgressingWithRetry, Ready=False)', () => {
    const retrying = { type: 'Reconciling', status: 'True', reason: 'ProgressingWithRetry', message: 'Helm rollback to previous release podinfo/podinfo.v1 succeeded' };
    assert.equal(stateOf(hr([ready('False', 'Helm rollback to previous release podinfo/podinfo.v1 succeeded', 'RollbackSucceeded'), retrying])), 'Failed');
    // The first attempt of a change is still in progress: Ready Unknown.
    assert.equal(stateOf(hr([ready('Unknown', 'Running upgrade action', 'Progressing'), { ...retrying, reason: 'Progressing' }])), 'Reconciling');
  });

  it('an OCI HelmRepository is static and Ready', () => {
    const repo: KubeObject = { kind: 'HelmRepository', metadata: { name: 'oci', namespace: 'flux-system' }, spec: { type: 'oci' } };
    assert.equal(stateOf(repo), 'Ready');
    assert.equal(messageOf(repo), 'Helm repository is Ready');
    assert.equal(sourceRevisionOf(repo), undefined);
  });
});

describe('revisions and sources', () => {
  it('revisionOf: history[0].chartVersion, else lastAttemptedRevision', () => {
    const object = hr([ready('True')]);
    object.status = { ...object.status, history: [{ chartVersion: '1.2.3' }, { chartVersion: '1.2.2' }], lastAttemptedRevision: '1.2.4' };
    assert.equal(revisionOf(object), '1.2.3');
    object.status = { ...object.status, history: [] };
    assert.equal(revisionOf(object), '1.2.4');
    assert.equal(revisionOf(hr([])), undefined);
  });

  it('sources: status.artifact.revision; hex shortening', () => {
    const repo: KubeObject = { kind: 'GitRepository', metadata: { name: 'g', namespace: 'flux-system' }, status: { artifact: { revision: `main@sha1:${'a'.repeat(40)}` } } };
    assert.equal(sourceRevisionOf(repo), `main@sha1:${'a'.repeat(40)}`);
    assert.equal(shortenHex(sourceRevisionOf(repo) ?? ''), 'main@sha1:aaaaaaaa');
  });

  it('source text and the generated HelmChart', () => {
    assert.equal(sourceText(hr([])), 'HelmRepository/flux-system/repo');
    assert.deepEqual(generatedChartRef(hr([])), { kind: 'HelmChart', namespace: 'flux-system', name: 'team-app' });
    const withRef = hr([], { spec: { chartRef: { kind: 'OCIRepository', name: 'podinfo' } } });
    assert.equal(sourceText(withRef), 'OCIRepository/team/podinfo');
    assert.equal(generatedChartRef(withRef), undefined);
  });

  it('tooltip lists state, revision, source, conditions and the last reconcile time', () => {
    const object = hr([ready('False', 'install retries exhausted', 'InstallFailed')]);
    object.status = { ...object.status, lastAttemptedRevision: '0.1.0', lastHandledReconcileAt: '2026-11-23T10:00:01.5Z' };
    const text = tooltipOf(object);
    assert.match(text, /^HelmRelease team\/app\nState: Failed\nRevision: 0\.1\.0\nSource: HelmRepository\/flux-system\/repo\n/);
    assert.match(text, /Ready=False \(InstallFailed\): install retries exhausted/);
    assert.match(text, /Last reconcile: 2026-11-23T10:00:00Z/);
  });
});

describe('wait verdicts (kstatus as flux uses it)', () => {
  const handled = (o: KubeObject, at: string): KubeObject => ({ ...o, status: { ...o.status, lastHandledReconcileAt: at } });

  it('waits until lastHandledReconcileAt changes', () => {
    assert.equal(reconcileVerdict(handled(hr([ready('True')]), 't1'), 't1').done, false);
    assert.deepEqual(reconcileVerdict(handled(hr([ready('True')]), 't2'), 't1'), { done: true, ok: true });
  });

  it('generation not observed / Reconciling → wait; Stalled → fail; Ready False → wait', () => {
    assert.equal(reconcileVerdict(handled(hr([ready('True')], {}, 3, 2), 't2'), 't1').done, false);
    assert.equal(reconcileVerdict(handled(hr([ready('Unknown'), { type: 'Reconciling', status: 'True' }]), 't2'), 't1').done, false);
    assert.deepEqual(reconcileVerdict(handled(hr([ready('False'), { type: 'Stalled', status: 'True', message: 'stuck' }]), 't2'), 't1'), { done: true, ok: false, message: 'stuck' });
    assert.equal(reconcileVerdict(handled(hr([ready('False', 'boom')]), 't2'), 't1').done, false);
  });

  it('failure messages as flux prints them', () => {
    assert.deepEqual(failureMessage(hr([ready('False', 'boom')])), { message: 'HelmRelease reconciliation failed: boom', conditionMessage: 'boom' });
    assert.equal(failureMessage(hr([])).message, "HelmRelease status can't be determined");
  });

  it('resume waits for a Ready condition of the current generation', () => {
    const stale = hr([{ ...ready('True'), observedGeneration: 2 }], {}, 3, 3);
    assert.equal(resumeVerdict(stale).done, false);
    assert.deepEqual(resumeVerdict(hr([{ ...ready('True'), observedGeneration: 3 }], {}, 3, 3)), { done: true, ok: true });
    assert.equal(resumeVerdict(hr([ready('True')], {}, 1, -1)).done, false);
  });
});

describe('redact', () => {
  it('removes bearer tokens, key material and given secrets', () => {
    assert.equal(redact('Authorization: Bearer abc.def-ghi'), 'Authorization: Bearer <redacted>');
    assert.equal(redact('token: s3cr3t-value'), 'token: <redacted>');
    assert.equal(redact('x -----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY----- y'), 'x <redacted private key> y');
    assert.equal(redact('failed for my-token-1234', ['my-token-1234']), 'failed for <redacted>');
  });
});
