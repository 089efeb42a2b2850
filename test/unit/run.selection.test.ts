/*
 * Run Forward on Selection, the pure part: what runs for which selection, how a selected array
 * is read, and PyTorch's own shape messages. Expected values are hand-derived or PyTorch's
 * documented messages, never produced by the code under test.
 * Layer: test (Node).
 */
import * as assert from 'assert';
import type { ModelConfig } from '../../src/engine/types';
import { checkStateShape, decideRun, readNestedArray, type Localize } from '../../src/run/selection';

const t: Localize = (s, ...args) => s.replace(/\{(\d+)\}/g, (_, i) => String(args[Number(i)]));

function read(text: string) {
  return readNestedArray(text, 0, text.length, t);
}

const lstm: ModelConfig = {
  type: 'LSTM', inputSize: 10, hiddenSize: 20, numLayers: 1, nonlinearity: 'tanh', bias: true,
  batchFirst: false, dropout: 0, bidirectional: false, projSize: 0,
};

describe('run/selection: readNestedArray', () => {
  it('reads a 2x2 array row-major, as float32', () => {
    const r = read('[[1, 2], [3, 0.1]]');
    assert.strictEqual(r.kind, 'tensor');
    if (r.kind !== 'tensor') return;
    assert.deepStrictEqual(r.tensor.shape, [2, 2]);
    // torch.tensor(0.1) is float32: 0.10000000149011612 when read back as a double.
    assert.deepStrictEqual(Array.from(r.tensor.data), [1, 2, 3, 0.10000000149011612]);
  });

  it('accepts Python and JSONC list syntax: 1., trailing commas, comments, exponents', () => {
    const r = read(' [[1., -2e-1,], /* x */ [3, 4,],] ');
    assert.strictEqual(r.kind, 'tensor');
    if (r.kind !== 'tensor') return;
    assert.deepStrictEqual(r.tensor.shape, [2, 2]);
    assert.deepStrictEqual(Array.from(r.tensor.data), [1, Math.fround(-0.2), 3, 4]);
  });

  it('refuses a ragged array with torch.tensor\'s message and points at the short row', () => {
    const text = '[[1, 2], [3]]';
    const r = read(text);
    assert.strictEqual(r.kind, 'error');
    if (r.kind !== 'error') return;
    // torch.tensor([[1, 2], [3]]) -> ValueError: expected sequence of length 2 at dim 1 (got 1)
    assert.strictEqual(r.message, 'expected sequence of length 2 at dim 1 (got 1)');
    assert.strictEqual(text.slice(r.span.start, r.span.end), ']');
    assert.strictEqual(r.span.start, 11);
  });

  it('refuses numbers mixed with lists, strings, and an unclosed array', () => {
    assert.strictEqual(read('[[1, 2], 3]').kind, 'error');
    assert.strictEqual(read('[1, "a"]').kind, 'error');
    assert.strictEqual(read('[[1, 2]').kind, 'error');
    assert.strictEqual(read('[1 2]').kind, 'error');
    assert.strictEqual(read('[1, 2] + 3').kind, 'error');
  });

  it('says "not an array" for text that does not start with [', () => {
    assert.strictEqual(read('"model": {}').kind, 'notArray');
    assert.strictEqual(read('x = [1]').kind, 'notArray');
  });

  it('reads 100000 levels of nesting without overflowing the stack', () => {
    const depth = 100_000;
    const r = read('['.repeat(depth) + '7' + ']'.repeat(depth));
    assert.strictEqual(r.kind, 'tensor');
    if (r.kind !== 'tensor') return;
    assert.strictEqual(r.tensor.shape.length, depth);
    assert.deepStrictEqual(Array.from(r.tensor.data), [7]);
  });

  it('stops at the element budget', () => {
    const r = readNestedArray('[1, 2, 3, 4]', 0, 12, t, 3);
    assert.strictEqual(r.kind, 'error');
  });

  it('keeps spans in document offsets when the selection starts mid-text', () => {
    const text = 'x = [[1, 2]]  # data';
    const r = readNestedArray(text, 4, 12, t);
    assert.strictEqual(r.kind, 'tensor');
    if (r.kind !== 'tensor') return;
    assert.deepStrictEqual(r.span, { start: 4, end: 12 });
  });
});

