import { isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import { DiagnosticCodes } from '../codes';
import { DNS_LABEL, DNS_SUBDOMAIN } from '../schema/objectMeta';
import { effectivePairs, formatPath, keyText, resolveNode, type PathSegment } from '../model/yamlTree';
import type { RawDiagnostic } from './rawDiagnostic';
import { describePattern } from './patterns';
import { hasSubstitution } from './valueType';

/**
 * Names that refer to other Kubernetes objects. The CRDs only bound their length, but the objects
 * they name can only exist with a valid name, so a typo such as `Podinfo` can never resolve.
 */
function nameRuleFor(path: readonly PathSegment[]): 'subdomain' | 'label' | undefined {
  const key = path[path.length - 1];
  if (typeof key !== 'string' || path[0] !== 'spec') return undefined;
  const parent = path[path.length - 2];
  const grandparent = path[path.length - 3];
  const inReference =
    (typeof parent === 'string' && /Ref$/.test(parent)) ||
    (typeof parent === 'number' && (grandparent === 'dependsOn' || grandparent === 'valuesFrom')) ||
    parent === 'repository';
  if (key === 'name' && inReference) return 'subdomain';
  if (key === 'namespace' && inReference) return 'label';
  if (path.length === 2 && (key === 'targetNamespace' || key === 'storageNamespace')) return 'label';
  if (key === 'serviceAccountName') return 'subdomain';
  if (path.length === 2 && key === 'releaseName') return 'subdomain';
  return undefined;
}

export function validateReferenceNames(doc: Document): RawDiagnostic[] {
  const out: RawDiagnostic[] = [];
  const visit = (node: Node | undefined, path: PathSegment[], depth: number) => {
    if (!node || depth > 12) return;
    if (isMap(node)) {
      for (const pair of effectivePairs(doc, node)) {
        const key = keyText(pair);
        if (key === undefined || (path.length === 1 && key === 'values')) continue;
        const childPath = [...path, key];
        const value = resolveNode(doc, pair.value);
        const rule = nameRuleFor(childPath);
        if (rule && isScalar(value) && typeof value.value === 'string' && value.value !== '' && !hasSubstitution(value)) {
          const pattern = rule === 'label' ? DNS_LABEL : DNS_SUBDOMAIN;
          if (!new RegExp(pattern).test(value.value) && value.range) {
            out.push({ code: DiagnosticCodes.invalidName, severity: 'error', message: `${describePattern(pattern, value.value)} (\`${formatPath(childPath)}\`)`, start: value.range[0], end: value.range[1] });
          }
        } else {
          visit(value, childPath, depth + 1);
        }
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => visit(resolveNode(doc, item), [...path, index], depth + 1));
    }
  };
  const root = resolveNode(doc, doc.contents);
  if (isMap(root)) {
    const spec = effectivePairs(doc, root).find((p) => keyText(p) === 'spec');
    if (spec) visit(resolveNode(doc, spec.value), ['spec'], 0);
  }
  return out;
}
