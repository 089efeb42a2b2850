/*
 * The library's training precision (src/api.ts): train(doc, {precision}) and
 * createTrainer(doc, {precision}) on the golden training documents. 'float32' follows PyTorch's
 * own float32 run (expected_float32) within 1e-5 on the loss and keeps float32 parameters;
 * the default stays on PyTorch's float64 run; anything else is a clear error.
 * Layer: test (Node). Expected numbers are PyTorch's (golden training cases).
 */
import * as assert from 'node:assert/strict';
import { createTrainer, train } from '../../src/api';
import { loadTrainCases, scaledError } from './helpers/trainGolden';

function flat(v: unknown): number[] {
  return Array.isArray(v) ? (v as unknown[]).flatMap(flat) : [v as number];
}

describe('library training precision (rnn-lens/engine train/createTrainer)', function () {
  this.timeout(60_000);
  const cases = [...loadTrainCases('train'), ...loadTrainCases('train-extra')].filter((c) => c.expectedFloat32);

  it('has golden cases with PyTorch float32 runs', () => assert.ok(cases.length >= 10, String(cases.length)));

  for (const c of cases) {
    it(`train(${c.name}, {precision: 'float32'}): loss within 1e-5 of PyTorch's float32 run, float32 parameters, a note`, () => {
      const steps: number[] = [];
      const r = train(c.raw, { precision: 'float32', onStep: (s) => steps.push(s.loss) });
      assert.equal(r.stopped, undefined);
      const e = scaledError(r.loss, c.expectedFloat32!.loss);
      assert.ok(e <= 1e-5, `loss vs PyTorch float32: ${e}`);
      assert.deepEqual(steps, r.loss);
      for (const [name, v] of Object.entries(r.state_dict)) {
        for (const x of flat(v)) assert.equal(x, Math.fround(x), `${name} holds a value that is not a float32`);
      }
      assert.ok(r.notes.some((n) => n.startsWith('precision float32')), r.notes.join('; '));
    });
  }

  it('the default (and precision float64) stays on PyTorch\'s float64 run, without a precision note', () => {
    const c = cases.find((x) => x.name === 'train_char_lm_en') ?? cases[0];
    for (const options of [undefined, { precision: 'float64' as const }]) {
      const r = train(c.raw, options);
      assert.ok(scaledError(r.loss, c.expected.loss) <= 1e-6, 'loss vs PyTorch float64');
      assert.ok(!r.notes.some((n) => n.startsWith('precision')), r.notes.join('; '));
    }
  });

  it('createTrainer(doc, {precision: \'float32\'}) steps to the same float32 run as train()', () => {
    const c = cases[0];
    const t = createTrainer(c.raw, { precision: 'float32' });
    while (t.stepsDone < t.stepsTotal && !t.stopped) t.step();
    const j = t.json();
    assert.deepEqual(j.loss, train(c.raw, { precision: 'float32' }).loss);
    assert.ok(scaledError(j.loss, c.expectedFloat32!.loss) <= 1e-5);
    assert.ok(j.notes.some((n) => n.startsWith('precision float32')));
  });

  it('a signal stops a float32 run between steps with the steps done', () => {
    const c = cases[0];
    const flag = { aborted: false };
    const r = train(c.raw, { precision: 'float32', signal: flag, onStep: (s) => { if (s.step === 1) flag.aborted = true; } });
    assert.deepEqual(r.stopped, { reason: 'aborted', step: 2 });
    assert.equal(r.loss.length, 2);
  });

  for (const bad of ['float16', 'Float32', 32, null]) {
    it(`precision ${JSON.stringify(bad)} is refused with a message naming the choices`, () => {
      const c = cases[0];
      const options = { precision: bad } as unknown as { precision: 'float32' };
      assert.throws(() => train(c.raw, options), /precision must be 'float64' or 'float32', got /);
      assert.throws(() => createTrainer(c.raw, options), /precision must be 'float64' or 'float32', got /);
    });
  }
});
