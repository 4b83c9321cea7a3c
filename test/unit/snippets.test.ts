import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import type { Diagnostic } from 'vscode-languageserver-types';
import { FileModel } from '../../server/src/service/model/fileModel';
import { fileDiagnostics } from '../../server/src/service/languageService';
import { defaultSettings } from '../../server/src/service/settings';
import { FLUX_SNIPPETS } from '../../server/src/service/completion/fluxSnippets';
import { complete, labels } from '../helpers';

const ROOT = path.resolve(__dirname, '../..');
const CURRENT_VERSIONS = ['helm.toolkit.fluxcd.io/v2', 'source.toolkit.fluxcd.io/v1', 'kustomize.toolkit.fluxcd.io/v1', 'source.extensions.fluxcd.io/v1beta1', 'notification.toolkit.fluxcd.io/v1beta3', 'notification.toolkit.fluxcd.io/v1', 'image.toolkit.fluxcd.io/v1'];

interface Snippet {
  prefix: string;
  description: string;
  body: string[];
}

// ── A small parser for the VS Code snippet syntax we use ─────────────────────────────────────
// Tab stops `$1` / `${1}`, placeholders `${1:text}` (may nest), choices `${1|a,b|}`, `$0`, and the
// escapes `\$`, `\}`, `\\` (plus `\,` and `\|` inside choices). Variables (`$NAME`) are rejected:
// in a YAML snippet a stray `$word` is almost certainly a mistake.

type Part = string | { type: 'tabstop'; index: number; children?: Part[]; raw?: string } | { type: 'choice'; index: number; options: string[] };

function parseSnippet(source: string): Part[] {
  let pos = 0;
  const fail = (message: string): never => {
    throw new Error(`${message} at offset ${pos} of snippet ${JSON.stringify(source)}`);
  };
  const digits = (): number => {
    const start = pos;
    while (pos < source.length && /[0-9]/.test(source[pos]!)) pos++;
    return Number(source.slice(start, pos));
  };
  const choice = (index: number): Part => {
    const options: string[] = [];
    let current = '';
    for (;;) {
      if (pos >= source.length) fail('unterminated choice');
      const ch = source[pos]!;
      if (ch === '\\' && pos + 1 < source.length && '$}\\,|'.includes(source[pos + 1]!)) {
        current += source[pos + 1];
        pos += 2;
      } else if (ch === ',') {
        options.push(current);
        current = '';
        pos++;
      } else if (ch === '|' && source[pos + 1] === '}') {
        options.push(current);
        pos += 2;
        return { type: 'choice', index, options };
      } else {
        current += ch;
        pos++;
      }
    }
  };
  const dollar = (): Part => {
    pos++; // `$`
    if (/[0-9]/.test(source[pos] ?? '')) return { type: 'tabstop', index: digits() };
    if (source[pos] === '{') {
      pos++;
      if (!/[0-9]/.test(source[pos] ?? '')) fail('a variable (our snippets use none; escape a literal $ as \\$)');
      const index = digits();
      if (source[pos] === '}') {
        pos++;
        return { type: 'tabstop', index };
      }
      if (source[pos] === ':') {
        pos++;
        const start = pos;
        const children = sequence(true);
        const raw = source.slice(start, pos);
        pos++; // `}`
        return { type: 'tabstop', index, children, raw };
      }
      if (source[pos] === '|') {
        pos++;
        return choice(index);
      }
      return fail('malformed tab stop');
    }
    if (/[A-Za-z_]/.test(source[pos] ?? '')) return fail('a variable (our snippets use none; escape a literal $ as \\$)');
    return '$';
  };
  function sequence(inPlaceholder: boolean): Part[] {
    const parts: Part[] = [];
    let text = '';
    const flush = () => {
      if (text) parts.push(text);
      text = '';
    };
    while (pos < source.length) {
      const ch = source[pos]!;
      if (ch === '\\' && pos + 1 < source.length && '$}\\'.includes(source[pos + 1]!)) {
        text += source[pos + 1];
        pos += 2;
      } else if (ch === '}' && inPlaceholder) {
        flush();
        return parts;
      } else if (ch === '$') {
        flush();
        parts.push(dollar());
      } else {
        text += ch;
        pos++;
      }
    }
    if (inPlaceholder) fail('unterminated placeholder');
    flush();
    return parts;
  }
  return sequence(false);
}

