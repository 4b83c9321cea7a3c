import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { effectiveValues, renderEffectiveValues, splitTargetPath } from '../../server/src/service/values/effectiveValues';

describe('effective values, in Flux\'s order', () => {
  const defaults = { replicaCount: 1, image: { repository: 'ghcr.io/x/app', tag: '1.0.0' }, hosts: ['a', 'b'], postgresql: { host: 'localhost' } };

  test('chart defaults, then valuesFrom in order, then values; maps merge, lists are replaced', () => {
    const result = effectiveValues(
      defaults,
      [
        { kind: 'ConfigMap', name: 'base', valuesKey: 'values.yaml', content: 'replicaCount: 2\nhosts: [c]\nimage:\n  tag: 1.1.0\n' },
        { kind: 'ConfigMap', name: 'prod', valuesKey: 'values.yaml', content: 'replicaCount: 3\n' },
      ],
      { replicaCount: 4, image: { pullPolicy: 'Always' } },
      'app',
    );
    assert.deepEqual(result.values, { replicaCount: 4, image: { repository: 'ghcr.io/x/app', tag: '1.1.0', pullPolicy: 'Always' }, hosts: ['c'], postgresql: { host: 'localhost' } });
    assert.equal(result.provenance.get('image.tag'), 'ConfigMap base, key values.yaml');
    assert.equal(result.provenance.get('image.repository'), 'chart app default');
    assert.equal(result.provenance.get('replicaCount'), 'spec.values');
  });

  test('targetPath entries win over spec.values; --set typing and literal', () => {
    const result = effectiveValues(
      defaults,
      [
        { kind: 'ConfigMap', name: 'db', valuesKey: 'host', targetPath: 'postgresql.host', content: 'db.example.com' },
        { kind: 'ConfigMap', name: 'db', valuesKey: 'port', targetPath: 'postgresql.port', content: '5432' },
        { kind: 'ConfigMap', name: 'db', valuesKey: 'brokers', targetPath: 'kafka.brokers', literal: true, content: 'a:9092,b:9092' },
      ],
      { postgresql: { host: 'from-values' } },
      'app',
    );
    assert.deepEqual(result.values.postgresql, { host: 'db.example.com', port: 5432 });
    assert.deepEqual(result.values.kafka, { brokers: 'a:9092,b:9092' });
  });

  test('Secret values are never shown: a targetPath value is masked, a whole Secret is only named', () => {
    const result = effectiveValues(defaults, [
      { kind: 'Secret', name: 'db', valuesKey: 'password', targetPath: 'postgresql.password' },
      { kind: 'Secret', name: 'extra', valuesKey: 'values.yaml' },
    ], {}, 'app');
    assert.equal((result.values.postgresql as Record<string, unknown>).password, '***');
    const text = renderEffectiveValues(result, ['Effective values of HelmRelease app']);
    assert.match(text, /password: "\*\*\*" # Secret db, key password \(masked\)/);
    assert.match(text, /Note: Secret extra, key values.yaml: merged at the root by Flux; a Secret's content is never shown here\./);
  });

  test('the rendered document parses back to the values and names each source', () => {
    const result = effectiveValues(defaults, [{ kind: 'ConfigMap', name: 'missing', valuesKey: 'values.yaml', optional: true }], { replicaCount: 2 }, 'app');
    const text = renderEffectiveValues(result, ['Effective values']);
    assert.deepEqual(parse(text), result.values);
    assert.match(text, /replicaCount: 2 # spec.values/);
    assert.match(text, /tag: 1\.0\.0 # chart app default/);
    assert.match(text, /Note: ConfigMap missing, key values.yaml: optional, not found in the workspace\./);
  });

  test('targetPath syntax: escaped dots and list indexes', () => {
    assert.deepEqual(splitTargetPath('ingress.annotations.nginx\\.io/x'), ['ingress', 'annotations', 'nginx.io/x']);
    assert.deepEqual(splitTargetPath('hosts[0].name'), ['hosts', 0, 'name']);
  });
});
