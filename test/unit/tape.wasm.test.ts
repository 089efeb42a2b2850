/*
 * The WebAssembly tape (src/engine/tape.ts: recorded forward, backward through time, traces;
 * the training loop's one prepared model) against real PyTorch: every golden backward case
 * and every golden training trajectory, on each path forced in turn (wasm and the TypeScript
 * fallback), within the same bars as engine.golden / train.golden (1e-6 * max(1, |x|)).
 * Traces on the wasm tape: the top layer's h per step is PyTorch's output, the last step's
 * states PyTorch's h_n / c_n. The opt-in float32 training against PyTorch's own float32 runs
 * (expected_float32): loss within 1e-5 * max(1, |x|) (measured <= 7.4e-7; PyTorch's float32 and
 * float64 runs differ by as much).
 * Layer: test (Node).
 */
import * as assert from 'assert';
import { backward, forward, prepareModel, type Backend } from '../../src/engine/unroll';
import { wasmAvailable } from '../../src/engine/wasm/backend';
import { createTrainer } from '../../src/engine/train/index';
import type { RunSpec, Tensor } from '../../src/engine/types';
import { loadGoldenCases, maxRelativeError, type GoldenCase } from './helpers/golden';
import { engineSpecOf, loadTrainCases, scaledError } from './helpers/trainGolden';
import { toTensor } from './helpers/golden';

const TOLERANCE = 1e-6;
const BACKENDS: Backend[] = ['wasm', 'typescript'];
const cases: GoldenCase[] = [...loadGoldenCases(), ...loadGoldenCases('extra').map((c) => ({ ...c, name: `extra/${c.name}` }))];
const trainCases = [...loadTrainCases('train'), ...loadTrainCases('train-extra').map((c) => ({ ...c, name: `extra/${c.name}` }))];

function specOf(c: GoldenCase): RunSpec {
  return { model: c.model, head: c.head, stateDict: c.stateDict, input: c.input, h0: c.h0, c0: c.c0 };
}

function close(label: string, actual: Tensor | undefined, expected: Tensor): void {
  assert.ok(actual, `${label}: missing`);
  assert.deepStrictEqual(actual.shape, expected.shape, `${label}: shape`);
  const err = maxRelativeError(actual, expected);
  assert.ok(err <= TOLERANCE, `${label}: max relative error ${err} > ${TOLERANCE}`);
}

