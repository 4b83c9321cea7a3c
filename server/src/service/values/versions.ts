import { isScalar, type Document } from 'yaml';
import { DiagnosticCodes } from '../codes';
import { ObjectView } from '../model/objectView';
import { parseFluxVersion, selectVersion } from '../semver/constraint';
import type { RawDiagnostic } from '../validation/rawDiagnostic';

export interface PublishedVersion {
  version: string;
  created?: string;
}

/** The published versions of the chart a document's version fields choose from. */
export interface VersionFields {
  chart: string;
  published: PublishedVersion[];
  /** Dotted paths of the fields that pick a version, e.g. `spec.chart.spec.version`. */
  fields: string[];
  /** Where the list came from, for hovers: "repository index" or "registry tags". */
  from: string;
}

export const HELMRELEASE_VERSION_FIELD = 'spec.chart.spec.version';
export const OCI_TAG_FIELD = 'spec.ref.tag';
export const OCI_SEMVER_FIELD = 'spec.ref.semver';

/** What a constraint picks today among the published versions, and the newest stable one. */
export function versionInfo(constraint: string, published: PublishedVersion[]): { picked?: string; newest?: string } {
  const picked = selectVersion(constraint, published)?.version;
  const newest = selectVersion('*', published)?.version;
  return { picked, newest };
}

/**
 * A version field against the versions the repository publishes: a warning when nothing matches
 * (Flux fails to find a chart), a hint when a newer major version exists. An OCIRepository tag that
 * is not a version (`latest`, `main-1a2b`) is not judged.
 */
export function versionDiagnostics(doc: Document, found: VersionFields): RawDiagnostic[] {
  const { chart, published } = found;
  if (published.length === 0) return [];
  const view = new ObjectView(doc);
  for (const dotted of found.fields) {
    const path = dotted.split('.');
    const field = view.field(path);
    const constraint = view.string(path) ?? '';
    if (dotted !== HELMRELEASE_VERSION_FIELD && (!field || constraint === '')) continue;
    if (dotted === OCI_TAG_FIELD && (!parseFluxVersion(constraint) || view.string(OCI_SEMVER_FIELD.split('.')) !== undefined)) continue; // semver wins over tag
    if (constraint.includes('${')) return [];
    const node = field?.value;
    const at = (isScalar(node) && node.range) || (field?.key.range ?? view.field(['spec', 'chart', 'spec', 'chart'])?.key.range);
    if (!at) return [];
    const { picked, newest } = versionInfo(constraint, published);
    if (!picked) {
      const failure = dotted === HELMRELEASE_VERSION_FIELD ? `Flux fails with "no '${chart}' chart with version matching '${constraint || '*'}' found"` : 'the OCIRepository fails to pull';
      return [{ code: DiagnosticCodes.noMatchingVersion, severity: 'warning', message: `No published version of \`${chart}\` matches \`${constraint || '*'}\`${newest ? ` (newest: ${newest})` : ''}; ${failure}.`, start: at[0], end: at[1] }];
    }
    const pickedMajor = parseFluxVersion(picked)?.major;
    const newestMajor = newest ? parseFluxVersion(newest)?.major : undefined;
    if (pickedMajor !== undefined && newestMajor !== undefined && newestMajor > pickedMajor) {
      return [{ code: DiagnosticCodes.newerMajorVersion, severity: 'hint', message: `\`${constraint}\` picks ${picked}; ${chart} ${newest} is published (a new major version: check its upgrade notes).`, start: at[0], end: at[1] }];
    }
    return [];
  }
  return [];
}
