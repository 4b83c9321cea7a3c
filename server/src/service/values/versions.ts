import { isScalar, type Document } from 'yaml';
import { DiagnosticCodes } from '../codes';
import { ObjectView } from '../model/objectView';
import { parseFluxVersion, selectVersion } from '../semver/constraint';
import type { RawDiagnostic } from '../validation/rawDiagnostic';

export interface PublishedVersion {
  version: string;
  created?: string;
}

/** What a constraint picks today among the published versions, and the newest stable one. */
export function versionInfo(constraint: string, published: PublishedVersion[]): { picked?: string; newest?: string } {
  const picked = selectVersion(constraint, published)?.version;
  const newest = selectVersion('*', published)?.version;
  return { picked, newest };
}

/**
 * `chart.spec.version` against the versions the repository publishes: a warning when nothing
 * matches (Flux fails with "no chart version found"), a hint when a newer major version exists.
 */
export function versionDiagnostics(doc: Document, chart: string, published: PublishedVersion[]): RawDiagnostic[] {
  if (published.length === 0) return [];
  const view = new ObjectView(doc);
  const field = view.field(['spec', 'chart', 'spec', 'version']);
  const node = field?.value;
  const constraint = view.string(['spec', 'chart', 'spec', 'version']) ?? '';
  if (constraint.includes('${')) return [];
  const at = (isScalar(node) && node.range) || (field?.key.range ?? view.field(['spec', 'chart', 'spec', 'chart'])?.key.range);
  if (!at) return [];
  const { picked, newest } = versionInfo(constraint, published);
  if (!picked) {
    return [{ code: DiagnosticCodes.noMatchingVersion, severity: 'warning', message: `No published version of \`${chart}\` matches \`${constraint || '*'}\`${newest ? ` (newest: ${newest})` : ''}; Flux fails with "no '${chart}' chart with version matching '${constraint || '*'}' found".`, start: at[0], end: at[1] }];
  }
  const pickedMajor = parseFluxVersion(picked)?.major;
  const newestMajor = newest ? parseFluxVersion(newest)?.major : undefined;
  if (pickedMajor !== undefined && newestMajor !== undefined && newestMajor > pickedMajor) {
    return [{ code: DiagnosticCodes.newerMajorVersion, severity: 'hint', message: `\`${constraint}\` picks ${picked}; ${chart} ${newest} is published (a new major version: check its upgrade notes).`, start: at[0], end: at[1] }];
  }
  return [];
}
