import { isCollection, isPair, isScalar, isSeq, Scalar, type Document, type Node, type YAMLError } from 'yaml';
import { DiagnosticCodes } from '../codes';
import type { RawDiagnostic } from './rawDiagnostic';

/**
 * YAML syntax errors as a user can act on them: reported at the construct that opens the problem
 * (the quote that is never closed, the bracket that is never matched), in plain words, rather than
 * where the parser gave up, which may be many lines further down.
 */
export function syntaxProblems(doc: Document.Parsed): RawDiagnostic[] {
  return doc.errors.map((error) => {
    if (error.code === 'DUPLICATE_KEY') return { code: DiagnosticCodes.duplicateKey, severity: 'error', message: cleanYamlMessage(error.message), start: error.pos[0], end: Math.max(error.pos[1], error.pos[0] + 1) };
    const opened = openerOf(doc, error);
    if (opened) return { code: DiagnosticCodes.yamlSyntax, severity: 'error', message: opened.message, start: opened.start, end: opened.start + 1 };
    return { code: DiagnosticCodes.yamlSyntax, severity: 'error', message: cleanYamlMessage(error.message), start: error.pos[0], end: Math.max(error.pos[1], error.pos[0] + 1) };
  });
}

/** Whether a document has syntax errors other than duplicate keys: its tree may then not be what the author meant. */
export function isBroken(doc: Document.Parsed): boolean {
  return doc.errors.some((e) => e.code !== 'DUPLICATE_KEY');
}

export function cleanYamlMessage(message: string): string {
  // The yaml package appends " at line N, column M" and a code excerpt; the editor shows the position.
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/** The quoted string or flow collection that runs on to where the parser gave up, if that is the cause. */
function openerOf(doc: Document.Parsed, error: YAMLError): { start: number; message: string } | undefined {
  const at = error.pos[0];
  const quote = /Missing closing (["'])quote/.exec(error.message);
  const flow = !quote && /must (?:be sufficiently indented and )?end with a ([\]}])|Expected a? ?flow (?:sequence|map)|Missing , or :|flow (?:sequence|map|collection)/i.test(error.message);
  if (!quote && !flow) return undefined;
  let found: Node | undefined;
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const range = (node as Node).range;
    if (quote && isScalar(node) && range && range[0] < at && (node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE)) {
      if (!found || range[0] > found.range![0]) found = node;
    }
    if (flow && isCollection(node) && node.flow && range && range[0] < at && range[1] >= at) {
      if (!found || range[0] > found.range![0]) found = node;
    }
    if (isCollection(node)) {
      for (const item of node.items) {
        if (isPair(item)) {
          visit(item.key);
          visit(item.value);
        } else visit(item);
      }
    }
  };
  visit(doc.contents);
  if (!found?.range) return undefined;
  if (quote) {
    // The unclosed string is the last quoted scalar opened before the parser gave up.
    return { start: found.range[0], message: `This ${quote[1] === '"' ? 'double' : 'single'}-quoted string is never closed: everything up to the end of the document became part of it. Add the closing ${quote[1]}.` };
  }
  return isSeq(found)
    ? { start: found.range[0], message: 'This flow sequence is never closed with `]`, or the lines after it are not indented under it.' }
    : { start: found.range[0], message: 'This flow mapping is never closed with `}`, or the lines after it are not indented under it.' };
}
