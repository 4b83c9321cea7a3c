/**
 * Counts of the expensive steps the language service takes. Tests read them to prove that an edit
 * costs the edited document, not the file or the workspace; nothing in the product depends on them.
 */
export interface WorkCounts {
  /** YAML documents parsed into syntax trees. */
  documentsParsed: number;
  /** Documents validated against their schema and Flux's rules. */
  documentsValidated: number;
  /** Documents whose references were checked against the workspace index. */
  crossFileChecks: number;
  /** Questions asked of the chart lookups (chart, published versions, chart names). */
  chartLookups: number;
  /** Variable sets of Kustomizations resolved (their postBuild and the ConfigMaps/Secrets they name read). */
  variableSetsResolved: number;
  /** Times the workspace index worked out which Flux Kustomizations apply which files (their paths and kustomize trees walked). */
  applyingMapsBuilt: number;
}

export const workCounts: WorkCounts = { documentsParsed: 0, documentsValidated: 0, crossFileChecks: 0, chartLookups: 0, variableSetsResolved: 0, applyingMapsBuilt: 0 };

export function resetWorkCounts(): WorkCounts {
  const before = { ...workCounts };
  workCounts.documentsParsed = 0;
  workCounts.documentsValidated = 0;
  workCounts.crossFileChecks = 0;
  workCounts.chartLookups = 0;
  workCounts.variableSetsResolved = 0;
  workCounts.applyingMapsBuilt = 0;
  return before;
}
