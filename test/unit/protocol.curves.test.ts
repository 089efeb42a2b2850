// Unit tests of the bounded training history (src/protocol/curves.ts) that the extension host
// and the webview both keep: every step while few, then at most CURVE_CAP points however long
// the run, the recent steps one by one, spikes and dips of either curve kept through every
// thinning; the validator accepts the thinned form and refuses a malformed one; the curve path
// places thinned points at their steps.
import * as assert from 'node:assert/strict';
import { appendCurves, CURVE_CAP, CURVE_RECENT, curveIndexOf, curveStep, curveStepsDone, type StepCurves } from '../../src/protocol/curves';
import { isTrainSession } from '../../src/protocol/validate';
import { curvePath, valueAxis } from '../../src/webview/lossCurve';

/** A made-up loss and gradient norm per step (no training: the bookkeeping is what is tested). */
function lossAt(step: number): number {
  return 1 / (1 + step / 100) + 0.01 * (1 + Math.sin(step));
}
function gradAt(step: number): number {
  return 0.5 + 0.1 * Math.cos(step / 7);
}

describe('bounded training history (src/protocol/curves.ts)', () => {
  it('keeps every step, unthinned, while there are at most CURVE_CAP', () => {
    const c: StepCurves = { loss: [], gradNorm: [] };
    for (let from = 0; from < CURVE_CAP; from += 64) {
      const n = Math.min(64, CURVE_CAP - from);
      assert.ok(appendCurves(c, from, Array.from({ length: n }, (_, i) => lossAt(from + i)), Array.from({ length: n }, (_, i) => gradAt(from + i))));
    }
    assert.equal(c.steps, undefined);
    assert.equal(c.loss.length, CURVE_CAP);
    assert.equal(curveStepsDone(c), CURVE_CAP);
    assert.equal(c.loss[1234], lossAt(1234));
    assert.equal(curveIndexOf(c, 1234), 1234);
  });

  it('a million steps stay within CURVE_CAP points; the recent steps one by one; spikes, dips and step 1 kept', () => {
    const c: StepCurves = { loss: [], gradNorm: [] };
    const total = 1_000_000;
    const lossSpike = 123_457; // loss jumps up
    const lossDip = 654_321; // loss drops to its lowest
    const gradSpike = 333_333; // the gradient norm explodes (inf travels as Number.MAX_VALUE)
    const nanAt = 777_777; // a nan gradient norm (a wire null)
    let most = 0;
    let from = 0;
    let chunk = 1;
    while (from < total) {
      const n = Math.min(chunk, total - from);
      const loss: (number | null)[] = [];
      const grad: (number | null)[] = [];
      for (let s = from; s < from + n; s++) {
        loss.push(s === lossSpike ? 50 : s === lossDip ? 1e-9 : lossAt(s));
        grad.push(s === gradSpike ? Number.MAX_VALUE : s === nanAt ? null : gradAt(s));
      }
      assert.ok(appendCurves(c, from, loss, grad));
      most = Math.max(most, c.loss.length);
      from += n;
      chunk = (chunk * 7 + 3) % 997 + 1; // uneven slices, as a worker sends them
    }
    assert.ok(most <= CURVE_CAP, `held ${most} points at most`);
    assert.equal(curveStepsDone(c), total);
    const steps = c.steps!;
    assert.equal(steps.length, c.loss.length);
    assert.equal(c.gradNorm.length, c.loss.length);
    for (let i = 1; i < steps.length; i++) assert.ok(steps[i] > steps[i - 1], `ascending at ${i}`);
    // the whole run stays drawn: no stretch of the old history thinned away (at most 1/100 of the run between kept points)
    let gap = 0;
    for (let i = 1; i < steps.length; i++) gap = Math.max(gap, steps[i] - steps[i - 1]);
    assert.ok(gap < total / 100, `largest gap ${gap} steps`);
    assert.ok(steps.length > CURVE_CAP / 2, `${steps.length} points kept`);
    // the recent steps one by one, with their values
    for (let k = 1; k <= CURVE_RECENT; k++) {
      const i = steps.length - k;
      assert.equal(steps[i], total - k);
      assert.equal(c.loss[i], lossAt(total - k));
    }
    // step 1 (the initial loss), the spikes, the dip and the nan survive every thinning
    assert.equal(steps[0], 0);
    assert.equal(c.loss[0], lossAt(0));
    assert.equal(c.loss[curveIndexOf(c, lossSpike)], 50);
    assert.equal(c.loss[curveIndexOf(c, lossDip)], 1e-9);
    assert.equal(c.gradNorm[curveIndexOf(c, gradSpike)], Number.MAX_VALUE);
    assert.equal(c.gradNorm[curveIndexOf(c, nanAt)], null);
    assert.equal(Math.max(...(c.loss as number[])), 50);
    assert.equal(Math.min(...(c.loss as number[])), 1e-9);
    // every kept point carries its own step's values (nothing shifted)
    for (let i = 0; i < steps.length; i += 97) {
      const s = curveStep(c, i);
      if (s !== lossSpike && s !== lossDip) assert.equal(c.loss[i], lossAt(s), `loss of step ${s}`);
    }
    // the thinned form is what the webview accepts
    assert.ok(isTrainSession({ title: 't', summary: { loss: 'MSELoss', optimizer: 'SGD(lr=0.1)', steps: total }, stepsTotal: total, status: 'running', ...c, shownStep: total }));
  });

  it('a step sent again replaces what is held from it on; a gap is refused', () => {
    const c: StepCurves = { loss: [1, 2, 3], gradNorm: [4, 5, 6] };
    assert.ok(appendCurves(c, 2, [30, 40], [60, 70]));
    assert.deepEqual(c, { loss: [1, 2, 30, 40], gradNorm: [4, 5, 60, 70] });
    assert.equal(appendCurves(c, 6, [1], [1]), false);
    assert.equal(appendCurves(c, 4, [1, 2], [1]), false, 'loss and gradient norm of different lengths');
    assert.equal(curveStepsDone(c), 4);
    // the same on a thinned history
    const t: StepCurves = { steps: [0, 5, 9, 10, 11], loss: [1, 2, 3, 4, 5], gradNorm: [1, 2, 3, 4, 5] };
    assert.ok(appendCurves(t, 10, [40], [41]));
    assert.deepEqual(t, { steps: [0, 5, 9, 10], loss: [1, 2, 3, 40], gradNorm: [1, 2, 3, 41] });
    assert.equal(curveIndexOf(t, 5), 1);
    assert.equal(curveIndexOf(t, 6), -1, 'a thinned-away step');
  });

  it('the validator refuses steps that do not match the points', () => {
    const base = { title: 't', summary: { loss: 'MSELoss', optimizer: 'SGD(lr=0.1)', steps: 100 }, stepsTotal: 100, status: 'paused', shownStep: 3 };
    assert.ok(isTrainSession({ ...base, steps: [0, 7, 8], loss: [1, 2, 3], gradNorm: [1, 2, 3] }));
    assert.equal(isTrainSession({ ...base, steps: [0, 8, 7], loss: [1, 2, 3], gradNorm: [1, 2, 3] }), false, 'not ascending');
    assert.equal(isTrainSession({ ...base, steps: [0, 8], loss: [1, 2, 3], gradNorm: [1, 2, 3] }), false, 'one step short');
    assert.equal(isTrainSession({ ...base, steps: [0, 8, 100], loss: [1, 2, 3], gradNorm: [1, 2, 3] }), false, 'past stepsTotal');
    assert.equal(isTrainSession({ ...base, steps: [0, 1.5, 8], loss: [1, 2, 3], gradNorm: [1, 2, 3] }), false, 'not a step');
    assert.equal(isTrainSession({ ...base, shownStep: 10, steps: [0, 7, 8], loss: [1, 2, 3], gradNorm: [1, 2, 3] }), false, 'shows a step not done');
  });

  it('the curve path puts thinned points at their steps', () => {
    const box = { x: 0, y: 0, width: 100, height: 100 };
    const axis = valueAxis([1, 0.5], false);
    // steps 0, 50 and 100 of a 101-step run: x = 0, 50, 100
    assert.equal(curvePath([1, 0.5, 1], 101, axis, box, [0, 50, 100]), 'M0.00 0.00L50.00 50.00L100.00 0.00');
  });
});
