import { isScalar } from 'yaml';
import { DiagnosticCodes } from '../codes';
import type { ObjectView } from '../model/objectView';
import type { PathSegment } from '../model/yamlTree';
import { explainConstraint, isExactVersion, parseConstraint, parseFluxVersion } from '../semver/constraint';
import type { RawDiagnostic } from './rawDiagnostic';

/** Where a kind holds a Masterminds semver constraint that Flux evaluates. */
export function constraintPaths(kind: string, view: ObjectView): PathSegment[][] {
  switch (kind) {
    case 'HelmRelease': {
      // Charts from Git or a Bucket ignore the version (reported by the ignored-field rule).
      const sourceKind = view.string(['spec', 'chart', 'spec', 'sourceRef', 'kind']);
      return sourceKind === 'GitRepository' || sourceKind === 'Bucket' ? [] : [['spec', 'chart', 'spec', 'version']];
    }
    case 'HelmChart': {
      const sourceKind = view.string(['spec', 'sourceRef', 'kind']);
      return sourceKind === 'GitRepository' || sourceKind === 'Bucket' ? [] : [['spec', 'version']];
    }
    case 'OCIRepository':
    case 'GitRepository':
      return [['spec', 'ref', 'semver']];
    default:
      return [];
  }
}

export function validateConstraints(kind: string, view: ObjectView): RawDiagnostic[] {
  const out: RawDiagnostic[] = [];
  for (const path of constraintPaths(kind, view)) {
    const node = view.field(path)?.value;
    if (!isScalar(node) || !node.range || node.value === null) continue;
    const text = String(node.value);
    if (text.includes('${') || text.trim() === '' || text.trim() === '*') continue;
    const result = parseConstraint(text);
    // Offsets inside a plain scalar map one to one; inside quotes, shift past the opening quote.
    const base = node.range[0] + (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' ? 1 : 0);
    const exact = node.type === 'PLAIN' || node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
    if (!result.ok) {
      out.push({
        code: DiagnosticCodes.invalidConstraint,
        severity: 'error',
        message: `${result.message} Flux fails to pick a version.`,
        start: exact ? base + result.start : node.range[0],
        end: exact ? base + Math.max(result.end, result.start + 1) : node.range[1],
      });
      continue;
    }
    // A bare `1.2` or `v2` looks like a pinned version but is a range to Masterminds.
    if (/^v?\d+(\.\d+)?$/.test(text.trim()) || (isExactVersion(text) && !parseFluxVersion(text))) {
      out.push({
        code: DiagnosticCodes.inexactVersion,
        severity: 'warning',
        message: `\`${text}\` is not a complete semver version (major.minor.patch). Flux reads it as a constraint: ${explainConstraint(result.constraint)}.`,
        start: node.range[0],
        end: node.range[1],
      });
    }
  }
  return out;
}
