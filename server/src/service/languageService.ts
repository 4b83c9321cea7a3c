import type { CompletionItem, DocumentSymbol, Hover, Position } from 'vscode-languageserver-types';
import type { FileModel, Segment } from './model/fileModel';
import type { ChartValues } from './values/chartValues';
import { chartNamesOf, publishedVersions, releaseChart, type FileContext } from './features/fileDiagnostics';
import { completeInSegment } from './features/completion';
import { hoverAt } from './features/hover';
import { segmentSymbol } from './features/symbols';
import type { Settings } from './settings';
import { NEWEST_FLUX_VERSION } from './migration/apiVersions';
import { substitutionHover } from './substitution/hover';

export { DiagnosticsCache, diagnosticsPass, fileDiagnostics, type FileContext } from './features/fileDiagnostics';

function shift<T extends { range: { start: Position; end: Position } }>(item: T, lines: number): T {
  if (lines === 0) return item;
  return {
    ...item,
    range: {
      start: { line: item.range.start.line + lines, character: item.range.start.character },
      end: { line: item.range.end.line + lines, character: item.range.end.character },
    },
  };
}

/** The chart values schema for the HelmRelease of a segment, when its chart can be found. */
function chartOf(segment: Segment, context: FileContext): ChartValues | undefined {
  return releaseChart(segment, context)?.chart;
}

export function completion(file: FileModel, position: Position, settings: Settings, context: FileContext = {}): CompletionItem[] {
  if (!settings.completion) return [];
  const segment = file.segmentAt(position.line);
  if (!segment) return [];
  const { recognition } = segment.analysis;
  const schema = recognition.status === 'served' || recognition.status === 'other-version' ? recognition.schema : undefined;
  const items = completeInSegment(segment, { line: position.line - segment.startLine, character: position.character }, schema, segment.analysis.identity !== undefined, chartOf(segment, context), publishedVersions(segment, context), chartNamesOf(segment, context));
  if (segment.startLine === 0) return items;
  return items.map((item) => (item.textEdit && 'range' in item.textEdit ? { ...item, textEdit: shift(item.textEdit, segment.startLine) } : item));
}

export function hover(file: FileModel, position: Position, settings: Settings, context: FileContext = {}): Hover | null {
  if (!settings.hover) return null;
  const segment = file.segmentAt(position.line);
  if (!segment) return null;
  const { recognition, lines } = { recognition: segment.analysis.recognition, lines: segment.analysis.lines };
  if (recognition.status !== 'served' && recognition.status !== 'other-version') return null;
  const offset = lines.offsetAt({ line: position.line - segment.startLine, character: position.character });
  const field = hoverAt(segment.analysis, recognition.schema, offset, chartOf(segment, context), publishedVersions(segment, context));
  const result = withSubstitution(field, segment, offset, settings, context);
  if (!result?.range) return result;
  return shift(result as Hover & { range: NonNullable<Hover['range']> }, segment.startLine);
}

/** A hover on a value holding `${VAR}` also says what the Kustomizations applying the file substitute. */
function withSubstitution(field: Hover | null, segment: Segment, offset: number, settings: Settings, context: FileContext): Hover | null {
  const found = context.uri ? context.substitutions?.forFile(context.uri) : undefined;
  const substitution = found ? substitutionHover(segment.analysis, offset, found, settings.fluxVersion ?? NEWEST_FLUX_VERSION) : undefined;
  if (!substitution) return field;
  const previous = field && typeof field.contents === 'object' && 'value' in field.contents ? field.contents.value : undefined;
  return {
    contents: { kind: 'markdown', value: previous ? `${previous}\n\n---\n\n${substitution.markdown}` : substitution.markdown },
    range: field?.range ?? segment.analysis.lines.rangeOf(substitution.start, substitution.end),
  };
}

export function documentSymbols(file: FileModel): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  for (const segment of file.segments) {
    const symbol = segmentSymbol(segment);
    if (symbol) out.push(shiftSymbol(symbol, segment.startLine));
  }
  return out;
}

function shiftSymbol(symbol: DocumentSymbol, lines: number): DocumentSymbol {
  if (lines === 0) return symbol;
  const move = (r: DocumentSymbol['range']) => ({ start: { line: r.start.line + lines, character: r.start.character }, end: { line: r.end.line + lines, character: r.end.character } });
  return { ...symbol, range: move(symbol.range), selectionRange: move(symbol.selectionRange), children: symbol.children?.map((c) => shiftSymbol(c, lines)) };
}
