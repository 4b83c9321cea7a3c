import { readdirSync, readFileSync, statSync } from 'fs';
import * as path from 'path';
import { fileURLToPath } from 'url';
import { parse } from 'yaml';
import { schemaFromValuesYaml } from '../service/values/inferSchema';
import type { ChartReference, ChartValues } from '../service/values/chartValues';
import type { SchemaNode } from '../service/schema/types';

interface Cached {
  stamp: string;
  values: ChartValues | undefined;
}

/**
 * Charts that live in the workspace: a HelmRelease whose chart comes from a GitRepository or Bucket
 * with `chart: ./path` uses the chart directory at that path in the repository the user has open
 * (the workspace folder holding the HelmRelease). Subcharts in `charts/` appear under their name.
 */
export class LocalCharts {
  private readonly cache = new Map<string, Cached>();

  constructor(private readonly folders: () => string[]) {}

  lookup(ref: ChartReference): ChartValues | undefined {
    if ((ref.sourceKind !== 'GitRepository' && ref.sourceKind !== 'Bucket') || !ref.chart || ref.chart.includes('${')) return undefined;
    const root = this.repositoryRoot(ref.uri);
    if (!root) return undefined;
    const directory = path.resolve(root, ref.chart);
    if (directory !== root && !directory.startsWith(root + path.sep)) return undefined; // never outside the repository
    return this.read(directory, ref.chart);
  }

  private repositoryRoot(uri: string): string | undefined {
    let file: string;
    try {
      file = fileURLToPath(uri);
    } catch {
      return undefined;
    }
    return this.folders()
      .filter((f) => file.startsWith(f + path.sep))
      .sort((a, b) => b.length - a.length)[0];
  }

  private read(directory: string, written: string, depth = 0): ChartValues | undefined {
    const stamp = ['Chart.yaml', 'values.yaml'].map((f) => mtime(path.join(directory, f))).join('|');
    const cached = this.cache.get(directory);
    if (cached && cached.stamp === stamp) return cached.values;
    const values = this.load(directory, written, depth, stamp);
    this.cache.set(directory, { stamp, values });
    return values;
  }

  private load(directory: string, written: string, depth: number, stamp: string): ChartValues | undefined {
    let chart: { name?: unknown; version?: unknown; dependencies?: unknown } | undefined;
    try {
      chart = parse(readFileSync(path.join(directory, 'Chart.yaml'), 'utf8')) as typeof chart;
    } catch {
      return undefined; // not a chart directory (yet)
    }
    let valuesText = '';
    try {
      valuesText = readFileSync(path.join(directory, 'values.yaml'), 'utf8');
    } catch {
      // a chart without values.yaml accepts values we cannot know
    }
    const schema: SchemaNode = valuesText ? schemaFromValuesYaml(valuesText) : { type: 'object', additionalProperties: true };
    schema.properties ??= {};
    // Subcharts: their values live under their name (or alias), and `global` is shared.
    if (depth < 3) {
      for (const sub of subcharts(directory, chart?.dependencies)) {
        const values = this.read(sub.directory, sub.directory, depth + 1);
        if (!values || schema.properties[sub.key]?.properties) continue;
        schema.properties[sub.key] = { ...values.schema, description: schema.properties[sub.key]?.description ?? `Values of the subchart \`${values.chart}\`.` };
      }
    }
    if (!schema.properties.global) schema.properties.global = { type: 'object', additionalProperties: true, description: 'Values shared with every subchart.' };
    const name = typeof chart?.name === 'string' ? chart.name : path.basename(directory);
    return { id: `${directory}@${stamp}`, chart: name, version: typeof chart?.version === 'string' ? chart.version : undefined, origin: `${written} in this repository`, schema };
  }
}

function mtime(file: string): string {
  try {
    return String(statSync(file).mtimeMs);
  } catch {
    return '-';
  }
}

/** Subchart directories under `charts/`, keyed by the alias from Chart.yaml dependencies or their name. */
function subcharts(directory: string, dependencies: unknown): Array<{ key: string; directory: string }> {
  const out: Array<{ key: string; directory: string }> = [];
  const aliases = new Map<string, string>();
  if (Array.isArray(dependencies)) {
    for (const d of dependencies as Array<Record<string, unknown>>) {
      if (typeof d?.name === 'string') aliases.set(d.name, typeof d.alias === 'string' ? d.alias : d.name);
    }
  }
  let entries: string[] = [];
  try {
    entries = readdirSync(path.join(directory, 'charts'));
  } catch {
    return out;
  }
  for (const entry of entries) {
    const sub = path.join(directory, 'charts', entry);
    try {
      if (!statSync(sub).isDirectory()) continue; // packaged .tgz subcharts come with remote charts
    } catch {
      continue;
    }
    let name = entry;
    try {
      const meta = parse(readFileSync(path.join(sub, 'Chart.yaml'), 'utf8')) as { name?: unknown };
      if (typeof meta?.name === 'string') name = meta.name;
    } catch {
      continue;
    }
    out.push({ key: aliases.get(name) ?? name, directory: sub });
  }
  return out;
}
