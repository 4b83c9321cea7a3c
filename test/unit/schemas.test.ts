import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';

// Checks every `schemas/*.json` against the Flux CRD it was derived from: the structure must be
// the served version's `spec` schema exactly, the descriptions must be ours (present, and not
// copied from the CRD). The CRDs are read from test/fixtures/crd-fingerprint.json, which holds
// their structure and, instead of their descriptions, hashes of each description's runs of eight
// words (`npm run fingerprint` writes it from ../shared/flux-crds).

const ROOT = path.resolve(__dirname, '../..');
const SCHEMA_DIR = path.join(ROOT, 'schemas');
const FINGERPRINT = path.join(ROOT, 'test/fixtures/crd-fingerprint.json');

const EXPECTED_FILES = ['helmrelease', 'helmrepository', 'ocirepository', 'gitrepository', 'helmchart', 'bucket', 'externalartifact', 'kustomization', 'artifactgenerator', 'alert', 'provider', 'receiver', 'imagerepository', 'imagepolicy', 'imageupdateautomation'];

/** Keywords compared by value (`required` as a set; everything else exactly). */
const VALUE_KEYWORDS = [
  'type',
  'required',
  'enum',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'format',
  'default',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  // A `map` list (Receiver `oidcProviders`) refuses two items with the same key: ours say so too.
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
] as const;
const NESTED_KEYWORDS = ['properties', 'items', 'additionalProperties'] as const;
const STRUCTURAL = new Set<string>([...VALUE_KEYWORDS, ...NESTED_KEYWORDS]);
const ALLOWED_OURS = new Set<string>(['description', ...STRUCTURAL]);
/**
 * Fingerprint keys that are not schema keywords of ours: description hashes (checked below), and
 * CEL rules (checked by the diagnostics, test/unit/crdCelRules.test.ts).
 */
const IGNORED_IN_CRD = new Set<string>(['descriptionRuns', 'cel']);
/**
 * Keywords that only tell server-side apply how to merge a list or map as a whole (`atomic`): they
 * accept exactly the documents the schema without them accepts, so our files leave them out. Other
 * values (`set`, `map` lists) also refuse duplicate items and are reported like any keyword we
 * cannot express.
 */
const MERGE_ONLY: Readonly<Record<string, unknown>> = { 'x-kubernetes-list-type': 'atomic', 'x-kubernetes-map-type': 'atomic' };
const FILE_KEYS = ['apiVersion', 'kind', 'docs', 'description', 'spec'];
const MIN_SHARED_WORDS = 8;

type Node = Record<string, unknown>;

interface SchemaFile {
  apiVersion: string;
  kind: string;
  docs: string;
  description: string;
  spec: Node;
}

interface Crd {
  file: string;
  group: string;
  kind: string;
  /** Served versions: name → the kind's description runs and the `spec` schema's fingerprint. */
  served: Map<string, { kindDescriptionRuns: number[]; spec: Node }>;
}

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

// ── Loading ──────────────────────────────────────────────────────────────────────────────────

let crdCache: Crd[] | undefined;

function loadCrds(): Crd[] {
  if (crdCache) return crdCache;
  const raw = JSON.parse(readFileSync(FINGERPRINT, 'utf8')) as { crds: Array<{ file: string; group: string; kind: string; served: Record<string, { kindDescriptionRuns: number[]; spec: Node }> }> };
  crdCache = raw.crds.map((c) => ({ ...c, served: new Map(Object.entries(c.served)) }));
  assert.ok(crdCache.length > 0, `No CRD in ${FINGERPRINT}; run npm run fingerprint`);
  return crdCache;
}

function schemaFileNames(): string[] {
  if (!existsSync(SCHEMA_DIR)) return [];
  return readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
}

function loadSchemaFile(name: string): SchemaFile {
  const raw: unknown = JSON.parse(readFileSync(path.join(SCHEMA_DIR, name), 'utf8'));
  assert.ok(isNode(raw), `${name}: the file must hold a JSON object`);
  const problems: string[] = [];
  for (const key of FILE_KEYS) if (!(key in raw)) problems.push(`missing top-level key "${key}"`);
  for (const key of Object.keys(raw)) if (!FILE_KEYS.includes(key)) problems.push(`unexpected top-level key "${key}"`);
  for (const key of ['apiVersion', 'kind', 'docs', 'description']) {
    if (key in raw && (typeof raw[key] !== 'string' || (raw[key] as string).trim() === '')) problems.push(`"${key}" must be a non-empty string`);
  }
  if ('spec' in raw && !isNode(raw['spec'])) problems.push('"spec" must be an object');
  assert.deepEqual(problems, [], `${name}: ${problems.join('; ')}`);
  return raw as unknown as SchemaFile;
}

