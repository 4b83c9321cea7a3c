/**
 * The work one edit causes, counted: documents parsed, validated, checked against the workspace,
 * and chart lookups. An edit must cost the edited document (and the few that refer to a name it
 * changed), whatever the size of the file. A change that puts whole-file work back on the keystroke
 * makes these counts grow with the number of documents, and this test fail.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, parseAllDocuments } from 'yaml';
import { SubstitutionResolver } from '../../server/src/service/substitution/resolver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { asSet, EditingSession, freshDiagnostics, type ContextFor, type Disk } from '../editingHarness';
import { resetWorkCounts, type WorkCounts } from '../../server/src/service/workCounts';
import { schemaFromValuesYaml } from '../../server/src/service/values/inferSchema';
import type { ChartValues } from '../../server/src/service/values/chartValues';

const FOLDER = '/ws';
const SOURCES = 'file:///ws/sources.yaml';
const RELEASES = 'file:///ws/releases.yaml';

const release = (i: number) => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: app-${i}
  namespace: apps
spec:
  interval: 5m
  dependsOn:
    - name: app-${Math.max(0, i - 1)}
  chart:
    spec:
      chart: app
      version: ">=1.0.0 <2.0.0"
      sourceRef:
        kind: HelmRepository
        name: charts
        namespace: flux-system
  valuesFrom:
    - kind: ConfigMap
      name: app-values
      valuesKey: values.yaml
  values:
    replicaCount: ${1 + (i % 3)}
    image:
      tag: "1.${i}.0"
`;

const sources = `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: charts
  namespace: flux-system
spec:
  interval: 1h
  url: https://charts.example.com
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-values
  namespace: apps
data:
  values.yaml: |
    replicaCount: 2
`;

const chart: ChartValues = { id: 'app-1.2.0', chart: 'app', version: '1.2.0', origin: 'test', schema: schemaFromValuesYaml('replicaCount: 1\nimage:\n  tag: ""\n') };
const published = [{ version: '1.2.0' }, { version: '1.1.0' }, { version: '2.0.0' }];

/** Chart lookups that answer from memory, as the server's caches do; the counters count the calls. */
const context: ContextFor = () => ({
  charts: () => chart,
  versions: () => published,
  valuesFrom: ({ name, valuesKey }) => (name === 'app-values' ? String((parse(sources.split('---\n')[1]!) as { data: Record<string, string> }).data[valuesKey]) : undefined),
});

function workspace(releases: number): { session: EditingSession; text: string } {
  const text = Array.from({ length: releases }, (_, i) => release(i)).join('---\n');
  const disk: Disk = new Map([[SOURCES, sources], [RELEASES, text]]);
  const session = new EditingSession(disk, FOLDER, context);
  session.open(RELEASES, text);
  session.diagnostics(RELEASES);
  return { session, text };
}

/** The line of `needle` in the `nth` document. */
function lineIn(text: string, nth: number, needle: string): number {
  const lines = text.split('\n');
  let document = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] === '---') document++;
    if (document === nth && lines[i]!.includes(needle)) return i;
  }
  throw new Error(`${needle} not found in document ${nth}`);
}

type Edit = { name: string; apply: (session: EditingSession, nth: number) => void };

const edits: Edit[] = [
  {
    name: 'a character typed in spec.values',
    apply: (session, nth) => {
      const line = lineIn(session.text(RELEASES), nth, 'replicaCount:');
      session.change(RELEASES, [{ range: { start: { line, character: 19 }, end: { line, character: 19 } }, text: '7' }]);
    },
  },
  {
    name: 'a new line typed in spec.values',
    apply: (session, nth) => {
      const line = lineIn(session.text(RELEASES), nth, 'replicaCount:') + 1;
      session.change(RELEASES, [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: '    podLabels: {}\n' }]);
    },
  },
  {
    name: 'the release renamed (its dependent must be checked again)',
    apply: (session, nth) => {
      const line = lineIn(session.text(RELEASES), nth, '  name: app-');
      const end = session.text(RELEASES).split('\n')[line]!.length;
      session.change(RELEASES, [{ range: { start: { line, character: end }, end: { line, character: end } }, text: 'x' }]);
    },
  },
  {
    name: 'a line removed above other documents',
    apply: (session, nth) => {
      const line = lineIn(session.text(RELEASES), nth, 'interval: 5m');
      session.change(RELEASES, [{ range: { start: { line, character: 0 }, end: { line: line + 1, character: 0 } }, text: '' }]);
    },
  },
];

function countsOf(releases: number, where: (n: number) => number, edit: Edit): WorkCounts {
  const { session } = workspace(releases);
  resetWorkCounts();
  edit.apply(session, where(releases));
  session.diagnostics(RELEASES);
  return resetWorkCounts();
}

const places: Array<[string, (n: number) => number]> = [
  ['last', (n) => n - 1],
  ['middle', (n) => Math.floor(n / 2)],
  ['first', () => 0],
];

