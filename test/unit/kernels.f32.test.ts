/*
 * The float32 option (precision: 'float32', f32x4 WebAssembly kernels) against real PyTorch:
 * every golden case (test/golden/*.json and test/golden/extra/*.json), forward only (output,
 * h_n, c_n, head), at the project's bar 1e-6 * max(1, |expected|). Plus the packed float32
 * product against a textbook loop (exact values), the element-wise float32 math against
 * Math.exp/tanh, and what the option does where it cannot apply.
 * Layer: test (Node).
 */
import * as assert from 'assert';
import { prepareModel } from '../../src/engine/unroll';
import { WasmKernels, wasmAvailable } from '../../src/engine/wasm/backend';
import type { Tensor } from '../../src/engine/types';
import { createModel } from '../../src/api';
import { exactValues } from './helpers/exactValues';
import { loadGoldenCases, maxRelativeError } from './helpers/golden';

const TOLERANCE = 1e-6;
/**
 * Cases whose float32 result cannot meet 1e-6, with the bound they do meet and why. Not a
 * loosening of the float64 tests (engine.golden.test.ts keeps 1e-6 for every case there).
 *  - saturation: RNN tanh with inputs up to |x| = 19.9 and weights up to 2.5, so pre-activations
 *    are sums of terms of size ~50 that cancel to ~0.07; float32 keeps ~50 * 6e-8 = 3e-6 of
 *    absolute rounding in such a sum (measured: 3.7e-6 on output). PyTorch's own float32
 *    forward differs from its float64 one by the same order: this is float32, not a bug.
 */
const FLOAT32_BOUND: Record<string, number> = { saturation: 1e-5 };

const cases = [...loadGoldenCases(), ...loadGoldenCases('extra').map((c) => ({ ...c, name: `extra/${c.name}` }))];

const values = exactValues;

