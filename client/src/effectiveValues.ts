import { commands, languages, Uri, ViewColumn, window, workspace, type Disposable, type TextDocumentContentProvider } from 'vscode';
import type { RunningClient } from './languageClient';
import { ReadOnlyContents } from './readOnlyContents';

const SCHEME = 'helmrelease-values';

/** Read-only documents holding computed values; they live in memory and are never saved. */
class ValuesDocuments implements TextDocumentContentProvider {
  private readonly contents = new ReadOnlyContents();

  add(title: string, text: string): Uri {
    const uri = Uri.from({ scheme: SCHEME, path: `/${title}`, query: this.contents.nextQuery() });
    this.contents.set(uri.toString(), text);
    return uri;
  }

  provideTextDocumentContent(uri: Uri): string {
    return this.contents.get(uri.toString());
  }
}

/** The command "Flux: Show Effective Values" for the HelmRelease at the cursor. */
export function registerEffectiveValues(client: () => RunningClient | undefined): Disposable[] {
  const documents = new ValuesDocuments();
  return [
    workspace.registerTextDocumentContentProvider(SCHEME, documents),
    // From the palette: the HelmRelease at the cursor; from a CodeLens: the one it stands above.
    commands.registerCommand('helmRelease.showEffectiveValues', async (uri?: string, position?: { line: number; character: number }) => {
      const editor = window.activeTextEditor;
      const running = client();
      if ((!editor && !uri) || !running) {
        void window.showInformationMessage('Open a HelmRelease manifest and place the cursor in it.');
        return;
      }
      const result = await running.effectiveValues({
        uri: uri ?? editor!.document.uri.toString(),
        position: position ?? { line: editor!.selection.active.line, character: editor!.selection.active.character },
      });
      if ('error' in result) {
        void window.showInformationMessage(result.error);
        return;
      }
      const document = await workspace.openTextDocument(documents.add(result.title, result.text));
      await languages.setTextDocumentLanguage(document, 'yaml');
      await window.showTextDocument(document, { viewColumn: ViewColumn.Beside, preview: true });
    }),
  ];
}
