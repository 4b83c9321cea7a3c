import { isMap, isPair } from 'yaml';
import type { DocumentSymbol } from 'vscode-languageserver-types';
import type { Segment } from '../model/fileModel';
import { keyText, nodeAtPath, scalarString } from '../model/yamlTree';

const enum SymbolKind {
  Module = 2,
  Class = 5,
  Field = 8,
}

const NAME_LINE = /^metadata:[ \t]*(?:#.*)?$\n(?:(?:[ \t]+.*|[ \t]*)\n)*?[ \t]+name:[ \t]*["']?([^"'#\s]+)/m;

/** One symbol per Kubernetes object of the file, named `Kind name`; Flux objects list their main `spec` sections. */
export function segmentSymbol(segment: Segment): DocumentSymbol | undefined {
  return segment.analysis.cached('symbol', () => {
    const symbol = computeSymbol(segment);
    return symbol && validSymbol(symbol, symbol.range);
  });
}

type Range = DocumentSymbol['range'];
type Position = Range['start'];

const before = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.character < b.character);
const clampPosition = (p: Position, within: Range): Position => (before(p, within.start) ? within.start : before(within.end, p) ? within.end : p);
const clampRange = (r: Range, within: Range): Range => {
  const start = clampPosition(r.start, within);
  const end = clampPosition(r.end, within);
  return before(end, start) ? { start, end: start } : { start, end };
};

/**
 * What VS Code accepts, or it drops the whole outline: a name that is not empty, a selection range
 * inside the symbol's range, and children inside their parent.
 */
function validSymbol(symbol: DocumentSymbol, within: Range): DocumentSymbol {
  const range = clampRange(symbol.range, within);
  return {
    ...symbol,
    name: symbol.name.trim() === '' ? '(empty key)' : symbol.name,
    range,
    selectionRange: clampRange(symbol.selectionRange, range),
    children: symbol.children?.map((child) => validSymbol(child, range)),
  };
}

function computeSymbol(segment: Segment): DocumentSymbol | undefined {
  const { analysis } = segment;
  const identity = analysis.identity;
  if (!identity) return undefined;
  const lines = analysis.lines;
  const lastLine = Math.max(0, segment.lineCount - 1);
  const range = { start: { line: 0, character: 0 }, end: { line: lastLine, character: lines.lineText(lastLine).length } };
  const kindRange = lines.rangeOf(identity.kindRange[0], identity.kindRange[1]);
  let name: string | undefined;
  const children: DocumentSymbol[] = [];
  let selectionRange = kindRange;
  if (analysis.isFlux && analysis.parsed.doc) {
    const doc = analysis.parsed.doc;
    name = scalarString(doc, nodeAtPath(doc, ['metadata', 'name']));
    const nameNode = nodeAtPath(doc, ['metadata', 'name']);
    if (nameNode?.range) selectionRange = lines.rangeOf(nameNode.range[0], nameNode.range[1]);
    const spec = nodeAtPath(doc, ['spec']);
    if (isMap(spec)) {
      for (const pair of spec.items) {
        if (!isPair(pair)) continue;
        const key = keyText(pair);
        const keyRange = (pair.key as { range?: [number, number, number] }).range;
        const valueRange = (pair.value as { range?: [number, number, number] } | null)?.range;
        if (key === undefined || !keyRange) continue;
        children.push({
          name: key,
          kind: SymbolKind.Field,
          range: lines.rangeOf(keyRange[0], valueRange ? valueRange[2] : keyRange[1]),
          selectionRange: lines.rangeOf(keyRange[0], keyRange[1]),
        });
      }
    }
  } else {
    name = NAME_LINE.exec(analysis.text)?.[1];
  }
  return {
    name: `${identity.kind} ${name ?? '(unnamed)'}`,
    detail: identity.apiVersion,
    kind: analysis.isFlux ? SymbolKind.Class : SymbolKind.Module,
    range,
    selectionRange,
    children,
  };
}
