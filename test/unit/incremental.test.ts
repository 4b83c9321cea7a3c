/**
 * Incremental equals fresh: after any sequence of edits, the diagnostics of a document are exactly
 * those a server started now would give for the same text. Random edits with fixed seeds, on
 * generated files, the fixture repository and multi-document files with block scalars, directives,
 * `...` markers and every kind of line break; edits that split or join CRLF pairs, multi-change
 * events, close and reopen with unsaved changes, and files changed on disk meanwhile.
 *
 * INCREMENTAL_SEQUENCES=2000 npm test -- test/unit/incremental.test.ts   runs the longer mode.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { asSet, EditingSession, freshDiagnostics, random, readText, type ContextFor, type Disk } from '../editingHarness';
import { schemaFromValuesYaml } from '../../server/src/service/values/inferSchema';
import type { ChartValues } from '../../server/src/service/values/chartValues';

const SEQUENCES = Number(process.env.INCREMENTAL_SEQUENCES ?? 24);
const EDITS_PER_SEQUENCE = 50;

const chart: ChartValues = { id: 'app-1.2.0', chart: 'app', version: '1.2.0', origin: 'test', schema: schemaFromValuesYaml('replicaCount: 1\nimage:\n  repository: ""\n  tag: ""\nresources: {}\n') };
const context: ContextFor = () => ({
  charts: (ref) => (ref.chart === 'app' || ref.chart === 'podinfo' ? chart : undefined),
  versions: (ref) => (ref.chart === 'app' ? [{ version: '1.2.0' }, { version: '2.0.0' }] : undefined),
  valuesFrom: ({ name }) => (name === 'app-values' ? 'replicaCount: 2\n' : undefined),
});

interface Scenario {
  name: string;
  folder: string;
  disk: Disk;
  /** The file that is edited. */
  uri: string;
  /** Another file of the workspace that changes on disk now and then. */
  other?: string;
}

const release = (i: number, eol: string) =>
  [
    'apiVersion: helm.toolkit.fluxcd.io/v2',
    'kind: HelmRelease',
    'metadata:',
    `  name: app-${i}`,
    'spec:',
    '  interval: 5m',
    '  dependsOn:',
    `    - name: app-${(i + 1) % 5}`,
    '  chart:',
    '    spec:',
    '      chart: app',
    '      version: "1.x"',
    '      sourceRef: {kind: HelmRepository, name: charts}',
    '  valuesFrom:',
    '    - kind: ConfigMap',
    '      name: app-values',
    '  values:',
    `    replicaCount: ${i}`,
    '    image: {tag: "1.0"}',
    '    notes: |',
    '      --- not a document start inside a block scalar? it is, at column 0 only',
    '      ...',
    '',
  ].join(eol);

const sourcesText = 'apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: charts\nspec:\n  interval: 1h\n  url: https://charts.example.com\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-values\ndata:\n  values.yaml: |\n    replicaCount: 2\n';

function generated(eol: string, name: string): Scenario {
  const folder = `/gen-${name}`;
  const uri = pathToFileURL(`${folder}/releases.yaml`).href;
  const other = pathToFileURL(`${folder}/sources.yaml`).href;
  const text = `%YAML 1.1${eol}---${eol}${Array.from({ length: 6 }, (_, i) => release(i, eol)).join(`---${eol}`)}...${eol}# trailing comment${eol}`;
  return { name, folder, uri, other, disk: new Map([[uri, text], [other, sourcesText]]) };
}

function fixtureRepository(file: string): Scenario {
  const folder = path.resolve(__dirname, '../fixtures/gitops-repo');
  const disk: Disk = new Map();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(name)) disk.set(pathToFileURL(full).href, readText(full));
    }
  };
  walk(folder);
  const uri = pathToFileURL(path.join(folder, file)).href;
  const other = pathToFileURL(path.join(folder, 'infrastructure/sources/helm-repositories.yaml')).href;
  return { name: `fixture ${file}`, folder, uri, other: other === uri ? undefined : other, disk };
}

const scenarios = (): Scenario[] => [
  generated('\n', 'generated LF'),
  generated('\r\n', 'generated CRLF'),
  generated('\r', 'generated CR'),
  fixtureRepository('apps/base/grade-api/release.yaml'),
  fixtureRepository('infrastructure/sources/helm-repositories.yaml'),
  fixtureRepository('apps/production/grade-api-patch.yaml'),
];

const TOKENS = [
  'a', 'x', '1', ' ', ' ', ':', '-', '#', '"', "'", '{', '}', '[', ']', ',', '&a', '*a', '!', '|', '>', '$', '\t',
  '\n', '\n', '\r', '\r', '\r\n', '\r\n',
  '---\n', '---\r\n', '...\n', '%YAML 1.2\n', '  name: app-1\n', 'kind: HelmRelease\n', 'apiVersion: helm.toolkit.fluxcd.io/v2\n',
  '    - name: app-2\n', '  values: |\n    ---\n', '${VAR}', '${VAR:=5m}', '  interval: 1x\n', 'metadata:\n  name: charts\n',
];

