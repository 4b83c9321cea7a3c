import { isMap, isPair, isScalar, isSeq, parseDocument, Scalar, type Document, type Node } from 'yaml';
import { DiagnosticCodes } from '../codes';
import { PARSE_OPTIONS } from '../model/yamlTree';
import type { RawDiagnostic } from './rawDiagnostic';

/**
 * Flux post-build substitution (`${VAR}`, `${VAR:=default}`, `${VAR:-default}`; `$${VAR}` is an
 * escaped literal) rewrites manifest text before the API server sees it.
 */

export interface Substitution {
  /** Offsets within the string value. */
  start: number;
  end: number;
  name: string;
  defaultValue?: string;
}

export type SubstitutionScan =
  | { kind: 'none' }
  | { kind: 'some'; parts: Substitution[]; whole: boolean }
  | { kind: 'malformed'; start: number; end: number; message: string };

const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*/;

export function scanSubstitutions(text: string): SubstitutionScan {
  if (!text.includes('${')) return { kind: 'none' };
  const parts: Substitution[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '$' || text[i + 1] !== '{') continue;
    if (i > 0 && text[i - 1] === '$') continue; // `$${` is an escaped literal `${`
    const close = text.indexOf('}', i + 2);
    if (close < 0) return { kind: 'malformed', start: i, end: text.length, message: `\`${text.slice(i, i + 20)}\` opens a substitution that is never closed with \`}\`.` };
    const body = text.slice(i + 2, close);
    if (body.trim() === '') return { kind: 'malformed', start: i, end: close + 1, message: '`${}` is an empty substitution: name a variable, e.g. `${cluster_name}`.' };
    const name = NAME.exec(body)?.[0];
    if (!name) {
      i = close;
      continue; // other shell-like forms are left to Flux
    }
    const rest = body.slice(name.length);
    const defaultValue = rest.startsWith(':=') || rest.startsWith(':-') ? rest.slice(2) : undefined;
    parts.push({ start: i, end: close + 1, name, defaultValue });
    i = close;
  }
  if (parts.length === 0) return { kind: 'none' };
  return { kind: 'some', parts, whole: parts.length === 1 && parts[0]!.start === 0 && parts[0]!.end === text.length };
}

/**
 * The node a substituted scalar turns into: for `key: ${VAR:=3}` the default `3` is read as YAML
 * (a number); for a quoted `"${VAR:=3}"` it stays a string. Undefined when the value cannot be known.
 */
export function substitutedNode(node: Node): Node | undefined {
  if (!isScalar(node) || typeof node.value !== 'string') return undefined;
  const scan = scanSubstitutions(node.value);
  if (scan.kind !== 'some' || !scan.whole) return undefined;
  const fallback = scan.parts[0]!.defaultValue;
  if (fallback === undefined) return undefined;
  let replaced: Node;
  if (node.type === 'PLAIN') {
    const parsed = parseDocument(`x: ${fallback}`, PARSE_OPTIONS).contents;
    const value = isMap(parsed) ? (parsed.items[0]?.value as Node | undefined) : undefined;
    if (!value) return undefined;
    replaced = value;
  } else {
    replaced = new Scalar(fallback);
  }
  replaced.range = node.range;
  return replaced;
}

/** Malformed substitutions anywhere in the document, metadata and values included. */
export function validateSubstitutions(doc: Document): RawDiagnostic[] {
  const out: RawDiagnostic[] = [];
  const visit = (node: unknown, depth: number) => {
    if (depth > 200 || !node) return;
    if (isMap(node)) {
      for (const pair of node.items) if (isPair(pair)) visit(pair.value, depth + 1);
    } else if (isSeq(node)) {
      for (const item of node.items) visit(item, depth + 1);
    } else if (isScalar(node) && typeof node.value === 'string' && node.range) {
      const scan = scanSubstitutions(node.value);
      if (scan.kind === 'malformed') {
        // Offsets inside quoted or folded scalars do not map one to one; point at the whole value.
        const plain = node.type === 'PLAIN' && node.source === node.value;
        const start = plain ? node.range[0] + scan.start : node.range[0];
        const end = plain ? node.range[0] + scan.end : node.range[1];
        out.push({ code: DiagnosticCodes.invalidSubstitution, severity: 'error', message: `${scan.message} Flux fails the whole Kustomization when it substitutes variables; write \`$\${\` for a literal \`\${\`.`, start, end });
      }
    }
  };
  visit(doc.contents, 0);
  return out;
}
