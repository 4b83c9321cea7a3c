import { window, workspace, type TextDocument, type Uri } from 'vscode';
import type { ObjectRef } from '../cluster';
import type { ObjectsOf } from './codeLens';

/** Files read at most when the manifest is neither open nor in the active editor. */
const MAX_FILES = 5000;

/**
 * Where the workspace defines an object: the active editor first, then the open documents, then
 * the workspace's YAML files (only those whose text names the kind and the name are asked to the
 * language server). Run on a user's command only, never per keystroke.
 */
export async function findManifest(ref: ObjectRef, objectsOf: ObjectsOf): Promise<{ uri: Uri; line: number } | undefined> {
  const match = async (document: TextDocument) => {
    const objects = await objectsOf(document);
    const found = objects.find((o) => o.kind === ref.kind && o.name === ref.name && (o.namespace === undefined || o.namespace === ref.namespace));
    return found ? { uri: document.uri, line: found.line } : undefined;
  };
  const active = window.activeTextEditor?.document;
  const open = [...(active ? [active] : []), ...workspace.textDocuments.filter((d) => d !== active && /\.(ya?ml|json)$/.test(d.uri.path))];
  for (const document of open) {
    const found = await match(document);
    if (found) return found;
  }
  const mentions = (text: string) => text.includes(ref.kind) && new RegExp(`name:\\s*["']?${ref.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*$`, 'm').test(text);
  for (const uri of await workspace.findFiles('**/*.{yaml,yml}', '**/{node_modules,.git}/**', MAX_FILES)) {
    if (open.some((d) => d.uri.toString() === uri.toString())) continue;
    const text = Buffer.from(await workspace.fs.readFile(uri)).toString('utf8');
    if (!mentions(text)) continue;
    const found = await match(await workspace.openTextDocument(uri));
    if (found) return found;
  }
  return undefined;
}
