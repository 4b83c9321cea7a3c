import { EFFECTIVE_VALUES_REQUEST, REGISTRY_CREDENTIALS, TRUST_GRANTED, type EffectiveValuesParams, type EffectiveValuesResult, type RegistryCredential } from '../protocol';
import { SEAL_KEY_ENV, unseal } from '../sealed';
import { firstKeyLine } from '../service/features/objects';
import { ObjectView } from '../service/model/objectView';
import { excessiveAliasing } from '../service/validation/aliases';
import { chartReferenceOf, valuesSources } from '../service/values/chartValues';
import { effectiveValues, renderEffectiveValues } from '../service/values/effectiveValues';
import type { ServerContext } from '../serverContext';

/** The chart lens, the effective values, credentials entered in the editor and workspace trust. */
export function registerCharts(context: ServerContext): void {
  const { connection, guarded, store, charts, diagnostics } = context;
  /** The key the extension seals entered credentials with; taken out of the environment so that no child process inherits it. */
  const sealKey = process.env[SEAL_KEY_ENV];
  delete process.env[SEAL_KEY_ENV];

  // A line above each HelmRelease: the chart it resolves to, the version and where it came from.
  connection.onCodeLens(
    guarded('code lens', [], (params) => {
      const uri = params.textDocument.uri;
      const entry = store.get(uri);
      if (!entry) return [];
      diagnostics.flushIndex(uri);
      const lenses = [];
      for (const segment of entry.model.segments) {
        if (segment.analysis.identity?.kind !== 'HelmRelease') continue;
        const title = charts.lensTitle(segment.analysis, uri);
        if (!title) continue;
        // Above the object's first key, so that it reads as the object's heading.
        const line = segment.startLine + firstKeyLine(segment.analysis);
        const range = { start: { line, character: 0 }, end: { line, character: 0 } };
        lenses.push({ range, command: { title, command: 'helmRelease.showEffectiveValues', arguments: [uri, { line, character: 0 }] } });
      }
      return lenses;
    }),
  );

  /** The values Flux would pass to Helm for the HelmRelease at a position. */
  connection.onRequest(
    EFFECTIVE_VALUES_REQUEST,
    guarded('effective values', { error: 'The effective values could not be computed.' } as EffectiveValuesResult, (params: EffectiveValuesParams): EffectiveValuesResult => {
      diagnostics.flushAll();
      const entry = store.get(params.uri);
      const segment = entry?.model.segmentAt(params.position.line);
      const doc = segment?.analysis.parsed.doc;
      if (!segment || !doc || segment.analysis.identity?.kind !== 'HelmRelease') return { error: 'Place the cursor in a HelmRelease.' };
      if (excessiveAliasing(segment.analysis)) return { error: 'This HelmRelease has excessive aliasing (an alias bomb): its values are not expanded.' };
      const view = new ObjectView(doc);
      const name = view.string(['metadata', 'name']) ?? 'release';
      const chart = charts.lookup(chartReferenceOf(doc, params.uri));
      const namespace = view.string(['metadata', 'namespace']);
      const sources = valuesSources(doc, charts.valuesFromContent(params.uri, namespace));
      const result = effectiveValues(chart?.defaults ?? {}, sources, view.field(['spec', 'values'])?.value?.toJSON() ?? {}, chart?.chart ?? 'unknown');
      const header = [
        `Effective values of HelmRelease ${name}: what Flux passes to Helm.`,
        chart ? `Chart ${chart.chart}${chart.version ? ` ${chart.version}` : ''} (${chart.origin}).` : 'Chart not available here: its defaults are not included.',
        'Order: chart defaults, valuesFrom in order, spec.values, then valuesFrom entries with targetPath.',
      ];
      return { title: `${name}.effective-values.yaml`, text: renderEffectiveValues(result, header) };
    }),
  );

  connection.onNotification(REGISTRY_CREDENTIALS, (params: { sealed?: unknown }) => {
    const credentials = sealKey && typeof params?.sealed === 'string' ? unseal(sealKey, params.sealed) : undefined;
    if (!Array.isArray(credentials)) {
      connection.console.warn('Registry credentials from the editor could not be read; ignored.');
      return;
    }
    charts.setEnteredCredentials(credentials as RegistryCredential[]);
  });

  // The user trusted the workspace: charts may now be downloaded.
  connection.onNotification(TRUST_GRANTED, () => charts.trust());
}