describe('the work one edit causes does not grow with the file', () => {
  for (const edit of edits) {
    for (const [label, where] of places) {
      test(`${edit.name}, in the ${label} of 1,000 documents`, () => {
        const large = countsOf(1000, where, edit);
        const small = countsOf(100, where, edit);
        assert.deepEqual(large, small, 'the same edit in a file ten times smaller costs the same');
        assert.ok(large.documentsParsed <= 1, `documents parsed: ${large.documentsParsed}`);
        assert.ok(large.documentsValidated <= 1, `documents validated: ${large.documentsValidated}`);
        // The edited document, and for a rename the one release whose dependsOn names it.
        assert.ok(large.crossFileChecks >= 1 && large.crossFileChecks <= 2, `cross-file checks: ${large.crossFileChecks}`);
        assert.ok(large.chartLookups >= 1 && large.chartLookups <= 4, `chart lookups: ${large.chartLookups}`);
      });
    }
  }

  test('after those edits, the diagnostics are those of a fresh start with the same text', () => {
    const { session } = workspace(300);
    for (const edit of edits) for (const [, where] of places) edit.apply(session, where(300));
    const incremental = session.diagnostics(RELEASES);
    const fresh = freshDiagnostics(session.disk, FOLDER, RELEASES, session.text(RELEASES), context);
    assert.ok(fresh.some((d) => d.code === 'missing-reference'), 'the renames leave dependsOn pointing nowhere');
    assert.deepEqual(asSet(incremental), asSet(fresh));
  });

  test('a newline typed at the top moves every later diagnostic without computing any of them again', () => {
    const { session } = workspace(1000);
    const before = session.diagnostics(RELEASES);
    resetWorkCounts();
    session.change(RELEASES, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# top\n' }]);
    const after = session.diagnostics(RELEASES);
    const counts = resetWorkCounts();
    assert.equal(counts.crossFileChecks, 1);
    assert.equal(after.length, before.length);
    assert.ok(after.length > 900, 'each release has diagnostics to move (its values and newer-major hint)');
    for (let i = 0; i < after.length; i++) assert.equal(after[i]!.range.start.line, before[i]!.range.start.line + 1);
    assert.equal(TextDocument.create(RELEASES, 'yaml', 1, session.text(RELEASES)).lineCount, session.store.get(RELEASES)!.text.lineCount);
  });
});

describe('post-build substitution costs no Kustomization per keystroke', () => {
  const KUSTOMIZATIONS = 'file:///ws/clusters/kustomizations.yaml';
  const VARS = 'file:///ws/clusters/vars.yaml';
  const APP = 'file:///ws/apps/app-7/release.yaml';
  const kustomization = (i: number) => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: app-${i}
  namespace: flux-system
spec:
  interval: 10m
  path: ./apps/app-${i}
  prune: true
  sourceRef:
    kind: GitRepository
    name: fleet
  postBuild:
    substitute:
      app_name: app-${i}
    substituteFrom:
      - kind: ConfigMap
        name: vars-${i % 10}
`;
  const vars = (timeout: string) =>
    Array.from({ length: 10 }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: vars-${i}\n  namespace: flux-system\ndata:\n  timeout: ${timeout}\n`).join('---\n');
  const app = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: app
  namespace: apps
spec:
  interval: 5m
  timeout: \${timeout}
  chart:
    spec:
      chart: app
      sourceRef:
        kind: HelmRepository
        name: charts
        namespace: flux-system
  values:
    name: \${app_name}
`;

  function substitutionWorkspace(): EditingSession {
    const disk: Disk = new Map([
      [KUSTOMIZATIONS, Array.from({ length: 200 }, (_, i) => kustomization(i)).join('---\n')],
      [VARS, vars('5m')],
      [SOURCES, sources],
      [APP, app],
    ]);
    let session: EditingSession | undefined = undefined;
    const resolver = new SubstitutionResolver({
      applying: (uri) => session!.index.applyingKustomizations(uri),
      lookup: (kind, name, namespace) => {
        const object = session!.index.find(kind, name, namespace);
        const data = object && (parseAllDocuments(session!.disk.get(object.uri)!).map((d) => d.toJS() as { metadata: { name: string }; data: Record<string, string> }).find((d) => d.metadata.name === name)?.data ?? {});
        return object && data ? { uri: object.uri, keys: Object.keys(data), value: (k) => data[k] } : undefined;
      },
      revisionOf: (name) => session!.index.revisionOf(name),
    });
    session = new EditingSession(disk, FOLDER, () => ({ substitutions: resolver }));
    session.open(APP, app);
    return session;
  }

  test('typing in a HelmRelease reads no Kustomization and no ConfigMap; a changed ConfigMap is read again for the Kustomizations naming it', () => {
    const session = substitutionWorkspace();
    resetWorkCounts();
    assert.deepEqual(session.diagnostics(APP).map((d) => d.code), []);
    const first = resetWorkCounts();
    assert.equal(first.variableSetsResolved, 1, 'the first pass resolves the one Kustomization applying the file');
    assert.equal(first.applyingMapsBuilt, 1, 'which Kustomizations apply which file is worked out once');
    const line = app.split('\n').findIndex((l) => l.includes('name: ${app_name}'));
    session.change(APP, [{ range: { start: { line, character: 4 }, end: { line, character: 4 } }, text: 'x' }]);
    session.change(APP, [{ range: { start: { line: line + 1, character: 0 }, end: { line: line + 1, character: 0 } }, text: '    region: ${REGION}\n' }]);
    const afterTyping = session.diagnostics(APP);
    assert.deepEqual(afterTyping.map((d) => `${String(d.code)}@${d.range.start.line}`), [`undefined-variable@${line + 1}`]);
    const message = afterTyping[0]!.message;
    assert.match(typeof message === 'string' ? message : message.value, /Kustomization flux-system\/app-7/);
    const typing = resetWorkCounts();
    assert.equal(typing.variableSetsResolved, 0, 'typing re-reads no Kustomization');
    assert.equal(typing.applyingMapsBuilt, 0, 'typing does not work out again which Kustomizations apply which file');
    session.writeToDisk(VARS, vars('soon'));
    const afterChange = session.diagnostics(APP);
    assert.equal(resetWorkCounts().variableSetsResolved, 1, 'only the set that names the changed ConfigMap is resolved again');
    assert.deepEqual(afterChange.map((d) => String(d.code)).sort(), ['invalid-substituted-value', 'undefined-variable']);
  });
});
