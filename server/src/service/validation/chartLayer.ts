import { DiagnosticCodes } from '../codes';
import type { DocumentAnalysis } from '../model/documentAnalysis';
import { ObjectView, span } from '../model/objectView';
import type { RawDiagnostic } from './rawDiagnostic';

export const HELM_CHART_LAYER = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';

/** What cross-document rules need to know about one object, computed once per document text. */
export interface ObjectFacts {
  kind: string;
  name?: string;
  namespace?: string;
  /** HelmRelease: the OCIRepository its chartRef names. */
  chartRef?: { kind: string; name: string; namespace?: string };
  /** OCIRepository: whether it selects the Helm chart layer with `operation: copy`, and where to report. */
  selectsChartLayer?: boolean;
  reportAt?: [number, number];
  /** Offsets of the line after `url:` where a layerSelector block can be inserted, and its indentation. */
  insertAt?: { offset: number; indent: string };
}

export function objectFacts(analysis: DocumentAnalysis): ObjectFacts | undefined {
  const kind = analysis.identity?.kind;
  if (kind !== 'HelmRelease' && kind !== 'OCIRepository') return undefined;
  return analysis.cached('facts', () => {
    const identity = analysis.identity;
    const doc = analysis.parsed.doc;
    if (!identity || !doc || !analysis.isFlux) return undefined;
    const view = new ObjectView(doc);
    const facts: ObjectFacts = { kind: identity.kind, name: view.string(['metadata', 'name']), namespace: view.string(['metadata', 'namespace']) };
    if (identity.kind === 'HelmRelease') {
      const kind = view.string(['spec', 'chartRef', 'kind']);
      const name = view.string(['spec', 'chartRef', 'name']);
      if (kind && name) facts.chartRef = { kind, name, namespace: view.string(['spec', 'chartRef', 'namespace']) };
    }
    if (identity.kind === 'OCIRepository') {
      facts.selectsChartLayer = view.string(['spec', 'layerSelector', 'mediaType']) === HELM_CHART_LAYER && view.string(['spec', 'layerSelector', 'operation']) === 'copy';
      const layerSelector = view.field(['spec', 'layerSelector']);
      facts.reportAt = span(layerSelector?.key ?? view.field(['metadata', 'name'])?.value);
      const url = view.field(['spec', 'url']);
      if (!layerSelector && url?.key.range) {
        const lines = analysis.lines;
        const keyPosition = lines.positionAt(url.key.range[0]);
        const valueEnd = lines.positionAt(url.value?.range?.[1] ?? url.key.range[1]);
        facts.insertAt = { offset: lines.lineStart(valueEnd.line + 1), indent: ' '.repeat(keyPosition.character) };
      }
    }
    return facts;
  });
}

/**
 * An OCIRepository that a HelmRelease uses through `chartRef` should select the Helm chart layer
 * with `operation: copy`, as Flux's documentation recommends: otherwise Flux takes the first layer
 * and extracts it, which works only as long as the chart is the first layer of the artifact.
 */
export function chartLayerHints(documents: ReadonlyArray<{ facts: ObjectFacts; index: number }>): Map<number, RawDiagnostic[]> {
  const out = new Map<number, RawDiagnostic[]>();
  const references = documents.filter((d) => d.facts.chartRef?.kind === 'OCIRepository');
  if (references.length === 0) return out;
  for (const { facts, index } of documents) {
    if (facts.kind !== 'OCIRepository' || facts.selectsChartLayer || !facts.name || !facts.reportAt) continue;
    const user = references.find(({ facts: release }) => {
      const ref = release.chartRef!;
      const wanted = ref.namespace ?? release.namespace;
      return ref.name === facts.name && (wanted === undefined || facts.namespace === undefined || wanted === facts.namespace);
    });
    if (!user) continue;
    out.set(index, [{
      code: DiagnosticCodes.chartLayerSelector,
      severity: 'hint',
      message: `HelmRelease \`${user.facts.name ?? ''}\` uses this OCIRepository as its chart. Select the chart layer explicitly, as Flux recommends: \`layerSelector: {mediaType: ${HELM_CHART_LAYER}, operation: copy}\`.`,
      start: facts.reportAt[0],
      end: facts.reportAt[1],
      data: facts.insertAt ? { fix: 'add-layer-selector', insertAt: facts.insertAt.offset, indent: facts.insertAt.indent } : undefined,
    }]);
  }
  return out;
}
