import { isMap, isPair, isScalar, isSeq, parseDocument, Scalar, type Document, type Node } from 'yaml';
import { DiagnosticCodes } from '../codes';
import { PARSE_OPTIONS } from '../model/yamlTree';
import type { RawDiagnostic } from '../validation/rawDiagnostic';
import { scanSubstitutions } from '../validation/substitution';
import { evaluate, parseTemplate, type Expression, type Lookup } from './envsubst';
import { describeOrigin, kustomizationLabel, substitutionDisabled, type Variable, type VariableSet } from './variables';

/** A value of the document after Flux substituted it, for one Kustomization. */
export interface SubstitutedValue {
  /** The written value's range in the document. */
  start: number;
  end: number;
  written: string;
  result: string;
  /** The variables it used, with their origin. */
  used: Variable[];
}

export interface SubstitutionOutcome {
  set: VariableSet;
  /** The document with every value Flux substitutes replaced by its result; undefined when none is. */
  doc?: Document;
  values: SubstitutedValue[];
  /** Undefined variables (strict mode) and expressions Flux cannot parse. */
  problems: RawDiagnostic[];
}

const MAX_DEPTH = 200;

/** Whether strict substitution is the default in a Flux release (2.9 and later). */
export function strictByDefault(fluxVersion: string): boolean {
  const [major, minor] = fluxVersion.split('.').map((n) => Number.parseInt(n, 10));
  return (major ?? 0) > 2 || ((major ?? 0) === 2 && (minor ?? 0) >= 9);
}

export function lookupIn(set: VariableSet): Lookup {
  return (name) => {
    const variable = set.variables.get(name);
    return variable ? { value: variable.value } : undefined;
  };
}

/**
 * Substitutes a document's values with one Kustomization's variables, as Flux does before it applies
 * the object. `text` is the document's text (to place expressions inside written values).
 */
export function substituteDocument(doc: Document, text: string, set: VariableSet, strict: boolean): SubstitutionOutcome {
  const outcome: SubstitutionOutcome = { set, values: [], problems: [] };
  if (!set.runs || substitutionDisabled(doc)) return outcome;
  const copy = doc.clone();
  const lookup = lookupIn(set);
  const label = kustomizationLabel(set.kustomization);
  const visit = (node: unknown, depth: number, replace?: (next: Node) => void, isKey = false) => {
    if (depth > MAX_DEPTH || !node) return;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        visit(pair.key, depth + 1, undefined, true);
        visit(pair.value, depth + 1, (next) => (pair.value = next));
      }
      return;
    }
    if (isSeq(node)) {
      node.items.forEach((item, i) => visit(item, depth + 1, (next) => (node.items[i] = next)));
      return;
    }
    if (!isScalar(node) || typeof node.value !== 'string' || !node.range || !node.value.includes('${')) return;
    const written = node.value;
    const parsed = parseTemplate(written);
    const place = placement(text, node);
    if (!parsed.ok) {
      // Unclosed and empty substitutions are reported whether or not a Kustomization is known.
      if (scanSubstitutions(written).kind !== 'malformed') {
        const [start, end] = place ? [place + parsed.error.start, place + parsed.error.end] : [node.range[0], node.range[1]];
        outcome.problems.push({ code: DiagnosticCodes.invalidSubstitution, severity: 'error', message: `${parsed.error.message} Kustomization ${label} fails to build this object. Write \`$$\` for a literal \`$\`.`, start, end });
      }
      return;
    }
    if (parsed.expressions.length === 0) return;
    const result = evaluate(parsed.pieces, lookup, strict);
    if (result.status === 'undefined') {
      if (set.complete) outcome.problems.push(undefinedVariable(result.expression, expressionRange(text, node, place, written, result.expression), set));
      return;
    }
    if (result.status === 'unknown' || isKey || !replace) return;
    const used = [...new Set(parsed.expressions.map((e) => e.name))].map((name) => set.variables.get(name)).filter((v): v is Variable => v !== undefined);
    const next = readAs(node, result.value);
    if (!next) {
      outcome.problems.push({
        code: DiagnosticCodes.invalidSubstitutedValue,
        severity: 'error',
        message: `\`${written}\` becomes \`${result.value}\` when Kustomization ${label} applies it (${describeUse(used)}), which is not valid YAML once pasted into the object: Flux fails the build ("post build failed").`,
        start: node.range[0],
        end: node.range[1],
        data: { kustomization: label },
      });
      return;
    }
    replace(next);
    outcome.values.push({ start: node.range[0], end: node.range[1], written, result: result.value, used });
  };
  visit(copy.contents, 0);
  if (outcome.values.length > 0) outcome.doc = copy;
  return outcome;
}

function describeUse(used: Variable[]): string {
  return used.map((v) => `\`${v.name}\` from ${describeOrigin(v)}`).join(', ');
}

