/*
 * Training against real PyTorch: every case in test/golden/train (the shared cases) and
 * test/golden/train-extra (made by scripts/make_train_golden.py). Per step, the loss and the
 * gradient norm within 1e-6 * max(1, |x|); the final parameters within 1e-5 * max(1, |x|);
 * seeded cases: the initial parameters, the input and the target bit for bit (Math.fround).
 * Layer: test (Node). RNN_LENS_GOLDEN_REPORT=1 prints the worst errors per case, also against
 * PyTorch's own float32 run (expected_float32).
 */
import * as assert from 'assert';
import { trainAll } from '../../src/engine/train/index';
import { train, init } from '../../src/api';
import { anyTensor, engineSpecOf, loadTrainCases, scaledError, type TrainGolden } from './helpers/trainGolden';
import { toTensor } from './helpers/golden';

const cases: TrainGolden[] = [...loadTrainCases('train'), ...loadTrainCases('train-extra').map((c) => ({ ...c, name: `extra/${c.name}` }))];
const report = process.env.RNN_LENS_GOLDEN_REPORT === '1';

function flat(v: unknown): number[] {
  return Array.isArray(v) ? (v as unknown[]).flatMap(flat) : [v as number];
}

describe('training vs PyTorch 1.13 (test/golden/train)', () => {
  it('has the shared cases', () => {
    assert.ok(cases.length >= 10, `found ${cases.length} cases`);
  });

  for (const c of cases) {
    describe(c.name, () => {
      it('engine: loss and grad_norm per step (1e-6), final parameters (1e-5), from PyTorch\'s initial values', () => {
        const r = trainAll(engineSpecOf(c));
        assert.strictEqual(r.stopped, undefined);
        assert.strictEqual(r.loss.length, c.expected.loss.length);
        const lossErr = scaledError(r.loss, c.expected.loss);
        const normErr = scaledError(r.gradNorm, c.expected.grad_norm);
        assert.ok(lossErr <= 1e-6, `loss: max scaled error ${lossErr}`);
        assert.ok(normErr <= 1e-6, `grad_norm: max scaled error ${normErr}`);
        let paramErr = 0;
        assert.deepStrictEqual(Object.keys(r.stateDict).sort(), Object.keys(c.expected.state_dict).sort());
        for (const [name, want] of Object.entries(c.expected.state_dict)) {
          const got = r.stateDict[name];
          const e = toTensor(want as never);
          assert.deepStrictEqual(got.shape, e.shape, name);
          paramErr = Math.max(paramErr, scaledError(got.data, e.data));
        }
        assert.ok(paramErr <= 1e-5, `state_dict: max scaled error ${paramErr}`);
        if (report) {
          const f32 = c.expectedFloat32 ? scaledError(r.loss, c.expectedFloat32.loss) : NaN;
          console.log(`      ${c.name}: loss ${lossErr.toExponential(2)} grad_norm ${normErr.toExponential(2)} params ${paramErr.toExponential(2)} | vs PyTorch float32 loss ${f32.toExponential(2)}`);
        }
      });

      it('document: train(doc) gives the same trajectory (seed, reader, draws)', () => {
        const doc = { ...c.raw };
        delete doc.expected;
        delete doc.expected_float32;
        const r = train(doc);
        assert.ok(scaledError(r.loss, c.expected.loss) <= 1e-6, 'loss');
        assert.ok(scaledError(r.grad_norm, c.expected.grad_norm) <= 1e-6, 'grad_norm');
        for (const [name, want] of Object.entries(c.expected.state_dict)) {
          assert.ok(scaledError(flat(r.state_dict[name]), flat(want)) <= 1e-5, name);
        }
      });

      if (c.expected.initial_state_dict) {
        it('seeded: initial parameters, input and target bit for bit', () => {
          const doc = { ...c.raw };
          delete doc.expected;
          delete doc.expected_float32;
          const got = init(doc);
          for (const [name, want] of Object.entries(c.expected.initial_state_dict!)) {
            const g = flat(got.state_dict[name]);
            const w = flat(want);
            assert.strictEqual(g.length, w.length, name);
            for (let i = 0; i < w.length; i++) assert.strictEqual(Math.fround(g[i]), w[i], `${name}[${i}]`);
          }
          if (c.expected.input !== undefined) {
            const g = flat(got.input);
            const w = flat(c.expected.input);
            for (let i = 0; i < w.length; i++) assert.strictEqual(Math.fround(g[i]), w[i], `input[${i}]`);
          }
          if (c.expected.target !== undefined) {
            const t = (got as { target?: unknown }).target;
            assert.ok(t !== undefined, 'init gives the drawn target');
            const g = flat(t);
            const w = flat(c.expected.target);
            for (let i = 0; i < w.length; i++) assert.strictEqual(Math.fround(g[i]), w[i], `target[${i}]`);
          }
          void anyTensor;
        });
      }
    });
  }
});
