/**
 * Hostile and unusual input, through the language service (as the server runs it) and the CLI:
 * alias bombs, a whole object on one 5 MB line, huge sequences, a byte order mark, every YAML line
 * break, deep nesting, and outlines VS Code would reject.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FileModel } from '../../server/src/service/model/fileModel';
import { documentSymbols, fileDiagnostics } from '../../server/src/service/languageService';
import { defaultSettings } from '../../server/src/service/settings';
import { checkText } from '../../server/src/cli/check';
import type { Diagnostic, DocumentSymbol } from 'vscode-languageserver-types';

const header = ['apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', '  name: app', 'spec:', '  interval: 5m', '  chart:', '    spec:', '      chart: app', '      sourceRef:', '        kind: HelmRepository', '        name: charts'];
const release = `${header.join('\n')}\n`;

/** The diagnostics of the server's language service and of the CLI, which must agree. */
function both(text: string): { server: Diagnostic[]; cli: Diagnostic[] } {
  const server = fileDiagnostics(FileModel.fromText(text, defaultSettings.maxFileSize), defaultSettings);
  const cli = checkText(Buffer.from(text, 'utf8'), defaultSettings);
  return { server, cli };
}

const summary = (diagnostics: Diagnostic[]) => diagnostics.map((d) => `${String(d.code)}@${d.range.start.line}:${d.range.start.character}`);

function billionLaughs(): string {
  const lines = ['  values:', '    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let level = 1; level < 9; level++) {
    const previous = String.fromCharCode(96 + level);
    const name = String.fromCharCode(97 + level);
    lines.push(`    ${name}: &${name} [${Array.from({ length: 9 }, () => `*${previous}`).join(',')}]`);
  }
  return `${release}${lines.join('\n')}\n`;
}

