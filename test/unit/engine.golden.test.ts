/*
 * The engine against real PyTorch: every case in test/golden/*.json, forward (output, h_n,
 * c_n, head) and, where given, backward (input, h0, c0 and every parameter), within
 * 1e-6 * max(1, |expected|) per element. Plus facts derived by hand from those numbers
 * (trace vectors, gradient norms, PyTorch-worded shape errors).
 * Layer: test (Node). Set RNN_LENS_GOLDEN_REPORT=1 to print the worst error per case.
 */
import * as assert from 'assert';
import { backward, forward, prepareModel, type Backend } from '../../src/engine/unroll';
import { wasmAvailable } from '../../src/engine/wasm/backend';
import { gemmNT } from '../../src/engine/kernels';
import type { RunSpec, Tensor } from '../../src/engine/types';
import { GoldenCase, loadGoldenCases, maxRelativeError } from './helpers/golden';

const TOLERANCE = 1e-6;
const cases = loadGoldenCases();
// More cases of the same format (also run by golden-extra.test.ts); they cost milliseconds.
const extraCases = loadGoldenCases('extra').map((c) => ({ ...c, name: `extra/${c.name}` }));
const worst = new Map<string, number>();
/** Both forward paths: the WebAssembly SIMD kernels and the TypeScript loops. */
const BACKENDS: Backend[] = ['wasm', 'typescript'];

function specOf(c: GoldenCase): RunSpec {
  return { model: c.model, head: c.head, stateDict: c.stateDict, input: c.input, h0: c.h0, c0: c.c0 };
}

function assertClose(label: string, caseName: string, actual: Tensor | undefined, expected: Tensor): void {
  assert.ok(actual, `${label}: missing`);
  assert.deepStrictEqual(actual.shape, expected.shape, `${label}: shape`);
  assert.strictEqual(actual.data.length, expected.data.length, `${label}: length`);
  const err = maxRelativeError(actual, expected);
  worst.set(caseName, Math.max(worst.get(caseName) ?? 0, err));
  assert.ok(err <= TOLERANCE, `${label}: max relative error ${err} > ${TOLERANCE}`);
}

function norm(values: ArrayLike<number>, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += values[i] * values[i];
  return Math.sqrt(s);
}

describe('engine golden cases (PyTorch 1.13.1)', () => {
  it('finds the golden cases', () => {
    assert.ok(cases.length >= 29, `only ${cases.length} cases`);
  });

  it('WebAssembly SIMD is available on this Node (so the wasm cases below test wasm)', () => {
    assert.ok(wasmAvailable());
  });

  for (const c of [...cases, ...extraCases]) {
    describe(c.name, () => {
      for (const backend of BACKENDS) {
        it(`forward matches output, h_n, c_n and head (${backend})`, () => {
          const m = prepareModel(c.model, c.head, c.stateDict, { backend });
          assert.strictEqual(m.backend, backend);
          // Twice on one prepared model: buffers reused across calls must not leak state.
          m.forward(c.input, c.h0, c.c0);
          const r = m.forward(c.input, c.h0, c.c0);
          assertClose('output', c.name, r.output, c.expected.output);
          assertClose('h_n', c.name, r.hN, c.expected.hN);
          if (c.expected.cN) assertClose('c_n', c.name, r.cN, c.expected.cN);
          else assert.strictEqual(r.cN, undefined, 'c_n only for LSTM');
          if (c.expected.head) assertClose('head', c.name, r.head, c.expected.head);
          else assert.strictEqual(r.head, undefined, 'head only when configured');
        });
      }

      if (c.backward) {
        const bw = c.backward;
        it(`backward matches every gradient (${bw.loss})`, () => {
          const g = backward(specOf(c), bw.upstream);
          assertClose('grad input', c.name, g.input, bw.expected.input);
          if (bw.expected.h0) assertClose('grad h0', c.name, g.h0, bw.expected.h0);
          else assert.strictEqual(g.h0, undefined, 'no h0 given, no h0 gradient');
          if (bw.expected.c0) assertClose('grad c0', c.name, g.c0, bw.expected.c0);
          else assert.strictEqual(g.c0, undefined, 'no c0 given, no c0 gradient');
          assert.deepStrictEqual(Object.keys(g.stateDict).sort(), Object.keys(bw.expected.stateDict).sort());
          for (const [name, expected] of Object.entries(bw.expected.stateDict)) {
            assertClose(`grad ${name}`, c.name, g.stateDict[name], expected);
          }
        });

        it('per-step input gradient norms are the norms of dL/dx_t', () => {
          const g = backward(specOf(c), bw.upstream);
          const exp = bw.expected.input;
          const batched = exp.shape.length === 3;
          const L = batched && c.model.batchFirst ? exp.shape[1] : exp.shape[0];
          const N = batched ? (c.model.batchFirst ? exp.shape[0] : exp.shape[1]) : 1;
          const F = c.model.inputSize;
          assert.strictEqual(g.inputGradNorms.length, L);
          for (let t = 0; t < L; t++) {
            let s = 0;
            for (let b = 0; b < N; b++) {
              const off = batched && c.model.batchFirst ? (b * L + t) * F : (t * N + b) * F;
              for (let k = 0; k < F; k++) s += exp.data[off + k] ** 2;
            }
            const want = Math.sqrt(s);
            assert.ok(Math.abs(g.inputGradNorms[t] - want) <= 1e-6 * Math.max(1, want), `t=${t}: ${g.inputGradNorms[t]} vs ${want}`);
          }
        });
      }
    });
  }

  after(() => {
    if (process.env.RNN_LENS_GOLDEN_REPORT) {
      for (const [name, err] of worst) console.log(`${name.padEnd(22)} ${err.toExponential(2)}`);
    }
  });
});

