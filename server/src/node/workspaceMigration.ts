import type { TextDocumentEdit, WorkspaceEdit } from 'vscode-languageserver-types';
import { FileModel } from '../service/model/fileModel';
import { fileDiagnostics } from '../service/languageService';
import { safeFixes } from '../service/features/codeActions';
import { DiagnosticCodes } from '../service/codes';
import type { Settings } from '../service/settings';

export interface MigrationSource {
  uri: string;
  text: string;
  /** The editor's version of an open document, or null for a file read from disk. */
  version: number | null;
}

/**
 * One workspace edit that migrates every Flux object at an old API version. Each change carries an
 * annotation that needs confirmation, so the editor shows a preview before anything is written.
 */
export function workspaceMigration(sources: MigrationSource[], settings: Settings): { edit: WorkspaceEdit; objects: number } {
  const documentChanges: TextDocumentEdit[] = [];
  let objects = 0;
  for (const source of sources) {
    if (!/apiVersion:\s*['"]?(helm|source|kustomize|notification|image)\.toolkit\.fluxcd\.io\/v\d+beta\d/.test(source.text)) continue;
    const model = FileModel.fromText(source.text, settings.maxFileSize);
    const diagnostics = fileDiagnostics(model, { ...settings, validate: true, severity: {} }).filter(
      (d) => d.code === DiagnosticCodes.apiVersionRemoved || d.code === DiagnosticCodes.apiVersionDeprecated,
    );
    const fixes = safeFixes(model, diagnostics);
    if (fixes.length === 0) continue;
    objects += fixes.length;
    const edits = fixes.flatMap(({ segment, edits: offsetEdits }) =>
      offsetEdits.map((e) => {
        const range = segment.analysis.lines.rangeOf(e.start, e.end);
        return {
          range: { start: { line: range.start.line + segment.startLine, character: range.start.character }, end: { line: range.end.line + segment.startLine, character: range.end.character } },
          newText: e.newText,
          annotationId: 'flux-migration',
        };
      }),
    );
    documentChanges.push({ textDocument: { uri: source.uri, version: source.version }, edits });
  }
  return {
    objects,
    edit: {
      documentChanges,
      changeAnnotations: { 'flux-migration': { label: 'Migrate Flux API versions', needsConfirmation: true, description: 'Rewrites apiVersion and the fields that changed between versions' } },
    },
  };
}