function* walkParts(parts: Part[]): Generator<Exclude<Part, string>> {
  for (const part of parts) {
    if (typeof part === 'string') continue;
    yield part;
    if (part.type === 'tabstop' && part.children) yield* walkParts(part.children);
  }
}

/**
 * The text VS Code inserts when every placeholder is accepted as is: placeholders become their
 * default text, choices their first option (or the one given in `picks`), and a bare tab stop
 * mirrors the placeholder of the same number, or is empty when there is none (`$0` always is).
 */
function expandParts(parts: Part[], picks: ReadonlyMap<number, string> = new Map()): string {
  const defaults = new Map<number, Part[]>();
  for (const part of walkParts(parts)) {
    if (part.type === 'tabstop' && part.children && !defaults.has(part.index)) defaults.set(part.index, part.children);
  }
  const render = (list: Part[], depth: number): string =>
    list
      .map((part) => {
        if (typeof part === 'string') return part;
        if (part.type === 'choice') return picks.get(part.index) ?? part.options[0] ?? '';
        const children = part.children ?? (part.index === 0 || depth > 8 ? undefined : defaults.get(part.index));
        return children ? render(children, depth + 1) : '';
      })
      .join('');
  return render(parts, 0);
}

function expand(body: readonly string[], picks?: ReadonlyMap<number, string>): string {
  const text = expandParts(parseSnippet(body.join('\n')), picks);
  return text.endsWith('\n') ? text : `${text}\n`;
}

// ── The snippets and how to check them ───────────────────────────────────────────────────────

const entries: Array<[string, Snippet]> = FLUX_SNIPPETS.map((s) => [s.name, s]);

/** Whole objects start with `apiVersion:`; everything else is a fragment for a HelmRelease spec. */
const isWholeObject = (s: Snippet) => s.body[0]?.startsWith('apiVersion:') === true;
/** List-item fragments (`- kind: …`) go under `spec.valuesFrom`; the others directly under `spec`. */
const isListItem = (s: Snippet) => s.body[0]?.startsWith('- ') === true;

const BASE_RELEASE = [
  'apiVersion: helm.toolkit.fluxcd.io/v2',
  'kind: HelmRelease',
  'metadata:',
  '  name: podinfo',
  '  namespace: flux-system',
  'spec:',
  '  interval: 10m',
  '  chart:',
  '    spec:',
  '      chart: podinfo',
  '      sourceRef:',
  '        kind: HelmRepository',
  '        name: podinfo',
];

const indent = (text: string, by: string) =>
  text
    .split('\n')
    .map((line) => (line ? by + line : line))
    .join('\n');

/** A fragment's expansion placed where its description says it goes, inside a minimal valid HelmRelease. */
function embed(snippet: Snippet, expanded: string): string {
  const head = BASE_RELEASE.join('\n');
  if (isListItem(snippet)) return `${head}\n  valuesFrom:\n${indent(expanded, '    ')}`;
  return `${head}\n${indent(expanded, '  ')}`;
}

function diagnosticsOf(text: string): Diagnostic[] {
  return fileDiagnostics(FileModel.fromText(text), defaultSettings);
}

function describeDiagnostics(text: string, diagnostics: Diagnostic[]): string {
  const lines = text.split('\n');
  return diagnostics.map((d) => `${String(d.code)} at ${d.range.start.line + 1}:${d.range.start.character + 1} "${lines[d.range.start.line]}": ${d.message}`).join('\n');
}

function assertNoDiagnostics(text: string, what: string): void {
  const diagnostics = diagnosticsOf(text);
  assert.deepEqual(diagnostics, [], `${what} has diagnostics:\n${describeDiagnostics(text, diagnostics)}\n--- text ---\n${text}`);
}