describe('engine facts derived from the golden cases', () => {
  const byName = (name: string): GoldenCase => {
    const c = cases.find((k) => k.name === name);
    if (!c) throw new Error(`golden case ${name} missing`);
    return c;
  };

  it('notes that dropout is ignored at inference', () => {
    const c = byName('lstm_dropout_eval');
    const r = forward(specOf(c));
    assert.deepStrictEqual(r.notes, ['dropout=0.5 is only applied in training; inference ignores it, as model.eval() does']);
    assert.deepStrictEqual(forward(specOf(byName('lstm_basic'))).notes, []);
    // One layer: PyTorch's own UserWarning says the dropout does nothing at all.
    const one = byName('lstm_basic');
    const notes = forward({ ...specOf(one), model: { ...one.model, dropout: 0.2 } }).notes;
    assert.strictEqual(notes.length, 2);
    assert.match(notes[1], /non-zero dropout expects num_layers greater than 1, but got dropout=0.2 and num_layers=1/);
  });

  it('trace h of the top layer equals PyTorch output; LSTM gates obey c = f*c_prev + i*g', () => {
    const c = byName('lstm_bi_2layer_bf'); // batch_first, bidirectional, 2 layers
    const r = forward(specOf(c), { trace: true });
    assert.ok(r.trace);
    const [N, L, DH] = c.expected.output.shape;
    const H = c.model.hiddenSize;
    assert.strictEqual(r.trace.batch, N);
    assert.strictEqual(r.trace.seqLen, L);
    const top = r.trace.steps[c.model.numLayers - 1];
    for (let d = 0; d < 2; d++) {
      for (let t = 0; t < L; t++) {
        const step = top[d][t];
        assert.strictEqual(step.t, t);
        assert.strictEqual(step.direction, d);
        const v = step.vectors;
        for (const key of ['x', 'h_prev', 'c_prev', 'ih', 'hh', 'i', 'f', 'g', 'o', 'c', 'h']) assert.ok(v[key], key);
        for (let b = 0; b < N; b++) {
          for (let j = 0; j < H; j++) {
            const want = c.expected.output.data[(b * L + t) * DH + d * H + j];
            assert.ok(Math.abs(v.h[b * H + j] - want) <= 1e-9, `h d=${d} t=${t}`);
            const k = b * H + j;
            assert.ok(Math.abs(v.c[k] - (v.f[k] * v.c_prev[k] + v.i[k] * v.g[k])) <= 1e-12);
            assert.ok(Math.abs(v.h[k] - v.o[k] * Math.tanh(v.c[k])) <= 1e-12);
            assert.ok(v.i[k] > 0 && v.i[k] < 1 && v.f[k] > 0 && v.f[k] < 1 && v.o[k] > 0 && v.o[k] < 1);
          }
        }
      }
    }
    // The reverse direction starts from zeros at the last time step.
    assert.ok(top[1][L - 1].vectors.h_prev.every((x) => x === 0));
    // Layer 1 reads layer 0's concatenated output (width 2H).
    assert.strictEqual(top[0][0].vectors.x.length, N * 2 * H);
    assert.strictEqual(forward(specOf(c)).trace, undefined, 'no trace unless asked');
  });

  it('trace of a GRU: h = (1 - z) * n + z * h_prev and ih/hh widths are 3H', () => {
    const c = byName('gru_bi_bf_h0');
    const r = forward(specOf(c), { trace: true });
    const H = c.model.hiddenSize;
    for (const dir of r.trace!.steps[0]) {
      for (const s of dir) {
        const v = s.vectors;
        assert.strictEqual(v.ih.length, r.trace!.batch * 3 * H);
        for (let k = 0; k < v.h.length; k++) {
          assert.ok(Math.abs(v.h[k] - ((1 - v.z[k]) * v.n[k] + v.z[k] * v.h_prev[k])) <= 1e-12);
        }
      }
    }
  });

  it('hidden gradient norm at the last step is ||grad_output[-1] + grad_h_n|| (one-layer RNN)', () => {
    const c = byName('rnn_long_vanishing');
    const g = backward(specOf(c), c.backward!.upstream);
    const go = c.backward!.upstream.gradOutput!; // (N=1, L, H) batch_first
    const gh = c.backward!.upstream.gradHN!; // (1, 1, H)
    const L = go.shape[1];
    const H = go.shape[2];
    const v = Array.from({ length: H }, (_, j) => go.data[(L - 1) * H + j] + gh.data[j]);
    assert.ok(Math.abs(g.hiddenGradNorms[0][0][L - 1] - norm(v, 0, H)) <= 1e-12);
    assert.strictEqual(g.hiddenGradNorms[0][0].length, L);
  });

  it('a vanishing gradient: in the long tanh RNN early inputs get far smaller gradients', () => {
    const c = byName('rnn_long_vanishing');
    const exp = c.backward!.expected.input; // (1, 60, 2)
    // Hand-derived from PyTorch's numbers: the first step's gradient is tiny next to the last's.
    const first = norm(exp.data, 0, 2);
    const last = norm(exp.data, exp.data.length - 2, exp.data.length);
    assert.ok(first < last, 'fixture itself shows the effect');
    const g = backward(specOf(c), c.backward!.upstream);
    assert.ok(g.inputGradNorms[0] < g.inputGradNorms[g.inputGradNorms.length - 1]);
  });

  it('prepareModel packs the weights once: later edits of the caller tensors do not leak in', () => {
    const c = byName('gru_basic');
    const sd = Object.fromEntries(Object.entries(c.stateDict).map(([k, t]) => [k, { shape: t.shape, data: Float64Array.from(t.data) }]));
    const m = prepareModel(c.model, c.head, sd);
    sd.weight_ih_l0.data.fill(123);
    const r1 = m.forward(c.input);
    const r2 = m.forward(c.input);
    assertClose('prepared output', 'prepared', r1.output, c.expected.output);
    assert.deepStrictEqual(Array.from(r2.output.data), Array.from(r1.output.data));
  });

  it('unbatched input gives unbatched results (the N axis dropped, as in PyTorch)', () => {
    const c = byName('lstm_unbatched_h0');
    const r = forward(specOf(c));
    assert.strictEqual(c.input.shape.length, 2);
    assert.strictEqual(r.output.shape.length, 2);
    assert.deepStrictEqual(r.hN.shape, [1, c.model.hiddenSize]);
    assert.deepStrictEqual(r.cN!.shape, [1, c.model.hiddenSize]);
  });

  describe('shape errors use PyTorch wording', () => {
    const c = () => byName('rnn_tanh_bf0'); // input (L, N, 3), hidden 5
    it('wrong input_size', () => {
      const k = c();
      const [L, N] = k.input.shape;
      const input = { shape: [L, N, 7], data: new Float64Array(L * N * 7) };
      assert.throws(() => forward({ ...specOf(k), input }), {
        message: 'input.size(-1) must be equal to input_size. Expected 3, got 7',
      });
    });
    it('wrong h0 size', () => {
      const k = c();
      const [, N] = k.input.shape;
      const h0 = { shape: [1, N + 1, 5], data: new Float64Array((N + 1) * 5) };
      assert.throws(() => forward({ ...specOf(k), h0 }), {
        message: `Expected hidden size (1, ${N}, 5), got [1, ${N + 1}, 5]`,
      });
    });
    it('4-D input', () => {
      const k = c();
      const input = { shape: [1, 1, 1, 3], data: new Float64Array(3) };
      assert.throws(() => forward({ ...specOf(k), input }), {
        message: 'RNN: Expected input to be 2-D or 3-D but received 4-D tensor',
      });
    });
    it('missing and mis-shaped parameters', () => {
      const k = c();
      const sd = { ...k.stateDict };
      delete sd.bias_hh_l0;
      sd.weight_hh_l0 = { shape: [5, 4], data: new Float64Array(20) };
      assert.throws(() => forward({ ...specOf(k), stateDict: sd }), (e: Error) => {
        assert.match(e.message, /Missing key\(s\) in state_dict: "bias_hh_l0"/);
        assert.match(e.message, /size mismatch for weight_hh_l0: copying a param with shape torch\.Size\(\[5, 4\]\)/);
        return true;
      });
    });
  });
});

