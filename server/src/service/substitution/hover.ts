import { isScalar } from 'yaml';
import type { DocumentAnalysis } from '../model/documentAnalysis';
import { findAtOffset } from '../model/yamlTree';
import { evaluate, isDefaultForm, parseTemplate, type Expression } from './envsubst';
import type { FileSubstitutions } from './resolver';
import { lookupIn, strictByDefault } from './substitute';
import { describeOrigin, kustomizationLabel, substitutionDisabled } from './variables';

/**
 * For a value holding `${VAR}`: what each Kustomization that applies the file substitutes, and where
 * the value comes from. A Secret's value is never shown. Offsets are within the document.
 */
export function substitutionHover(analysis: DocumentAnalysis, offset: number, found: FileSubstitutions, fluxVersion: string): { markdown: string; start: number; end: number } | undefined {
  const doc = analysis.parsed.doc;
  if (!doc) return undefined;
  const at = findAtOffset(doc, offset);
  const node = at?.node;
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range || !node.value.includes('${')) return undefined;
  const parsed = parseTemplate(node.value);
  if (!parsed.ok || parsed.expressions.length === 0) return undefined;
  const raw = analysis.text.slice(node.range[0], node.range[1]);
  const base = raw === node.value ? node.range[0] : raw.slice(1, -1) === node.value ? node.range[0] + 1 : undefined;
  // The expression under the cursor, else every top-level one of the value.
  const under = base === undefined ? undefined : parsed.expressions.filter((e) => offset >= base + e.start && offset <= base + e.end).sort((a, b) => a.end - a.start - (b.end - b.start))[0];
  const shown: Expression[] = under ? [under] : parsed.expressions;
  const names = [...new Set(shown.map((e) => e.name))];
  const lines: string[] = [];
  if (substitutionDisabled(doc)) {
    lines.push('**Post-build substitution** is disabled for this object (`kustomize.toolkit.fluxcd.io/substitute: disabled`): Flux applies the text as written.');
    return { markdown: lines.join('\n'), start: node.range[0], end: node.range[1] };
  }
  const strict = strictByDefault(fluxVersion);
  for (const set of found.sets) {
    const label = kustomizationLabel(set.kustomization);
    lines.push(`**Kustomization ${label}**${set.runs ? '' : ' substitutes nothing (no variables, strategy `WithVariables`): the text stays as written.'}`);
    if (!set.runs) continue;
    for (const name of names) {
      const variable = set.variables.get(name);
      const expression = shown.find((e) => e.name === name)!;
      if (variable) {
        const value = variable.from.kind === 'Secret' ? '(a Secret value, not shown)' : `\`${variable.value ?? ''}\``;
        lines.push(`- \`${name}\` = ${value}, from ${describeOrigin(variable)}`);
      } else if (isDefaultForm(expression.operator)) {
        lines.push(`- \`${name}\` is not defined: the default applies`);
      } else {
        lines.push(`- \`${name}\` is ${set.complete ? 'not defined' : 'not found in the workspace'}${set.complete && strict ? ': strict substitution fails the build' : ''}`);
      }
    }
    const result = evaluate(parsed.pieces, lookupIn(set), strict);
    if (result.status === 'value') lines.push(`- the value becomes \`${result.value}\``);
  }
  return { markdown: lines.join('\n'), start: node.range[0], end: node.range[1] };
}
