import type { Diagnostic, DiagnosticSeverity, DiagnosticTag } from 'vscode-languageserver-types';
import { DiagnosticCodes, DIAGNOSTIC_SOURCE, type SeverityName } from '../codes';
import type { DocumentAnalysis } from '../model/documentAnalysis';
import { closestMatch } from '../text/similarity';
import { allKindSchemas } from '../schema/registry';
import type { RawDiagnostic } from '../validation/rawDiagnostic';
import { validateAgainstSchema } from '../validation/schemaValidator';
import { validateReferenceNames } from '../validation/nameRules';
import { runFluxRules } from '../validation/fluxRules';
import { validateSubstitutions } from '../validation/substitution';
import { validateValuesPitfalls } from '../validation/yaml11';
import { validateConstraints } from '../validation/versionConstraints';
import { findSuppressions, isSuppressed } from '../validation/suppressions';
import { ObjectView } from '../model/objectView';
import { nodeAtPath } from '../model/yamlTree';
import { apiVersionStatus } from '../migration/apiVersions';
import type { Settings } from '../settings';
import { workCounts } from '../workCounts';
import { excessiveAliasing } from '../validation/aliases';
import { migrationChanges, schemaAtVersion } from '../schema/earlierVersions';
import { getPair, resolveNode } from '../model/yamlTree';
import { isMap, isSeq, type Document } from 'yaml';
import { cleanYamlMessage, isBroken, syntaxProblems } from '../validation/syntaxErrors';

/** What the diagnostics of a document depend on besides its text. */
export interface AnalysisOptions {
  /** The document is a kustomize patch: required fields may be missing on purpose. */
  partial: boolean;
  /** The Flux release the user runs, e.g. "2.9". */
  fluxVersion: string;
}

const SEVERITY: Record<SeverityName, DiagnosticSeverity> = { error: 1, warning: 2, information: 3, hint: 4 };

/** The problems of one document, with positions relative to its first line. Cached with the analysis. */
export function analyseDocument(analysis: DocumentAnalysis, options: AnalysisOptions): Diagnostic[] {
  return analysis.cached(`diagnostics:${options.partial}:${options.fluxVersion}`, () => {
    workCounts.documentsValidated++;
    const suppressions = analysis.cached('suppressions', () => findSuppressions(analysis.text));
    return collect(analysis, options)
      .sort((a, b) => a.start - b.start || a.end - b.end)
      .map((raw) => toDiagnostic(analysis, raw))
      .filter((d) => !isSuppressed(suppressions, d.range.start.line, String(d.code)));
  });
}