/*
 * Configurations the golden backward cases do not cover (multi-layer bidirectional LSTM with
 * projection, head and batch_first; GRU without bias; relu RNN; unbatched), checked against
 * central finite differences of the forward pass, which the golden cases pin to PyTorch.
 */
describe('engine backward against finite differences of the forward', () => {
  // A small deterministic generator (no Math.random: failures must be reproducible).
  let seed = 12345;
  const next = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32 - 0.5;
  };
  const randTensor = (shape: number[], scale = 1): Tensor => {
    const n = shape.reduce((a, b) => a * b, 1);
    return { shape, data: Float64Array.from({ length: n }, () => Math.fround(next() * 2 * scale)) };
  };

  type Model = RunSpec['model'];
  const model = (m: Partial<Model> & Pick<Model, 'type' | 'inputSize' | 'hiddenSize'>): Model => ({
    numLayers: 1, nonlinearity: 'tanh', bias: true, batchFirst: false, dropout: 0, bidirectional: false, projSize: 0, ...m,
  });

  function build(m: Model, inputShape: number[], opts: { head?: number; h0?: boolean; c0?: boolean }): { spec: RunSpec; up: Parameters<typeof backward>[1] } {
    const D = m.bidirectional ? 2 : 1;
    const Hout = m.projSize || m.hiddenSize;
    const G = (m.type === 'LSTM' ? 4 : m.type === 'GRU' ? 3 : 1) * m.hiddenSize;
    const sd: RunSpec['stateDict'] = {};
    for (let l = 0; l < m.numLayers; l++) {
      for (let d = 0; d < D; d++) {
        const s = `_l${l}${d ? '_reverse' : ''}`;
        sd[`weight_ih${s}`] = randTensor([G, l ? D * Hout : m.inputSize]);
        sd[`weight_hh${s}`] = randTensor([G, Hout]);
        if (m.bias) {
          sd[`bias_ih${s}`] = randTensor([G]);
          sd[`bias_hh${s}`] = randTensor([G]);
        }
        if (m.projSize) sd[`weight_hr${s}`] = randTensor([m.projSize, m.hiddenSize]);
      }
    }
    const head = opts.head ? { type: 'Linear' as const, outFeatures: opts.head, bias: true } : undefined;
    if (head) {
      sd['head.weight'] = randTensor([head.outFeatures, D * Hout]);
      sd['head.bias'] = randTensor([head.outFeatures]);
    }
    const batched = inputShape.length === 3;
    const N = batched ? (m.batchFirst ? inputShape[0] : inputShape[1]) : 1;
    const L = batched && m.batchFirst ? inputShape[1] : inputShape[0];
    const state = (size: number) => (batched ? [D * m.numLayers, N, size] : [D * m.numLayers, size]);
    const spec: RunSpec = {
      model: m,
      head,
      stateDict: sd,
      input: randTensor(inputShape, 2),
      h0: opts.h0 ? randTensor(state(Hout)) : undefined,
      c0: opts.c0 ? randTensor(state(m.hiddenSize)) : undefined,
    };
    const outShape = !batched ? [L, D * Hout] : m.batchFirst ? [N, L, D * Hout] : [L, N, D * Hout];
    const up = {
      gradOutput: randTensor(outShape),
      gradHN: randTensor(state(Hout)),
      gradCN: m.type === 'LSTM' ? randTensor(state(m.hiddenSize)) : undefined,
      gradHead: head ? randTensor(batched ? [N, head.outFeatures] : [head.outFeatures]) : undefined,
    };
    return { spec, up };
  }

  function loss(spec: RunSpec, up: Parameters<typeof backward>[1]): number {
    const r = forward(spec);
    const dot = (a?: Tensor, b?: Tensor) => (a && b ? a.data.reduce((s, v, i) => s + v * b.data[i], 0) : 0);
    return dot(r.output, up.gradOutput) + dot(r.hN, up.gradHN) + dot(r.cN, up.gradCN) + dot(r.head, up.gradHead);
  }

  function check(label: string, spec: RunSpec, up: Parameters<typeof backward>[1]): void {
    const g = backward(spec, up);
    const targets: [string, Tensor, Tensor | undefined][] = [
      ['input', spec.input, g.input],
      ...(spec.h0 ? [['h0', spec.h0, g.h0] as [string, Tensor, Tensor | undefined]] : []),
      ...(spec.c0 ? [['c0', spec.c0, g.c0] as [string, Tensor, Tensor | undefined]] : []),
      ...Object.entries(spec.stateDict).map(([k, t]) => [k, t, g.stateDict[k]] as [string, Tensor, Tensor | undefined]),
    ];
    assert.deepStrictEqual(Object.keys(g.stateDict).sort(), Object.keys(spec.stateDict).sort(), `${label}: parameter names`);
    const eps = 1e-6;
    for (const [name, tensor, grad] of targets) {
      assert.ok(grad, `${label}: no gradient for ${name}`);
      assert.deepStrictEqual(grad.shape, tensor.shape, `${label}: shape of grad ${name}`);
      // A few entries of each tensor, spread over it (first, last, and between).
      const n = tensor.data.length;
      for (const i of new Set([0, n - 1, Math.floor(n / 3), Math.floor((2 * n) / 3)])) {
        const keep = tensor.data[i];
        tensor.data[i] = keep + eps;
        const plus = loss(spec, up);
        tensor.data[i] = keep - eps;
        const minus = loss(spec, up);
        tensor.data[i] = keep;
        const numeric = (plus - minus) / (2 * eps);
        const err = Math.abs(grad.data[i] - numeric) / Math.max(1, Math.abs(numeric));
        assert.ok(err <= 1e-6, `${label}: d/d${name}[${i}] = ${grad.data[i]}, finite difference ${numeric}`);
      }
    }
  }

  it('LSTM, 2 layers, bidirectional, proj_size, batch_first, h0/c0, head', () => {
    const m = model({ type: 'LSTM', inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, projSize: 2, batchFirst: true });
    const { spec, up } = build(m, [2, 5, 3], { head: 3, h0: true, c0: true });
    check('lstm', spec, up);
  });

  it('GRU, 2 layers, bidirectional, no bias, h0', () => {
    const m = model({ type: 'GRU', inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, bias: false });
    const { spec, up } = build(m, [4, 3, 3], { h0: true });
    check('gru', spec, up);
  });

  it('relu RNN, bidirectional, batch_first, head', () => {
    const m = model({ type: 'RNN', inputSize: 2, hiddenSize: 5, nonlinearity: 'relu', bidirectional: true, batchFirst: true });
    const { spec, up } = build(m, [3, 4, 2], { head: 2 });
    check('relu', spec, up);
  });

  it('unbatched LSTM with h0/c0 and head (batch_first does not apply to 2-D input)', () => {
    const m = model({ type: 'LSTM', inputSize: 3, hiddenSize: 3, batchFirst: true });
    const { spec, up } = build(m, [5, 3], { head: 2, h0: true, c0: true });
    check('unbatched', spec, up);
  });
});

