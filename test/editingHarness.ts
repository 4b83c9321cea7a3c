/**
 * The server's editing path without the LSP connection: the same document store, workspace index,
 * index updates and diagnostics passes that server.ts wires together, driven by tests that count the
 * work an edit causes or compare diagnostics after edits with those of a fresh start.
 */
import { readFileSync } from 'fs';
import { fileURLToPath } from 'url';
import type { Diagnostic, TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { DocumentStore } from '../server/src/documentStore';
import { DiagnosticsCache, diagnosticsPass, runToEnd, type FileContext } from '../server/src/service/features/fileDiagnostics';
import { FileModel } from '../server/src/service/model/fileModel';
import { defaultSettings, type Settings } from '../server/src/service/settings';
import { extractFileFacts } from '../server/src/service/workspace/extract';
import { WorkspaceIndex } from '../server/src/service/workspace/workspaceIndex';
import { factsOfFile } from '../server/src/node/workspaceScanner';

/** What the workspace holds on disk: file URI → text. */
export type Disk = Map<string, string>;

/** Context a pass gets besides the index (chart lookups and the like), per file. */
export type ContextFor = (uri: string) => Omit<FileContext, 'uri' | 'index'>;

const pathOf = (uri: string) => fileURLToPath(uri);

function indexOf(disk: Disk, folder: string): WorkspaceIndex {
  const index = new WorkspaceIndex();
  index.setFolders([folder]);
  for (const [uri, text] of disk) index.setFile(uri, factsOfFile(pathOf(uri), Buffer.from(text, 'utf8'), defaultSettings.maxFileSize), pathOf(uri));
  return index;
}

export class EditingSession {
  readonly store = new DocumentStore(() => this.settings.maxFileSize);
  readonly index: WorkspaceIndex;

  constructor(
    readonly disk: Disk,
    readonly folder: string,
    private readonly contextFor: ContextFor = () => ({}),
    readonly settings: Settings = defaultSettings,
  ) {
    this.index = indexOf(disk, folder);
  }

  open(uri: string, text: string): void {
    this.store.open(uri, 'yaml', 1, text);
  }

  change(uri: string, changes: TextDocumentContentChangeEvent[]): void {
    const entry = this.store.get(uri)!;
    this.store.change(uri, entry.text.version + 1, changes);
  }

  /** Closing without saving: the index falls back to what is on disk. */
  close(uri: string): void {
    this.store.close(uri);
    const text = this.disk.get(uri);
    if (text === undefined) this.index.removeFile(uri);
    else this.index.setFile(uri, factsOfFile(pathOf(uri), Buffer.from(text, 'utf8'), this.settings.maxFileSize), pathOf(uri));
  }

  /** A file changed on disk while not open (or open: then the editor's text keeps winning). */
  writeToDisk(uri: string, text: string): void {
    this.disk.set(uri, text);
    if (!this.store.get(uri)) this.index.setFile(uri, factsOfFile(pathOf(uri), Buffer.from(text, 'utf8'), this.settings.maxFileSize), pathOf(uri));
  }

  text(uri: string): string {
    return this.store.get(uri)!.text.getText();
  }

  /** What the server does before a pass: the index gets the latest text of every open document. */
  flush(): void {
    for (const uri of this.store.uris()) {
      const entry = this.store.get(uri)!;
      if (!entry.indexDirty) continue;
      entry.indexDirty = false;
      this.index.setFile(uri, extractFileFacts(uri, pathOf(uri), entry.model, { parts: true }), pathOf(uri));
    }
  }

  /** A whole diagnostics pass over an open document, as the server runs it. */
  diagnostics(uri: string): Diagnostic[] {
    const entry = this.store.get(uri)!;
    return runToEnd(diagnosticsPass(entry.model, this.settings, { ...this.contextFor(uri), uri, index: this.index, syncIndex: () => this.flush() }, entry.diagnostics)).diagnostics;
  }
}

/** The diagnostics a server started now would give for `text` open as `uri`, the rest of the workspace as on disk. */
export function freshDiagnostics(disk: Disk, folder: string, uri: string, text: string, contextFor: ContextFor = () => ({}), settings: Settings = defaultSettings): Diagnostic[] {
  const index = indexOf(disk, folder);
  const model = FileModel.fromText(text, settings.maxFileSize);
  index.setFile(uri, extractFileFacts(uri, pathOf(uri), model), pathOf(uri));
  return runToEnd(diagnosticsPass(model, settings, { ...contextFor(uri), uri, index }, new DiagnosticsCache())).diagnostics;
}

/** Diagnostics as a sorted list of comparable lines: code, range, severity, message. */
export function asSet(diagnostics: Diagnostic[]): string[] {
  return diagnostics
    .map((d) => `${String(d.code)} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.severity} ${d.message}`)
    .sort();
}

/** Reads a file of the repository's fixtures as the disk holds it. */
export function readText(file: string): string {
  return readFileSync(file, 'utf8');
}

/** A small deterministic random number generator (mulberry32), so that every run makes the same edits. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
