/*
 * createModel(doc).forwardTensors: the tensor-level fast path of the library entry (what the
 * benchmark times) gives PyTorch's numbers on golden cases, twice in a row on one model, with
 * the same PyTorch-worded shape errors as forward. Layer: test (Node).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { createModel } from '../../src/api';
import { loadGoldenCases, maxRelativeError, repoRoot } from './helpers/golden';

describe('createModel().forwardTensors', () => {
  const cases = loadGoldenCases();
  for (const name of ['seed_snippet', 'lstm_proj_bi_h0', 'gru_bi_bf_h0', 'head_bi_lstm', 'rnn_2layer_bi']) {
    it(`${name}: PyTorch's numbers as engine Tensors, twice`, () => {
      const c = cases.find((k) => k.name === name);
      assert.ok(c, `golden case ${name}`);
      const doc = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'test', 'golden', `${name}.json`), 'utf8'));
      const m = createModel(doc);
      for (let round = 0; round < 2; round++) {
        const r = m.forwardTensors(c.input, c.h0, c.c0);
        assert.ok(r.output.data instanceof Float64Array);
        assert.deepStrictEqual(r.output.shape, c.expected.output.shape);
        assert.ok(maxRelativeError(r.output, c.expected.output) <= 1e-6, 'output');
        assert.ok(maxRelativeError(r.hN, c.expected.hN) <= 1e-6, 'h_n');
        if (c.expected.cN) assert.ok(maxRelativeError(r.cN!, c.expected.cN) <= 1e-6, 'c_n');
        if (c.expected.head) assert.ok(maxRelativeError(r.head!, c.expected.head) <= 1e-6, 'head');
      }
    });
  }

  it('refuses a wrong input_size with PyTorch\'s words', () => {
    const doc = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'test', 'golden', 'seed_snippet.json'), 'utf8'));
    const m = createModel(doc);
    assert.throws(() => m.forwardTensors({ shape: [3, 5, 11], data: new Float64Array(165) }), /input.size\(-1\) must be equal to input_size. Expected 10, got 11/);
  });
});