describe('hostile input', () => {
  test('an alias bomb in spec.values gets one excessive-aliasing error on an alias, from the server and the CLI', () => {
    const text = billionLaughs();
    for (const diagnostics of Object.values(both(text))) {
      assert.deepEqual(diagnostics.map((d) => [d.code, d.severity]), [['excessive-aliasing', 1]]);
      const at = diagnostics[0]!.range.start;
      assert.equal(text.split('\n')[at.line]!.slice(at.character, at.character + 1), '*', 'reported on an alias');
      assert.match(String(diagnostics[0]!.message), /excessive aliasing/);
    }
  });

  test('a few aliases used as intended are fine', () => {
    const text = `${release}  values:\n    base: &base {cpu: 100m, memory: 128Mi}\n    api: {resources: *base}\n    worker: {resources: *base}\n`;
    assert.deepEqual(both(text).server, []);
  });

  test('a whole HelmRelease on one 5 MB flow-mapping line is checked: its unknown field at the end is reported', () => {
    const labels = Array.from({ length: 60_000 }, (_, i) => `example.com/label-${i}: "${'v'.repeat(64)}${i}"`).join(', ');
    const text = `{apiVersion: helm.toolkit.fluxcd.io/v2, kind: HelmRelease, metadata: {name: app, labels: {${labels}}}, spec: {interval: 5m, chart: {spec: {chart: app, sourceRef: {kind: HelmRepository, name: charts}}}, bogusField: 1}}\n`;
    assert.ok(text.length > 5_000_000);
    for (const diagnostics of Object.values(both(text))) {
      assert.deepEqual(diagnostics.map((d) => d.code), ['unknown-field']);
      assert.equal(diagnostics[0]!.range.start.character, text.indexOf('bogusField'));
    }
  });

  test('a HelmRelease written as JSON-like flow style is recognised and checked', () => {
    const text = '{"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease", "metadata": {"name": "app"}, "spec": {"interval": "5 minutes", "chart": {"spec": {"chart": "app", "sourceRef": {"kind": "HelmRepository", "name": "charts"}}}}}\n';
    assert.deepEqual(summary(both(text).server), summary(both(text).cli));
    assert.deepEqual(both(text).server.map((d) => d.code), ['invalid-pattern']);
  });

  for (const style of ['flow', 'block'] as const) {
    test(`a 500,000-element ${style} sequence in spec.values is not parsed: too-complex, and memory stays bounded`, () => {
      const items = style === 'flow' ? `    list: [${Array.from({ length: 500_000 }, () => '1').join(', ')}]\n` : `    list:\n${'      - 1\n'.repeat(500_000)}`;
      const text = `${release}  values:\n${items}`;
      global.gc?.();
      const before = process.memoryUsage().heapUsed;
      const { server, cli } = both(text);
      const grown = process.memoryUsage().heapUsed - before;
      for (const diagnostics of [server, cli]) {
        assert.deepEqual(diagnostics.map((d) => d.code), ['too-complex']);
        assert.match(String(diagnostics[0]!.message), /not checked: it holds more than 200,000 values/);
      }
      assert.ok(grown < 150 * 1024 * 1024, `heap grew by ${Math.round(grown / 2 ** 20)} MiB`);
    });
  }

  test('a byte order mark before the first key: the document is recognised and checked', () => {
    const text = `\uFEFF${release.replace('interval: 5m', 'interval: 5 minutes')}`;
    const { server, cli } = both(text);
    assert.deepEqual(server.map((d) => d.code), ['invalid-pattern']);
    assert.deepEqual(summary(server), summary(cli));
  });

  for (const [name, eol] of [['classic Mac (CR)', '\r'], ['mixed LF, CRLF and CR', undefined]] as const) {
    test(`${name} line breaks: the real problems at their lines, and no false syntax errors`, () => {
      const lines = [...header, '  timeout: 5 minutes', '  install:', '    remediation:', '      retries: three', '  upgrade:', '    cleanUpOnFail: true'];
      const breaks = ['\n', '\r\n', '\r'];
      const text = lines.map((line, i) => line + (eol ?? breaks[i % 3]!)).join('');
      const { server, cli } = both(text);
      assert.deepEqual(summary(server), ['invalid-pattern@12:11', 'wrong-type@15:15', 'unknown-field@17:4']);
      assert.deepEqual(summary(cli), summary(server));
    });
  }

  for (const [name, values] of [
    ['950 block levels', Array.from({ length: 950 }, (_, i) => `${'  '.repeat(2 + i)}k${i}:`).join('\n') + ' 1'],
    ['800 flow levels', `    a: ${'['.repeat(800)}1${']'.repeat(800)}`],
    ['10,000 flow levels', `    a: ${'{a: '.repeat(10000)}1${'}'.repeat(10000)}`],
  ] as const) {
    test(`valid YAML nested ${name}: a clear too-complex warning, never a syntax error or a stack overflow`, () => {
      const text = `${release}  values:\n${values}\n`;
      for (const diagnostics of Object.values(both(text))) {
        assert.deepEqual(diagnostics.map((d) => d.code), ['too-complex']);
        assert.match(String(diagnostics[0]!.message), /not checked: it is nested more than 256 levels deep/);
        assert.doesNotMatch(String(diagnostics[0]!.message), /call stack/);
      }
    });
  }

  test('nesting that real manifests use (100 levels) is still checked', () => {
    const values = Array.from({ length: 100 }, (_, i) => `${'  '.repeat(2 + i)}k${i}:`).join('\n') + ' 1';
    assert.deepEqual(both(`${release}  values:\n${values}\n`).server, []);
  });
});

describe('outlines VS Code accepts', () => {
  const check = (symbol: DocumentSymbol) => {
    assert.notEqual(symbol.name.trim(), '', 'a name');
    const inside = (inner: DocumentSymbol['range'], outer: DocumentSymbol['range']) =>
      (inner.start.line > outer.start.line || (inner.start.line === outer.start.line && inner.start.character >= outer.start.character)) &&
      (inner.end.line < outer.end.line || (inner.end.line === outer.end.line && inner.end.character <= outer.end.character));
    assert.ok(inside(symbol.selectionRange, symbol.range), `${symbol.name}: selection inside the range`);
    for (const child of symbol.children ?? []) {
      assert.ok(inside(child.range, symbol.range), `${child.name} inside ${symbol.name}`);
      check(child);
    }
  };

  test('an empty key under spec gets a name', () => {
    const symbols = documentSymbols(FileModel.fromText(`${release}  "": 1\n`));
    const names = symbols[0]!.children!.map((c) => c.name);
    assert.ok(names.includes('(empty key)'), names.join(', '));
    symbols.forEach(check);
  });

  test('metadata.name followed by a badly indented line: the selection stays inside the symbol', () => {
    for (const text of [
      'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: app\n name2: x\n',
      'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: app\n   more\n',
      '---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: "app\n---\napiVersion: v1\nkind: ConfigMap\n',
    ]) {
      documentSymbols(FileModel.fromText(text)).forEach(check);
    }
  });
});
