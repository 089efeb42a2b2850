/*
 * The library entry (src/api.ts -> dist/engine.js): run/grad/init/shapes on plain objects,
 * createModel().forward, and errors that list the reader's diagnostics.
 * Layer: test (Node). Expected numbers are PyTorch's (golden cases).
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createModel, DocumentError, grad, init, readDocument, run, shapes } from '../../src/api';
import { assertClose } from './goldenCompare';

const root = path.resolve(__dirname, '../../..');
const golden = (name: string) => JSON.parse(readFileSync(path.join(root, 'test/golden', `${name}.json`), 'utf8'));

describe('library entry (rnn-lens/engine)', () => {
  for (const name of ['lstm_proj_bi_h0', 'gru_unbatched', 'head_bi_lstm', 'rnn_2layer_bi', 'seed_snippet']) {
    it(`run(${name}) gives PyTorch's numbers`, () => {
      const g = golden(name);
      const r = run(g);
      for (const k of ['output', 'h_n', 'c_n', 'head'] as const) {
        if (g.expected[k] !== undefined) assertClose(r[k], g.expected[k], `${name}.${k}`);
        else assert.equal(r[k], undefined);
      }
    });
  }

  it('grad(bwd_lstm_proj) gives PyTorch\'s gradients', () => {
    const g = golden('bwd_lstm_proj');
    const r = grad(g);
    assertClose(r.input, g.backward.expected.input, 'input');
    for (const [k, v] of Object.entries(g.backward.expected.state_dict)) assertClose(r.state_dict[k], v, k);
  });

  it('init(seeded_lstm_bi) draws torch.manual_seed(seed)\'s parameters and input, bit for bit', () => {
    const g = golden('seeded_lstm_bi');
    const r = init(g);
    for (const [k, v] of Object.entries(g.expected.state_dict)) assert.deepEqual(r.state_dict[k], v, k);
    assert.deepEqual(r.input, g.expected.input);
  });

  it('shapes() needs no input and counts parameters', () => {
    const report = shapes({ model: { type: 'LSTM', input_size: 10, hidden_size: 20 } });
    // 4*20*10 + 4*20*20 + 2*4*20, derived by hand.
    assert.equal(report.paramCount, 800 + 1600 + 160);
  });

  it('createModel(doc).forward runs twice, on nested arrays and on a Tensor, with PyTorch\'s numbers', () => {
    const g = golden('lstm_h0c0');
    const m = createModel(g);
    const first = m.forward();
    for (const k of ['output', 'h_n', 'c_n'] as const) assertClose(first[k], g.expected[k], `first.${k}`);
    const b = golden('gru_bi_bf_h0');
    const gru = createModel(b);
    const a1 = gru.forward(b.input, b.h0);
    const flat = (b.input as number[][][]).flat(2);
    const a2 = gru.forward({ shape: [b.input.length, b.input[0].length, b.input[0][0].length], data: Float64Array.from(flat) }, b.h0);
    for (const r of [a1, a2]) {
      assertClose(r.output, b.expected.output, 'output');
      assertClose(r.h_n, b.expected.h_n, 'h_n');
    }
  });

  it('createModel().forward refuses a wrong input with PyTorch\'s words', () => {
    const g = golden('rnn_tanh_bf0');
    const m = createModel(g);
    assert.throws(() => m.forward([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]]), /input.size\(-1\) must be equal to input_size/);
    assert.throws(() => m.forward([[1], [2, 3]]), /ragged array/);
  });

  it('an invalid document throws an Error listing every diagnostic', () => {
    let caught: unknown;
    try {
      run({ model: { type: 'LSTM', input_size: 2, hidden_size: '4', proj_size: 9 }, input: [[1, 2], [3]] });
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof DocumentError);
    assert.match(caught.message, /^invalid RNN document:/);
    assert.match(caught.message, /`hidden_size` must be a whole number/);
    assert.match(caught.message, /ragged array in `input`: expected sequence of length 2 at dim 1 \(got 1\)/);
    assert.ok(caught.diagnostics.length >= 2);
    assert.throws(() => run({ model: { type: 'RNN', input_size: 1, hidden_size: 1 }, input: [[NaN]] }), /NaN and Infinity become null in JSON/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.throws(() => run(cyclic), /cannot be serialised as JSON/);
  });

  it('re-exports readDocument', () => {
    assert.equal(typeof readDocument, 'function');
    assert.ok(readDocument('{"model": {"type": "GRU", "input_size": 1, "hidden_size": 1}}').document);
  });
});
