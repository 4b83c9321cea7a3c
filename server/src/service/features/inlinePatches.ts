import { isMap, isScalar, isSeq, Scalar, type Node } from 'yaml';
import type { Diagnostic } from 'vscode-languageserver-types';
import { DocumentAnalysis } from '../model/documentAnalysis';
import { getPair, nodeAtPath, resolveNode } from '../model/yamlTree';
import { analyseDocument, type AnalysisOptions } from './diagnostics';

/** A Flux Kustomization, whose `spec.patches[].patch` may inline partial Flux objects. */
export function isFluxKustomization(analysis: DocumentAnalysis): boolean {
  const identity = analysis.identity;
  return identity?.kind === 'Kustomization' && identity.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/');
}

/**
 * Diagnostics of the objects a Flux Kustomization inlines as patches. Each literal block
 * (`patch: |`) is checked as a partial object of its kind, with positions mapped back into the block:
 * content line k is line k+1 after the `|` line, shifted right by the block's indentation.
 */
export function inlinePatchDiagnostics(analysis: DocumentAnalysis, options: AnalysisOptions): Diagnostic[] {
  return analysis.cached(`inline-patches:${options.fluxVersion}`, () => {
    const doc = analysis.parsed.doc;
    if (!doc) return [];
    const root = resolveNode(doc, doc.contents);
    const spec = isMap(root) ? resolveNode(doc, getPair(doc, root, 'spec')?.value) : undefined;
    const patches = isMap(spec) ? resolveNode(doc, getPair(doc, spec, 'patches')?.value) : undefined;
    if (!isSeq(patches)) return [];
    const out: Diagnostic[] = [];
    for (const item of patches.items) {
      const patchItem = resolveNode(doc, item);
      const patch = isMap(patchItem) ? (getPair(doc, patchItem, 'patch')?.value as Node | undefined) : undefined;
      if (!isScalar(patch) || patch.type !== Scalar.BLOCK_LITERAL || typeof patch.value !== 'string' || !patch.range) continue;
      const header = analysis.lines.positionAt(patch.range[0]).line;
      const firstContent = header + 1;
      const indent = indentationOf(analysis, firstContent, analysis.lines.positionAt(patch.range[1]).line);
      if (indent === undefined) continue;
      const embedded = new DocumentAnalysis(patch.value);
      if (embedded.recognition.status === 'not-flux' || embedded.recognition.status === 'unknown-kind') continue;
      // With a `target`, the target selects the objects: the body's name and namespace are placeholders (often `_`).
      const selected = isMap(patchItem) && getPair(doc, patchItem, 'target') !== undefined ? placeholderRanges(embedded) : [];
      for (const d of analyseDocument(embedded, { ...options, partial: true })) {
        if (selected.some((r) => within(d.range.start, r))) continue;
        out.push({
          ...d,
          range: {
            start: { line: firstContent + d.range.start.line, character: d.range.start.character + indent },
            end: { line: firstContent + d.range.end.line, character: d.range.end.character + indent },
          },
          // Fixes that rewrite the object (migration, inserting fields) must not touch the Kustomization.
          data: { ...(d.data as Record<string, unknown> | undefined), embedded: true },
        });
      }
    }
    return out;
  });
}

/** The indentation of a literal block: that of its first non-empty content line. */
function indentationOf(analysis: DocumentAnalysis, from: number, to: number): number | undefined {
  for (let line = from; line <= to; line++) {
    const text = analysis.lines.lineText(line);
    if (text.trim() !== '') return text.length - text.trimStart().length;
  }
  return undefined;
}

type Range = Diagnostic['range'];

/** Where the embedded object's metadata.name and metadata.namespace are written. */
function placeholderRanges(embedded: DocumentAnalysis): Range[] {
  const doc = embedded.parsed.doc;
  if (!doc) return [];
  const out: Range[] = [];
  for (const field of ['name', 'namespace']) {
    const node = nodeAtPath(doc, ['metadata', field]);
    if (node?.range) out.push(embedded.lines.rangeOf(node.range[0], node.range[1]));
  }
  return out;
}

function within(position: Range['start'], range: Range): boolean {
  const after = (a: Range['start'], b: Range['start']) => a.line > b.line || (a.line === b.line && a.character >= b.character);
  return after(position, range.start) && after(range.end, position);
}
