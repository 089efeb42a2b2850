/*
 * Vectors as compact heatmaps: a diverging scale (negative blue, positive orange, zero
 * transparent so it is neutral on every theme). Values that are not finite in PyTorch's float32
 * (src/protocol/wire.ts: null is nan, |v| beyond float32's range is inf) are never drawn on the
 * scale: they are magenta with a mark, an X for nan, a /// hatch for inf and a \\\ hatch for
 * -inf, and the scales ignore them (one inf must not wash out the rest). Narrow vectors become
 * SVG cells; wide ones are downsampled (the most extreme value of each bin wins, so spikes stay
 * visible; a non-finite value wins over any number) or drawn on <canvas>.
 * Layer: webview (DOM only).
 */
import type { Vec } from './data';
import { formatNumber } from './format';
import { h, s } from './dom';
import { wireKind, type NonFiniteKind } from '../protocol/wire';

export const POSITIVE = '#e8743b';
export const NEGATIVE = '#3a84d8';
export const NONFINITE = '#d01fd0';

/** Fill colour and opacity of a value on the scale [-scale, scale]; non-finite ones are NONFINITE. */
export function colorOf(v: number | null, scale: number): { fill: string; opacity: number; kind?: NonFiniteKind } {
  const kind = wireKind(v);
  if (kind) return { fill: NONFINITE, opacity: 1, kind };
  const x = v as number;
  const m = scale > 0 ? Math.min(1, Math.abs(x) / scale) : 0;
  // sqrt keeps small values visible without drowning the large ones
  return { fill: x < 0 ? NEGATIVE : POSITIVE, opacity: Math.round(Math.sqrt(m) * 1000) / 1000 };
}

/** Largest |v| of some vectors over the values finite in float32 (0 when none): inf and nan are left out. */
export function maxAbs(...vs: (Vec | undefined)[]): number {
  let m = 0;
  for (const v of vs) if (v) for (const x of v) if (wireKind(x) === undefined && Math.abs(x as number) > m) m = Math.abs(x as number);
  return m;
}

/** Rank of a value in a downsampling bin: nan over inf over -inf over any finite number. */
function nonFiniteRank(kind: NonFiniteKind | undefined): number {
  return kind === 'nan' ? 3 : kind === 'inf' ? 2 : kind === '-inf' ? 1 : 0;
}

/**
 * Downsamples to at most `cells` bins; each bin keeps its most extreme value. A non-finite
 * value wins (nan, then inf, then -inf), kept as it came so its kind survives.
 */
export function downsample(v: Vec, cells: number): { values: Vec; binSize: number } {
  if (v.length <= cells) return { values: v, binSize: 1 };
  const binSize = Math.ceil(v.length / cells);
  const out: Vec = [];
  for (let i = 0; i < v.length; i += binSize) {
    let best: number | null = 0;
    let bestAbs = -1;
    let bestRank = 0;
    for (let j = i; j < Math.min(v.length, i + binSize); j++) {
      const x = v[j];
      const rank = nonFiniteRank(wireKind(x));
      if (rank > 0 || bestRank > 0) {
        if (rank > bestRank) {
          bestRank = rank;
          best = x;
        }
        continue;
      }
      if (Math.abs(x as number) > bestAbs) {
        bestAbs = Math.abs(x as number);
        best = x;
      }
    }
    out.push(best);
  }
  return { values: out, binSize };
}

/** The mark drawn over a non-finite cell at (x, y), w by h: X for nan, /// for inf, \\\ for -inf. */
export function nonFiniteMarkPath(kind: NonFiniteKind, x: number, y: number, w: number, hgt: number): string {
  if (kind === 'nan') return `M${x},${y}l${w},${hgt}m${-w},0l${w},${-hgt}`;
  const r = (n: number) => Math.round(n * 100) / 100;
  // three parallel strokes: the diagonal and one on each side of it
  const lines: [number, number, number, number][] =
    kind === 'inf'
      ? [[0, 1, 1, 0], [0, 0.5, 0.5, 0], [0.5, 1, 1, 0.5]]
      : [[0, 0, 1, 1], [0.5, 0, 1, 0.5], [0, 0.5, 0.5, 1]];
  return lines.map(([a, b, c, d]) => `M${r(x + a * w)},${r(y + b * hgt)}L${r(x + c * w)},${r(y + d * hgt)}`).join('');
}