/** Where a scalar's text starts in the document when offsets inside it map one to one (plain or simply quoted). */
function placement(text: string, node: Scalar): number | undefined {
  const range = node.range!;
  const raw = text.slice(range[0], range[1]);
  const value = String(node.value);
  if (node.type === 'PLAIN' && raw === value) return range[0];
  if ((node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && raw.slice(1, -1) === value) return range[0] + 1;
  return undefined;
}

/** Where an expression is written: exactly in a plain or simply quoted value, else found in a block scalar's text, else the whole value. */
function expressionRange(text: string, node: Scalar, place: number | undefined, written: string, expression: Expression): [number, number] {
  if (place !== undefined) return [place + expression.start, place + expression.end];
  const range = node.range!;
  const source = written.slice(expression.start, expression.end);
  const at = source.includes('\n') ? -1 : unescapedOccurrence(text.slice(range[0], range[1]), source, unescapedOccurrences(written.slice(0, expression.start), source));
  return at >= 0 ? [range[0] + at, range[0] + at + source.length] : [range[0], range[1]];
}

/** Offsets of `needle` in `haystack` not escaped by `$$` (an even run of `$` before it). */
function unescapedPositions(haystack: string, needle: string): number[] {
  const out: number[] = [];
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
    let dollars = 0;
    while (at - dollars - 1 >= 0 && haystack[at - dollars - 1] === '$') dollars++;
    if (dollars % 2 === 0) out.push(at);
  }
  return out;
}

function unescapedOccurrences(haystack: string, needle: string): number {
  return unescapedPositions(haystack, needle).length;
}

function unescapedOccurrence(haystack: string, needle: string, nth: number): number {
  return unescapedPositions(haystack, needle)[nth] ?? -1;
}

function undefinedVariable(expression: Expression, [start, end]: [number, number], set: VariableSet): RawDiagnostic {
  const label = kustomizationLabel(set.kustomization);
  return {
    code: DiagnosticCodes.undefinedVariable,
    severity: 'error',
    message: `\`${expression.name}\` is not defined by Kustomization ${label} (\`spec.postBuild\`), and this use has no default: with strict substitution (Flux 2.9) its build fails with "variable not set (strict mode)". Define it, or write \`\${${expression.name}:=default}\`.`,
    start,
    end,
    data: { variable: expression.name, kustomization: label },
  };
}

/**
 * Whether kustomize writes a string value without quotes (sigs.k8s.io/yaml, go-yaml's emitter): then
 * the substituted text is read as YAML again, however the value was quoted in the file. `${N}` is
 * written plain, so `"${N}"` with N=3 becomes the number 3; `"${A}: ${B}"` is quoted and stays a string.
 */
export function emittedPlain(value: string): boolean {
  if (value === '' || /^\s|\s$/.test(value) || /[\n\t]/.test(value)) return false;
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(value) || value.includes(': ') || value.includes(' #') || value.endsWith(':')) return false;
  return true;
}

/** The node Flux reads the substituted text as: a string kustomize writes plain is read as YAML again (`3` is a number). */
function readAs(node: Scalar, value: string): Node | undefined {
  let next: Node;
  if (emittedPlain(String(node.value))) {
    if (value.trim() === '') next = new Scalar(null);
    else {
      const parsed = parseDocument(`x: ${value}`, PARSE_OPTIONS);
      if (parsed.errors.length > 0) return undefined;
      const contents = parsed.contents;
      const read = isMap(contents) ? (contents.items[0]?.value as Node | undefined) : undefined;
      if (!read) return undefined;
      next = read;
    }
  } else {
    const scalar = new Scalar(value);
    scalar.type = node.type;
    next = scalar;
  }
  next.range = node.range;
  return next;
}

/**
 * The problems a check found in the substituted document that lie in substituted values, told as
 * such: which variables made the value, with their value and where it comes from.
 */
export function attributeProblems(found: RawDiagnostic[], outcome: SubstitutionOutcome): RawDiagnostic[] {
  const out: RawDiagnostic[] = [];
  const seen = new Set<string>();
  for (const problem of found) {
    const value = outcome.values.find((v) => problem.start >= v.start && problem.start <= v.end && problem.end <= v.end + 1);
    if (!value) continue;
    const key = `${value.start}:${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const kustomization = outcome.set.kustomization;
    const how = describeUse(value.used);
    out.push({
      code: DiagnosticCodes.invalidSubstitutedValue,
      severity: 'error',
      message: `\`${value.written}\` becomes \`${value.result}\` when Kustomization ${kustomizationLabel(kustomization)} applies it (${how}): ${problem.message}`,
      start: value.start,
      end: value.end,
      data: { kustomization: kustomizationLabel(kustomization), code: problem.code },
    });
  }
  return out;
}
