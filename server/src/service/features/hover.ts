import { isScalar } from 'yaml';
import type { Hover } from 'vscode-languageserver-types';
import type { DocumentAnalysis } from '../model/documentAnalysis';
import { findAtOffset, formatPath } from '../model/yamlTree';
import { schemaAt, typeLabel } from '../schema/lookup';
import type { KindSchema } from '../schema/registry';
import { schemaAtVersion } from '../schema/earlierVersions';
import type { ChartValues } from '../values/chartValues';
import { versionInfo, type VersionFields } from '../values/versions';
import { ObjectView } from '../model/objectView';
import { constraintPaths } from '../validation/versionConstraints';
import { explainConstraint, parseConstraint } from '../semver/constraint';

/** Hover for the key or value at `offset` of a Flux document: what the field does, its type, default and allowed values. */
export function hoverAt(analysis: DocumentAnalysis, schema: KindSchema, offset: number, chart?: ChartValues, versions?: VersionFields): Hover | null {
  const doc = analysis.parsed.doc;
  if (!doc) return null;
  const found = findAtOffset(doc, offset);
  if (!found) return null;
  const { path } = found;
  // Inside spec.values, what the chart says; without a chart, values are free-form.
  const inValues = chart !== undefined && path[0] === 'spec' && path[1] === 'values' && path.length > 2;
  // A document at an earlier version also has the fields only that version had (patchesStrategicMerge…).
  const apiVersion = analysis.identity?.apiVersion;
  const root = apiVersion && apiVersion !== schema.apiVersion ? schemaAtVersion(schema, apiVersion) : schema.root;
  const fieldSchema = inValues ? schemaAt(chart.schema, path.slice(2)) : schemaAt(root, path);
  if (!fieldSchema) return null;
  const range = found.node.range;
  if (!range) return null;
  const isRoot = path.length === 1 && (path[0] === 'apiVersion' || path[0] === 'kind');
  const lines: string[] = [];
  if (isRoot) {
    lines.push(`**${schema.kind}** \`${schema.apiVersion}\``, '', schema.description);
  } else {
    lines.push(`**${formatPath(path)}**: \`${typeLabel(fieldSchema)}\``);
    if (fieldSchema.description) lines.push('', fieldSchema.description);
    const facts: string[] = [];
    if (fieldSchema.default !== undefined) facts.push(`Default: \`${JSON.stringify(fieldSchema.default)}\``);
    if (fieldSchema.enum) {
      const current = !found.onKey && isScalar(found.node) ? String(found.node.value) : undefined;
      facts.push(`Allowed: ${fieldSchema.enum.map((v) => (String(v) === current ? `**\`${String(v)}\`**` : `\`${String(v)}\``)).join(', ')}`);
    }
    if (fieldSchema.pattern) facts.push(`Pattern: \`${fieldSchema.pattern}\``);
    if (fieldSchema.minLength !== undefined || fieldSchema.maxLength !== undefined) {
      facts.push(`Length: ${fieldSchema.minLength ?? 0}–${fieldSchema.maxLength ?? '∞'}`);
    }
    if (facts.length) lines.push('', facts.join('  \n'));
    const constraint = constraintExplanation(doc, schema.kind, path);
    if (constraint) lines.push('', constraint);
    if (versions && versions.fields.includes(path.join('.')) && versions.published.length > 0) {
      const { picked, newest } = versionInfo(new ObjectView(doc).string(path) ?? '', versions.published);
      lines.push('', `**Today:** ${picked ? `resolves to **${picked}**` : 'matches no published version'}; newest published: ${newest ?? 'none'} (${versions.published.length} versions in the ${versions.from}).`);
    }
  }
  if (inValues) lines.push('', `From chart \`${chart.chart}\`${chart.version ? ` ${chart.version}` : ''} (${chart.origin}).`);
  else lines.push('', `[${schema.kind} documentation](${schema.docs})`);
  return {
    contents: { kind: 'markdown', value: lines.join('\n') },
    range: analysis.lines.rangeOf(range[0], range[1]),
  };
}

/** For a chart version constraint: what it means, in words. */
function constraintExplanation(doc: NonNullable<DocumentAnalysis['parsed']['doc']>, kind: string, path: ReadonlyArray<string | number>): string | undefined {
  const view = new ObjectView(doc);
  const isConstraint = constraintPaths(kind, view).some((p) => p.length === path.length && p.every((seg, i) => seg === path[i]));
  if (!isConstraint) return undefined;
  const text = view.string(path);
  if (text === undefined || text.includes('${')) return undefined;
  if (text.trim() === '' || text.trim() === '*') return '**Selects:** the highest stable version (pre-releases excluded).';
  const parsed = parseConstraint(text);
  return parsed.ok ? `**Selects:** the highest version ${explainConstraint(parsed.constraint)}.` : undefined;
}
