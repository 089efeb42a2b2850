/*
 * The scales of the training curves (loss and gradient norm per step): a linear axis from 0 to a
 * round number, or a log axis between powers of ten; ticks with short labels; the SVG path of a
 * curve, thinned to at most a few points per pixel column (the minimum and maximum of each
 * column are kept, so a spike never disappears).
 * Layer: webview, but PURE: no DOM, so it is unit-tested on plain Node.
 */

/** A value axis: `fraction(v)` is 0 at the bottom and 1 at the top; undefined for a value it cannot show. */
export interface ValueAxis {
  log: boolean;
  min: number;
  max: number;
  ticks: { value: number; label: string }[];
  fraction(v: number): number | undefined;
}

/** Usable values: finite (wire nulls are nan), and > 0 on a log axis. */
function usable(values: readonly (number | null)[], log: boolean): number[] {
  const out: number[] = [];
  for (const v of values) if (v !== null && Number.isFinite(v) && Math.abs(v) < Number.MAX_VALUE && (!log || v > 0)) out.push(v);
  return out;
}

/** The smallest of 1, 2, 5 × 10^k that is >= x (x > 0). */
export function niceCeil(x: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(x)));
  for (const m of [1, 2, 5, 10]) if (m * p >= x * (1 - 1e-12)) return m * p;
  return 10 * p;
}

/** A short label for a tick value: 0.05, 2, 1e-4, 1e+6. */
export function tickLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e5) return String(Number(v.toPrecision(6)));
  const e = Math.round(Math.log10(a));
  if (Math.abs(a - Math.pow(10, e)) <= 1e-9 * a) return `${v < 0 ? '-' : ''}1e${e < 0 ? '' : '+'}${e}`;
  return v.toExponential(1);
}

/**
 * The axis for `values` (wire numbers: null is nan). Linear: 0 .. a round number above the
 * largest value, 4-5 ticks. Log: the powers of ten around the positive values (at most ~6 tick
 * labels: every k-th power when the range is wide). With no usable value: 0..1 (log: 0.1..1).
 */
export function valueAxis(values: readonly (number | null)[], log: boolean): ValueAxis {
  const vs = usable(values, log);
  if (log) {
    let lo = vs.length ? Math.floor(Math.log10(Math.min(...vs))) : -1;
    let hi = vs.length ? Math.ceil(Math.log10(Math.max(...vs))) : 0;
    if (hi <= lo) hi = lo + 1;
    const every = Math.max(1, Math.ceil((hi - lo) / 6));
    lo = Math.floor(lo / every) * every;
    hi = Math.ceil(hi / every) * every;
    const ticks: ValueAxis['ticks'] = [];
    for (let e = lo; e <= hi; e += every) ticks.push({ value: Math.pow(10, e), label: tickLabel(Math.pow(10, e)) });
    const min = Math.pow(10, lo);
    const max = Math.pow(10, hi);
    return {
      log: true,
      min,
      max,
      ticks,
      fraction: (v) => (v > 0 && Number.isFinite(v) && v < Number.MAX_VALUE ? (Math.log10(v) - lo) / (hi - lo) : undefined),
    };
  }
  const top = vs.length ? Math.max(...vs.map(Math.abs)) : 0;
  const bottom = vs.length ? Math.min(0, ...vs) : 0;
  const max = top > 0 ? niceCeil(top) : 1;
  const min = bottom < 0 ? -niceCeil(-bottom) : 0;
  const step = niceCeil((max - min) / 5);
  const ticks: ValueAxis['ticks'] = [];
  for (let v = Math.ceil(min / step) * step; v <= max * (1 + 1e-9); v += step) ticks.push({ value: v, label: tickLabel(Number(v.toPrecision(12))) });
  return {
    log: false,
    min,
    max,
    ticks,
    fraction: (v) => (Number.isFinite(v) && Math.abs(v) < Number.MAX_VALUE ? (v - min) / (max - min) : undefined),
  };
}

/** Step ticks for the horizontal axis: 1 and a few round step numbers up to `steps`. */
export function stepTicks(steps: number): number[] {
  if (steps <= 1) return [1];
  const step = niceCeil(steps / 5);
  const ticks = [1];
  for (let s = step; s <= steps; s += step) if (s > 1) ticks.push(s);
  return ticks;
}

/** Plot area in SVG user units. */
export interface PlotBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** x of step `i` (0-based) in a plot of `stepsTotal` steps: step 1 at the left edge, the last at the right. */
export function stepX(i: number, stepsTotal: number, box: PlotBox): number {
  return box.x + (stepsTotal <= 1 ? 0 : (i / (stepsTotal - 1)) * box.width);
}

/**
 * The SVG path of a curve (values per step, wire numbers) on `axis`, `stepsTotal` steps wide.
 * `steps` gives the 0-based step of each value when the history was thinned (src/protocol/curves.ts;
 * absent: value i is step i). Values the axis cannot show (nan, inf, <= 0 on a log axis) break
 * the line. At most ~2 points per unit of width: the points of one column keep their first,
 * lowest and highest values, so a spike never disappears.
 */
export function curvePath(values: readonly (number | null)[], stepsTotal: number, axis: ValueAxis, box: PlotBox, steps?: readonly number[]): string {
  const parts: string[] = [];
  let pen = false;
  const stepOf = (i: number) => (steps ? steps[i] : i);
  const y = (f: number) => box.y + box.height * (1 - Math.min(1, Math.max(0, f)));
  const point = (i: number, v: number | null) => {
    const f = v === null ? undefined : axis.fraction(v);
    if (f === undefined) {
      pen = false;
      return;
    }
    parts.push(`${pen ? 'L' : 'M'}${stepX(stepOf(i), stepsTotal, box).toFixed(2)} ${y(f).toFixed(2)}`);
    pen = true;
  };
  const columns = Math.max(1, Math.floor(box.width));
  if (values.length <= 2 * columns) {
    for (let i = 0; i < values.length; i++) point(i, values[i]);
    return parts.join('');
  }
  const columnOf = (i: number) => Math.floor((stepOf(i) / Math.max(1, stepsTotal - 1)) * columns);
  for (let start = 0; start < values.length; ) {
    const column = columnOf(start);
    let end = start + 1;
    while (end < values.length && columnOf(end) === column) end++;
    let lo = -1;
    let hi = -1;
    let broken = false;
    for (let i = start; i < end; i++) {
      const v = values[i];
      const f = v === null ? undefined : axis.fraction(v);
      if (f === undefined) {
        broken = true;
        continue;
      }
      if (lo < 0 || (v as number) < (values[lo] as number)) lo = i;
      if (hi < 0 || (v as number) > (values[hi] as number)) hi = i;
    }
    if (broken) pen = false;
    const keep = [...new Set([start, lo, hi].filter((i) => i >= 0))].sort((a, b) => a - b);
    for (const i of keep) point(i, values[i]);
    start = end;
  }
  return parts.join('');
}
