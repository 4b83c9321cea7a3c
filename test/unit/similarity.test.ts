import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closestMatch } from '../../server/src/service/text/similarity';

describe('did-you-mean suggestions', () => {
  const values = ['replicaCount', 'resources', 'image', 'imagePullSecrets', 'podAnnotations', 'service'];
  test('typos within a few letters, case slips, and words cut short', () => {
    assert.equal(closestMatch('replicaCont', values), 'replicaCount');
    assert.equal(closestMatch('ReplicaCount', values), 'replicaCount');
    assert.equal(closestMatch('podAnno', values), 'podAnnotations');
  });
  test('a Kubernetes habit with the same stem: replicas for replicaCount', () => {
    assert.equal(closestMatch('replicas', values), 'replicaCount');
  });
  test('no guess when nothing is close, or when the stem is shared by several', () => {
    assert.equal(closestMatch('tolerations', values), undefined);
    assert.equal(closestMatch('services', ['serviceAccount', 'serviceMonitor']), undefined, 'both share the stem');
    assert.equal(closestMatch('images', values), 'image', 'one letter off wins over a shared stem');
    assert.equal(closestMatch('servic', values), 'service');
  });
});
