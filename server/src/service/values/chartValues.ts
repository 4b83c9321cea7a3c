import { isMap, isPair, isSeq, type Document, type Node } from 'yaml';
import { DiagnosticCodes } from '../codes';
import { ObjectView } from '../model/objectView';
import { formatPath, keyText, resolveNode, type PathSegment } from '../model/yamlTree';
import type { SchemaNode } from '../schema/types';
import { closestMatch } from '../text/similarity';
import type { RawDiagnostic } from '../validation/rawDiagnostic';
import { validateWithSchema, type CompiledValuesSchema } from './jsonSchema';
import { effectiveValues, type ValuesSource } from './effectiveValues';

/** What a `valuesFrom` entry holds, as far as the workspace knows: the text of a ConfigMap key, else nothing. */
export type ValuesFromContent = (ref: { kind: string; name: string; valuesKey: string }) => string | undefined;

/** The `valuesFrom` entries of a HelmRelease with their content where it can be known (never a Secret's). */
export function valuesSources(doc: Document, content?: ValuesFromContent): ValuesSource[] {
  const view = new ObjectView(doc);
  return view.items(['spec', 'valuesFrom']).map((_, i) => {
    const kind = view.string(['spec', 'valuesFrom', i, 'kind']) === 'Secret' ? 'Secret' : 'ConfigMap';
    const name = view.string(['spec', 'valuesFrom', i, 'name']) ?? '';
    const valuesKey = view.string(['spec', 'valuesFrom', i, 'valuesKey']) ?? 'values.yaml';
    const source: ValuesSource = { kind, name, valuesKey, targetPath: view.string(['spec', 'valuesFrom', i, 'targetPath']), literal: view.bool(['spec', 'valuesFrom', i, 'literal']) === true, optional: view.bool(['spec', 'valuesFrom', i, 'optional']) === true };
    if (kind === 'ConfigMap' && content) source.content = content({ kind, name, valuesKey });
    return source;
  });
}

/** Problems of `spec.values` against the chart: its values.schema.json when it has one, else its values.yaml. */
export function chartValuesDiagnostics(doc: Document, chart: ChartValues, sources: ValuesSource[] = []): RawDiagnostic[] {
  const view = new ObjectView(doc);
  const valuesField = view.field(['spec', 'values']);
  const out: RawDiagnostic[] = [];
  if (chart.schemaProblem) {
    const at = (valuesField?.key ?? view.field(['spec', 'chart'])?.key)?.range;
    if (at) out.push({ code: DiagnosticCodes.chartSchemaProblem, severity: 'information', message: `The values.schema.json of chart \`${chart.chart}\` cannot be used (${chart.schemaProblem}); values are checked against its values.yaml only.`, start: at[0], end: at[1] });
  }
  if (chart.compiled) {
    // Values from ConfigMaps in the workspace count as given; a Secret or a source not found might
    // supply anything, so then nothing is reported as missing.
    const unknownSource = sources.some((s) => s.kind === 'Secret' || s.content === undefined);
    const base = effectiveValues(chart.defaults, sources.filter((s) => s.kind === 'ConfigMap' && s.content !== undefined), {}, chart.chart).values;
    return [...out, ...validateWithSchema(doc, valuesField?.key, valuesField?.value, chart.compiled, base, chart.chart, unknownSource)];
  }
  return [...out, ...validateValues(doc, valuesField?.value, chart)];
}

/** The values a chart accepts, as far as we know them. */
export interface ChartValues {
  /** Changes whenever the chart's values change (cache key). */
  id: string;
  chart: string;
  version?: string;
  /** Where the chart was found, for hovers, e.g. `./charts/grade-api in this repository`. */
  origin: string;
  /** For completion and hover: the flattened values.schema.json, or what values.yaml shows. */
  schema: SchemaNode;
  /** The chart's values.schema.json, compiled; validation then follows it exactly. */
  compiled?: CompiledValuesSchema;
  /** The chart's default values (values.yaml), merged under the user's before validation. */
  defaults?: unknown;
  /** Why the chart's values.schema.json could not be used. */
  schemaProblem?: string;
}

