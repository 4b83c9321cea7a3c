import { FileModel } from '../server/src/service/model/fileModel';
import { WorkspaceIndex } from '../server/src/service/workspace/workspaceIndex';
import { extractFileFacts } from '../server/src/service/workspace/extract';
import { referenceDiagnostics } from '../server/src/service/workspace/referenceDiagnostics';

/** An index of in-memory files: paths relative to `/ws` (or absolute), text as the value. */
export function workspace(files: Record<string, string>, folders: string[] = ['/ws']): WorkspaceIndex {
  const index = new WorkspaceIndex();
  index.setFolders(folders);
  for (const [relative, text] of Object.entries(files)) {
    const filePath = relative.startsWith('/') ? relative : `/ws/${relative}`;
    const uri = `file://${filePath}`;
    index.setFile(uri, extractFileFacts(uri, filePath, FileModel.fromText(text)), filePath);
  }
  return index;
}

/** `code@line:col` of each reference diagnostic of a file. */
export function referenceCodes(index: WorkspaceIndex, relative: string): string[] {
  return referenceDiagnostics(index, `file:///ws/${relative}`).map((d) => `${String(d.code)}@${d.range.start.line}:${d.range.start.character}`);
}

export function referenceMessages(index: WorkspaceIndex, relative: string): string[] {
  return referenceDiagnostics(index, `file:///ws/${relative}`).map((d) => String(d.message));
}
