/*
 * The document reader on cell documents ("type": "RNNCell" | "LSTMCell" | "GRUCell"): what it
 * accepts (one step, the loop's sequence, hx, the cell's state_dict names) and each problem at
 * its place in PyTorch's words; `rnn-lens shapes --text` of a cell.
 * Layer: test (Node).
 */
import * as assert from 'node:assert/strict';
import { readDocument } from '../../src/document/reader';
import { shapesDocument, shapesText } from '../../src/document/commands';
import type { Diagnostic } from '../../src/document/types';
import { hasRnnModel } from '../../src/extension/documentSelector';
import { cellInputOverride } from '../../src/document/cell';
import { hoverAt, safeTree } from '../../src/extension/hoverContent';

function errors(text: string): Diagnostic[] {
  return readDocument(text).diagnostics.filter((d) => d.severity === 'error');
}

/** The one error of `text`, and the text it points at. */
function oneError(text: string): { message: string; at: string } {
  const e = errors(text);
  assert.equal(e.length, 1, JSON.stringify(e.map((d) => d.message)));
  return { message: e[0].message, at: text.slice(e[0].span.start, e[0].span.end) };
}

describe('cell documents: the reader', () => {
  it('reads an LSTMCell loop as the one-layer seq-first LSTM it computes, and keeps what was written', () => {
    const r = readDocument('{"model": {"type": "LSTMCell", "input_size": 3, "hidden_size": 4}, "seed": 1, "input": {"rand": [5, 2, 3]}, "h0": [[0,0,0,0],[0,0,0,0]]}');
    assert.deepEqual(r.diagnostics, []);
    const d = r.document!;
    assert.deepEqual(d.cell, { type: 'LSTMCell', loop: true, batched: true });
    assert.equal(d.model.type, 'LSTM');
    assert.equal(d.model.numLayers, 1);
    assert.equal(d.model.batchFirst, false);
    assert.equal(d.model.bidirectional, false);
    assert.deepEqual(d.input?.kind === 'rand' && d.input.shape, [5, 2, 3]);
    assert.deepEqual(d.h0?.kind === 'literal' && d.h0.tensor.shape, [1, 2, 4]);
  });

  it('one step: (N, in) and (in) are one call (L = 1); "loop": true makes (L, in) an unbatched sequence', () => {
    const step = readDocument('{"model": {"type": "GRUCell", "input_size": 2, "hidden_size": 3}, "input": [[1, 2], [3, 4]]}').document!;
    assert.deepEqual(step.cell, { type: 'GRUCell', loop: false, batched: true });
    assert.deepEqual(step.input?.kind === 'literal' && step.input.tensor.shape, [1, 2, 2]);
    const one = readDocument('{"model": {"type": "GRUCell", "input_size": 2, "hidden_size": 3}, "input": [1, 2], "h0": [0, 0, 1]}').document!;
    assert.deepEqual(one.cell, { type: 'GRUCell', loop: false, batched: false });
    assert.deepEqual(one.input?.kind === 'literal' && one.input.tensor.shape, [1, 2]);
    assert.deepEqual(one.h0?.kind === 'literal' && one.h0.tensor.shape, [1, 3]);
    const seq = readDocument('{"model": {"type": "GRUCell", "input_size": 2, "hidden_size": 3}, "loop": true, "input": [[1, 2], [3, 4], [5, 6]]}').document!;
    assert.deepEqual(seq.cell, { type: 'GRUCell', loop: true, batched: false });
    assert.deepEqual(seq.input?.kind === 'literal' && seq.input.tensor.shape, [3, 2]);
  });

  it('the cell\'s state_dict names (weight_ih ...), with a prefix; the module\'s names are refused', () => {
    const w = (r: number, c: number) => JSON.stringify(Array.from({ length: r }, () => Array(c).fill(0.5)));
    const ok = readDocument(`{"model": {"type": "RNNCell", "input_size": 2, "hidden_size": 3, "bias": false}, "state_dict": {"cell.weight_ih": ${w(3, 2)}, "cell.weight_hh": ${w(3, 3)}}, "input": [[1, 2]]}`);
    assert.deepEqual(ok.diagnostics.filter((d) => d.severity !== 'info'), []);
    assert.deepEqual(ok.document!.stateDict.map((e) => [e.name, e.writtenKey]), [['weight_ih_l0', 'cell.weight_ih'], ['weight_hh_l0', 'cell.weight_hh']]);
    assert.ok(ok.diagnostics.some((d) => d.message === 'read `cell.weight_ih` as weight_ih'));
    const bad = oneError(`{"model": {"type": "RNNCell", "input_size": 2, "hidden_size": 3}, "seed": 0, "state_dict": {"weight_ih_l0": ${w(3, 2)}}}`);
    assert.equal(bad.at, '"weight_ih_l0"');
    assert.match(bad.message, /^Unexpected key\(s\) in state_dict: "weight_ih_l0"\. nn\.RNNCell names its parameters weight_ih, weight_hh, bias_ih, bias_hh/);
    const size = oneError(`{"model": {"type": "GRUCell", "input_size": 2, "hidden_size": 3}, "seed": 0, "state_dict": {"weight_ih": ${w(3, 2)}}}`);
    assert.equal(size.message, 'size mismatch for weight_ih: copying a param with shape torch.Size([3, 2]) from checkpoint, the shape in current model is torch.Size([9, 2]). weight_ih is (3*hidden_size (gates r, z, n), input_size).');
    const missing = readDocument(`{"model": {"type": "GRUCell", "input_size": 2, "hidden_size": 3}, "state_dict": {"weight_ih": ${w(9, 2)}}}`).diagnostics.find((d) => d.code === 'missing-key');
    assert.match(missing!.message, /^Missing key\(s\) in state_dict: "weight_hh", "bias_ih", "bias_hh"\./);
  });

  it('module-only arguments are errors at their key, in PyTorch\'s words', () => {
    const e = oneError('{"model": {"type": "LSTMCell", "input_size": 2, "hidden_size": 3, "num_layers": 2}}');
    assert.equal(e.at, '"num_layers"');
    assert.match(e.message, /^`num_layers` is not an argument of nn\.LSTMCell: a cell is one layer, one direction and one time step.*__init__\(\) got an unexpected keyword argument 'num_layers'/);
    assert.equal(oneError('{"model": {"type": "GRUCell", "input_size": 2, "hidden_size": 3, "nonlinearity": "relu"}}').at, '"nonlinearity"');
    assert.equal(errors('{"model": {"type": "RNNCell", "input_size": 2, "hidden_size": 3, "nonlinearity": "relu"}}').length, 0);
    assert.match(oneError('{"model": {"type": "nn.LSTMCell", "input_size": 2, "hidden_size": 3}}').message, /Did you mean "LSTMCell"\?/);
  });

  it('inputs PyTorch\'s cell would refuse', () => {
    const three = oneError('{"model": {"type": "LSTMCell", "input_size": 2, "hidden_size": 3}, "loop": false, "input": {"rand": [4, 1, 2]}}');
    assert.match(three.message, /^LSTMCell: Expected input to be 1-D or 2-D but received 3-D tensor\./);
    assert.equal(three.at, '{"rand": [4, 1, 2]}');
    assert.match(oneError('{"model": {"type": "GRUCell", "input_size": 2, "hidden_size": 3}, "input": {"rand": [4, 1, 2, 2]}}').message, /^GRUCell: Expected input to be 1-D or 2-D but received 4-D tensor\./);
    assert.match(oneError('{"model": {"type": "GRUCell", "input_size": 2, "hidden_size": 3}, "loop": true, "input": [1, 2]}').message, /^with "loop": true the input is the sequence the loop walks over/);
    assert.match(oneError('{"model": {"type": "GRUCell", "input_size": 3, "hidden_size": 3}, "input": [[1, 2]]}').message, /^input has inconsistent input_size: got 2 expected 3\./);
  });

  it('hx: rank, hidden_size and batch in PyTorch\'s words, at the state', () => {
    const base = '{"model": {"type": "LSTMCell", "input_size": 2, "hidden_size": 3}, "input": {"rand": [4, 2, 2]}, ';
    const h = oneError(base + '"h0": [[0, 0], [0, 0]]}');
    assert.match(h.message, /^hidden0 has inconsistent hidden_size: got 2, expected 3\./);
    assert.equal(h.at, '[[0, 0], [0, 0]]');
    assert.match(oneError(base + '"c0": [[0, 0, 0], [0, 0, 0], [0, 0, 0]]}').message, /^Input batch size 2 doesn't match hidden1 batch size 3\./);
    assert.match(oneError(base + '"h0": [[[0, 0, 0], [0, 0, 0]]]}').message, /^LSTMCell: for a batched 2-D input, h0 should be 2-D but got 3-D tensor \[1, 2, 3\]/);
    assert.match(oneError('{"model": {"type": "GRUCell", "input_size": 2, "hidden_size": 3}, "c0": [0, 0, 0]}').message, /^`c0` is only for LSTM: nn\.GRUCell has no cell state/);
  });

  it('what a cell document cannot hold yet: train, embedding; "loop" on a module is a warning', () => {
    assert.match(oneError('{"model": {"type": "GRUCell", "input_size": 2, "hidden_size": 3}, "input": [[1, 2]], "train": {"loss": "mse", "target": [[0,0,0]], "optimizer": {"type": "SGD", "lr": 0.1}, "steps": 1}}').message, /^`train` is not read for a cell document \(nn\.GRUCell\) yet/);
    const w = readDocument('{"model": {"type": "GRU", "input_size": 2, "hidden_size": 3}, "loop": true}').diagnostics;
    assert.deepEqual(w.map((d) => [d.severity, d.code]), [['warning', 'not-for-type']]);
  });

  it('rnn-lens shapes --text names the loop, hx and the cell\'s parameters', () => {
    const doc = readDocument('{"model": {"type": "LSTMCell", "input_size": 10, "hidden_size": 20}, "input": {"rand": [5, 3, 10]}}').document!;
    const text = shapesText(doc, shapesDocument(doc));
    assert.match(text, /^nn\.LSTMCell\(10, 20\), for t in range\(L\): h, c = cell\(x\[t\], \(h, c\)\)\n/);
    assert.match(text, /h0 \(hx\[0\]\) +\(3, 20\)/);
    assert.match(text, /output \(stack of h\) +\(5, 3, 20\)/);
    assert.match(text, /weight_ih +\(80, 10\)/);
    assert.doesNotMatch(text, /_l0/);
  });
});

describe('cell documents: a selected array as the input', () => {
  it('must be shaped as the document\'s input; one step gets L = 1 in front', () => {
    const step = { type: 'GRUCell' as const, loop: false, batched: true };
    const x = { shape: [2, 4], data: new Float64Array(8) };
    assert.deepEqual(cellInputOverride(step, x).input?.shape, [1, 2, 4]);
    assert.equal(cellInputOverride(step, { shape: [3, 2, 4], data: new Float64Array(24) }).problem,
      'this nn.GRUCell document takes (N, input_size) as its input: the selected array must have 2 dimensions, got 3');
    const loop = { type: 'LSTMCell' as const, loop: true, batched: true };
    assert.deepEqual(cellInputOverride(loop, { shape: [3, 2, 4], data: new Float64Array(24) }).input?.shape, [3, 2, 4]);
    assert.match(cellInputOverride(loop, x).problem!, /takes \(L, N, input_size\)/);
  });
});

describe('cell documents: the editor\'s pure parts', () => {
  it('a JSON file whose model.type is a cell is an RNN document', () => {
    assert.equal(hasRnnModel('{"model": {"type": "LSTMCell", "input_size": 2, "hidden_size": 3}}'), true);
    assert.equal(hasRnnModel('{"model": {"type": "GRUCell"}}'), true);
    assert.equal(hasRnnModel('{"model": {"type": "Cell"}}'), false);
  });

  it('hover on model: the cell, hx, the loop\'s stack and last h, parameters by the cell\'s names with gate rows', () => {
    const text = '{"model": {"type": "GRUCell", "input_size": 4, "hidden_size": 6}, "input": {"rand": [7, 2, 4]}}';
    const read = readDocument(text);
    const h = hoverAt(text, text.indexOf('"type"'), read, safeTree(text), (s, ...a) => s.replace(/\{(\d+)\}/g, (_, i) => String(a[Number(i)])));
    const md = h!.markdown;
    assert.match(md, /^\*\*`nn\.GRUCell\(4, 6\)`\*\*/);
    assert.match(md, /for t in range\(L\): h = cell\(x\[t\], h\)/);
    assert.match(md, /\| h0 \| `\(2, 6\)` \|/);
    assert.match(md, /\| output \| `\(7, 2, 6\)` \| torch\.stack of h after every step \|/);
    assert.match(md, /\| h \| `\(2, 6\)` \| h after the last step \|/);
    assert.match(md, /\| weight\\_ih \| `\(18, 4\)` \| r `\[0:6\]` · z `\[6:12\]` · n `\[12:18\]` \|/);
    assert.doesNotMatch(md, /_l0|h_n/);
  });

  it('hover on a state_dict key of a cell: the parameter by the cell\'s name, its gate rows and expected shape', () => {
    const w = JSON.stringify(Array.from({ length: 8 }, () => [0.1, 0.2]));
    const text = `{"model": {"type": "LSTMCell", "input_size": 2, "hidden_size": 2}, "seed": 0, "state_dict": {"cell.weight_ih": ${w}}}`;
    const h = hoverAt(text, text.indexOf('weight_ih'), readDocument(text), safeTree(text), (s, ...a) => s.replace(/\{(\d+)\}/g, (_, i) => String(a[Number(i)])));
    assert.match(h!.markdown, /^\*\*weight\\_ih\*\*/);
    assert.match(h!.markdown, /\| f — forget gate \| `\[2:4\]` \|/);
    assert.match(h!.markdown, /Expected shape `\(8, 2\)`, written `\(8, 2\)`: matches\./);
  });
});