/** Every text the snippet can produce by only picking choices: defaults, then each other option once. */
function choiceVariants(snippet: Snippet): { label: string; text: string }[] {
  const variants = [{ label: 'defaults', text: expand(snippet.body) }];
  for (const part of walkParts(parseSnippet(snippet.body.join('\n')))) {
    if (part.type !== 'choice') continue;
    for (const option of part.options.slice(1)) {
      variants.push({ label: `choice ${part.index} = ${option}`, text: expand(snippet.body, new Map([[part.index, option]])) });
    }
  }
  return variants;
}

function nullPaths(value: unknown, at: string, out: string[] = []): string[] {
  if (value === null || value === undefined) out.push(at || '(root)');
  else if (Array.isArray(value)) value.forEach((item, i) => nullPaths(item, `${at}[${i}]`, out));
  else if (typeof value === 'object') for (const [key, item] of Object.entries(value)) nullPaths(item, at ? `${at}.${key}` : key, out);
  return out;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed snippet JSON, walked freely
type Obj = Record<string, any>;

function documentsOf(text: string): Obj[] {
  return parseAllDocuments(text).map((doc) => {
    assert.deepEqual(doc.errors, [], `YAML errors in\n${text}`);
    return doc.toJS() as Obj;
  });
}

// ── Tests ────────────────────────────────────────────────────────────────────────────────────

describe('snippet expansion (test helper)', () => {
  test('placeholders take their default, choices their first option, tab stops nothing', () => {
    assert.equal(expand(['name: ${1:podinfo}', 'mode: ${2|enabled,warn|}', 'x: $3${4}', '$0']), 'name: podinfo\nmode: enabled\nx: \n');
  });

  test('nested placeholders, mirrors and escapes', () => {
    assert.equal(expand(['  ${1:secretRef:', '    name: ${2:creds}}', 'again: $2']), '  secretRef:\n    name: creds\nagain: creds\n');
    assert.equal(expand(['a: \\$HOME \\} ${1:x\\}y}', 'b: ${2|a\\,b,c|}']), 'a: $HOME } x}y\nb: a,b\n');
    assert.equal(expand(['c: ${2|x,y|}'], new Map([[2, 'y']])), 'c: y\n');
  });

  test('variables are rejected', () => {
    assert.throws(() => expand(['a: $HOME']), /variable/);
    assert.throws(() => expand(['a: ${TM_FILENAME}']), /variable/);
  });
});

describe('the flux-* snippets', () => {
  test('is JSON with at least one snippet, each with a prefix, a one-line description and a body', () => {
    assert.ok(entries.length > 0);
    for (const [name, s] of entries) {
      assert.equal(typeof s.prefix, 'string', `${name}: prefix`);
      assert.equal(typeof s.description, 'string', `${name}: description`);
      assert.ok(s.description.trim().length > 0, `${name}: empty description`);
      assert.ok(!s.description.includes('\n'), `${name}: description must be one line`);
      assert.ok(Array.isArray(s.body) && s.body.length > 0, `${name}: body`);
      for (const line of s.body) {
        assert.equal(typeof line, 'string', `${name}: body lines are strings`);
        assert.ok(!line.includes('\t'), `${name}: tab in ${JSON.stringify(line)}`);
        assert.ok(!line.includes('\n'), `${name}: one line per body entry`);
      }
    }
  });

  test('every prefix starts with flux- and prefixes are unique', () => {
    const prefixes = entries.map(([, s]) => s.prefix);
    for (const prefix of prefixes) assert.match(prefix, /^flux-[a-z0-9-]+$/);
    assert.equal(new Set(prefixes).size, prefixes.length, `duplicate prefixes: ${prefixes.join(', ')}`);
  });

  test('package.json contributes no static snippets: VS Code would offer them everywhere, inside spec.values too', () => {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes?: { snippets?: unknown[] } };
    assert.equal(manifest.contributes?.snippets, undefined);
  });

  test('tab stops: same number, same default; at most one $0; no variables', () => {
    for (const [name, s] of entries) {
      const parts = parseSnippet(s.body.join('\n'));
      const placeholders = new Map<number, string>();
      let finals = 0;
      for (const part of walkParts(parts)) {
        if (part.index === 0) finals++;
        const raw = part.type === 'choice' ? `|${part.options.join(',')}|` : part.raw;
        if (raw === undefined) continue;
        const earlier = placeholders.get(part.index);
        assert.ok(earlier === undefined || earlier === raw, `${name}: tab stop ${part.index} has two defaults, ${earlier} and ${raw}`);
        placeholders.set(part.index, raw);
      }
      assert.ok(finals <= 1, `${name}: ${finals} final tab stops`);
    }
  });

  test('only current API versions and no deprecated fields', () => {
    for (const [name, s] of entries) {
      // A current version may itself be a beta (ArtifactGenerator v1beta1); no other beta may appear.
      const text = CURRENT_VERSIONS.reduce((t, v) => t.replaceAll(v, ''), s.body.join('\n'));
      assert.doesNotMatch(text, /v2beta|v1beta/, name);
      assert.doesNotMatch(text, /\brecreate:|\bskipCRDs:/, name);
    }
  });
});

