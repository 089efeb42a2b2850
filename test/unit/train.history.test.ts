/*
 * TrainerOptions.keepHistory: the editor's training worker posts every step as it goes and asks
 * the trainer to keep no per-step history (memory flat over millions of steps). Without the
 * history the steps must be the same steps: each step's loss and the final parameters still
 * follow PyTorch's float64 trajectory (test/golden/train), only result().loss/gradNorm are empty.
 * Layer: test (Node).
 */
import * as assert from 'assert';
import { createTrainer } from '../../src/engine/train/index';
import { engineSpecOf, loadTrainCases, scaledError } from './helpers/trainGolden';

const cases = loadTrainCases('train');

describe('trainer without per-step history (keepHistory: false)', () => {
  it('has cases', () => assert.ok(cases.length >= 3, `found ${cases.length}`));
  for (const c of cases.slice(0, 3)) {
    it(`${c.name}: same losses step by step as PyTorch, same final parameters, empty history`, () => {
      const t = createTrainer(engineSpecOf(c), { keepHistory: false });
      const losses: number[] = [];
      while (t.stepsDone < t.stepsTotal && !t.stopped) losses.push(t.step().loss);
      assert.strictEqual(losses.length, c.expected.loss.length);
      assert.ok(scaledError(losses, c.expected.loss) <= 1e-6, 'loss per step');
      const r = t.result();
      assert.deepStrictEqual([r.loss.length, r.gradNorm.length], [0, 0]);
      for (const [name, want] of Object.entries(c.expected.state_dict)) {
        const flat = (v: unknown): number[] => (Array.isArray(v) ? (v as unknown[]).flatMap(flat) : [v as number]);
        assert.ok(scaledError(Array.from(r.stateDict[name].data), flat(want)) <= 1e-5, name);
      }
    });
  }
  it('keeps the history by default (what rnn-lens train prints)', () => {
    const c = cases[0];
    const t = createTrainer(engineSpecOf(c));
    while (t.stepsDone < t.stepsTotal && !t.stopped) t.step();
    assert.strictEqual(t.result().loss.length, c.expected.loss.length);
  });
});
