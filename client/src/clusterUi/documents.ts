import { languages, Uri, ViewColumn, window, workspace, type Disposable, type TextDocumentContentProvider } from 'vscode';
import { ReadOnlyContents } from '../readOnlyContents';

/** Read-only documents for live objects, events and history: in memory, never saved. */
export class ReadOnlyDocuments implements TextDocumentContentProvider, Disposable {
  static readonly scheme = 'flux-live';
  private readonly contents = new ReadOnlyContents();
  private readonly registration: Disposable;

  constructor() {
    this.registration = workspace.registerTextDocumentContentProvider(ReadOnlyDocuments.scheme, this);
  }

  add(title: string, text: string): Uri {
    const uri = Uri.from({ scheme: ReadOnlyDocuments.scheme, path: `/${title}`, query: this.contents.nextQuery() });
    this.contents.set(uri.toString(), text);
    return uri;
  }

  async show(title: string, text: string, language: string): Promise<void> {
    const document = await workspace.openTextDocument(this.add(title, text));
    await languages.setTextDocumentLanguage(document, language);
    await window.showTextDocument(document, { preview: true, viewColumn: ViewColumn.Beside });
  }

  provideTextDocumentContent(uri: Uri): string {
    return this.contents.get(uri.toString());
  }

  dispose(): void {
    this.registration.dispose();
  }
}