describe('whole-object snippets validate', () => {
  for (const [, s] of entries.filter(([, s]) => isWholeObject(s))) {
    test(`${s.prefix}`, () => {
      for (const { label, text } of choiceVariants(s)) {
        assertNoDiagnostics(text, `${s.prefix} (${label})`);
        const docs = documentsOf(text);
        for (const doc of docs) {
          assert.ok(CURRENT_VERSIONS.includes(doc.apiVersion), `${s.prefix}: apiVersion ${doc.apiVersion}`);
          assert.deepEqual(nullPaths(doc, ''), [], `${s.prefix}: fields without a value`);
        }
      }
    });
  }

  test('the checker really looks at every document of a snippet', () => {
    for (const [, s] of entries.filter(([, s]) => isWholeObject(s))) {
      const text = expand(s.body);
      const broken = text.replace(/^spec:\n/gm, 'spec:\n  notAField: true\n');
      const count = documentsOf(text).length;
      const unknown = diagnosticsOf(broken).filter((d) => d.code === 'unknown-field');
      assert.equal(unknown.length, count, `${s.prefix}: ${describeDiagnostics(broken, diagnosticsOf(broken))}`);
    }
  });

  test('sources and chart references match what Flux expects', () => {
    for (const [, s] of entries.filter(([, s]) => isWholeObject(s))) {
      const docs = documentsOf(expand(s.body));
      for (const doc of docs) {
        if (doc.kind === 'HelmRepository' && doc.spec.type === 'oci') {
          assert.match(doc.spec.url, /^oci:\/\//, s.prefix);
          assert.equal(doc.spec.interval, undefined, `${s.prefix}: interval is ignored for type oci`);
        }
        if (doc.kind === 'OCIRepository') {
          assert.deepEqual(doc.spec.layerSelector, { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: 'copy' }, s.prefix);
          assert.ok(doc.spec.ref?.semver || doc.spec.ref?.tag, `${s.prefix}: ref.semver or ref.tag`);
        }
        if (doc.kind === 'HelmRelease' && doc.spec.chartRef) {
          const target = docs.find((d) => d.kind === doc.spec.chartRef.kind && d.metadata.name === doc.spec.chartRef.name && d.metadata.namespace === doc.metadata.namespace);
          assert.ok(target, `${s.prefix}: chartRef names a document of the snippet`);
        }
        if (doc.kind === 'HelmRelease' && doc.spec.chart?.spec.sourceRef.kind === 'GitRepository') {
          assert.match(doc.spec.chart.spec.chart, /^\.\//, `${s.prefix}: a chart in Git is a path`);
          assert.ok(doc.spec.chart.spec.reconcileStrategy, `${s.prefix}: reconcileStrategy`);
        }
      }
      // Version constraints are quoted, so that `>=…` or `4.10.*` stay strings.
      for (const line of s.body.filter((l) => /^\s*(version|semver|range):\s*\S/.test(l))) assert.match(line, /:\s*"[^"]+"$/, `${s.prefix}: ${line}`);
    }
  });
});

describe('fragment snippets validate inside a HelmRelease spec', () => {
  for (const [, s] of entries.filter(([, s]) => !isWholeObject(s))) {
    test(`${s.prefix}`, () => {
      for (const { label, text } of choiceVariants(s)) {
        const embedded = embed(s, text);
        assertNoDiagnostics(embedded, `${s.prefix} (${label})`);
        // The fragment nests where intended: its content is found as is under spec.
        const fragment = parseYaml(text) as unknown;
        const spec = (documentsOf(embedded)[0] as Obj).spec as Obj;
        assert.deepEqual(nullPaths(fragment, ''), [], `${s.prefix}: fields without a value`);
        if (isListItem(s)) {
          assert.ok(Array.isArray(fragment) && fragment.length === 1, `${s.prefix}: one list item`);
          assert.deepEqual(spec.valuesFrom, fragment);
        } else {
          assert.ok(fragment && typeof fragment === 'object' && !Array.isArray(fragment), `${s.prefix}: a mapping of spec fields`);
          for (const [key, value] of Object.entries(fragment as Obj)) assert.deepEqual(spec[key], value, `${s.prefix}: spec.${key}`);
        }
      }
    });
  }

  test('the checker really looks at the fragments', () => {
    for (const [, s] of entries.filter(([, s]) => !isWholeObject(s))) {
      const text = expand(s.body);
      const first = text.split('\n')[0]!;
      const broken = embed(s, text.replace(first, `${first}\n  notAField: true`));
      assert.ok(diagnosticsOf(broken).some((d) => d.code === 'unknown-field'), `${s.prefix}: an unknown field in the fragment is reported`);
    }
  });
});

describe('snippets only where they fit', () => {
  const release = 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: app\nspec:\n';
  const offered = (marked: string) => labels(complete(marked)).filter((l) => l.startsWith('flux-'));
  const wholeObjects = FLUX_SNIPPETS.filter((s) => s.where === 'document').map((s) => s.prefix);

  test('notification and image kinds have a whole-object snippet, offered in an empty document', () => {
    const empty = offered('|');
    for (const kind of ['Alert', 'Provider', 'Receiver', 'ImageRepository', 'ImagePolicy', 'ImageUpdateAutomation']) {
      const snippet = FLUX_SNIPPETS.find((s) => s.where === 'document' && s.body.includes(`kind: ${kind}`));
      assert.ok(snippet, kind);
      assert.ok(empty.includes(snippet.prefix), `${snippet.prefix} offered`);
    }
  });

  test('whole objects at the top of an empty document, and of a new document after others', () => {
    assert.deepEqual(offered('|'), wholeObjects);
    assert.deepEqual(offered('flux-h|'), wholeObjects);
    assert.deepEqual(offered('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n---\n|'), wholeObjects);
  });

  test('no snippet inside spec.values, in other nested positions, or indented', () => {
    assert.deepEqual(offered(`${release}  values:\n    |`), []);
    assert.deepEqual(offered(`${release}  values:\n    image:\n      |`), []);
    assert.deepEqual(offered(`${release}  install:\n    |`), []);
    assert.deepEqual(offered('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  |'), []);
    assert.deepEqual(offered(`${release}  interval: 5m\n  |`).filter((p) => wholeObjects.includes(p)), []);
  });

  test('field snippets where their key is valid: remediation and drift detection in spec, valuesFrom items in valuesFrom', () => {
    assert.deepEqual(offered(`${release}  interval: 5m\n  |`), ['flux-remediation', 'flux-driftdetection']);
    assert.deepEqual(offered(`${release}  driftDetection:\n    mode: warn\n  |`), ['flux-remediation']);
    assert.deepEqual(offered(`${release}  valuesFrom:\n    |`), ['flux-valuesfrom-configmap', 'flux-valuesfrom-key', 'flux-valuesfrom-secret-optional']);
    const afterDash = complete(`${release}  valuesFrom:\n    - |`).find((i) => i.label === 'flux-valuesfrom-configmap')!;
    const text = (afterDash.textEdit as { newText: string }).newText;
    assert.ok(text.startsWith('kind: ConfigMap'), `no second dash: ${text}`);
  });
});
