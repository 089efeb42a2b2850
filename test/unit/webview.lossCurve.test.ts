// Unit tests of the training curves' scales (src/webview/lossCurve.ts): linear and log axes,
// tick labels, the path (breaks at nan/inf and at values a log axis cannot show), thinning.
import * as assert from 'node:assert/strict';
import { curvePath, niceCeil, stepTicks, stepX, tickLabel, valueAxis } from '../../src/webview/lossCurve';
import { shortNumber } from '../../src/webview/training';

const box = { x: 0, y: 0, width: 100, height: 100 };

describe('loss curve scaling', () => {
  it('rounds up to 1, 2, 5 x 10^k', () => {
    assert.equal(niceCeil(0.168), 0.2);
    assert.equal(niceCeil(3), 5);
    assert.equal(niceCeil(7.5), 10);
    assert.equal(niceCeil(1), 1);
    assert.equal(niceCeil(0.0012), 0.002);
  });

  it('linear axis: 0 to a round number, ticks inside, fraction 0 at the bottom and 1 at the top', () => {
    const a = valueAxis([0.168, 0.0578, 0.0012], false);
    assert.equal(a.log, false);
    assert.equal(a.min, 0);
    assert.equal(a.max, 0.2);
    assert.deepEqual(a.ticks.map((t) => t.label), ['0', '0.05', '0.1', '0.15', '0.2']);
    assert.equal(a.fraction(0), 0);
    assert.equal(a.fraction(0.2), 1);
    assert.equal(a.fraction(0.1), 0.5);
  });

  it('log axis: the powers of ten around the positive values', () => {
    const a = valueAxis([0.168, 0.0012, null, 0], true);
    assert.equal(a.min, 1e-3);
    assert.equal(a.max, 1);
    assert.deepEqual(a.ticks.map((t) => t.label), ['0.001', '0.01', '0.1', '1']);
    assert.equal(a.fraction(0.01), 1 / 3);
    assert.equal(a.fraction(0), undefined, 'zero has no place on a log axis');
    assert.equal(a.fraction(-1), undefined);
  });

  it('log axis over many decades labels every k-th power only', () => {
    const a = valueAxis([1e-12, 1e3], true);
    assert.ok(a.ticks.length <= 7, String(a.ticks.length));
    assert.equal(a.ticks[0].label, '1e-12');
    assert.equal(a.ticks[a.ticks.length - 1].label, a.max >= 1e3 ? tickLabel(a.max) : '');
  });

  it('an empty or non-finite series still gives an axis', () => {
    assert.deepEqual([valueAxis([], false).min, valueAxis([], false).max], [0, 1]);
    assert.deepEqual([valueAxis([null], true).min, valueAxis([null], true).max], [0.1, 1]);
    // inf travels as Number.MAX_VALUE: not a value to scale by
    assert.equal(valueAxis([0.5, Number.MAX_VALUE], false).max, 0.5);
  });

  it('tick labels are short', () => {
    assert.equal(tickLabel(0), '0');
    assert.equal(tickLabel(0.05), '0.05');
    assert.equal(tickLabel(1e-4), '1e-4');
    assert.equal(tickLabel(1e6), '1e+6');
    assert.equal(tickLabel(20000), '20000');
  });

  it('step ticks start at 1 and stay within the run', () => {
    assert.deepEqual(stepTicks(50), [1, 10, 20, 30, 40, 50]);
    assert.deepEqual(stepTicks(1), [1]);
    assert.ok(stepTicks(100000).every((s) => s >= 1 && s <= 100000));
    assert.equal(stepX(0, 50, box), 0);
    assert.equal(stepX(49, 50, box), 100);
  });

  it('the path goes through every point and breaks at nan, inf and values a log axis cannot show', () => {
    const lin = valueAxis([1, 0.5], false);
    assert.equal(curvePath([1, 0.5], 2, lin, box), 'M0.00 0.00L100.00 50.00');
    const d = curvePath([1, null, 0.5, 0.25], 4, lin, box);
    assert.equal((d.match(/M/g) ?? []).length, 2, d);
    const log = valueAxis([1, 0.1], true);
    const e = curvePath([1, 0, 0.1], 3, log, box);
    assert.equal((e.match(/M/g) ?? []).length, 2, e);
    assert.equal(curvePath([Number.MAX_VALUE], 1, lin, box), '');
  });

  it('the counters print 4 significant digits, an exponent when very large or small, PyTorch\'s words for the non-finite', () => {
    assert.equal(shortNumber(0.0012039972160412852, 4), '0.001204');
    assert.equal(shortNumber(5.300172954810972e17, 4), '5.3e+17');
    assert.equal(shortNumber(8.693e-14, 4), '8.693e-14');
    assert.equal(shortNumber(2.5e-5, 4), '2.5e-5');
    assert.equal(shortNumber(123456, 4), '123500');
    assert.equal(shortNumber(0, 4), '0');
    assert.equal(shortNumber(null, 4), 'nan');
    assert.equal(shortNumber(Number.MAX_VALUE, 4), 'inf');
    assert.equal(shortNumber(0.0012039972160412852, 8), '0.0012039972160412852');
    assert.equal(shortNumber(undefined, 4), '–');
  });

  it('a long run is thinned to a few points per column, keeping the extremes', () => {
    const values = Array.from({ length: 100000 }, (_, i) => 1 / (1 + i));
    values[50000] = 5; // a spike
    const axis = valueAxis(values, false);
    const d = curvePath(values, values.length, axis, box);
    const points = (d.match(/[ML]/g) ?? []).length;
    assert.ok(points <= 3 * box.width + 3, `${points} points`);
    assert.ok(d.includes(' 0.00'), 'the spike (the maximum, 5) reaches the top');
  });
});