describe('engine kernels', () => {
  it('gemmNT equals the textbook triple loop for every block/tail shape, stride, bias and accumulate', () => {
    // Small integers: every product and sum is exact in double, so equality is exact.
    const val = (i: number) => ((i * 7919) % 11) - 5;
    for (let rows = 1; rows <= 9; rows++) {
      for (let cols = 1; cols <= 9; cols++) {
        for (const depth of [1, 3, 8]) {
          for (const withBias of [false, true]) {
            for (const accumulate of [false, true]) {
              const lda = depth + 2, ldc = cols + 3, aOff = 1, wOff = 2, cOff = 4, biasOff = 1;
              const a = Float64Array.from({ length: aOff + rows * lda }, (_, i) => val(i));
              const w = Float64Array.from({ length: wOff + cols * depth }, (_, i) => val(i + 3));
              const bias = withBias ? Float64Array.from({ length: biasOff + cols }, (_, i) => val(i + 5)) : null;
              const c = Float64Array.from({ length: cOff + rows * ldc }, (_, i) => val(i + 9));
              const want = Float64Array.from(c);
              for (let m = 0; m < rows; m++) {
                for (let n = 0; n < cols; n++) {
                  let s = 0;
                  for (let k = 0; k < depth; k++) s += a[aOff + m * lda + k] * w[wOff + n * depth + k];
                  if (bias) s += bias[biasOff + n];
                  want[cOff + m * ldc + n] = accumulate ? want[cOff + m * ldc + n] + s : s;
                }
              }
              gemmNT(rows, cols, depth, a, aOff, lda, w, wOff, c, cOff, ldc, bias, biasOff, accumulate);
              assert.deepStrictEqual(Array.from(c), Array.from(want), `rows=${rows} cols=${cols} depth=${depth} bias=${withBias} acc=${accumulate}`);
            }
          }
        }
      }
    }
  });
});
