import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { splitDocuments } from '../../server/src/service/model/split';

const shape = (text: string, first = 0) => splitDocuments(text, first).map((p) => [p.startLine, p.lineCount]);

describe('splitting a file into documents', () => {
  test('one document without a marker is one piece covering every line', () => {
    assert.deepEqual(shape('a: 1\nb: 2\n'), [[0, 2]]);
    assert.deepEqual(shape('a: 1\nb: 2'), [[0, 2]]);
  });

  test('each --- line starts a document, and the pieces give back the text', () => {
    const text = 'a: 1\n---\nb: 2\n--- # second\nc: 3\n';
    assert.deepEqual(shape(text), [[0, 1], [1, 2], [3, 2]]);
    assert.equal(splitDocuments(text).map((p) => p.text).join(''), text);
  });

  test('a leading --- does not create an empty document', () => {
    assert.deepEqual(shape('---\na: 1\n'), [[0, 2]]);
  });

  test('--- inside a line or indented is not a marker', () => {
    assert.deepEqual(shape('a: |\n  ---\n  text\nb: ---x\n----\n'), [[0, 5]]);
  });

  test('CRLF and CR line breaks count as lines like LSP does', () => {
    assert.deepEqual(shape('a: 1\r\n---\r\nb: 2\r\n'), [[0, 1], [1, 2]]);
    assert.deepEqual(shape('a: 1\r---\rb: 2'), [[0, 1], [1, 2]]);
  });

  test('a directive and the --- after it stay together', () => {
    assert.deepEqual(shape('a: 1\n%YAML 1.1\n---\nb: 2\n'), [[0, 1], [1, 3]]);
  });

  test('line numbers start at the given first line', () => {
    assert.deepEqual(shape('x: 1\n---\ny: 2\n', 10), [[10, 1], [11, 2]]);
  });

  test('an empty text is one empty piece', () => {
    assert.deepEqual(shape(''), [[0, 1]]);
  });
});
