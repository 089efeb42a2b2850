/*
 * Vectors as compact heatmaps: a diverging scale (negative blue, positive orange, zero
 * transparent so it is neutral on every theme), non-finite values marked in magenta with a
 * cross. Narrow vectors become SVG cells; wide ones are downsampled (the most extreme value of
 * each bin wins, so spikes stay visible) or drawn on <canvas>.
 * Layer: webview (DOM only).
 */
import type { Vec } from './data';
import { formatNumber } from './format';
import { h, s } from './dom';

export const POSITIVE = '#e8743b';
export const NEGATIVE = '#3a84d8';
export const NONFINITE = '#d01fd0';

/** Fill colour and opacity of a value on the scale [-scale, scale]. */
export function colorOf(v: number | null, scale: number): { fill: string; opacity: number } {
  if (v === null || !Number.isFinite(v)) return { fill: NONFINITE, opacity: 1 };
  const m = scale > 0 ? Math.min(1, Math.abs(v) / scale) : 0;
  // sqrt keeps small values visible without drowning the large ones
  return { fill: v < 0 ? NEGATIVE : POSITIVE, opacity: Math.round(Math.sqrt(m) * 1000) / 1000 };
}

/** Largest finite |v| of some vectors (0 when none). */
export function maxAbs(...vs: (Vec | undefined)[]): number {
  let m = 0;
  for (const v of vs) if (v) for (const x of v) if (x !== null && Number.isFinite(x) && Math.abs(x) > m) m = Math.abs(x);
  return m;
}

/** Downsamples to at most `cells` bins; each bin keeps its most extreme value (null wins). */
export function downsample(v: Vec, cells: number): { values: Vec; binSize: number } {
  if (v.length <= cells) return { values: v, binSize: 1 };
  const binSize = Math.ceil(v.length / cells);
  const out: Vec = [];
  for (let i = 0; i < v.length; i += binSize) {
    let best: number | null = 0;
    let bestAbs = -1;
    for (let j = i; j < Math.min(v.length, i + binSize); j++) {
      const x = v[j];
      if (x === null || !Number.isFinite(x)) {
        best = null;
        break;
      }
      if (Math.abs(x) > bestAbs) {
        bestAbs = Math.abs(x);
        best = x;
      }
    }
    out.push(best);
  }
  return { values: out, binSize };
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
    g.appendChild(s('rect', { x: x + i * cw, y, width: Math.max(0.5, cw), height: hgt, fill: c.fill, 'fill-opacity': c.opacity }));
    if (val === null) g.appendChild(s('path', { d: `M${x + i * cw},${y}l${cw},${hgt}m${-cw},0l${cw},${-hgt}`, class: 'nonfinite-mark' }));
  });
  return g;
}

/**
 * A canvas heatmap of a whole vector with an exact-value readout on hover: one cell per value
 * (wrapping into rows for wide vectors), so 1,024 values cost one canvas, not 1,024 nodes.
 */
export function canvasHeatmap(v: Vec, scale: number, label: string, onRead: (text: string) => void): HTMLCanvasElement {
  const perRow = v.length <= 64 ? v.length : 64;
  const rows = Math.ceil(v.length / Math.max(1, perRow));
  const cell = v.length <= 32 ? 12 : 7;
  const canvas = h('canvas', { class: 'heat-canvas', width: Math.max(1, perRow * cell), height: Math.max(1, rows * cell), role: 'img', 'aria-label': label });
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
      if (val === null) {
        ctx.strokeStyle = '#000';
        ctx.beginPath();
        ctx.moveTo(cx, cy);
        ctx.lineTo(cx + cell - 1, cy + cell - 1);
        ctx.moveTo(cx + cell - 1, cy);
        ctx.lineTo(cx, cy + cell - 1);
        ctx.stroke();
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

/** A legend: the colour ramp from -scale to +scale with zero neutral, and a non-finite swatch. */
export function legend(scales: { label: string; scale: number }[], strings: { zero: string; nonFinite: string; legend: string }): HTMLElement {
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
  const nf = s('svg', { width: 14, height: 14, 'aria-hidden': 'true' }, s('rect', { x: 1, y: 1, width: 12, height: 12, fill: NONFINITE }), s('path', { d: 'M1,1L13,13M13,1L1,13', class: 'nonfinite-mark' }));
  box.appendChild(h('span', { class: 'legend-nonfinite' }, nf, strings.nonFinite));
  return box;
}