/** How many values of a vector are nan, inf and -inf in PyTorch's float32. */
export interface NonFiniteCounts {
  nan: number;
  inf: number;
  '-inf': number;
  /** All values of the vector. */
  total: number;
}

/** Counts the non-finite values of some vectors; undefined when every value is finite. */
export function countNonFinite(v: Vec | undefined): NonFiniteCounts | undefined {
  if (!v) return undefined;
  const c: NonFiniteCounts = { nan: 0, inf: 0, '-inf': 0, total: v.length };
  for (const x of v) {
    const k = wireKind(x);
    if (k) c[k]++;
  }
  return c.nan + c.inf + c['-inf'] > 0 ? c : undefined;
}

/** The strings the non-finite texts need (localised by the host). */
export type Str = (key: string, ...args: (string | number)[]) => string;

/**
 * Words for a vector's non-finite values, for titles and aria-labels, e.g.
 * "holds inf (2 of 4 values). inf: beyond float32's range (about ±3.4e38), where PyTorch stores inf.";
 * undefined when every value is finite.
 */
export function nonFiniteText(v: Vec | undefined, str: Str): string | undefined {
  const c = countNonFinite(v);
  if (!c) return undefined;
  const kinds = (['inf', '-inf', 'nan'] as const).filter((k) => c[k] > 0);
  const count = c.nan + c.inf + c['-inf'];
  const parts = [str('holdsNonFinite', kinds.join(', '), count, c.total)];
  if (c.inf || c['-inf']) parts.push(str('infMeaning'));
  if (c.nan) parts.push(str('nanMeaning'));
  return parts.join(' ');
}

/** SVG cells for a vector inside a box (used inside diagram nodes). */
export function svgStrip(v: Vec, x: number, y: number, w: number, hgt: number, scale: number, maxCells: number): SVGGElement {
  const g = s('g', { class: 'strip', 'aria-hidden': 'true' });
  const { values } = downsample(v, maxCells);
  const cw = w / Math.max(1, values.length);
  g.appendChild(s('rect', { x, y, width: w, height: hgt, class: 'strip-bg' }));
  values.forEach((val, i) => {
    const c = colorOf(val, scale);
    if (c.opacity <= 0) return;
    g.appendChild(s('rect', { x: x + i * cw, y, width: Math.max(0.5, cw), height: hgt, fill: c.fill, 'fill-opacity': c.opacity, ...(c.kind ? { class: `nonfinite ${c.kind === '-inf' ? 'neg-inf' : c.kind}` } : {}) }));
    if (c.kind) g.appendChild(s('path', { d: nonFiniteMarkPath(c.kind, x + i * cw, y, Math.max(0.5, cw), hgt), class: 'nonfinite-mark' }));
  });
  return g;
}

/**
 * A canvas heatmap of a whole vector with an exact-value readout on hover: one cell per value
 * (wrapping into rows for wide vectors), so 1,024 values cost one canvas, not 1,024 nodes.
 */
