import type { Range } from 'vscode-languageserver-types';
import { DocumentAnalysis } from './documentAnalysis';
import { splitDocuments } from './split';

/** One YAML document of a file, placed at its line. */
export interface Segment {
  startLine: number;
  lineCount: number;
  analysis: DocumentAnalysis;
}

/** Where the text of a file comes from after edits; `TextDocument` from vscode-languageserver-textdocument fits. */
export interface TextSource {
  getText(range?: Range): string;
  readonly lineCount: number;
}

/** An edit as LSP sends it: a replaced range in the text as it was before this edit. */
export interface TextEdit {
  range?: Range;
  text: string;
  /**
   * Lines the edit added (negative: removed), as the whole text counts them. Counting the breaks in
   * `text` is wrong when the edit joins or splits a CRLF pair at its ends; callers that can tell
   * (from the text after the edit) should.
   */
  lineDelta?: number;
}

interface DirtySpan {
  startLine: number;
  /** Exclusive; `Infinity` when the span runs to the end of the file. */
  endLine: number;
  previous: DocumentAnalysis[];
}

type Slot = Segment | DirtySpan;

const isDirty = (slot: Slot): slot is DirtySpan => !('analysis' in slot);

function countLineBreaks(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) count++;
    else if (c === 13) {
      count++;
      if (text.charCodeAt(i + 1) === 10) i++;
    }
  }
  return count;
}

/**
 * A file as a list of analysed documents. An edit re-splits only the documents it touches (and their
 * neighbours, in case a `---` line was added or removed); every other document keeps its analysis,
 * moved by the number of lines the edit added or removed.
 */
export class FileModel {
  /** Set when the file is larger than the size limit: it is then not split or analysed at all. */
  oversized = false;
  /** Set when the text has NUL characters: a binary file opened as YAML. */
  binary = false;

  private constructor(
    private segmentList: Segment[],
    private length: number,
    private readonly maxSize: number,
  ) {}

  static fromText(text: string, maxSize = Infinity): FileModel {
    const model = new FileModel([], text.length, maxSize);
    model.rebuild(text, new Map());
    return model;
  }

  private rebuild(text: string, reuse: Map<string, DocumentAnalysis>): void {
    this.length = text.length;
    this.oversized = text.length > this.maxSize;
    this.binary = !this.oversized && text.indexOf('\0') >= 0;
    this.segmentList = this.oversized || this.binary ? [] : build(splitDocuments(text), reuse);
  }

  get segments(): readonly Segment[] {
    return this.segmentList;
  }

  /** Length of the text in UTF-16 units. */
  get textLength(): number {
    return this.length;
  }

  applyEdits(edits: readonly TextEdit[], source: TextSource): void {
    const full = source.getText();
    this.length = full.length;
    const wasAnalysed = !this.oversized && !this.binary;
    if (edits.some((e) => !e.range) || !wasAnalysed || full.length > this.maxSize || edits.some((e) => e.text.includes('\0'))) {
      this.rebuild(full, new Map(this.segmentList.map((s) => [s.analysis.text, s.analysis])));
      return;
    }
    let slots: Slot[] = [...this.segmentList];
    for (const edit of edits) slots = markEdit(slots, edit);
    const out: Segment[] = [];
    for (const slot of slots) {
      if (!isDirty(slot)) {
        out.push(slot);
        continue;
      }
      const end = slot.endLine === Infinity ? source.lineCount : slot.endLine;
      const text = source.getText({ start: { line: slot.startLine, character: 0 }, end: { line: end, character: 0 } });
      const reuse = new Map(slot.previous.map((a) => [a.text, a]));
      out.push(...build(splitDocuments(text, slot.startLine), reuse, true));
    }
    this.segmentList = out.length > 0 ? out : build(splitDocuments(full), new Map());
  }

  /** The document that contains `line` (the last one for lines past the end). */
  segmentAt(line: number): Segment | undefined {
    return this.segmentList[indexAtLine(this.segmentList, line)];
  }
}

/**
 * Segments for split pieces, reusing the analyses of unchanged texts. After an edit, the texts of
 * new analyses are copied out of the file's text: a substring keeps the whole string it was cut
 * from alive, and each edit makes a new whole string.
 */
function build(pieces: ReturnType<typeof splitDocuments>, reuse: Map<string, DocumentAnalysis>, copy = false): Segment[] {
  return pieces.map((piece) => ({
    startLine: piece.startLine,
    lineCount: piece.lineCount,
    analysis: reuse.get(piece.text) ?? new DocumentAnalysis(copy ? ownCopy(piece.text) : piece.text),
  }));
}

/** A string that shares no memory with the one it was cut from (V8 flattens the concatenation first). */
function ownCopy(text: string): string {
  return ` ${text}`.slice(1);
}

/** Index of the last item that starts at or before `line`, by binary search over sorted start lines. */
function indexAtLine(items: ReadonlyArray<{ startLine: number }>, line: number): number {
  let low = 0;
  let high = items.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (items[mid]!.startLine <= line) low = mid;
    else high = mid - 1;
  }
  return low;
}

function slotEnd(slot: Slot): number {
  return isDirty(slot) ? slot.endLine : slot.startLine + slot.lineCount;
}

/** Replaces the slots an edit touches, plus one neighbour on each side, by one dirty span. */
function markEdit(slots: Slot[], edit: TextEdit): Slot[] {
  const range = edit.range!;
  const startLine = range.start.line;
  const endLine = range.end.line;
  const delta = edit.lineDelta ?? countLineBreaks(edit.text) - (endLine - startLine);
  const first = Math.max(0, indexAtLine(slots, startLine) - 1);
  const last = Math.min(slots.length - 1, indexAtLine(slots, endLine) + 1);
  const previous: DocumentAnalysis[] = [];
  for (let i = first; i <= last; i++) {
    const slot = slots[i]!;
    if (isDirty(slot)) previous.push(...slot.previous);
    else previous.push(slot.analysis);
  }
  const oldEnd = slotEnd(slots[last]!);
  const span: DirtySpan = {
    startLine: slots[first]!.startLine,
    endLine: last === slots.length - 1 ? Infinity : oldEnd + delta,
    previous,
  };
  const after = slots.slice(last + 1).map((slot): Slot => (isDirty(slot) ? { ...slot, startLine: slot.startLine + delta, endLine: slot.endLine + delta } : { ...slot, startLine: slot.startLine + delta }));
  return [...slots.slice(0, first), span, ...after];
}
