import type { CompletionItem, Diagnostic, Position } from 'vscode-languageserver-types';
import { FileModel } from '../server/src/service/model/fileModel';
import { completion, fileDiagnostics, hover, type FileContext } from '../server/src/service/languageService';
import { defaultSettings, normalizeSettings, type Settings } from '../server/src/service/settings';
import { codeActions } from '../server/src/service/features/codeActions';
import { LineIndex } from '../server/src/service/text/lineIndex';

/** Removes the `|` cursor marker from `text` and returns the text and the marker's position. */
export function withCursor(marked: string): { text: string; position: Position } {
  const offset = marked.indexOf('|');
  if (offset < 0) throw new Error('no | cursor marker in the text');
  const text = marked.slice(0, offset) + marked.slice(offset + 1);
  const before = text.slice(0, offset).split('\n');
  return { text, position: { line: before.length - 1, character: before[before.length - 1]!.length } };
}

export function settings(raw: unknown = {}): Settings {
  return raw === undefined ? defaultSettings : normalizeSettings(raw);
}

export function diagnose(text: string, options: unknown = {}, context: FileContext = {}): Diagnostic[] {
  const s = settings(options);
  return fileDiagnostics(FileModel.fromText(text, s.maxFileSize), s, context);
}

export function codes(text: string): string[] {
  return diagnose(text).map((d) => String(d.code));
}

/** `code@line:col-line:col` for compact, readable assertions. */
export function brief(d: Diagnostic): string {
  const r = d.range;
  return `${String(d.code)}@${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}

export function complete(marked: string): CompletionItem[] {
  const { text, position } = withCursor(marked);
  return completion(FileModel.fromText(text), position, settings());
}

export function labels(items: CompletionItem[]): string[] {
  return items.map((i) => i.label);
}

/** The text a completion item inserts. */
export function inserted(item: CompletionItem | undefined): string {
  if (!item) throw new Error('no such completion item');
  const edit = item.textEdit;
  if (edit && 'newText' in edit) return edit.newText;
  return item.insertText ?? item.label;
}

export function hoverMarkdown(marked: string): string | undefined {
  const { text, position } = withCursor(marked);
  const result = hover(FileModel.fromText(text), position, settings());
  if (!result) return undefined;
  const contents = result.contents;
  return typeof contents === 'object' && 'value' in contents ? contents.value : String(contents);
}

/** Joins lines into a YAML text, so that tests can indent their fixtures naturally. */
export function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

/** Applies LSP text edits (non-overlapping) to a text. */
export function applyTextEdits(text: string, edits: Array<{ range: { start: Position; end: Position }; newText: string }>): string {
  const lines = new LineIndex(text);
  const absolute = edits.map((e) => ({ start: lines.offsetAt(e.range.start), end: lines.offsetAt(e.range.end), newText: e.newText })).sort((a, b) => b.start - a.start);
  let result = text;
  for (const e of absolute) result = result.slice(0, e.start) + e.newText + result.slice(e.end);
  return result;
}

/** The quick fixes offered for the diagnostics of `text`, each with the text it produces. */
export function quickFixes(text: string, context: FileContext = {}): Array<{ title: string; code: string; preferred: boolean; result: string }> {
  const model = FileModel.fromText(text);
  const diagnostics = fileDiagnostics(model, settings(), context);
  const whole = { start: { line: 0, character: 0 }, end: { line: model.segments.length ? 1e6 : 0, character: 0 } };
  return codeActions(model, 'file:///t.yaml', whole, diagnostics).map((a) => ({
    title: a.title,
    code: String(a.diagnostics?.[0]?.code),
    preferred: a.isPreferred === true,
    result: applyTextEdits(text, a.edit?.changes?.['file:///t.yaml'] ?? []),
  }));
}