describe('WebAssembly tape: backward, traces and training vs PyTorch', () => {
  it('has WebAssembly here, and backward cases to check', () => {
    assert.ok(wasmAvailable());
    assert.ok(cases.filter((c) => c.backward).length >= 4);
  });

  it('backward and traces use the wasm backend by default', () => {
    const c = cases.find((x) => x.backward)!;
    assert.strictEqual(prepareModel(c.model, c.head, c.stateDict).backend, 'wasm');
  });

  for (const c of cases) {
    describe(c.name, () => {
      if (c.backward) {
        const bw = c.backward;
        for (const backend of BACKENDS) {
          it(`backward: every gradient and per-step input norms (${backend})`, () => {
            const m = prepareModel(c.model, c.head, c.stateDict, { backend });
            assert.strictEqual(m.backend, backend);
            // Twice on one prepared model: buffers reused across calls must not leak state.
            m.backward(c.input, bw.upstream, c.h0, c.c0);
            const g = m.backward(c.input, bw.upstream, c.h0, c.c0);
            close('grad input', g.input, bw.expected.input);
            if (bw.expected.h0) close('grad h0', g.h0, bw.expected.h0);
            else assert.strictEqual(g.h0, undefined);
            if (bw.expected.c0) close('grad c0', g.c0, bw.expected.c0);
            else assert.strictEqual(g.c0, undefined);
            assert.deepStrictEqual(Object.keys(g.stateDict).sort(), Object.keys(bw.expected.stateDict).sort());
            for (const [name, want] of Object.entries(bw.expected.stateDict)) close(`grad ${name}`, g.stateDict[name], want);
            // Per-step input norms from PyTorch's dL/dx (seq-first or batch-first).
            const exp = bw.expected.input;
            const batched = exp.shape.length === 3;
            const L = batched && c.model.batchFirst ? exp.shape[1] : exp.shape[0];
            const N = batched ? (c.model.batchFirst ? exp.shape[0] : exp.shape[1]) : 1;
            const F = c.model.inputSize;
            for (let t = 0; t < L; t++) {
              let s = 0;
              for (let b = 0; b < N; b++) {
                const off = batched && c.model.batchFirst ? (b * L + t) * F : (t * N + b) * F;
                for (let k = 0; k < F; k++) s += exp.data[off + k] ** 2;
              }
              assert.ok(Math.abs(g.inputGradNorms[t] - Math.sqrt(s)) <= 1e-6 * Math.max(1, Math.sqrt(s)), `t=${t}`);
            }
          });
        }

        it('backward with the upstream as a function of the forward results (the training loop\'s form)', () => {
          const m = prepareModel(c.model, c.head, c.stateDict, { backend: 'wasm' });
          const g = m.backward(c.input, (f) => {
            close('output seen by the loss', f.output, c.expected.output);
            if (c.expected.head) close('head seen by the loss', f.head, c.expected.head);
            return bw.upstream;
          }, c.h0, c.c0);
          for (const [name, want] of Object.entries(bw.expected.stateDict)) close(`grad ${name}`, g.stateDict[name], want);
        });
      }

      it('traced forward on the wasm tape: outputs, and per-step h / c agree with PyTorch', () => {
        const r = forward(specOf(c), { trace: true, backend: 'wasm' });
        close('output', r.output, c.expected.output);
        close('h_n', r.hN, c.expected.hN);
        if (c.expected.cN) close('c_n', r.cN, c.expected.cN);
        if (c.expected.head) close('head', r.head, c.expected.head);
        const trace = r.trace!;
        const top = trace.steps[trace.steps.length - 1];
        const D = c.model.bidirectional ? 2 : 1;
        const Hout = c.model.type === 'LSTM' && c.model.projSize > 0 ? c.model.projSize : c.model.hiddenSize;
        const out = c.expected.output;
        const batched = out.shape.length === 3;
        const L = trace.seqLen;
        const N = trace.batch;
        for (let d = 0; d < D; d++) {
          for (let t = 0; t < L; t++) {
            const h = top[d][t].vectors.h;
            for (let b = 0; b < N; b++) {
              for (let j = 0; j < Hout; j++) {
                const row = !batched ? t : c.model.batchFirst ? b * L + t : t * N + b;
                const want = out.data[row * D * Hout + d * Hout + j];
                assert.ok(Math.abs(h[b * Hout + j] - want) <= TOLERANCE * Math.max(1, Math.abs(want)), `d=${d} t=${t} b=${b} j=${j}`);
              }
            }
          }
        }
        if (c.expected.cN) {
          // The last processed step's c of every layer and direction is PyTorch's c_n.
          const H = c.model.hiddenSize;
          trace.steps.forEach((perLayer, l) => perLayer.forEach((perDir, d) => {
            const last = perDir[d === 0 ? L - 1 : 0].vectors.c;
            const base = (l * D + d) * N * H;
            for (let i = 0; i < N * H; i++) {
              const want = c.expected.cN!.data[base + i];
              assert.ok(Math.abs(last[i] - want) <= TOLERANCE * Math.max(1, Math.abs(want)), `c_n l=${l} d=${d} i=${i}`);
            }
          }));
        }
      });
    });
  }

  for (const c of trainCases) {
    for (const backend of ['wasm', 'typescript'] as const) {
      it(`training ${c.name} (${backend}): loss and grad_norm per step (1e-6), final parameters (1e-5)`, () => {
        const t = createTrainer(engineSpecOf(c), { backend });
        while (t.stepsDone < t.stepsTotal && !t.stopped) t.step();
        const r = t.result();
        assert.strictEqual(r.stopped, undefined);
        assert.ok(scaledError(r.loss, c.expected.loss) <= 1e-6, `loss ${scaledError(r.loss, c.expected.loss)}`);
        assert.ok(scaledError(r.gradNorm, c.expected.grad_norm) <= 1e-6, 'grad_norm');
        for (const [name, want] of Object.entries(c.expected.state_dict)) {
          assert.ok(scaledError(r.stateDict[name].data, toTensor(want as never).data) <= 1e-5, name);
        }
      });
    }
  }

  for (const c of trainCases.filter((x) => x.expectedFloat32)) {
    it(`training ${c.name} in float32 (opt-in): loss within 1e-5 of PyTorch's float32 run, grad_norm within 1e-4 of float64`, () => {
      const t = createTrainer(engineSpecOf(c), { precision: 'float32' });
      while (t.stepsDone < t.stepsTotal && !t.stopped) t.step();
      const r = t.result();
      assert.strictEqual(r.stopped, undefined);
      const e = scaledError(r.loss, c.expectedFloat32!.loss);
      assert.ok(e <= 1e-5, `loss vs PyTorch float32: ${e}`);
      assert.ok(scaledError(r.gradNorm, c.expected.grad_norm) <= 1e-4, `grad_norm vs float64: ${scaledError(r.gradNorm, c.expected.grad_norm)}`);
      // It is float32 arithmetic (not the float64 path under another name): the parameters are float32 values.
      for (const sd of Object.values(r.stateDict)) for (const v of sd.data) assert.strictEqual(v, Math.fround(v));
    });
  }

  it('backward(spec) accepts a backend and still checks upstream shapes in PyTorch words', () => {
    const c = cases.find((x) => x.backward)!;
    const bad = { gradHN: { shape: [7], data: new Float64Array(7) } };
    for (const backend of BACKENDS) {
      assert.throws(() => backward(specOf(c), bad, { backend }), /grad_h_n must have the shape of its tensor/);
    }
  });
});
