/*
 * Small SVG line charts for the RNN Lab: series of (x, y) points with optional spread bars,
 * linear or log-10 y, and a dashed reference line. Built with createElementNS; text through
 * textContent only (src/webview/dom.ts).
 * Layer: webview (DOM only).
 */
import { s } from '../dom';

export interface Series {
  /** CSS class of the series (colour): 'cell-RNN', 'cell-LSTM', 'cell-GRU'. */
  cls: string;
  label: string;
  points: { x: number; y: number; lo?: number; hi?: number }[];
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  logY?: boolean;
  /** x values are categories drawn at equal spacing (sequence lengths). */
  categoricalX?: boolean;
  /** With categoricalX: every category on the axis, even those without points yet. */
  categories?: number[];
  yMin?: number;
  yMax?: number;
  reference?: { y: number; label: string };
  width?: number;
  height?: number;
  /** Format of y tick labels. */
  formatY?: (y: number) => string;
}

const PAD = { left: 58, right: 92, top: 12, bottom: 38 };

/**
 * A chart as a <figure>: the title as a <figcaption> (HTML text wraps at the panel's width) and
 * the plot as an <svg> (role img, labelled by the title).
 */
export function chartFigure(series: Series[], o: ChartOptions, cls?: string): HTMLElement {
  const fig = document.createElement('figure');
  if (cls) fig.className = cls;
  const cap = document.createElement('figcaption');
  cap.textContent = o.title;
  fig.append(cap, lineChart(series, o));
  return fig;
}

/** The plot of a chart as an <svg> element (role img, labelled by its title). */
export function lineChart(series: Series[], o: ChartOptions): SVGSVGElement {
  const width = o.width ?? 460;
  const height = o.height ?? 240;
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': o.title });
  const all = series.flatMap((se) => se.points);
  const ys = all.flatMap((p) => [p.y, p.lo ?? p.y, p.hi ?? p.y]).filter((v) => Number.isFinite(v) && (!o.logY || v > 0));
  if (o.reference && Number.isFinite(o.reference.y)) ys.push(o.reference.y);
  if (ys.length === 0) return svg;
  const xsAll = [...new Set([...(o.categoricalX ? o.categories ?? [] : []), ...all.map((p) => p.x)])].sort((a, b) => a - b);
  const tf = (v: number) => (o.logY ? Math.log10(v) : v);
  let yLo = o.yMin ?? Math.min(...ys.map(tf));
  let yHi = o.yMax ?? Math.max(...ys.map(tf));
  if (o.logY) {
    yLo = Math.floor(o.yMin !== undefined ? Math.log10(o.yMin) : yLo);
    yHi = Math.ceil(o.yMax !== undefined ? Math.log10(o.yMax) : yHi);
  }
  if (yHi - yLo < 1e-12) (yHi += 0.5), (yLo -= 0.5);
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const xMin = xsAll[0];
  const xMax = xsAll[xsAll.length - 1];
  const px = (x: number) => {
    if (o.categoricalX) {
      const i = xsAll.indexOf(x);
      return PAD.left + (xsAll.length === 1 ? plotW / 2 : (i / (xsAll.length - 1)) * plotW);
    }
    return PAD.left + (xMax === xMin ? plotW / 2 : ((x - xMin) / (xMax - xMin)) * plotW);
  };
  const py = (y: number) => PAD.top + plotH - ((tf(y) - yLo) / (yHi - yLo)) * plotH;
  const fy = o.formatY ?? ((y: number) => (o.logY ? `1e${Math.round(Math.log10(y))}` : fmt(y)));
  // axes and ticks
  svg.appendChild(s('line', { class: 'axis', x1: PAD.left, y1: PAD.top + plotH, x2: PAD.left + plotW, y2: PAD.top + plotH }));
  svg.appendChild(s('line', { class: 'axis', x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: PAD.top + plotH }));
  const yTicks: number[] = [];
  if (o.logY) {
    const span = yHi - yLo;
    const every = Math.max(1, Math.ceil(span / 6));
    for (let e = yLo; e <= yHi; e += every) yTicks.push(10 ** e);
  } else {
    for (let k = 0; k <= 4; k++) yTicks.push(yLo + ((yHi - yLo) * k) / 4);
  }
  for (const y of yTicks) {
    svg.appendChild(s('line', { class: 'grid', x1: PAD.left, y1: py(y), x2: PAD.left + plotW, y2: py(y) }));
    svg.appendChild(s('text', { class: 'tick', x: PAD.left - 6, y: py(y) + 4, 'text-anchor': 'end' }, fy(y)));
  }
  const xTicks = o.categoricalX ? xsAll : niceTicks(xMin, xMax);
  for (const x of xTicks) svg.appendChild(s('text', { class: 'tick', x: px(x), y: PAD.top + plotH + 16, 'text-anchor': 'middle' }, String(x)));
  svg.appendChild(s('text', { class: 'axis-label', x: PAD.left + plotW / 2, y: height - 4, 'text-anchor': 'middle' }, o.xLabel));
  if (o.reference && Number.isFinite(o.reference.y)) {
    const y = py(o.reference.y);
    svg.appendChild(s('line', { class: 'reference', x1: PAD.left, y1: y, x2: PAD.left + plotW, y2: y }));
    // inside the plot, above the line at its left end: the right margin belongs to the series' names
    svg.appendChild(s('text', { class: 'reference-label', x: PAD.left + 6, y: y - 5 }, o.reference.label));
  }
  // series
  const legendYs: number[] = [];
  for (const se of series) {
    const pts = se.points.filter((p) => Number.isFinite(p.y) && (!o.logY || p.y > 0));
    if (pts.length === 0) continue;
    const g = s('g', { class: `series ${se.cls}` });
    for (const p of pts) {
      if (p.lo !== undefined && p.hi !== undefined && (!o.logY || p.lo > 0)) {
        g.appendChild(s('line', { class: 'spread', x1: px(p.x), y1: py(p.lo), x2: px(p.x), y2: py(p.hi) }));
      }
    }
    if (pts.length > 1) g.appendChild(s('polyline', { class: 'line', points: pts.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ') }));
    if (pts.length <= 12) for (const p of pts) g.appendChild(s('circle', { class: 'dot', cx: px(p.x), cy: py(p.y), r: 3 }, s('title', {}, `${se.label}: ${fmt(p.y)}`)));
    // legend at the line's end, nudged apart
    let ly = py(pts[pts.length - 1].y) + 4;
    for (const other of legendYs) if (Math.abs(other - ly) < 12) ly = other + 12;
    legendYs.push(ly);
    g.appendChild(s('text', { class: 'legend', x: PAD.left + plotW + 6, y: ly }, se.label));
    svg.appendChild(g);
  }
  return svg;
}

function niceTicks(lo: number, hi: number): number[] {
  if (hi <= lo) return [lo];
  const raw = (hi - lo) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((st) => st >= raw) ?? raw;
  const out: number[] = [];
  for (let x = Math.ceil(lo / step) * step; x <= hi + 1e-9; x += step) out.push(Math.round(x * 1e9) / 1e9);
  return out;
}

/** A short, readable number: 0.123, 1.2e-5, 12.3. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a < 1e-3 || a >= 1e5) return v.toExponential(1);
  if (a < 1) return v.toFixed(3);
  if (a < 100) return v.toFixed(2);
  return v.toFixed(0);
}
