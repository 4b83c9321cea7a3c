import { isMap, isPair, isSeq, type Document, type Node } from 'yaml';
import { DiagnosticCodes } from '../codes';
import { ObjectView } from '../model/objectView';
import { formatPath, keyText, resolveNode, type PathSegment } from '../model/yamlTree';
import type { SchemaNode } from '../schema/types';
import type { RawDiagnostic } from '../validation/rawDiagnostic';
import type { ChartValues } from './chartValues';

/**
 * Keys of `spec.values` that the chart version a release used before had and the version it
 * resolves to now no longer has: after a version bump these values silently stop doing anything.
 * Only keys the new version's mapping does not list are reported; a mapping without listed keys
 * (e.g. `podAnnotations: {}`) takes any key in both versions.
 */
export function removedValuesDiagnostics(doc: Document, before: ChartValues, after: ChartValues): RawDiagnostic[] {
  const values = new ObjectView(doc).field(['spec', 'values'])?.value;
  const out: RawDiagnostic[] = [];
  const visit = (node: Node | undefined, old: SchemaNode | undefined, now: SchemaNode | undefined, path: PathSegment[], depth: number) => {
    if (!node || !old || !now || depth > 40) return;
    if (isMap(node)) {
      const oldKeys = old.properties ?? {};
      const newKeys = now.properties ?? {};
      const listsKeys = Object.keys(newKeys).length > 0;
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = keyText(pair);
        if (key === undefined) continue;
        const oldChild = oldKeys[key];
        const newChild = newKeys[key] ?? (typeof now.additionalProperties === 'object' ? now.additionalProperties : undefined);
        if (oldChild && !newChild && listsKeys) {
          const range = (pair.key as Node).range;
          if (!range) continue;
          out.push({
            code: DiagnosticCodes.valuesKeyRemoved,
            severity: 'warning',
            message: `\`${formatPath([...path, key])}\` is a value of ${before.chart} ${before.version ?? '(previous version)'}, but ${after.chart} ${after.version ?? '(new version)'} no longer has it: check the chart's upgrade notes for where it went.`,
            start: range[0],
            end: range[1],
          });
        } else {
          visit(resolveNode(doc, pair.value), oldChild ?? (typeof old.additionalProperties === 'object' ? old.additionalProperties : undefined), newChild, [...path, key], depth + 1);
        }
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => visit(resolveNode(doc, item), old.items, now.items, [...path, i], depth + 1));
    }
  };
  visit(values, before.schema, after.schema, [], 0);
  return out;
}

/**
 * The chart each open HelmRelease resolved to first in this session: when the release later resolves
 * to another version of the same chart (its version was edited, or a range now picks a newer
 * release), that first chart is what its values are compared with.
 */
export class ChartBaselines {
  private readonly byRelease = new Map<string, Map<string, ChartValues>>();

  /** The earlier chart of this release when `current` is another version of it; records `current` when none is known. */
  baselineOf(uri: string, release: string, current: ChartValues): ChartValues | undefined {
    let releases = this.byRelease.get(uri);
    if (!releases) this.byRelease.set(uri, (releases = new Map()));
    const first = releases.get(release);
    if (!first) {
      releases.set(release, current);
      return undefined;
    }
    return first.chart === current.chart && first.version !== current.version ? first : undefined;
  }

  /** The document was closed: the next open starts from the version it then has. */
  forget(uri: string): void {
    this.byRelease.delete(uri);
  }
}
