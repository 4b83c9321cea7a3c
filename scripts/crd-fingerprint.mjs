// Writes test/fixtures/crd-fingerprint.json from the reference Flux CRDs in ../shared/flux-crds:
// for every CRD file of that folder (every Flux kind, not only those we have a schema for) and each
// served version, the structure of its `spec` schema per property (type, enum, pattern, format,
// bounds, required, default, nested properties/items/additionalProperties, and any other keyword
// verbatim, such as `x-kubernetes-list-type`) and its CEL rules (expression and message). No
// description text: in its place, hashes of each description's runs of eight consecutive words.
// The schema test compares our schemas with this file, so it runs without ../shared, and still
// catches a description of ours that repeats the CRD's wording.
//
//   npm run fingerprint              writes the file (needs ../shared/flux-crds beside the repository)
//   npm run fingerprint -- --check   fails if the committed file differs from what the CRDs give
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CRD_DIR = path.resolve(ROOT, "../shared/flux-crds");
const OUT = path.join(ROOT, "test/fixtures/crd-fingerprint.json");
const CHECK = process.argv.includes("--check");
export const RUN_WORDS = 8;
/** The keywords most schemas use, first and in this order; any other keyword follows, by name. */
const ORDER = [
  "type",
  "required",
  "enum",
  "pattern",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "minItems",
  "maxItems",
  "format",
  "default",
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-int-or-string",
];
const rank = (key) => (ORDER.includes(key) ? ORDER.indexOf(key) : ORDER.length);
/** Keywords walked into (or turned into hashes) rather than copied. */
const WALKED = new Set([
  "description",
  "properties",
  "items",
  "additionalProperties",
  "x-kubernetes-validations",
]);

if (!existsSync(CRD_DIR)) {
  console.error(
    `crd-fingerprint: the reference CRDs are not here: ${CRD_DIR} (the folder shared/flux-crds beside the repository) does not exist.\n` +
      `Nothing was ${CHECK ? "checked" : "written"}; ${path.relative(ROOT, OUT)} stays as committed, and the schema test keeps using it.`,
  );
  process.exit(1);
}

const words = (text) =>
  text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]+/gu, " ")
    .split(/\s+/)
    .filter((w) => w !== "");
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
  for (let i = 0; i + RUN_WORDS <= w.length; i++)
    out.add(hash(w.slice(i, i + RUN_WORDS).join(" ")));
  return [...out].sort((a, b) => a - b);
}

const isObject = (v) =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A keyword's value with any schema inside it fingerprinted too (so no description comes along). */
function copyValue(value) {
  if (Array.isArray(value)) return value.map(copyValue);
  if (isObject(value)) return fingerprint(value);
  return value;
}

function fingerprint(node) {
  const out = {};
  const copied = Object.keys(node).filter((key) => !WALKED.has(key));
  copied.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  for (const key of copied) out[key] = copyValue(node[key]);
  if (typeof node.description === "string") {
    const hashes = runs(node.description);
    if (hashes.length) out.descriptionRuns = hashes;
  }
  if (Array.isArray(node["x-kubernetes-validations"])) {
    out.cel = node["x-kubernetes-validations"].map((v) =>
      Object.fromEntries(
        ["rule", "message", "messageExpression", "reason", "fieldPath"]
          .filter((k) => v[k] !== undefined)
          .map((k) => [k, v[k]]),
      ),
    );
  }
  if (isObject(node.properties))
    out.properties = Object.fromEntries(
      Object.entries(node.properties).map(([k, v]) => [k, fingerprint(v)]),
    );
  if (node.items !== undefined) out.items = copyValue(node.items);
  if (node.additionalProperties !== undefined)
    out.additionalProperties = copyValue(node.additionalProperties);
  return out;
}

/** Paths of any `description` key left in the output: there must be none. */
function descriptionsIn(value, at, found) {
  if (Array.isArray(value))
    value.forEach((v, i) => descriptionsIn(v, `${at}[${i}]`, found));
  else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k === "description") found.push(`${at}.${k}`);
      descriptionsIn(v, `${at}.${k}`, found);
    }
  }
  return found;
}

const crds = [];
const files = readdirSync(CRD_DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
for (const name of files) {
  let found = 0;
  for (const doc of parseAllDocuments(
    readFileSync(path.join(CRD_DIR, name), "utf8"),
  )) {
    if (doc.errors.length > 0)
      throw new Error(`${name}: ${doc.errors[0].message}`);
    const obj = doc.toJS();
    if (obj?.kind !== "CustomResourceDefinition") continue;
    found++;
    const served = {};
    for (const version of obj.spec.versions) {
      const schema = version.schema?.openAPIV3Schema;
      if (!version.served) continue;
      if (!isObject(schema?.properties?.spec))
        throw new Error(
          `${name}: served version ${version.name} has no spec schema`,
        );
      if (Array.isArray(schema["x-kubernetes-validations"]))
        throw new Error(
          `${name} ${version.name}: CEL rules at the top of the schema (outside spec) are not fingerprinted yet`,
        );
      served[version.name] = {
        kindDescriptionRuns:
          typeof schema.description === "string"
            ? runs(schema.description)
            : [],
        spec: fingerprint(schema.properties.spec),
      };
    }
    crds.push({
      file: name,
      group: obj.spec.group,
      kind: obj.spec.names.kind,
      served,
    });
  }
  if (found === 0)
    throw new Error(`${name}: no CustomResourceDefinition in the file`);
}

const result = {
  source:
    "the Flux CRDs in shared/flux-crds (Apache-2.0), reduced to structure and hashes; no description text",
  runWords: RUN_WORDS,
  crds,
};
const leaked = descriptionsIn(result.crds, "crds", []);
if (leaked.length > 0)
  throw new Error(
    `description text would be written: ${leaked.slice(0, 5).join(", ")}`,
  );
const text = `${JSON.stringify(result, null, 1)}\n`;
const summary = `${crds.length} CRDs (${crds.map((c) => c.kind).join(", ")}), ${crds.reduce((n, c) => n + Object.keys(c.served).length, 0)} served versions`;

if (CHECK) {
  const committed = existsSync(OUT) ? readFileSync(OUT, "utf8") : "";
  if (committed !== text) {
    console.error(
      `crd-fingerprint: ${path.relative(ROOT, OUT)} is not what ${CRD_DIR} gives; run npm run fingerprint and commit the file.`,
    );
    process.exit(1);
  }
  console.log(
    `crd-fingerprint: ${path.relative(ROOT, OUT)} matches ${summary}`,
  );
} else {
  writeFileSync(OUT, text);
  console.log(`crd-fingerprint: ${summary} → ${path.relative(ROOT, OUT)}`);
}