/** Which chart a HelmRelease installs, as written in it. */
export interface ChartReference {
  uri: string;
  /** The HelmRelease's `metadata.name`. */
  release?: string;
  sourceKind?: string;
  sourceName?: string;
  /** `sourceRef.namespace`, when written. */
  sourceNamespace?: string;
  chart?: string;
  /** `chart.spec.version`: a Masterminds constraint or an exact version. */
  version?: string;
  /** `chartRef`, when the release uses one instead of `chart`. */
  chartRef?: { kind: string; name: string; namespace?: string };
}

/** Finds the chart of a HelmRelease; injected, since it reads files (or, later, registries). */
export type ChartLookup = (ref: ChartReference) => ChartValues | undefined;

function chartRefOf(view: ObjectView): ChartReference['chartRef'] {
  const kind = view.string(['spec', 'chartRef', 'kind']);
  const name = view.string(['spec', 'chartRef', 'name']);
  return kind && name ? { kind, name, namespace: view.string(['spec', 'chartRef', 'namespace']) } : undefined;
}

/**
 * An OCIRepository's artifact as a chart in a registry: `oci://host/path/chart` is the chart `chart`
 * in the repository `oci://host/path`; `ref.semver` (else `ref.tag`) picks the version. A digest or
 * no ref (`latest`) cannot be resolved ahead of time.
 */
export function ociRepositoryChart(url: string, ref: { semver?: string; tag?: string }): { repository: string; chart: string; version: string } | undefined {
  const artifact = ociArtifact(url);
  const version = ref.semver ?? ref.tag;
  if (!artifact || !version || version === 'latest' || version.includes('${')) return undefined;
  return { ...artifact, version };
}

/** `oci://host/path/name` as the repository `oci://host/path` and the artifact (chart) `name`. */
export function ociArtifact(url: string): { repository: string; chart: string } | undefined {
  const match = /^(oci:\/\/.+)\/([^/]+?)\/?$/.exec(url.trim());
  return match ? { repository: match[1]!, chart: match[2]! } : undefined;
}

export function chartReferenceOf(doc: Document, uri: string): ChartReference {
  const view = new ObjectView(doc);
  return {
    uri,
    release: view.string(['metadata', 'name']),
    sourceKind: view.string(['spec', 'chart', 'spec', 'sourceRef', 'kind']),
    sourceName: view.string(['spec', 'chart', 'spec', 'sourceRef', 'name']),
    sourceNamespace: view.string(['spec', 'chart', 'spec', 'sourceRef', 'namespace']),
    chart: view.string(['spec', 'chart', 'spec', 'chart']),
    version: view.string(['spec', 'chart', 'spec', 'version']),
    chartRef: chartRefOf(view),
  };
}

/**
 * Keys of `spec.values` the chart does not have. Only mappings whose keys the chart lists are
 * closed; an empty default (`podAnnotations: {}`) takes any key. A warning, since templates may
 * read keys that the chart does not default.
 */
export function validateValues(doc: Document, values: Node | undefined, chart: ChartValues): RawDiagnostic[] {
  const out: RawDiagnostic[] = [];
  const visit = (node: Node | undefined, schema: SchemaNode | undefined, path: PathSegment[], depth: number) => {
    if (!node || !schema || depth > 40) return;
    if (isMap(node)) {
      const known = schema.properties ?? {};
      const closed = Object.keys(known).length > 0;
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = keyText(pair);
        if (key === undefined) continue;
        const child = known[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
        if (child) {
          visit(resolveNode(doc, pair.value), child, [...path, key], depth + 1);
        } else if (closed) {
          const range = (pair.key as Node).range;
          if (!range) continue;
          const suggestion = closestMatch(key, Object.keys(known));
          out.push({
            code: DiagnosticCodes.unknownValue,
            severity: 'warning',
            message: `Chart \`${chart.chart}\` has no value \`${formatPath([...path, key])}\`${suggestion ? `. Did you mean \`${suggestion}\`?` : ''} (from its values.yaml; templates may still read it).`,
            start: range[0],
            end: range[1],
            data: suggestion ? { suggestion } : undefined,
          });
        }
      }
    } else if (isSeq(node) && schema.items) {
      node.items.forEach((item, i) => visit(resolveNode(doc, item), schema.items, [...path, i], depth + 1));
    }
  };
  visit(values, chart.schema, [], 0);
  return out;
}
