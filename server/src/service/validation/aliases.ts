import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { DocumentAnalysis } from '../model/documentAnalysis';

/**
 * Alias bombs ("billion laughs"): a few anchors, each aliased many times by the next, expand into
 * billions of values. The Go YAML library that Flux and kustomize use stops decoding such a document
 * with "document contains excessive aliasing"; so do we, before anything expands the aliases.
 *
 * Go's rule: while decoding, once more than 100 values came from aliases and more than 1,000 were
 * decoded in all, the share that came from aliases may be at most 99% up to 400,000 values,
 * falling linearly to 10% at 4,000,000.
 */
export interface ExcessiveAliasing {
  /** The alias at which decoding would stop. */
  start: number;
  end: number;
  /** Values decoded up to and including that alias's expansion, and how many of them through aliases. */
  decoded: number;
  aliased: number;
}

const LOW = 400_000;
const HIGH = 4_000_000;

function allowedRatio(decoded: number): number {
  if (decoded <= LOW) return 0.99;
  if (decoded >= HIGH) return 0.1;
  return 0.99 - 0.89 * ((decoded - LOW) / (HIGH - LOW));
}

/** Where a document's aliases expand too much for Flux, if they do. Cached with the analysis. */
export function excessiveAliasing(analysis: DocumentAnalysis): ExcessiveAliasing | undefined {
  return analysis.cached('aliasing', () => {
    const doc = analysis.parsed.doc;
    return doc ? findExcessiveAliasing(doc) : undefined;
  });
}

export function findExcessiveAliasing(doc: Document): ExcessiveAliasing | undefined {
  const sizes = new Map<Node, number>();
  const inProgress = new Set<Node>();
  /** Values a node decodes into, aliases expanded (memoised; nesting is bounded before parsing). */
  const size = (node: unknown): number => {
    if (isAlias(node)) {
      const target = node.resolve(doc);
      return target ? size(target) : 1;
    }
    if (!node || typeof node !== 'object') return 0;
    const known = sizes.get(node as Node);
    if (known !== undefined) return known;
    if (inProgress.has(node as Node)) return 1;
    inProgress.add(node as Node);
    let total = 1;
    if (isMap(node)) for (const pair of node.items) total += size(pair.key) + size(pair.value);
    else if (isSeq(node)) for (const item of node.items) total += isPair(item) ? size(item.key) + size(item.value) : size(item);
    inProgress.delete(node as Node);
    sizes.set(node as Node, Math.min(total, Number.MAX_SAFE_INTEGER));
    return total;
  };
  let decoded = 0;
  let aliased = 0;
  let found: ExcessiveAliasing | undefined;
  // Decoding order: depth first, keys before values; an alias decodes its whole target at once.
  const visit = (node: unknown): void => {
    if (found || !node || typeof node !== 'object') return;
    if (isAlias(node)) {
      const expansion = size(node);
      decoded += expansion;
      aliased += expansion;
      if (aliased > 100 && decoded > 1000 && aliased / decoded > allowedRatio(decoded) && node.range) {
        found = { start: node.range[0], end: node.range[1], decoded, aliased };
      }
      return;
    }
    decoded++;
    if (isScalar(node)) return;
    if (isMap(node) || isSeq(node)) {
      for (const item of node.items) {
        if (isPair(item)) {
          visit(item.key);
          visit(item.value);
        } else visit(item);
      }
    }
  };
  visit(doc.contents);
  return found;
}
