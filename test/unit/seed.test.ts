import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose, quickFixes } from '../helpers';
import { seedExamples } from '../seedExamples';

describe('the examples of the tutorial', () => {
  const examples = seedExamples();

  test('the tutorial yields its examples', () => {
    // Options A, B, C; injecting values; its ConfigMap; upgrade & rollback; OCI source + release;
    // cross-namespace; the complete grade-api example (three documents).
    assert.equal(examples.length, 9, examples.map((e) => e.line).join(','));
    assert.equal(examples.filter((e) => /^kind: HelmRelease$/m.test(e.text)).length, 8);
  });

  for (const example of examples) {
    test(`${example.name} reports nothing but the removed v1beta2 API`, () => {
      // Hints (severity 4) are suggestions, shown faintly and not listed as problems: the tutorial's
      // `rollback.recreate: false` and OCI HelmRepository `interval` get one each, nothing else may.
      const all = diagnose(example.text);
      for (const hint of all.filter((d) => d.severity === 4)) assert.ok(['deprecated-field', 'ignored-field'].includes(String(hint.code)), `unexpected hint ${hint.code}`);
      const problems = all.filter((d) => d.severity !== 4);
      for (const d of problems) {
        assert.equal(d.code, 'api-version-removed', `${d.code} at ${d.range.start.line}: ${d.message}`);
        assert.match(example.text.split('\n')[d.range.start.line]!, /source\.toolkit\.fluxcd\.io\/v1beta2/);
      }
      const removed = (example.text.match(/^apiVersion: source\.toolkit\.fluxcd\.io\/v1beta2$/gm) ?? []).length;
      assert.equal(problems.length, removed);
    });
  }

  for (const example of examples.filter((e) => e.text.includes('source.toolkit.fluxcd.io/v1beta2'))) {
    test(`${example.name}: the migrate quick fix gives a manifest that validates cleanly`, () => {
      let text = example.text;
      // One fix per old object; apply them one after the other, as a user would.
      for (let round = 0; round < 5; round++) {
        const migrate = quickFixes(text).find((f) => f.title === 'Migrate to source.toolkit.fluxcd.io/v1');
        if (!migrate) break;
        text = migrate.result;
      }
      assert.doesNotMatch(text, /v1beta2/);
      assert.deepEqual(diagnose(text).filter((d) => d.severity !== 4), []);
      assert.equal(text.split('\n').length, example.text.split('\n').length, 'nothing else of the manifest changed in size');
    });
  }
});