export function canvasHeatmap(v: Vec, scale: number, label: string, onRead: (text: string) => void, str?: Str): HTMLCanvasElement {
  const perRow = v.length <= 64 ? v.length : 64;
  const rows = Math.ceil(v.length / Math.max(1, perRow));
  const cell = v.length <= 32 ? 12 : 7;
  const nf = str ? nonFiniteText(v, str) : undefined;
  const canvas = h('canvas', {
    class: `heat-canvas${nf ? ' has-nonfinite' : ''}`,
    width: Math.max(1, perRow * cell),
    height: Math.max(1, rows * cell),
    role: 'img',
    'aria-label': nf ? `${label}: ${nf}` : label,
    title: nf ? `${label}: ${nf}` : undefined,
  });
  const ctx = canvas.getContext('2d');
  if (ctx) {
    v.forEach((val, i) => {
      const cx = (i % perRow) * cell;
      const cy = Math.floor(i / perRow) * cell;
      const c = colorOf(val, scale);
      ctx.globalAlpha = c.opacity;
      ctx.fillStyle = c.fill;
      ctx.fillRect(cx, cy, cell - 1, cell - 1);
      ctx.globalAlpha = 1;
      if (c.kind) {
        ctx.strokeStyle = '#000';
        ctx.lineWidth = 1;
        ctx.stroke(new Path2D(nonFiniteMarkPath(c.kind, cx, cy, cell - 1, cell - 1)));
      }
    });
  }
  canvas.addEventListener('mousemove', (e) => {
    const r = canvas.getBoundingClientRect();
    const i = Math.floor(((e.clientY - r.top) * canvas.height) / r.height / cell) * perRow + Math.floor(((e.clientX - r.left) * canvas.width) / r.width / cell);
    if (i >= 0 && i < v.length) onRead(`${label}[${i}] = ${formatNumber(v[i], 8)}`);
  });
  return canvas;
}

/**
 * A legend: the colour ramp from -scale to +scale with zero neutral; when the run holds inf or
 * nan (`present`), one swatch per kind with what it means (none when all is finite; a generic
 * one when `present` is not known).
 */
export function legend(
  scales: { label: string; scale: number }[],
  strings: { zero: string; nonFinite: string; legend: string; infMeaning?: string; nanMeaning?: string },
  present?: { inf: boolean; nan: boolean },
): HTMLElement {
  const box = h('div', { class: 'legend', role: 'group', 'aria-label': strings.legend });
  const ramp = s('svg', { width: 132, height: 14, class: 'legend-ramp', 'aria-hidden': 'true' });
  for (let i = 0; i < 21; i++) {
    const v = (i - 10) / 10;
    const c = colorOf(v, 1);
    ramp.appendChild(s('rect', { x: 6 + i * 6, y: 1, width: 6, height: 12, fill: c.fill, 'fill-opacity': c.opacity }));
  }
  ramp.appendChild(s('rect', { x: 6, y: 1, width: 126, height: 12, class: 'legend-frame' }));
  box.appendChild(h('span', { class: 'legend-end' }, '−'));
  box.appendChild(ramp);
  box.appendChild(h('span', { class: 'legend-end' }, '+'));
  box.appendChild(h('span', { class: 'legend-note' }, strings.zero));
  for (const { label, scale } of scales) box.appendChild(h('span', { class: 'legend-scale' }, `${label}: ±${formatNumber(scale, 3)}`));
  const swatch = (kind: NonFiniteKind) =>
    s('svg', { width: 14, height: 14, 'aria-hidden': 'true' }, s('rect', { x: 1, y: 1, width: 12, height: 12, fill: NONFINITE }), s('path', { d: nonFiniteMarkPath(kind, 1, 1, 12, 12), class: 'nonfinite-mark' }));
  if (present && (present.inf || present.nan)) {
    if (present.inf) box.appendChild(h('span', { class: 'legend-nonfinite legend-inf' }, swatch('inf'), swatch('-inf'), strings.infMeaning ?? 'inf'));
    if (present.nan) box.appendChild(h('span', { class: 'legend-nonfinite legend-nan' }, swatch('nan'), strings.nanMeaning ?? 'nan'));
  } else if (!present) box.appendChild(h('span', { class: 'legend-nonfinite' }, swatch('nan'), strings.nonFinite));
  // A run whose numbers are all finite gets no inf/nan swatch: nothing on screen wears that colour.
  return box;
}
