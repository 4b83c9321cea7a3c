import { readdirSync, readFileSync, statSync } from 'fs';
import * as path from 'path';
import { fileURLToPath } from 'url';
import { parse } from 'yaml';
import { BoundedMap } from '../boundedMap';
import { schemaFromValuesYaml } from '../service/values/inferSchema';
import { compileValuesSchema, externalRefs, type CompiledValuesSchema } from '../service/values/jsonSchema';
import type { ChartReference, ChartValues } from '../service/values/chartValues';
import type { SchemaNode } from '../service/schema/types';

interface Cached {
  stamp: string;
  values: ChartValues | undefined;
  /** Bytes of the chart files it was read from. */
  bytes: number;
}

export interface LocalChartsLimits {
  /** Most chart directories (found or not) remembered. Default 256. */
  maxDirectories?: number;
  /** Most bytes of values.yaml and values.schema.json, all charts together, kept read. Default 64 MB. */
  maxBytes?: number;
}

/**
 * Charts that live in the workspace: a HelmRelease whose chart comes from a GitRepository or Bucket
 * with `chart: ./path` uses the chart directory at that path in the repository the user has open
 * (the workspace folder holding the HelmRelease). Subcharts in `charts/` appear under their name.
 */
export class LocalCharts {
  /** Per directory: every path typed in `chart:` is one (most are no chart at all). */
  private readonly cache: BoundedMap<string, Cached>;

  constructor(
    private readonly folders: () => string[],
    limits: LocalChartsLimits = {},
  ) {
    this.cache = new BoundedMap({ maxEntries: limits.maxDirectories ?? 256, maxWeight: limits.maxBytes ?? 64 * 1024 * 1024, weigh: (c) => 1 + c.bytes });
  }

  /** How many chart directories are remembered, and the bytes of the chart files they were read from. */
  memoryUse(): { directories: number; bytes: number } {
    return { directories: this.cache.size, bytes: this.cache.weight - this.cache.size };
  }

  lookup(ref: ChartReference): ChartValues | undefined {
    if ((ref.sourceKind !== 'GitRepository' && ref.sourceKind !== 'Bucket') || !ref.chart || ref.chart.includes('${')) return undefined;
    const root = this.repositoryRoot(ref.uri);
    if (!root) return undefined;
    const directory = path.resolve(root, ref.chart);
    if (directory !== root && !directory.startsWith(root + path.sep)) return undefined; // never outside the repository
    return this.read(directory, `${ref.chart} in this repository`);
  }

  /** A chart directory anywhere (e.g. unpacked from a repository into the cache), described by `origin`. */
  readDirectory(directory: string, origin: string): ChartValues | undefined {
    return this.read(directory, origin);
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

  private read(directory: string, origin: string, depth = 0): ChartValues | undefined {
    const files = ['Chart.yaml', 'values.yaml', 'values.schema.json'].map((f) => fileStat(path.join(directory, f)));
    const stamp = files.map((f) => f.mtime).join('|');
    const cached = this.cache.get(directory);
    // The same directory may be reached another way (a cached remote chart whose repository is now down): say so.
    if (cached && cached.stamp === stamp) return cached.values && cached.values.origin !== origin ? { ...cached.values, origin } : cached.values;
    const values = this.load(directory, origin, depth, stamp);
    this.cache.set(directory, { stamp, values, bytes: values ? files.reduce((sum, f) => sum + f.size, 0) : 0 });
    return values;
  }

  private load(directory: string, origin: string, depth: number, stamp: string): ChartValues | undefined {
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
    const inferred: SchemaNode = valuesText ? schemaFromValuesYaml(valuesText) : { type: 'object', additionalProperties: true };
    let defaults: unknown = {};
    try {
      defaults = parse(valuesText) ?? {};
    } catch {
      defaults = {};
    }
    const { compiled, problem } = readSchemaFile(directory);
    // Completion and hover: the schema's structure and descriptions, with the defaults values.yaml has.
    const schema: SchemaNode = compiled ? withDefaults(compiled.node, inferred) : inferred;
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
    return { id: `${directory}@${stamp}`, chart: name, version: typeof chart?.version === 'string' ? chart.version : undefined, origin, schema, compiled, defaults, schemaProblem: problem };
  }
}

const MAX_SCHEMA_BYTES = 5 * 1024 * 1024;

/** The chart's values.schema.json and the files its `$ref`s name, all inside the chart directory. */
function readSchemaFile(directory: string): { compiled?: CompiledValuesSchema; problem?: string } {
  const file = path.join(directory, 'values.schema.json');
  let text: string;
  try {
    if (statSync(file).size > MAX_SCHEMA_BYTES) return { problem: 'it is larger than 5 MB' };
    text = readFileSync(file, 'utf8');
  } catch {
    return {}; // no schema: values.yaml is all there is
  }
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (error) {
    return { problem: `it is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const related: Record<string, unknown> = {};
  for (const ref of externalRefs(schema)) {
    const target = path.resolve(directory, ref);
    if (!target.startsWith(directory + path.sep)) return { problem: `$ref \`${ref}\` points outside the chart` };
    try {
      related[ref] = JSON.parse(readFileSync(target, 'utf8'));
    } catch {
      return { problem: `$ref \`${ref}\` cannot be read` };
    }
  }
  const result = compileValuesSchema(schema, related);
  return 'error' in result ? { problem: result.error } : { compiled: result };
}

/** The schema's structure with the chart's own defaults added where the schema has none. */
function withDefaults(schema: SchemaNode, inferred: SchemaNode): SchemaNode {
  const out: SchemaNode = { ...schema };
  if (out.default === undefined && inferred.default !== undefined) out.default = inferred.default;
  if (!out.description && inferred.description) out.description = inferred.description;
  if (inferred.properties) {
    out.properties = { ...(schema.properties ?? {}) };
    for (const [key, child] of Object.entries(inferred.properties)) {
      const own = out.properties[key];
      // Keys only values.yaml knows are listed too, unless the schema closes the mapping.
      if (own) out.properties[key] = withDefaults(own, child);
      else if (schema.additionalProperties !== false) out.properties[key] = child;
    }
  }
  if (schema.items && inferred.items) out.items = withDefaults(schema.items, inferred.items);
  return out;
}

function fileStat(file: string): { mtime: string; size: number } {
  try {
    const stat = statSync(file);
    return { mtime: String(stat.mtimeMs), size: stat.size };
  } catch {
    return { mtime: '-', size: 0 };
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