/** One random change to `text`, as an LSP incremental change. */
function randomChange(text: string, next: () => number): { change: TextDocumentContentChangeEvent; text: string } {
  const doc = TextDocument.create('file:///scratch', 'yaml', 1, text);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  // LSP positions cannot point between the CR and the LF of a CRLF pair: such offsets move before it.
  const boundary = (offset: number) => (text[offset - 1] === '\r' && text[offset] === '\n' ? offset - 1 : offset);
  const start = boundary(Math.floor(next() * (text.length + 1)));
  const kind = next();
  const length = kind < 0.45 ? 0 : boundary(Math.min(text.length, start + 1 + Math.floor(next() * (kind < 0.8 ? 4 : 40)))) - start;
  const insert = kind < 0.45 || kind > 0.8 ? pick(TOKENS) : '';
  const change = { range: { start: doc.positionAt(start), end: doc.positionAt(start + length) }, text: insert };
  return { change, text: text.slice(0, start) + insert + text.slice(start + length) };
}

function runSequence(scenario: Scenario, seed: number): void {
  const next = random(seed);
  const session = new EditingSession(new Map(scenario.disk), scenario.folder, context);
  let text = scenario.disk.get(scenario.uri)!;
  session.open(scenario.uri, text);
  session.diagnostics(scenario.uri);
  for (let i = 0; i < EDITS_PER_SEQUENCE; i++) {
    const roll = next();
    if (roll < 0.04) {
      // Closed without saving and opened again: the editor's text must win over the disk again.
      session.close(scenario.uri);
      session.open(scenario.uri, text);
    } else if (roll < 0.07 && scenario.other) {
      // Another file changes on disk: a source renamed, or back.
      const current = session.disk.get(scenario.other)!;
      session.writeToDisk(scenario.other, current.includes('name: charts') ? current.replace('name: charts', 'name: charts-renamed') : current.replace('name: charts-renamed', 'name: charts'));
    } else {
      // One change, or several in one event (each range relative to the text after the previous one).
      const count = roll > 0.9 ? 2 + Math.floor(next() * 3) : 1;
      const changes: TextDocumentContentChangeEvent[] = [];
      for (let c = 0; c < count; c++) {
        const made = randomChange(text, next);
        changes.push(made.change);
        text = made.text;
      }
      session.change(scenario.uri, changes);
    }
    assert.equal(session.text(scenario.uri), text, 'the document store holds the edited text');
    // A pass after most edits, as the server runs one after each burst of typing.
    if (next() < 0.7) session.diagnostics(scenario.uri);
    if (i % 10 === 9 || i === EDITS_PER_SEQUENCE - 1) {
      const incremental = asSet(session.diagnostics(scenario.uri));
      const fresh = asSet(freshDiagnostics(session.disk, scenario.folder, scenario.uri, text, context));
      assert.deepEqual(incremental, fresh, `${scenario.name}, seed ${seed}, after edit ${i + 1}; text:\n${JSON.stringify(text)}`);
    }
  }
}

describe('diagnostics after edits equal a fresh start with the same text', () => {
  for (const scenario of scenarios()) {
    test(`${scenario.name}: ${SEQUENCES} sequences of ${EDITS_PER_SEQUENCE} random edits`, () => {
      for (let seed = 1; seed <= SEQUENCES; seed++) runSequence(scenario, seed * 7919 + scenario.name.length);
    });
  }

  test('a lone carriage return typed before a line feed makes one CRLF line break, not two', () => {
    const scenario = generated('\n', 'lone CR');
    const session = new EditingSession(new Map(scenario.disk), scenario.folder, context);
    const text = scenario.disk.get(scenario.uri)!;
    session.open(scenario.uri, text);
    const before = session.diagnostics(scenario.uri);
    assert.ok(before.length > 0);
    // Just before the line feed that ends `  name: app-0` (line 5, after the directive, `---`, apiVersion, kind, metadata).
    assert.equal(text.split('\n')[5], '  name: app-0');
    session.change(scenario.uri, [{ range: { start: { line: 5, character: 13 }, end: { line: 5, character: 13 } }, text: '\r' }]);
    const after = session.diagnostics(scenario.uri);
    assert.deepEqual(asSet(after), asSet(before), 'nothing moved: the line count is the same');
    assert.deepEqual(asSet(after), asSet(freshDiagnostics(session.disk, scenario.folder, scenario.uri, session.text(scenario.uri), context)));
  });
});
