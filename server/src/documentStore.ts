import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { FileModel, type TextEdit } from './service/model/fileModel';
import { DiagnosticsCache } from './service/features/fileDiagnostics';

export interface OpenDocument {
  text: TextDocument;
  model: FileModel;
  /** Its diagnostics, kept between passes so that an edit recomputes only what it affects. */
  diagnostics: DiagnosticsCache;
  /** The workspace index has not seen the latest text yet (edits mark it; the next pass or request that needs the index catches up). */
  indexDirty: boolean;
  /** The version whose diagnostics were last sent. */
  publishedVersion?: number;
}

/**
 * The open documents, each kept as text plus its incremental model. We keep our own store instead
 * of `TextDocuments` because the model needs the edit ranges, which `TextDocuments` does not pass on.
 */
export class DocumentStore {
  private readonly documents = new Map<string, OpenDocument>();

  constructor(private readonly maxSize: () => number) {}

  open(uri: string, languageId: string, version: number, content: string): OpenDocument {
    const text = TextDocument.create(uri, languageId, version, content);
    const entry: OpenDocument = { text, model: FileModel.fromText(content, this.maxSize()), diagnostics: new DiagnosticsCache(), indexDirty: true };
    this.documents.set(uri, entry);
    return entry;
  }

  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): OpenDocument | undefined {
    const entry = this.documents.get(uri);
    if (!entry) return undefined;
    // One change at a time, so that each edit's effect on the line count is the text's own: a line
    // break typed next to another can join or split a CRLF pair, which counting breaks in the
    // inserted text alone gets wrong.
    const edits: TextEdit[] = [];
    for (const change of changes) {
      const before = entry.text.lineCount;
      entry.text = TextDocument.update(entry.text, [change], version);
      edits.push('range' in change ? { range: change.range, text: change.text, lineDelta: entry.text.lineCount - before } : { text: change.text });
    }
    entry.model.applyEdits(edits, entry.text);
    entry.indexDirty = true;
    return entry;
  }

  /** Rebuilds every model, e.g. after the size limit changed. */
  rebuildAll(): void {
    for (const entry of this.documents.values()) {
      entry.model = FileModel.fromText(entry.text.getText(), this.maxSize());
      entry.indexDirty = true;
    }
  }

  close(uri: string): void {
    this.documents.delete(uri);
  }

  get(uri: string): OpenDocument | undefined {
    return this.documents.get(uri);
  }

  uris(): string[] {
    return [...this.documents.keys()];
  }
}
