import { isMap, isPair, isScalar, isSeq, type Node } from 'yaml';
import { DiagnosticCodes, type DiagnosticCode } from '../codes';
import type { RawDiagnostic } from './rawDiagnostic';

/**
 * Kubernetes reads manifests as YAML 1.1, where unquoted `on`, `off`, `yes`, `no`, `y`, `n` are
 * booleans and `0755` is an octal number. Editors and most YAML 1.2 tools read them as strings and
 * the decimal 755, so the value the cluster gets is not the one the author sees.
 */
const YAML11_ONLY_BOOLEAN = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;
const YAML11_OCTAL = /^[-+]?0[0-7]+$/;

export interface Yaml11Reading {
  code: DiagnosticCode;
  message: string;
  data: { fix: 'quote' };
}

/** How Kubernetes reads a plain scalar differently from YAML 1.2, if it does. */
export function yaml11Reading(node: Node): Yaml11Reading | undefined {
  if (!isScalar(node) || node.type !== 'PLAIN' || typeof node.source !== 'string') return undefined;
  const text = node.source;
  if (YAML11_ONLY_BOOLEAN.test(text) && typeof node.value === 'boolean') {
    return { code: DiagnosticCodes.yaml11Boolean, message: `Kubernetes reads an unquoted \`${text}\` as the boolean \`${String(node.value)}\`, not as the text "${text}".`, data: { fix: 'quote' } };
  }
  if (YAML11_OCTAL.test(text) && typeof node.value === 'number') {
    return { code: DiagnosticCodes.yaml11Octal, message: `Kubernetes reads an unquoted \`${text}\` as the octal number ${node.value}, not ${Number.parseInt(text, 10)}.`, data: { fix: 'quote' } };
  }
  return undefined;
}

/** Such scalars inside `spec.values`, keys included: the chart gets a boolean or another number. */
export function validateValuesPitfalls(values: Node | undefined): RawDiagnostic[] {
  const out: RawDiagnostic[] = [];
  const report = (node: unknown) => {
    if (!isScalar(node) || !node.range) return;
    const reading = yaml11Reading(node);
    if (reading) out.push({ ...reading, severity: 'warning', message: `${reading.message} Quote it if the chart expects text.`, start: node.range[0], end: node.range[1] });
  };
  const visit = (node: unknown, depth: number) => {
    if (depth > 200 || !node) return;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        report(pair.key);
        visit(pair.value, depth + 1);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) visit(item, depth + 1);
    } else {
      report(node);
    }
  };
  visit(values, 0);
  return out;
}
