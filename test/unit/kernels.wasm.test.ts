/*
 * The WebAssembly kernels (src/engine/wasm) against textbook loops: the packed f64x2 product
 * for every row-block/panel tail, stride, bias and accumulate; each path forced by the
 * backend option; the cells against the TypeScript cells (themselves checked against PyTorch
 * by engine.golden.test.ts). Layer: test (Node).
 */
import * as assert from 'assert';
import { WasmKernels, wasmAvailable } from '../../src/engine/wasm/backend';
import { prepareModel } from '../../src/engine/unroll';
import { lstmStep } from '../../src/engine/cells/lstm';
import { gruStep } from '../../src/engine/cells/gru';
import { exactValues } from './helpers/exactValues';
import { loadGoldenCases } from './helpers/golden';

const values = exactValues;

describe('WebAssembly kernels', () => {
  it('are available on Node 20 (WebAssembly SIMD)', () => {
    assert.ok(wasmAvailable());
  });

  it('gemm equals the triple loop for every block/tail shape, stride, bias and accumulate', () => {
    const k = WasmKernels.create()!;
    for (const rows of [1, 2, 3, 4, 5, 7, 8, 9]) {
      for (const cols of [1, 2, 3, 4, 5, 7, 8, 9, 12, 13]) {
        for (const depth of [1, 3, 8]) {
          for (const bias of [false, true]) {
            for (const accumulate of [false, true]) {
              const lda = depth + 2;
              const ldc = cols + 3;
              const A = values(rows * lda, rows * 7 + depth);
              const W = values(cols * depth, cols * 3 + 1);
              const B = values(cols, cols + 5);
              const C0 = values(rows * ldc, 99);
              k.release();
              const pw = k.packWeights(W, cols, depth);
              const pb = bias ? k.packBias(B) : 0;
              const pa = k.alloc(A.length);
              const pc = k.alloc(C0.length);
              k.heap.set(A, pa / 8);
              k.heap.set(C0, pc / 8);
              k.k.gemm(rows, cols, depth, pa, lda, pw, pc, ldc, pb, accumulate ? 1 : 0);
              const got = k.heap.slice(pc / 8, pc / 8 + C0.length);
              const want = Float64Array.from(C0);
              for (let m = 0; m < rows; m++) {
                for (let n = 0; n < cols; n++) {
                  let s = 0;
                  for (let q = 0; q < depth; q++) s += A[m * lda + q] * W[n * depth + q];
                  if (bias) s += B[n];
                  want[m * ldc + n] = accumulate ? C0[m * ldc + n] + s : s;
                }
              }
              assert.deepStrictEqual(Array.from(got), Array.from(want), `rows=${rows} cols=${cols} depth=${depth} bias=${bias} acc=${accumulate}`);
            }
          }
        }
      }
    }
  });

  it('the LSTM and GRU cells agree with the TypeScript cells to 1e-15', () => {
    const k = WasmKernels.create()!;
    const N = 3;
    const H = 5;
    for (const type of ['LSTM', 'GRU'] as const) {
      const G = (type === 'LSTM' ? 4 : 3) * H;
      const ih = values(N * G, 1).map((v) => v * 3);
      const hh = values(N * G, 2).map((v) => v * 3);
      const prev = values(N * H, 3);
      k.release();
      const [pIh, pHh, pPrev, pC, pH] = [k.alloc(N * G), k.alloc(N * G), k.alloc(N * H), k.alloc(N * H), k.alloc(N * H)];
      k.heap.set(ih, pIh / 8);
      k.heap.set(hh, pHh / 8);
      k.heap.set(prev, pPrev / 8);
      const h = new Float64Array(N * H);
      const c = new Float64Array(N * H);
      if (type === 'LSTM') {
        k.k.lstmStep(N, H, pIh, pHh, pPrev, pC, pH, H);
        lstmStep(N, H, ih, 0, hh, 0, new Float64Array(N * G), 0, prev, 0, c, 0, h, 0, H);
        const gotC = k.heap.slice(pC / 8, pC / 8 + N * H);
        c.forEach((v, i) => assert.ok(Math.abs(v - gotC[i]) <= 1e-15, `c[${i}]`));
      } else {
        k.k.gruStep(N, H, pIh, pHh, pPrev, H, pH, H);
        gruStep(N, H, ih, 0, hh, 0, new Float64Array(N * G), 0, prev, 0, H, h, 0, H);
      }
      const gotH = k.heap.slice(pH / 8, pH / 8 + N * H);
      h.forEach((v, i) => assert.ok(Math.abs(v - gotH[i]) <= 1e-15, `${type} h[${i}]: ${v} vs ${gotH[i]}`));
    }
  });

  it("backend 'typescript' forces the TypeScript path, 'wasm' and 'auto' take WebAssembly here", () => {
    const c = loadGoldenCases().find((g) => g.model.type === 'LSTM')!;
    assert.strictEqual(prepareModel(c.model, c.head, c.stateDict, { backend: 'typescript' }).backend, 'typescript');
    assert.strictEqual(prepareModel(c.model, c.head, c.stateDict, { backend: 'wasm' }).backend, 'wasm');
    assert.strictEqual(prepareModel(c.model, c.head, c.stateDict).backend, 'wasm');
  });

  it('a prepared model runs inputs of growing then shrinking size on one memory', () => {
    const c = loadGoldenCases().find((g) => g.model.type === 'GRU' && g.model.batchFirst === false && g.input.shape.length === 3)!;
    const m = prepareModel(c.model, c.head, c.stateDict, { backend: 'wasm' });
    const ts = prepareModel(c.model, c.head, c.stateDict, { backend: 'typescript' });
    const [L, N, F] = c.input.shape;
    for (const reps of [1, 40, 2]) {
      const data = new Float64Array(L * reps * N * F);
      for (let r = 0; r < reps; r++) data.set(c.input.data, r * L * N * F);
      const input = { shape: [L * reps, N, F], data };
      const a = m.forward(input).output.data;
      const b = ts.forward(input).output.data;
      a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= 1e-12, `reps=${reps} [${i}]`));
    }
  });
});
