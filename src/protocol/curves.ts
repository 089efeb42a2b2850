/*
 * The loss and gradient-norm history of a training run, bounded so that memory stays flat
 * however many steps run: every step is kept while there are few; past CURVE_CAP points the
 * older ones are thinned (the most recent CURVE_RECENT steps always stay one by one). Thinning
 * cuts the older steps into evenly wide windows and keeps, of each window, the points with the
 * lowest and highest loss and the lowest and highest gradient norm (and the first nan), so a spike
 * survives every later thinning and the whole run stays drawn. Step 1 (the initial loss) is always kept.
 * The extension host and the webview apply the same rule to the same stream of steps (the host
 * keeps it for a re-shown panel and the tests, the webview for drawing), so both stay small.
 * Layer: protocol. PURE: imports only ./wire types; no vscode, no DOM, no Node.
 */
import type { WireNumber } from './wire';

/** At most this many points are kept per history. */
export const CURVE_CAP = 4096;
/** The most recent this many steps are always kept one by one. */
export const CURVE_RECENT = 2048;
/** Older points are thinned into at most (CURVE_CAP - CURVE_RECENT) / CURVE_GROUP windows of steps (each keeps at most 6 points: two extremes per curve, a nan per curve). */
export const CURVE_GROUP = 8;

/** Loss and gradient norm per kept step (wire numbers: null is nan). */
export interface StepCurves {
  /**
   * The 0-based step of each kept point, ascending; absent while every step is kept (then
   * point i is step i). The last point is always the last step done.
   */
  steps?: number[];
  loss: WireNumber[];
  gradNorm: WireNumber[];
}

/** How many steps the history covers (the last kept step + 1). */
export function curveStepsDone(c: StepCurves): number {
  if (!c.steps) return c.loss.length;
  return c.steps.length ? c.steps[c.steps.length - 1] + 1 : 0;
}

/** The 0-based step of point `i`. */
export function curveStep(c: StepCurves, i: number): number {
  return c.steps ? c.steps[i] : i;
}

/** The index of the point of step `step` (0-based), or -1 when that step was thinned away. */
export function curveIndexOf(c: StepCurves, step: number): number {
  if (!c.steps) return step >= 0 && step < c.loss.length && Number.isInteger(step) ? step : -1;
  let lo = 0;
  let hi = c.steps.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = c.steps[mid];
    if (s === step) return mid;
    if (s < step) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * Adds the loss and gradient norm of steps from, from + 1, ... (0-based) to `c`, in place.
 * Steps at or after `from` that `c` already holds are replaced; a `from` beyond the steps done
 * (a gap) is ignored and returns false. Thins `c` when it grows past `cap` points.
 */
export function appendCurves(c: StepCurves, from: number, loss: readonly WireNumber[], gradNorm: readonly WireNumber[], cap = CURVE_CAP, recent = CURVE_RECENT): boolean {
  const done = curveStepsDone(c);
  if (!Number.isInteger(from) || from < 0 || from > done || loss.length !== gradNorm.length) return false;
  if (from < done) {
    // a step sent again: drop what is held from `from` on
    let keep = c.loss.length;
    if (c.steps) {
      keep = 0;
      while (keep < c.steps.length && c.steps[keep] < from) keep++;
      c.steps.length = keep;
    } else keep = from;
    c.loss.length = keep;
    c.gradNorm.length = keep;
  }
  for (let i = 0; i < loss.length; i++) {
    c.loss.push(loss[i]);
    c.gradNorm.push(gradNorm[i]);
    c.steps?.push(from + i);
    if (c.loss.length > cap) thinCurves(c, Math.min(recent, Math.floor(cap / 2)), cap);
  }
  return true;
}

/** Lower and upper extremes of a group: index of the lowest and highest finite-or-inf value, and the first nan. */
function extremes(values: readonly WireNumber[], start: number, end: number, into: Set<number>): void {
  let lo = -1;
  let hi = -1;
  let nan = -1;
  for (let i = start; i < end; i++) {
    const v = values[i];
    if (v === null) {
      if (nan < 0) nan = i;
      continue;
    }
    if (lo < 0 || v < (values[lo] as number)) lo = i;
    if (hi < 0 || v > (values[hi] as number)) hi = i;
  }
  for (const i of [lo, hi, nan]) if (i >= 0) into.add(i);
}

/**
 * Thins every point of `c` but the last `recent`: the older points are grouped by step into
 * aligned windows of W steps (W a power of two, the smallest that makes at most
 * (CURVE_CAP - recent) / CURVE_GROUP windows), and each window keeps its extremes of loss and of
 * gradient norm (and the first nan of either). Windows are aligned and an extreme of a window stays
 * its extreme, so thinning again keeps what was kept: the older history stays evenly covered
 * (W doubles as the run grows) instead of the oldest steps being thinned over and over. The first
 * point (step 1) stays. In place.
 */
export function thinCurves(c: StepCurves, recent = CURVE_RECENT, cap = CURVE_CAP): void {
  const n = c.loss.length;
  const old = n - recent;
  if (old <= CURVE_GROUP) return;
  const steps = c.steps ?? Array.from({ length: n }, (_, i) => i);
  const windows = Math.max(1, Math.floor((cap - recent) / CURVE_GROUP));
  const span = steps[old - 1] + 1;
  let width = 1;
  while (Math.ceil(span / width) > windows) width *= 2;
  const keep = new Set<number>([0]);
  for (let start = 0; start < old; ) {
    const window = Math.floor(steps[start] / width);
    let end = start + 1;
    while (end < old && Math.floor(steps[end] / width) === window) end++;
    extremes(c.loss, start, end, keep);
    extremes(c.gradNorm, start, end, keep);
    start = end;
  }
  const kept = [...keep].sort((a, b) => a - b);
  const newSteps: number[] = [];
  const newLoss: WireNumber[] = [];
  const newGrad: WireNumber[] = [];
  for (const i of kept) {
    newSteps.push(steps[i]);
    newLoss.push(c.loss[i]);
    newGrad.push(c.gradNorm[i]);
  }
  for (let i = old; i < n; i++) {
    newSteps.push(steps[i]);
    newLoss.push(c.loss[i]);
    newGrad.push(c.gradNorm[i]);
  }
  c.steps = newSteps;
  c.loss = newLoss;
  c.gradNorm = newGrad;
}
