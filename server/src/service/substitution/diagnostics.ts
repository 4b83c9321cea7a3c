import type { Document } from 'yaml';
import { DiagnosticCodes } from '../codes';
import type { DocumentAnalysis } from '../model/documentAnalysis';
import { ObjectView } from '../model/objectView';
import { schemaAtVersion } from '../schema/earlierVersions';
import { chartValuesDiagnostics, type ChartValues } from '../values/chartValues';
import type { ValuesSource } from '../values/effectiveValues';
import type { RawDiagnostic } from '../validation/rawDiagnostic';
import { validateAgainstSchema } from '../validation/schemaValidator';
import { validateConstraints } from '../validation/versionConstraints';
import { VARIABLE_NAME_PATTERN, isValidVariableName } from './envsubst';
import type { FileSubstitutions } from './resolver';
import { attributeProblems, strictByDefault, substituteDocument } from './substitute';
import { kustomizationLabel, readPostBuild, type VariableSet } from './variables';

export interface SubstitutionCheckOptions {
  fluxVersion: string;
  /** The document is a kustomize patch: missing fields are not problems. */
  partial: boolean;
  /** A HelmRelease's chart and `valuesFrom`, to check substituted `spec.values` against the chart. */
  chart?: { chart: ChartValues; sources: ValuesSource[] };
}

/**
 * The problems post-build substitution brings into a Flux document that Kustomizations apply:
 * variables they do not define (strict mode), expressions Flux cannot parse, and values that are
 * wrong once substituted (a duration, an enum, a version constraint, a chart value).
 */
export function substitutionDiagnostics(analysis: DocumentAnalysis, found: FileSubstitutions, options: SubstitutionCheckOptions): RawDiagnostic[] {
  const doc = analysis.parsed.doc;
  const { recognition } = analysis;
  if (!doc || !analysis.text.includes('${') || (recognition.status !== 'served' && recognition.status !== 'other-version')) return [];
  const schema = recognition.status === 'other-version' && analysis.identity ? schemaAtVersion(recognition.schema, analysis.identity.apiVersion) : recognition.schema.root;
  const strict = strictByDefault(options.fluxVersion);
  const out: RawDiagnostic[] = [];
  const seen = new Set<string>();
  const add = (d: RawDiagnostic) => {
    const key = `${d.code}:${d.start}:${d.end}:${d.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(d);
  };
  for (const set of found.sets) {
    const outcome = substituteDocument(doc, analysis.text, set, strict);
    outcome.problems.forEach(add);
    const substituted = outcome.doc;
    if (!substituted) continue;
    const problems = [...validateAgainstSchema(substituted, schema), ...validateConstraints(recognition.schema.kind, new ObjectView(substituted))];
    if (options.chart) problems.push(...chartValuesDiagnostics(substituted, options.chart.chart, options.chart.sources));
    const relevant = problems.filter((p) => !(options.partial && p.code === DiagnosticCodes.missingRequired));
    attributeProblems(relevant, outcome).forEach(add);
  }
  return out.sort((a, b) => a.start - b.start);
}

/**
 * Variable names Flux rejects, on a Flux Kustomization: a `substitute` key, or a key of a ConfigMap
 * or Secret that `substituteFrom` names (every key is checked, used or not, and fails the build).
 */
export function variableNameProblems(doc: Document, set: VariableSet | undefined): RawDiagnostic[] {
  const postBuild = readPostBuild(doc);
  if (!postBuild) return [];
  const out: RawDiagnostic[] = [];
  for (const entry of postBuild.substitute) {
    if (isValidVariableName(entry.name)) continue;
    out.push({
      code: DiagnosticCodes.invalidVariableName,
      severity: 'error',
      message: `\`${entry.name}\` is not a valid variable name: Flux fails the build ("var name is invalid, must match '${VARIABLE_NAME_PATTERN}'"). Use letters, digits and \`_\`, not starting with a digit.`,
      start: entry.start,
      end: entry.end,
    });
  }
  if (set) {
    for (const { key, source } of set.invalidNames) {
      // The set may have been resolved from an earlier text of this document: place it by the current entry.
      const current = postBuild.substituteFrom.find((s) => s.kind === source.kind && s.name === source.name);
      if (!current) continue;
      out.push({
        code: DiagnosticCodes.invalidVariableName,
        severity: 'error',
        message: `${source.kind} \`${source.name}\` has the key \`${key}\`, which is not a valid variable name: Kustomization ${kustomizationLabel(set.kustomization)} fails to build, since Flux checks every key of a \`substituteFrom\` source, used or not (must match '${VARIABLE_NAME_PATTERN}').`,
        start: current.start,
        end: current.end,
        data: { key },
      });
    }
  }
  return out;
}
