import { promises as fs } from 'fs';
import type { Diagnostic } from 'vscode-languageserver-types';
import { FileModel } from '../service/model/fileModel';
import { pathToFileURL } from 'url';
import { fileDiagnostics, type FileContext } from '../service/languageService';
import { WorkspaceIndex } from '../service/workspace/workspaceIndex';
import { extractFileFacts } from '../service/workspace/extract';
import { safeFixes } from '../service/features/codeActions';
import { repositoryUrls } from '../node/gitRemotes';
import { inPatchFolder, KustomizePatches } from '../node/kustomizePatches';
import { LocalCharts } from '../node/localCharts';
import { LineIndex } from '../service/text/lineIndex';
import type { Settings } from '../service/settings';
import { DiagnosticCodes, DIAGNOSTIC_SOURCE } from '../service/codes';
import { reason } from '../node/files';
import { workspaceSourceLookup } from '../node/substitutionSources';
import { SubstitutionResolver } from '../service/substitution/resolver';

export interface FileResult {
  file: string;
  diagnostics: Diagnostic[];
  /** With --fix: what was changed in the file. */
  fixed?: string[];
}

export interface CheckResult {
  results: FileResult[];
  /** Files that could not be read, with the reason. */
  problems: string[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

/** Decodes a file; invalid UTF-8 is replaced rather than failing, and reported. */
export function decode(bytes: Uint8Array): { text: string; valid: boolean } {
  try {
    return { text: utf8.decode(bytes), valid: true };
  } catch {
    return { text: lenientUtf8.decode(bytes), valid: false };
  }
}

/** The same checks as the editor, on files read from disk. */
/**
 * Checks files. With `workspace` (the CLI was given directories), the files also form a workspace
 * index and get the cross-file checks (references, cycles, duplicates), as in the editor.
 */
export async function checkFiles(
  files: readonly string[],
  settings: Settings,
  fix = false,
  workspace?: { folders: string[]; directories?: { listed: string[]; excluded: string[]; complete: boolean } },
): Promise<CheckResult> {
  const results: FileResult[] = [];
  const problems: string[] = [];
  const patches = new KustomizePatches();
  const models: Array<{ file: string; uri: string; model: FileModel; context: FileContext; fixed?: string[]; valid: boolean }> = [];
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(file);
    } catch (error) {
      problems.push(`${file}: ${reason(error)}`);
      continue;
    }
    const context = { isPatch: patches.isPartial(file) };
    let fixed: string[] | undefined;
    // Fixes rewrite YAML: JSON manifests are checked, never rewritten.
    if (fix && !file.endsWith('.json')) {
      const result = fixText(bytes, settings, context);
      if (result) {
        try {
          await fs.writeFile(file, result.text, 'utf8');
          bytes = Buffer.from(result.text, 'utf8');
          fixed = result.changes;
        } catch (error) {
          problems.push(`${file}: cannot write the fixes: ${reason(error)}`);
        }
      }
    }
    const { text, valid } = decode(bytes);
    models.push({ file, uri: pathToFileURL(file).toString(), model: FileModel.fromText(text, settings.maxFileSize), context, fixed, valid });
  }
  const index = workspace ? new WorkspaceIndex() : undefined;
  const charts = workspace ? new LocalCharts(() => workspace.folders) : undefined;
  if (index && workspace) {
    index.setFolders(workspace.folders);
    for (const { file, uri, model } of models) index.setFile(uri, extractFileFacts(uri, file, model), file);
    // As in the editor: the directories that exist, and the Git remotes that make a GitRepository this repository.
    if (workspace.directories) index.addDirectories(workspace.directories.listed, workspace.directories.excluded, workspace.directories.complete);
    for (const folder of workspace.folders) index.setRepositoryUrls(folder, await repositoryUrls(folder));
  }
  // Post-build substitution: the variables of the Flux Kustomizations (among the files given) that apply each file.
  const substitutions = index ? new SubstitutionResolver({ applying: (uri) => index.applyingKustomizations(uri), lookup: workspaceSourceLookup(index, () => undefined), revisionOf: (name) => index.revisionOf(name) }) : undefined;
  for (const { file, uri, model, context, fixed, valid } of models) {
    const unlistedPatch = index !== undefined && inPatchFolder(file) && !index.isListed(file);
    const diagnostics = modelDiagnostics(model, valid, settings, charts ? { ...context, uri, index, unlistedPatch, charts: (ref) => charts.lookup(ref), substitutions } : context);
    diagnostics.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    results.push({ file, diagnostics, fixed });
  }
  return { results, problems };
}

/**
 * The safe fixes for a file (API migrations and quoting of YAML 1.1 scalars), applied to its text;
 * undefined when there is nothing to fix or the file is not valid UTF-8 (we never rewrite bytes we
 * could not read faithfully).
 */
export function fixText(bytes: Uint8Array, settings: Settings, context: FileContext = {}): { text: string; changes: string[] } | undefined {
  const { text, valid } = decode(bytes);
  if (!valid) return undefined;
  const model = FileModel.fromText(text, settings.maxFileSize);
  const fixes = safeFixes(model, fileDiagnostics(model, { ...settings, severity: {} }, context));
  if (fixes.length === 0) return undefined;
  // Apply from the end of the file backwards so earlier offsets stay valid.
  const lines = new LineIndex(text);
  const absolute = fixes.flatMap(({ segment, edits }) => {
    const base = lines.lineStart(segment.startLine);
    return edits.map((e) => ({ start: base + e.start, end: base + e.end, newText: e.newText }));
  });
  absolute.sort((a, b) => b.start - a.start);
  let result = text;
  let lastStart = Infinity;
  for (const edit of absolute) {
    if (edit.end > lastStart) continue; // overlapping edits: keep the later one only
    result = result.slice(0, edit.start) + edit.newText + result.slice(edit.end);
    lastStart = edit.start;
  }
  const lineOf = (f: (typeof fixes)[number]) => f.segment.startLine + f.segment.analysis.lines.positionAt(f.edits[0]?.start ?? 0).line + 1;
  return { text: result, changes: fixes.map((f) => `line ${lineOf(f)}: ${f.what}`) };
}

export function checkText(bytes: Uint8Array, settings: Settings, context: FileContext = {}): Diagnostic[] {
  const { text, valid } = decode(bytes);
  return modelDiagnostics(FileModel.fromText(text, settings.maxFileSize), valid, settings, context);
}

/** A file's diagnostics as read from disk: its checks, and a warning when its bytes were not valid UTF-8. */
export function modelDiagnostics(model: FileModel, valid: boolean, settings: Settings, context: FileContext): Diagnostic[] {
  const diagnostics = fileDiagnostics(model, settings, context);
  if (!valid && model.segments.some((s) => s.analysis.isFlux)) {
    diagnostics.unshift({
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: 2,
      code: DiagnosticCodes.invalidEncoding,
      source: DIAGNOSTIC_SOURCE,
      message: 'This file is not valid UTF-8; the invalid bytes were read as U+FFFD. Kubernetes requires UTF-8.',
    });
  }
  return diagnostics;
}