/** The CRD and served `spec` schema a file of ours describes, chosen by kind and apiVersion. */
function crdFor(file: SchemaFile, name: string): { crd: Crd; kindDescriptionRuns: number[]; spec: Node } {
  const slash = file.apiVersion.lastIndexOf('/');
  const group = file.apiVersion.slice(0, slash);
  const version = file.apiVersion.slice(slash + 1);
  const crds = loadCrds();
  const crd = crds.find((c) => c.kind === file.kind && c.group === group);
  assert.ok(crd, `${name}: no CRD for kind ${file.kind} in group ${group}; available: ${crds.map((c) => `${c.kind} (${c.group})`).join(', ')}`);
  const served = crd.served.get(version);
  assert.ok(served, `${name}: ${file.apiVersion} is not a served version of ${file.kind} in ${crd.file}; served: ${[...crd.served.keys()].join(', ') || 'none'}`);
  return { crd, kindDescriptionRuns: served.kindDescriptionRuns, spec: served.spec };
}

// ── Walking ──────────────────────────────────────────────────────────────────────────────────

function childPath(at: string, key: string): string {
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? `${at}.${key}` : `${at}[${JSON.stringify(key)}]`;
}

const show = (v: unknown): string => (v === undefined ? '(absent)' : JSON.stringify(v));

/** Differences between our node and the CRD's, as `path: message` lines. */
function structuralDiffs(ours: Node, theirs: Node, at: string, out: string[]): void {
  for (const key of Object.keys(theirs)) {
    if (STRUCTURAL.has(key) || IGNORED_IN_CRD.has(key) || (key in MERGE_ONLY && theirs[key] === MERGE_ONLY[key])) continue;
    out.push(`${at}: the CRD uses keyword "${key}" (${show(theirs[key])}), which our schema files cannot express`);
  }
  for (const key of VALUE_KEYWORDS) {
    const a = ours[key];
    // `atomic` is the same as no keyword for validation (see MERGE_ONLY).
    const b = key in MERGE_ONLY && theirs[key] === MERGE_ONLY[key] ? undefined : theirs[key];
    if (key === 'required' && Array.isArray(a) && Array.isArray(b)) {
      const missing = b.filter((x) => !a.includes(x));
      const extra = a.filter((x) => !b.includes(x));
      if (missing.length || extra.length || a.length !== b.length) {
        out.push(`${at}.required: ours ${show(a)}, CRD ${show(b)}${missing.length ? `; missing ${show(missing)}` : ''}${extra.length ? `; extra ${show(extra)}` : ''}`);
      }
    } else if (!isDeepStrictEqual(a, b)) {
      out.push(`${childPath(at, key)}: ours ${show(a)}, CRD ${show(b)}`);
    }
  }

  const ourProps = ours['properties'];
  const theirProps = theirs['properties'];
  if ((ourProps === undefined) !== (theirProps === undefined)) {
    out.push(`${at}.properties: ours ${ourProps === undefined ? 'absent' : 'present'}, CRD ${theirProps === undefined ? 'absent' : 'present'}`);
  } else if (isNode(ourProps) && isNode(theirProps)) {
    const missing = Object.keys(theirProps).filter((k) => !(k in ourProps));
    const extra = Object.keys(ourProps).filter((k) => !(k in theirProps));
    for (const k of missing) out.push(`${childPath(at, k)}: property missing from ours`);
    for (const k of extra) out.push(`${childPath(at, k)}: property not in the CRD`);
    for (const k of Object.keys(theirProps)) {
      const a = ourProps[k];
      const b = theirProps[k];
      if (!(k in ourProps)) continue;
      if (!isNode(a) || !isNode(b)) out.push(`${childPath(at, k)}: not a schema object`);
      else structuralDiffs(a, b, childPath(at, k), out);
    }
  } else if (ourProps !== undefined) {
    out.push(`${at}.properties: must be an object`);
  }

  const ourItems = ours['items'];
  const theirItems = theirs['items'];
  if ((ourItems === undefined) !== (theirItems === undefined)) {
    out.push(`${at}[]: items ours ${ourItems === undefined ? 'absent' : 'present'}, CRD ${theirItems === undefined ? 'absent' : 'present'}`);
  } else if (ourItems !== undefined) {
    if (!isNode(ourItems) || !isNode(theirItems)) out.push(`${at}[]: items must be a single schema object`);
    else structuralDiffs(ourItems, theirItems, `${at}[]`, out);
  }

  const ourAp = ours['additionalProperties'];
  const theirAp = theirs['additionalProperties'];
  if (isNode(ourAp) && isNode(theirAp)) structuralDiffs(ourAp, theirAp, `${at}{*}`, out);
  else if (!isDeepStrictEqual(ourAp, theirAp)) {
    const kind = (v: unknown) => (isNode(v) ? 'a schema' : show(v));
    out.push(`${at}.additionalProperties: ours ${kind(ourAp)}, CRD ${kind(theirAp)}`);
  }
}

