import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { FileModel, type TextEdit } from '../../server/src/service/model/fileModel';
import { fileDiagnostics } from '../../server/src/service/languageService';
import { defaultSettings } from '../../server/src/service/settings';

const release = (name: string) =>
  `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: ${name}\nspec:\n  interval: 5m\n  chart:\n    spec:\n      chart: ${name}\n      sourceRef:\n        kind: HelmRepository\n        name: charts\n`;

function shapeOf(model: FileModel) {
  return model.segments.map((s) => ({ line: s.startLine, lines: s.lineCount, text: s.analysis.text }));
}

/** Applies edits to a document and a model together, the way the server does. */
function edit(doc: TextDocument, model: FileModel, edits: TextEdit[]): TextDocument {
  const next = TextDocument.update(doc, edits.map((e) => (e.range ? { range: e.range, text: e.text } : { text: e.text })), doc.version + 1);
  model.applyEdits(edits, next);
  return next;
}

describe('incremental file model', () => {
  const text = [release('a'), release('b'), release('c'), release('d')].join('---\n');

  test('an edit inside one document re-analyses it and keeps the analysis of distant documents', () => {
    let doc = TextDocument.create('file:///x.yaml', 'yaml', 1, text);
    const model = FileModel.fromText(text);
    const before = model.segments.map((s) => s.analysis);
    // Change `interval: 5m` of the third release to `interval: 10m`.
    const line = model.segments[2]!.startLine + 5;
    doc = edit(doc, model, [{ range: { start: { line, character: 12 }, end: { line, character: 13 } }, text: '10' }]);
    assert.deepEqual(shapeOf(model), shapeOf(FileModel.fromText(doc.getText())));
    const after = model.segments.map((s) => s.analysis);
    assert.equal(after[0], before[0], 'first document re-used');
    assert.notEqual(after[2], before[2], 'edited document re-analysed');
    assert.equal(after[3], before[3], 'neighbour with unchanged text re-used');
  });

  test('inserting and removing --- lines re-splits correctly', () => {
    let doc = TextDocument.create('file:///x.yaml', 'yaml', 1, text);
    const model = FileModel.fromText(text);
    const sep = model.segments[1]!.startLine;
    doc = edit(doc, model, [{ range: { start: { line: sep, character: 0 }, end: { line: sep + 1, character: 0 } }, text: '' }]);
    assert.equal(model.segments.length, 3);
    assert.deepEqual(shapeOf(model), shapeOf(FileModel.fromText(doc.getText())));
    doc = edit(doc, model, [{ range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: '---\n' }]);
    assert.deepEqual(shapeOf(model), shapeOf(FileModel.fromText(doc.getText())));
  });

  test('random edit sequences always give the same model as a fresh parse', () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const snippets = ['---\n', '\n', 'x', '  values:\n    a: 1\n', '--- \n', '', '\r\n', 'kind: GitRepository\n'];
    let doc = TextDocument.create('file:///x.yaml', 'yaml', 1, text);
    const model = FileModel.fromText(text);
    for (let i = 0; i < 400; i++) {
      const count = 1 + random(2);
      const edits: TextEdit[] = [];
      // TextDocument.update mutates its argument: work on a copy to compute the edit sequence.
      let current = TextDocument.create(doc.uri, 'yaml', doc.version, doc.getText());
      for (let j = 0; j < count; j++) {
        const length = current.getText().length;
        const a = random(length + 1);
        const b = Math.min(length, a + random(40));
        const e = { range: { start: current.positionAt(a), end: current.positionAt(b) }, text: snippets[random(snippets.length)]! };
        edits.push(e);
        current = TextDocument.update(current, [e], current.version + 1);
      }
      doc = edit(doc, model, edits);
      const fresh = FileModel.fromText(doc.getText());
      assert.deepEqual(shapeOf(model), shapeOf(fresh), `after edit ${i}`);
      assert.deepEqual(fileDiagnostics(model, defaultSettings), fileDiagnostics(fresh, defaultSettings), `diagnostics after edit ${i}`);
    }
  });

  test('a whole-text replacement re-uses documents whose text did not change', () => {
    const doc = TextDocument.create('file:///x.yaml', 'yaml', 1, text);
    const model = FileModel.fromText(text);
    const first = model.segments[0]!.analysis;
    const replaced = `${text}---\n${release('e')}`;
    model.applyEdits([{ text: replaced }], TextDocument.update(doc, [{ text: replaced }], 2));
    assert.equal(model.segments.length, 5);
    assert.equal(model.segments[0]!.analysis, first);
  });
});