describe('float32 precision (f32x4 WebAssembly kernels)', () => {
  it('runs on this Node (WebAssembly SIMD)', () => {
    assert.ok(wasmAvailable());
  });

  it('gemmF32 equals the triple loop for every block/tail shape, stride and bias', () => {
    const k = WasmKernels.create()!;
    for (const rows of [1, 3, 4, 5, 9, 130]) {
      for (const cols of [1, 3, 4, 5, 7, 8, 9, 15, 16, 17]) {
        for (const depth of [1, 2, 3, 8]) {
          for (const bias of [false, true]) {
            const lda = depth + 2;
            const ldc = cols + 3;
            const A = values(rows * lda, rows * 7 + depth);
            const W = values(cols * depth, cols * 3 + 1);
            const B = bias ? values(cols, cols + 5) : null;
            k.release();
            const pw = k.packWeightsF32(W, cols, depth);
            const pb = k.packBiasF32(B);
            const pa = k.allocF32(rows * lda);
            const pc = k.allocF32(rows * ldc);
            k.heap32.set(A, pa / 4);
            k.heap32.fill(-7, pc / 4, pc / 4 + rows * ldc); // sentinels outside the columns
            k.k.gemmF32(rows, cols, depth, pa, lda, pw, pc, ldc, pb);
            for (let m = 0; m < rows; m++) {
              for (let n = 0; n < ldc; n++) {
                let want = -7;
                if (n < cols) {
                  want = B ? B[n] : 0;
                  for (let d = 0; d < depth; d++) want += A[m * lda + d] * W[n * depth + d];
                }
                assert.strictEqual(k.heap32[pc / 4 + m * ldc + n], want, `rows ${rows} cols ${cols} depth ${depth} bias ${bias} at (${m}, ${n})`);
              }
            }
          }
        }
      }
    }
  });

  it('the float32 cells compute tanh and sigmoid within 4 float32 ulp of Math.tanh / Math.exp', () => {
    const k = WasmKernels.create()!;
    const xs: number[] = [];
    for (let v = -30; v <= 30; v += 0.0137) xs.push(Math.fround(v));
    xs.push(0, 1e-8, -1e-8, 1e-3, -0.6249, 0.6251, 88, -88, 100, -100);
    const H = xs.length;
    const ulp4 = 4 * 2 ** -23; // 4 ulp, relative
    const rel = (got: number, want: number): number => (got === want ? 0 : Math.abs(got - want) / Math.abs(want));
    // RNN (tanh) step with hh = 0: h = tanh(ih).
    const ih = k.allocF32(H);
    const zero = k.allocF32(3 * H);
    const h = k.allocF32(H);
    k.heap32.set(xs, ih / 4);
    k.heap32.fill(0, zero / 4, zero / 4 + 3 * H);
    k.k.rnnStepF32(1, H, 0, ih, zero, h, H);
    let worst = 0;
    for (let i = 0; i < H; i++) worst = Math.max(worst, rel(k.heap32[h / 4 + i], Math.fround(Math.tanh(xs[i]))));
    assert.ok(worst <= ulp4, `tanh: worst relative error ${worst}`);
    // GRU step with x_r = x_n = 0, hh = 0 and hPrev = 1: n = tanh(0) = 0, h = z = sigmoid(x_z).
    const gates = k.allocF32(3 * H);
    const one = k.allocF32(H);
    const out = k.allocF32(H);
    k.heap32.fill(0, gates / 4, gates / 4 + 3 * H);
    k.heap32.set(xs, gates / 4 + H);
    k.heap32.fill(1, one / 4, one / 4 + H);
    k.k.gruStepF32(1, H, gates, zero, one, H, out, H);
    worst = 0;
    for (let i = 0; i < H; i++) {
      const want = Math.fround(1 / (1 + Math.exp(-xs[i])));
      if (want < 1e-37) continue; // below float32's normal range: flushed, not compared
      worst = Math.max(worst, rel(k.heap32[out / 4 + i], want));
    }
    assert.ok(worst <= ulp4, `sigmoid: worst relative error ${worst}`);
  });

  it('falls back to float64 where float32 cannot apply (TypeScript backend); float64 stays the default', () => {
    const c = cases[0];
    assert.strictEqual(prepareModel(c.model, c.head, c.stateDict).precision, 'float64');
    assert.strictEqual(prepareModel(c.model, c.head, c.stateDict, { backend: 'typescript', precision: 'float32' }).precision, 'float64');
    assert.strictEqual(prepareModel(c.model, c.head, c.stateDict, { backend: 'wasm', precision: 'float32' }).precision, 'float32');
  });

  it('covers every golden case: the bound table names only existing cases', () => {
    assert.ok(cases.length >= 39, `only ${cases.length} cases`);
    for (const name of Object.keys(FLOAT32_BOUND)) assert.ok(cases.some((c) => c.name === name), name);
  });

  for (const c of cases) {
    const bound = FLOAT32_BOUND[c.name] ?? TOLERANCE;
    it(`${c.name}: forward in float32 matches PyTorch within ${bound} (output, h_n, c_n, head)`, () => {
      const m = prepareModel(c.model, c.head, c.stateDict, { backend: 'wasm', precision: 'float32' });
      assert.strictEqual(m.precision, 'float32');
      m.forward(c.input, c.h0, c.c0); // twice: buffers reused across calls must not leak state
      const r = m.forward(c.input, c.h0, c.c0);
      const check = (label: string, actual: Tensor | undefined, expected: Tensor | undefined): void => {
        if (!expected) return;
        assert.ok(actual, `${label}: missing`);
        assert.deepStrictEqual(actual.shape, expected.shape, `${label}: shape`);
        const err = maxRelativeError(actual, expected);
        assert.ok(err <= bound, `${label}: max relative error ${err} > ${bound}`);
      };
      check('output', r.output, c.expected.output);
      check('h_n', r.hN, c.expected.hN);
      check('c_n', r.cN, c.expected.cN);
      check('head', r.head, c.expected.head);
    });
  }

  it('saturation really needs its looser bound (so the table stays honest): > 1e-6 in float32', () => {
    const c = cases.find((x) => x.name === 'saturation')!;
    const r = prepareModel(c.model, c.head, c.stateDict, { backend: 'wasm', precision: 'float32' }).forward(c.input, c.h0, c.c0);
    assert.ok(maxRelativeError(r.output, c.expected.output) > TOLERANCE);
  });

  it('createModel(doc, { precision: "float32" }) runs the float32 kernels, within float32 rounding of float64', () => {
    // Through the library entry: the option reaches the engine (float32 results differ from
    // float64 ones, which engine.golden/api tests hold to PyTorch, by float32 rounding only).
    const seeded = { model: { type: 'GRU', input_size: 5, hidden_size: 7 }, seed: 3, input: { rand: [4, 2, 5] } };
    const f64 = createModel(seeded);
    const f32 = createModel(seeded, { precision: 'float32' });
    const x: Tensor = { shape: [4, 2, 5], data: new Float64Array(40).map((_, i) => Math.sin(i)) };
    const a = f64.forwardTensors(x);
    const b = f32.forwardTensors(x);
    const err = maxRelativeError(b.output, a.output);
    assert.ok(err > 0 && err <= TOLERANCE, `float32 vs float64: ${err}`);
  });
});
