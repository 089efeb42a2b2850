/*
 * Shapes without tensors against the shapes PyTorch 1.13 returns (test/golden/randn/shapes.json,
 * made by scripts/make_golden.py by running the modules), torch's own error messages, and
 * hand-derived parameter counts and FLOPs.
 * Layer: test (Node). Reads only files inside the repository.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { shapeReport } from '../../src/engine/shapes';
import { toHeadConfig, toModelConfig, repoRoot } from './helpers/golden';

/** test/golden in the repository. */
function goldenDir(): string {
  return path.join(repoRoot(), 'test', 'golden');
}

const reference = JSON.parse(
  fs.readFileSync(path.join(goldenDir(), 'randn', 'shapes.json'), 'utf8'),
) as {
  cases: {
    model: Record<string, unknown>;
    head: Record<string, unknown> | null;
    input: number[];
    output: number[];
    h_n: number[];
    c_n?: number[];
    head_shape?: number[];
  }[];
  errors: { model: Record<string, unknown>; input: number[]; error: string | null }[];
};

describe('shapes: what torch returns', () => {
  for (const c of reference.cases) {
    const model = toModelConfig(c.model);
    it(`${model.type} batch_first=${model.batchFirst} bi=${model.bidirectional} proj=${model.projSize} input [${c.input}]`, () => {
      const r = shapeReport(model, c.head ? toHeadConfig(c.head) : undefined, c.input);
      assert.deepStrictEqual(r.input, c.input);
      assert.deepStrictEqual(r.output, c.output);
      assert.deepStrictEqual(r.hN, c.h_n);
      assert.deepStrictEqual(r.h0, c.h_n, 'h0 has the shape of h_n');
      assert.deepStrictEqual(r.cN, c.c_n);
      assert.deepStrictEqual(r.c0, c.c_n);
      assert.deepStrictEqual(r.head, c.head_shape);
    });
  }

  for (const e of reference.errors) {
    const model = toModelConfig(e.model);
    it(`${model.type} rejects input [${e.input}] with torch's message`, () => {
      assert.ok(e.error, 'torch raised');
      assert.throws(() => shapeReport(model, undefined, e.input), (err: Error) => err.message === e.error);
    });
  }
});

describe('shapes: symbolic, counts and FLOPs (derived by hand)', () => {
  const snippet = toModelConfig({ type: 'RNN', input_size: 10, hidden_size: 20, batch_first: true });
  const fc = { type: 'Linear' as const, outFeatures: 2, bias: true };

  it('uses N and L when no input shape is given, in batch_first order', () => {
    const r = shapeReport(snippet, fc);
    assert.deepStrictEqual(r.input, ['N', 'L', 10]);
    assert.deepStrictEqual(r.output, ['N', 'L', 20]);
    assert.deepStrictEqual(r.hN, [1, 'N', 20]);
    assert.deepStrictEqual(r.head, ['N', 2]);
    assert.strictEqual(r.flopsPerSequence, undefined);
    const seqFirst = shapeReport(toModelConfig({ type: 'LSTM', input_size: 3, hidden_size: 4, num_layers: 2, bidirectional: true }));
    assert.deepStrictEqual(seqFirst.input, ['L', 'N', 3]);
    assert.deepStrictEqual(seqFirst.output, ['L', 'N', 8]);
    assert.deepStrictEqual(seqFirst.cN, [4, 'N', 4]);
  });

  it('counts parameters and float32 bytes: SampleRNN(10, 20, 2) has 20*10+20*20+20+20 + 2*20+2 = 682', () => {
    const r = shapeReport(snippet, fc, [3, 5, 10]);
    assert.strictEqual(r.paramCount, 682);
    assert.strictEqual(r.weightBytes, 682 * 4);
  });

  it('FLOPs: 2 per multiply-add of W_ih x and W_hh h, times N; sequence = step * L; head apart', () => {
    const r = shapeReport(snippet, fc, [3, 5, 10]);
    assert.strictEqual(r.flopsPerStep, 2 * 20 * (10 + 20) * 3);
    assert.strictEqual(r.flopsPerSequence, 2 * 20 * (10 + 20) * 3 * 5);
    assert.strictEqual(r.headFlops, 2 * 2 * 20 * 3);
    // LSTM, 2 layers, bidirectional, proj 2: layer 0 in=3, layer 1 in=2*2=4; G=4, H=5.
    const lstm = toModelConfig({ type: 'LSTM', input_size: 3, hidden_size: 5, num_layers: 2, bidirectional: true, proj_size: 2 });
    const perSample = 2 * (2 * 4 * 5 * (3 + 2) + 2 * 2 * 5) + 2 * (2 * 4 * 5 * (4 + 2) + 2 * 2 * 5);
    assert.strictEqual(shapeReport(lstm).flopsPerStep, perSample, 'per sample when N is symbolic');
    assert.strictEqual(shapeReport(lstm, undefined, [7, 3]).flopsPerStep, perSample, 'unbatched counts one sample');
    assert.strictEqual(shapeReport(lstm, undefined, [7, 3]).flopsPerSequence, perSample * 7);
    const gru = toModelConfig({ type: 'GRU', input_size: 3, hidden_size: 4 });
    assert.strictEqual(shapeReport(gru, undefined, [2, 6, 3]).flopsPerStep, 2 * 3 * 4 * (3 + 4) * 6);
  });

  it('lists the parameters in registration order', () => {
    const r = shapeReport(snippet, fc);
    assert.deepStrictEqual(r.params.map((p) => p.name), ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'head.weight', 'head.bias']);
  });
});