describe('run/selection: decideRun', () => {
  const doc = '{\n  "model": {"type": "RNN", "input_size": 2, "hidden_size": 3},\n  "input": [[[1, 2]]]\n}\n';
  const arrayStart = doc.indexOf('[[[');
  const arrayEnd = doc.indexOf(']]]') + 3;

  it('nothing selected in an RNN document: the whole document', () => {
    assert.deepStrictEqual(decideRun({ text: doc, start: 5, end: 5, languageId: 'json', isRnnDocument: true }, t), { kind: 'document' });
  });

  it('Select All in an RNN document: the whole document', () => {
    assert.deepStrictEqual(decideRun({ text: doc, start: 0, end: doc.length, languageId: 'json', isRnnDocument: true }, t), { kind: 'document' });
  });

  it('a nested array in an RNN document: that document with the array as input', () => {
    const d = decideRun({ text: doc, start: arrayStart, end: arrayEnd, languageId: 'json', isRnnDocument: true }, t);
    assert.strictEqual(d.kind, 'documentWithInput');
    if (d.kind === 'documentWithInput') assert.deepStrictEqual(d.tensor.shape, [1, 1, 2]);
  });

  it('a selection that is not an array in an RNN document: the whole document', () => {
    const start = doc.indexOf('"model"');
    assert.deepStrictEqual(decideRun({ text: doc, start, end: start + 7, languageId: 'json', isRnnDocument: true }, t), { kind: 'document' });
  });

  it('a nested array in Markdown: ask for a model', () => {
    const md = 'Data:\n\n[[0.5, 0.1], [0.2, 0.3]]\n';
    const start = md.indexOf('[');
    const d = decideRun({ text: md, start, end: md.length, languageId: 'markdown', isRnnDocument: false }, t);
    assert.strictEqual(d.kind, 'askModel');
    if (d.kind === 'askModel') {
      assert.deepStrictEqual(d.tensor.shape, [2, 2]);
      assert.deepStrictEqual(d.span, { start, end: md.lastIndexOf(']') + 1 });
    }
  });

  it('no selection, or no array, in another file: nothing', () => {
    assert.deepStrictEqual(decideRun({ text: 'hello', start: 0, end: 0, languageId: 'markdown', isRnnDocument: false }, t), { kind: 'nothing', reason: 'noSelection' });
    assert.deepStrictEqual(decideRun({ text: 'hello', start: 0, end: 5, languageId: 'markdown', isRnnDocument: false }, t), { kind: 'nothing', reason: 'notAnArray' });
  });

  it('a broken array: an error at the right place', () => {
    const md = '[[1, 2], [3]]';
    const d = decideRun({ text: md, start: 0, end: md.length, languageId: 'markdown', isRnnDocument: false }, t);
    assert.strictEqual(d.kind, 'error');
  });
});

describe('run/selection: checkStateShape (PyTorch messages)', () => {
  it('accepts h0 (1, N, 20) for a seq-first batch of N', () => {
    assert.strictEqual(checkStateShape(lstm, [3, 5, 10], [1, 5, 20], 'h0'), undefined);
    assert.strictEqual(checkStateShape(lstm, [3, 5, 10], [1, 5, 20], 'c0'), undefined);
  });

  it('refuses an h0 whose batch differs, as LSTM.check_forward_args words it', () => {
    // batch_first: input (3, 5, 10) is N=3; h0 (1, 5, 20) was written for N=5.
    const bf = { ...lstm, batchFirst: true };
    assert.strictEqual(checkStateShape(bf, [3, 5, 10], [1, 5, 20], 'h0'), 'Expected hidden[0] size (1, 3, 20), got [1, 5, 20]');
    assert.strictEqual(checkStateShape(bf, [3, 5, 10], [1, 5, 20], 'c0'), 'Expected hidden[1] size (1, 3, 20), got [1, 5, 20]');
    assert.strictEqual(checkStateShape({ ...bf, type: 'GRU' }, [3, 5, 10], [1, 5, 20], 'h0'), 'Expected hidden size (1, 3, 20), got [1, 5, 20]');
  });

  it('refuses a 3-D h0 with an unbatched input', () => {
    assert.strictEqual(checkStateShape(lstm, [5, 10], [1, 1, 20], 'h0'), 'For unbatched 2-D input, hx should also be 2-D but got 3-D tensor');
  });
});
