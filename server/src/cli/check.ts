import { promises as fs } from 'fs';
import type { Diagnostic } from 'vscode-languageserver-types';
import { FileModel } from '../service/model/fileModel';
import { fileDiagnostics } from '../service/languageService';
import type { Settings } from '../service/settings';
import { DiagnosticCodes, DIAGNOSTIC_SOURCE } from '../service/codes';
import { reason } from './files';

export interface FileResult {
  file: string;
  diagnostics: Diagnostic[];
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
export async function checkFiles(files: readonly string[], settings: Settings): Promise<CheckResult> {
  const results: FileResult[] = [];
  const problems: string[] = [];
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(file);
    } catch (error) {
      problems.push(`${file}: ${reason(error)}`);
      continue;
    }
    results.push({ file, diagnostics: checkText(bytes, settings) });
  }
  return { results, problems };
}

export function checkText(bytes: Uint8Array, settings: Settings): Diagnostic[] {
  const { text, valid } = decode(bytes);
  const model = FileModel.fromText(text, settings.maxFileSize);
  const diagnostics = fileDiagnostics(model, settings);
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