function collect(analysis: DocumentAnalysis, options: AnalysisOptions): RawDiagnostic[] {
  const { recognition, identity } = analysis;
  if (recognition.status === 'not-flux' || !identity) return [];
  const out: RawDiagnostic[] = [];
  if (recognition.status === 'unknown-kind') {
    const group = identity.apiVersion.split('/')[0]!;
    const kinds = allKindSchemas().filter((k) => k.apiVersion.startsWith(`${group}/`)).map((k) => k.kind);
    const suggestion = closestMatch(identity.kind, kinds);
    out.push({
      code: DiagnosticCodes.unknownKind,
      severity: 'warning',
      message: `\`${identity.kind}\` is not a kind of ${group}.${suggestion ? ` Did you mean \`${suggestion}\`?` : ` Known kinds: ${kinds.join(', ')}.`}`,
      start: identity.kindRange[0],
      end: identity.kindRange[1],
      data: suggestion ? { suggestion } : undefined,
    });
    return out;
  }
  const schema = recognition.schema;
  if (recognition.status === 'other-version') {
    const status = apiVersionStatus(identity.apiVersion, identity.kind, options.fluxVersion);
    const at = { start: identity.apiVersionRange[0], end: identity.apiVersionRange[1], data: { replacement: status.replacement } };
    if (status.status === 'removed') {
      out.push({ ...at, code: DiagnosticCodes.apiVersionRemoved, severity: 'error', message: `\`${identity.apiVersion}\` was removed in ${status.removedIn ?? 'an earlier Flux release'}: the API server no longer accepts it. Use \`${status.replacement}\`.` });
    } else if (status.status === 'deprecated') {
      out.push({ ...at, code: DiagnosticCodes.apiVersionDeprecated, severity: 'warning', message: `\`${identity.apiVersion}\` is deprecated${status.deprecatedIn ? ` since ${status.deprecatedIn}` : ''}${status.removedIn ? ` and removed in ${status.removedIn}` : ''}. Use \`${status.replacement}\`.` });
    } else if (status.status === 'unknown') {
      out.push({ ...at, code: DiagnosticCodes.unknownApiVersion, severity: 'error', message: `\`${identity.apiVersion}\` is not a version of ${identity.kind}. Use \`${status.replacement}\`.` });
    }
  }
  const { doc, failure } = analysis.parsed;
  if (failure || !doc) {
    if (failure) out.push({ code: DiagnosticCodes.tooComplex, severity: 'warning', message: `This document was not checked: ${failure}.`, start: identity.kindRange[0], end: identity.kindRange[1] });
    return out;
  }
  const aliasing = excessiveAliasing(analysis);
  if (aliasing) {
    out.push({
      code: DiagnosticCodes.excessiveAliasing,
      severity: 'error',
      message: `Aliases expand this document into more than ${aliasing.decoded.toLocaleString('en-US')} values, ${Math.round((aliasing.aliased / aliasing.decoded) * 100)}% of them through aliases: Flux and kustomize refuse it ("document contains excessive aliasing"). Write the values out, or alias less. Nothing else in this document was checked.`,
      start: aliasing.start,
      end: aliasing.end,
    });
    return out;
  }
  out.push(...syntaxProblems(doc));
  for (const warning of doc.warnings) {
    // Custom tags such as `!secret` are for other tools; Kubernetes reads the value as a string.
    if (warning.code === 'TAG_RESOLVE_FAILED') continue;
    out.push({ code: DiagnosticCodes.yamlSyntax, severity: 'warning', message: cleanYamlMessage(warning.message), start: warning.pos[0], end: Math.max(warning.pos[1], warning.pos[0] + 1) });
  }
  // A broken document's tree is not what its author meant (a key swallowed into a string looks
  // "missing"): its schema problems are withheld until it parses.
  if (isBroken(doc)) return out;
  if (recognition.status === 'other-version') {
    // The migration does more than change the version: say what, for the fields this document has.
    const changes = migrationChanges(identity.kind, identity.apiVersion, (path) => hasPath(doc, doc.contents, ['spec', ...path]));
    const versionProblem = out.find((d) => d.code === DiagnosticCodes.apiVersionRemoved || d.code === DiagnosticCodes.apiVersionDeprecated);
    if (versionProblem && changes.length > 0) versionProblem.message += ` The migration also changes what differs: ${changes.join('; ')}.`;
  }
  // A document at an earlier version is checked against that version: its fields were right there.
  const rootSchema = recognition.status === 'other-version' ? schemaAtVersion(schema, identity.apiVersion) : schema.root;
  const schemaProblems = validateAgainstSchema(doc, rootSchema).filter(
    (d) =>
      // The version is reported once above, with the replacement.
      !(recognition.status === 'other-version' && d.code === DiagnosticCodes.invalidEnum && d.start === identity.apiVersionRange[0]) &&
      // A kustomize patch states only the fields it changes.
      !(options.partial && d.code === DiagnosticCodes.missingRequired),
  );
  for (const problem of schemaProblems) {
    if (problem.start === problem.end && problem.start === (doc.contents?.range?.[0] ?? 0)) {
      // Missing top-level fields: point at the kind, where the object is named.
      problem.start = identity.kindRange[0];
      problem.end = identity.kindRange[1];
    }
    out.push(problem);
  }
  out.push(...validateReferenceNames(doc));
  out.push(...validateSubstitutions(doc));
  const view = new ObjectView(doc);
  out.push(...runFluxRules({ kind: schema.kind, view, partial: options.partial }));
  out.push(...validateConstraints(schema.kind, view));
  if (schema.kind === 'HelmRelease') out.push(...validateValuesPitfalls(nodeAtPath(doc, ['spec', 'values'])));
  return out;
}


/** An offset-based diagnostic of a document as an LSP diagnostic relative to the document's first line. */
export function toDiagnostic(analysis: DocumentAnalysis, raw: RawDiagnostic): Diagnostic {
  const diagnostic: Diagnostic = {
    range: analysis.lines.rangeOf(raw.start, raw.end),
    severity: SEVERITY[raw.severity],
    code: raw.code,
    source: DIAGNOSTIC_SOURCE,
    message: raw.message,
  };
  if (raw.data) {
    diagnostic.data = raw.data;
    const tags: DiagnosticTag[] = [];
    if (raw.data.unnecessary) tags.push(1);
    if (raw.data.deprecated) tags.push(2);
    if (tags.length) diagnostic.tags = tags;
  }
  return diagnostic;
}

/** Applies the user's severity overrides; `off` removes the diagnostic. */
export function applySeverities(diagnostics: Diagnostic[], settings: Settings): Diagnostic[] {
  const overrides = settings.severity;
  if (Object.keys(overrides).length === 0) return diagnostics;
  const out: Diagnostic[] = [];
  for (const d of diagnostics) {
    const override = overrides[String(d.code)];
    if (override === 'off') continue;
    out.push(override ? { ...d, severity: SEVERITY[override] } : d);
  }
  return out;
}

/** Whether the document has a value at `path` (`[]` meaning any item of a list). */
function hasPath(doc: Document, node: unknown, path: readonly string[]): boolean {
  const current = resolveNode(doc, node);
  if (path.length === 0) return current !== undefined && current !== null;
  const [step, ...rest] = path;
  if (step === '[]') return isSeq(current) && current.items.some((item) => hasPath(doc, item, rest));
  if (!isMap(current)) return false;
  const pair = getPair(doc, current, step!);
  return pair !== undefined && hasPath(doc, pair.value, rest);
}