interface Visited {
  path: string;
  node: Node;
  /** Reached through `properties` (or the spec itself), as opposed to `items`/`additionalProperties`. */
  isProperty: boolean;
  /** The CRD node at the same path, if there is one. */
  crd: Node | undefined;
}

/** Every node of ours, paired with the CRD node at the same path. */
function visit(ours: Node, theirs: Node | undefined, at: string, isProperty: boolean, out: Visited[]): void {
  out.push({ path: at, node: ours, isProperty, crd: theirs });
  const props = ours['properties'];
  if (isNode(props)) {
    const theirProps = theirs?.['properties'];
    for (const [k, child] of Object.entries(props)) {
      if (isNode(child)) visit(child, isNode(theirProps) && isNode(theirProps[k]) ? theirProps[k] : undefined, childPath(at, k), true, out);
    }
  }
  const items = ours['items'];
  if (isNode(items)) visit(items, isNode(theirs?.['items']) ? (theirs['items'] as Node) : undefined, `${at}[]`, false, out);
  const ap = ours['additionalProperties'];
  if (isNode(ap)) visit(ap, isNode(theirs?.['additionalProperties']) ? (theirs['additionalProperties'] as Node) : undefined, `${at}{*}`, false, out);
}

// ── Copy guard ───────────────────────────────────────────────────────────────────────────────

function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]+/gu, ' ')
    .split(/\s+/)
    .filter((w) => w !== '');
}

/** FNV-1a, 32 bits: the hash scripts/crd-fingerprint.mjs stores for each run of words. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The first run of MIN_SHARED_WORDS consecutive words of ours that the CRD's description also has, or undefined. */
function sharedRun(ours: string, theirRuns: readonly number[] | undefined): string | undefined {
  if (!theirRuns?.length) return undefined;
  const theirs = new Set(theirRuns);
  const ourWords = words(ours);
  for (let i = 0; i + MIN_SHARED_WORDS <= ourWords.length; i++) {
    const run = ourWords.slice(i, i + MIN_SHARED_WORDS).join(' ');
    if (theirs.has(hash(run))) return run;
  }
  return undefined;
}

function report(name: string, what: string, lines: string[]): string {
  const shown = lines.slice(0, 40);
  const more = lines.length > shown.length ? `\n  … and ${lines.length - shown.length} more` : '';
  return `${name}: ${lines.length} ${what}:\n  ${shown.join('\n  ')}${more}`;
}

// ── Tests ────────────────────────────────────────────────────────────────────────────────────

