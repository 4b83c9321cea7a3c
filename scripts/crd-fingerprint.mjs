// Writes test/fixtures/crd-fingerprint.json from the reference Flux CRDs in ../shared/flux-crds:
// for every CRD and served version, the structure of its `spec` schema (types, enums, patterns,
// formats, bounds, required, defaults, nested properties/items/additionalProperties) and its CEL
// rule expressions, and, in place of description text, hashes of each description's runs of eight
// consecutive words. The schema test compares our schemas with this file, so that it runs without
// ../shared, and still catches a description of ours that repeats the CRD's wording.
//
//   npm run fingerprint        (needs ../shared/flux-crds beside the repository)
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CRD_DIR = path.resolve(ROOT, '../shared/flux-crds');
const OUT = path.join(ROOT, 'test/fixtures/crd-fingerprint.json');
const VALUE_KEYWORDS = ['type', 'required', 'enum', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems', 'format', 'default', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-int-or-string'];
export const RUN_WORDS = 8;

if (!existsSync(CRD_DIR)) {
  console.error(`crd-fingerprint: no reference CRDs at ${CRD_DIR} (the folder shared/flux-crds next to the repository); nothing written.`);
  process.exit(1);
}

const words = (text) => text.toLowerCase().replace(/[^\p{L}\p{N}\s]+/gu, ' ').split(/\s+/).filter((w) => w !== '');
/** FNV-1a, 32 bits: the same function the test uses on our descriptions. */
function hash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
function runs(description) {
  const w = words(description);
  const out = new Set();
  for (let i = 0; i + RUN_WORDS <= w.length; i++) out.add(hash(w.slice(i, i + RUN_WORDS).join(' ')));
  return [...out].sort((a, b) => a - b);
}

function fingerprint(node) {
  const out = {};
  for (const key of VALUE_KEYWORDS) if (key in node) out[key] = node[key];
  if (typeof node.description === 'string') {
    const hashes = runs(node.description);
    if (hashes.length) out.descriptionRuns = hashes;
  }
  if (Array.isArray(node['x-kubernetes-validations'])) out.cel = node['x-kubernetes-validations'].map((v) => v.rule);
  if (node.properties) out.properties = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, fingerprint(v)]));
  if (node.items && typeof node.items === 'object') out.items = fingerprint(node.items);
  if (node.additionalProperties !== undefined) out.additionalProperties = typeof node.additionalProperties === 'object' ? fingerprint(node.additionalProperties) : node.additionalProperties;
  return out;
}

const crds = [];
for (const name of readdirSync(CRD_DIR).filter((f) => /\.ya?ml$/.test(f)).sort()) {
  for (const doc of parseAllDocuments(readFileSync(path.join(CRD_DIR, name), 'utf8'))) {
    const obj = doc.toJS();
    if (obj?.kind !== 'CustomResourceDefinition') continue;
    const served = {};
    for (const version of obj.spec.versions) {
      const schema = version.schema?.openAPIV3Schema;
      if (!version.served || !schema?.properties?.spec) continue;
      served[version.name] = { kindDescriptionRuns: typeof schema.description === 'string' ? runs(schema.description) : [], spec: fingerprint(schema.properties.spec) };
    }
    crds.push({ file: name, group: obj.spec.group, kind: obj.spec.names.kind, served });
  }
}
writeFileSync(OUT, `${JSON.stringify({ source: 'the Flux CRDs in shared/flux-crds (Apache-2.0), reduced to structure and hashes; no description text', runWords: RUN_WORDS, crds }, null, 1)}\n`);
console.log(`crd-fingerprint: ${crds.length} CRDs, ${crds.reduce((n, c) => n + Object.keys(c.served).length, 0)} served versions → ${path.relative(ROOT, OUT)}`);