describe('schemas/*.json', () => {
  test('the fingerprint of the reference CRDs is there, and covers every Flux kind', () => {
    const kinds = loadCrds().map((c) => c.kind);
    for (const kind of ['HelmRelease', 'HelmRepository', 'OCIRepository', 'GitRepository', 'HelmChart', 'Bucket', 'ExternalArtifact', 'Kustomization', 'Alert', 'Provider', 'Receiver', 'ImageRepository', 'ImagePolicy', 'ImageUpdateAutomation', 'ArtifactGenerator']) {
      assert.ok(kinds.includes(kind), `${kind} in ${FINGERPRINT}`);
    }
  });

  test('the fingerprint holds no description text, only hashes of its runs of words', () => {
    const found: string[] = [];
    const walk = (value: unknown, at: string): void => {
      if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${at}[${i}]`));
      else if (isNode(value)) {
        for (const [k, v] of Object.entries(value)) {
          if (k === 'description') found.push(`${at}.${k}`);
          if (k === 'descriptionRuns' || k === 'kindDescriptionRuns') assert.ok(Array.isArray(v) && v.every((h) => Number.isInteger(h)), `${at}.${k} holds hashes`);
          walk(v, `${at}.${k}`);
        }
      }
    };
    walk(JSON.parse(readFileSync(FINGERPRINT, 'utf8')), 'fingerprint');
    assert.deepEqual(found, []);
  });

  test('a copied description is caught through the hashes', () => {
    const helmRelease = loadCrds().find((c) => c.kind === 'HelmRelease')!;
    const runs = [...helmRelease.served.values()][0]!.spec['properties'] as Record<string, Node>;
    const interval = runs['interval']!;
    assert.ok(Array.isArray(interval['descriptionRuns']) && (interval['descriptionRuns'] as number[]).length > 0, 'the CRD describes spec.interval');
    assert.equal(sharedRun('a description of our own that says nothing the CRD says about the interval', interval['descriptionRuns'] as number[]), undefined);
    // The same text on both sides is found, punctuation and case aside.
    const text = 'How often the controller checks that the release matches its chart and values.';
    const theirs = words(text.toUpperCase()).map((_, i, all) => all.slice(i, i + MIN_SHARED_WORDS)).filter((run) => run.length === MIN_SHARED_WORDS).map((run) => hash(run.join(' ')));
    assert.equal(sharedRun(`Our text: ${text}`, theirs), 'how often the controller checks that the release');
  });

  test('there is at least one schema file', () => {
    assert.ok(schemaFileNames().length > 0, `no *.json files in ${SCHEMA_DIR}`);
  });

  for (const name of schemaFileNames()) {
    describe(name, () => {
      test('names a served version of a Flux CRD', () => {
        const file = loadSchemaFile(name);
        crdFor(file, name);
        assert.match(file.docs, /^https:\/\//, `${name}: "docs" should be an https link`);
      });

      test('spec has the same structure as the CRD', () => {
        const file = loadSchemaFile(name);
        const { crd, spec } = crdFor(file, name);
        const diffs: string[] = [];
        structuralDiffs(file.spec, spec, 'spec', diffs);
        assert.equal(diffs.length, 0, report(name, `structural difference(s) from ${crd.file} (${file.apiVersion})`, diffs));
      });

      test('uses only the allowed keywords', () => {
        const file = loadSchemaFile(name);
        const nodes: Visited[] = [];
        visit(file.spec, undefined, 'spec', true, nodes);
        const bad: string[] = [];
        for (const { path: at, node } of nodes) {
          for (const key of Object.keys(node)) if (!ALLOWED_OURS.has(key)) bad.push(`${at}: keyword "${key}"`);
        }
        assert.equal(bad.length, 0, report(name, `keyword(s) outside ${[...ALLOWED_OURS].join(', ')}`, bad));
      });

      test('every property has a description of ours', () => {
        const file = loadSchemaFile(name);
        const nodes: Visited[] = [];
        visit(file.spec, undefined, 'spec', true, nodes);
        const bad: string[] = [];
        for (const { path: at, node, isProperty } of nodes) {
          const d = node['description'];
          if (d !== undefined && (typeof d !== 'string' || d.trim() === '')) bad.push(`${at}: description is empty or not a string`);
          else if (isProperty && d === undefined) bad.push(`${at}: no description`);
        }
        assert.equal(bad.length, 0, report(name, 'node(s) without a proper description', bad));
      });

      test(`no description shares ${MIN_SHARED_WORDS}+ consecutive words with the CRD's`, () => {
        const file = loadSchemaFile(name);
        const { kindDescriptionRuns, spec } = crdFor(file, name);
        const nodes: Visited[] = [];
        visit(file.spec, spec, 'spec', true, nodes);
        const copied: string[] = [];
        const run = sharedRun(file.description, kindDescriptionRuns);
        if (run) copied.push(`(kind description): "${run}"`);
        for (const { path: at, node, crd } of nodes) {
          const ours = node['description'];
          if (typeof ours !== 'string') continue;
          const shared = sharedRun(ours, crd?.['descriptionRuns'] as number[] | undefined);
          if (shared) copied.push(`${at}: "${shared}"`);
        }
        assert.equal(copied.length, 0, report(name, 'description(s) repeating CRD wording; rewrite them in our own words', copied));
      });
    });
  }

  describe('the expected kinds all have a schema file', () => {
    for (const base of EXPECTED_FILES) {
      test(`${base}.json exists`, () => {
        assert.ok(existsSync(path.join(SCHEMA_DIR, `${base}.json`)), `missing ${path.join(SCHEMA_DIR, `${base}.json`)}`);
      });
    }
  });
});
