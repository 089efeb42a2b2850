/*
 * Where everything in the unrolled diagram goes: the model's shape and the sequence length in,
 * positions of every node and arrow out. Textbook layout: x_1..x_T along the bottom, each layer's
 * forward row above it (arrows left to right), the reverse row above that (arrows right to left),
 * LSTM's cell-state lane c_t above each h row, y_t = [forward h_t ; reverse h_t] when
 * bidirectional, the head at the last time step, h0/h_n/c0/c_n where PyTorch takes them.
 * Long sequences collapse their middle into a gap column, so the node count stays bounded.
 * Layer: webview, but PURE: no DOM, no imports. Unit-tested on Node.
 */

/** What the layout needs to know about the model and the run. */
export interface LayoutInput {
  seqLen: number;
  numLayers: number;
  bidirectional: boolean;
  /** LSTM: draw the c_t lane. */
  hasCell: boolean;
  hasHead: boolean;
  /** Collapse settings; defaults: COLLAPSE_DEFAULTS. */
  collapse?: Partial<CollapseSettings>;
}

/** How a long sequence is shortened: first `edge` and last `edge` steps, and a window of
 * `window` steps centred on `center` (0-based) that the user moves. Sequences of at most
 * `maxFull` steps are drawn whole. */
export interface CollapseSettings {
  maxFull: number;
  edge: number;
  window: number;
  center: number;
}

export const COLLAPSE_DEFAULTS: CollapseSettings = { maxFull: 12, edge: 3, window: 5, center: -1 };

export type NodeKind = 'x' | 'h' | 'c' | 'y' | 'head' | 'h0' | 'hn' | 'c0' | 'cn';

export interface LayoutNode {
  /** Stable id: 'x:t', 'h:l:d:t', 'c:l:d:t', 'y:l:t', 'h0:l:d', 'hn:l:d', 'c0:l:d', 'cn:l:d', 'head'. */
  id: string;
  kind: NodeKind;
  layer: number;
  direction: 0 | 1;
  /** 0-based time index; -1 when the node is not tied to a step (h0, h_n, c0, c_n). */
  t: number;
  /** Top-left corner and size. */
  x: number;
  y: number;
  w: number;
  h: number;
}

export type ArrowKind = 'input' | 'recurrent' | 'cell' | 'concat' | 'head' | 'initial' | 'final' | 'gap';

export interface LayoutArrow {
  id: string;
  kind: ArrowKind;
  from: string;
  to: string;
  /** The polyline, first point at the source, last at the target (the arrowhead). */
  points: [number, number][];
  /** 0 forward, 1 reverse: which row's recurrence this arrow belongs to. */
  direction: 0 | 1;
}

/** A collapsed stretch of time: steps first..last (0-based, inclusive) are not drawn. */
export interface LayoutGap {
  first: number;
  last: number;
  x: number;
  w: number;
}

/** A horizontal band of the diagram, for row labels on the left. */
export interface LayoutRow {
  kind: 'x' | 'h' | 'c' | 'y';
  layer: number;
  direction: 0 | 1;
  /** Centre line of the row. */
  y: number;
}

export interface Layout {
  width: number;
  height: number;
  /** Drawn time steps, ascending, with the x of their column centre. */
  columns: { t: number; x: number }[];
  gaps: LayoutGap[];
  rows: LayoutRow[];
  nodes: LayoutNode[];
  arrows: LayoutArrow[];
  /** x of the column centre left of t = 1 (h0 forward, h_n reverse) and right of t = T. */
  leftEndX: number;
  rightEndX: number;
}

/** Geometry constants (CSS pixels). */
export const GEOMETRY = {
  labelWidth: 92,
  columnWidth: 96,
  gapWidth: 64,
  endWidth: 92,
  nodeWidth: 64,
  nodeHeight: 30,
  cellHeight: 20,
  rowGap: 34,
  cellGap: 18,
  margin: 16,
  headHeight: 30,
  headGap: 40,
};

/** The 0-based time steps that are drawn, ascending. Always includes 0 and T-1. */
export function visibleTimes(seqLen: number, settings?: Partial<CollapseSettings>): number[] {
  const s = { ...COLLAPSE_DEFAULTS, ...(settings ?? {}) };
  if (seqLen <= Math.max(1, s.maxFull)) return Array.from({ length: seqLen }, (_, t) => t);
  const keep = new Set<number>();
  const edge = Math.max(1, Math.min(s.edge, seqLen));
  for (let t = 0; t < edge; t++) keep.add(t);
  for (let t = seqLen - edge; t < seqLen; t++) keep.add(t);
  const w = Math.max(0, Math.min(s.window, seqLen));
  if (w > 0) {
    const centre = s.center < 0 ? Math.floor(seqLen / 2) : Math.min(seqLen - 1, Math.floor(s.center));
    let start = centre - Math.floor(w / 2);
    start = Math.max(0, Math.min(seqLen - w, start));
    for (let t = start; t < start + w; t++) keep.add(t);
  }
  return [...keep].sort((a, b) => a - b);
}

/**
 * The smallest scale the diagram is drawn at to fit a narrow panel: 11 px labels become ~7.5 px,
 * still readable. Below that the diagram keeps this scale and scrolls horizontally.
 */
export const MIN_DIAGRAM_SCALE = 0.68;

/** Width (CSS px, scale 1) of a diagram with `columns` time columns and `gaps` collapsed gaps. */
export function diagramWidth(columns: number, gaps: number): number {
  const G = GEOMETRY;
  return 2 * G.margin + G.labelWidth + 2 * G.endWidth + columns * G.columnWidth + gaps * G.gapWidth;
}

/** Width (scale 1) of the diagram that `visibleTimes(seqLen, settings)` draws. */
export function collapsedWidth(seqLen: number, settings?: Partial<CollapseSettings>): number {
  const times = visibleTimes(seqLen, settings);
  let gaps = times[0] > 0 ? 1 : 0;
  for (let i = 1; i < times.length; i++) if (times[i] > times[i - 1] + 1) gaps++;
  return diagramWidth(times.length, gaps);
}

/**
 * Collapse settings that make a long sequence fit `available` CSS px at `minScale` or more.
 * Short sequences (at most `maxFull` steps) are drawn whole (they scroll when even that is too
 * wide). Before the user picks a place (`center` < 0) the diagram shows the first k steps, one
 * gap and the last k steps (k <= COLLAPSE_DEFAULTS.edge), so both ends and h_n are in view;
 * once a gap was clicked or the player moved, a window around `center` is added and the edges
 * shrink first. Falls back to the narrowest choice (1 + window 1 + 1) when nothing fits.
 */
export function collapseForWidth(seqLen: number, available: number, center = -1, minScale = MIN_DIAGRAM_SCALE): CollapseSettings {
  const D = COLLAPSE_DEFAULTS;
  const budget = available > 0 ? available / minScale : Infinity;
  if (seqLen <= D.maxFull) return { ...D, center };
  const choices: [number, number][] =
    center < 0
      ? Array.from({ length: D.edge }, (_, i) => [D.edge - i, 0] as [number, number])
      : [[D.edge, D.window], [2, D.window], [1, D.window], [1, 3], [1, 1]];
  for (const [edge, window] of choices) {
    const s = { ...D, edge, window, center };
    if (collapsedWidth(seqLen, s) <= budget) return s;
  }
  const [edge, window] = choices[choices.length - 1];
  return { ...D, edge, window, center };
}

/** How the diagram is drawn in a panel `available` CSS px wide. */
export interface DiagramFit {
  /** Drawing scale: 1 when it fits at natural size (never larger), down to the minimum. */
  scale: number;
  /** The SVG's width and height attributes (CSS px). */
  width: number;
  height: number;
  /** Wider than the panel even at the minimum scale: the frame scrolls horizontally. */
  scrolls: boolean;
}

/** Scales a `width` x `height` diagram to `available` px, preserving its aspect ratio. */
export function fitDiagram(width: number, height: number, available: number, minScale = MIN_DIAGRAM_SCALE): DiagramFit {
  const scale = available > 0 ? Math.min(1, Math.max(minScale, available / width)) : 1;
  const w = Math.floor(width * scale);
  return { scale, width: w, height: Math.ceil(height * scale), scrolls: w > Math.floor(available) };
}

/** Computes the whole diagram's geometry. */
export function computeLayout(input: LayoutInput): Layout {
  const G = GEOMETRY;
  const T = Math.max(1, Math.floor(input.seqLen));
  const L = Math.max(1, Math.floor(input.numLayers));
  const D: 1 | 2 = input.bidirectional ? 2 : 1;
  const times = visibleTimes(T, input.collapse);

  // ---- columns (x) ----
  const columns: { t: number; x: number }[] = [];
  const gaps: LayoutGap[] = [];
  let cursor = G.margin + G.labelWidth;
  const leftEndX = cursor + G.endWidth / 2;
  cursor += G.endWidth;
  let prev = -1;
  for (const t of times) {
    if (t > prev + 1) {
      gaps.push({ first: prev + 1, last: t - 1, x: cursor, w: G.gapWidth });
      cursor += G.gapWidth;
    }
    columns.push({ t, x: cursor + G.columnWidth / 2 });
    cursor += G.columnWidth;
    prev = t;
  }
  const rightEndX = cursor + G.endWidth / 2;
  cursor += G.endWidth;
  const width = cursor + G.margin;

  // ---- rows (y), built bottom-up as a list then placed top-down ----
  type RowSpec = { kind: 'x' | 'h' | 'c' | 'y'; layer: number; direction: 0 | 1; height: number; gapAbove: number };
  const bottomUp: RowSpec[] = [{ kind: 'x', layer: 0, direction: 0, height: G.nodeHeight, gapAbove: G.rowGap }];
  for (let l = 0; l < L; l++) {
    for (let d = 0; d < D; d++) {
      bottomUp.push({ kind: 'h', layer: l, direction: d as 0 | 1, height: G.nodeHeight, gapAbove: input.hasCell ? G.cellGap : G.rowGap });
      if (input.hasCell) bottomUp.push({ kind: 'c', layer: l, direction: d as 0 | 1, height: G.cellHeight, gapAbove: G.rowGap });
    }
    if (D === 2) bottomUp.push({ kind: 'y', layer: l, direction: 0, height: G.nodeHeight, gapAbove: G.rowGap });
  }
  // room on top for the head, and for the note on where the reverse h_n is taken
  const top = G.margin + (input.hasHead || input.bidirectional ? G.headHeight + G.headGap : 8);
  const rowsTopDown = [...bottomUp].reverse();
  const rows: LayoutRow[] = [];
  const rowTop = new Map<string, number>();
  let y = top;
  for (let i = 0; i < rowsTopDown.length; i++) {
    const r = rowsTopDown[i];
    rowTop.set(rowKey(r.kind, r.layer, r.direction), y);
    rows.push({ kind: r.kind, layer: r.layer, direction: r.direction, y: y + r.height / 2 });
    y += r.height;
    if (i + 1 < rowsTopDown.length) y += rowsTopDown[i + 1].gapAbove;
  }
  const height = y + G.margin + 18; // room for the time axis labels under x

  // ---- nodes ----
  const nodes: LayoutNode[] = [];
  const byId = new Map<string, LayoutNode>();
  const add = (n: LayoutNode) => {
    nodes.push(n);
    byId.set(n.id, n);
  };
  const place = (id: string, kind: NodeKind, layer: number, direction: 0 | 1, t: number, cx: number, rk: string, h: number) => {
    add({ id, kind, layer, direction, t, x: cx - G.nodeWidth / 2, y: rowTop.get(rk)!, w: G.nodeWidth, h });
  };
  for (const { t, x } of columns) {
    place(`x:${t}`, 'x', 0, 0, t, x, rowKey('x', 0, 0), G.nodeHeight);
    for (let l = 0; l < L; l++) {
      for (let d = 0; d < D; d++) {
        place(`h:${l}:${d}:${t}`, 'h', l, d as 0 | 1, t, x, rowKey('h', l, d), G.nodeHeight);
        if (input.hasCell) place(`c:${l}:${d}:${t}`, 'c', l, d as 0 | 1, t, x, rowKey('c', l, d), G.cellHeight);
      }
      if (D === 2) place(`y:${l}:${t}`, 'y', l, 0, t, x, rowKey('y', l, 0), G.nodeHeight);
    }
  }
  for (let l = 0; l < L; l++) {
    for (let d = 0; d < D; d++) {
      // PyTorch: the forward direction starts from h0 at the left and ends in h_n at the right;
      // the reverse direction starts from h0 at the RIGHT (t = T) and its h_n is taken after it
      // has read back to t = 1, at the LEFT end.
      const startX = d === 0 ? leftEndX : rightEndX;
      const endX = d === 0 ? rightEndX : leftEndX;
      place(`h0:${l}:${d}`, 'h0', l, d as 0 | 1, -1, startX, rowKey('h', l, d), G.nodeHeight);
      place(`hn:${l}:${d}`, 'hn', l, d as 0 | 1, -1, endX, rowKey('h', l, d), G.nodeHeight);
      if (input.hasCell) {
        place(`c0:${l}:${d}`, 'c0', l, d as 0 | 1, -1, startX, rowKey('c', l, d), G.cellHeight);
        place(`cn:${l}:${d}`, 'cn', l, d as 0 | 1, -1, endX, rowKey('c', l, d), G.cellHeight);
      }
    }
  }
  const lastCol = columns[columns.length - 1];
  if (input.hasHead) {
    add({ id: 'head', kind: 'head', layer: L - 1, direction: 0, t: lastCol.t, x: lastCol.x - G.nodeWidth / 2, y: G.margin, w: G.nodeWidth, h: G.headHeight });
  }

  // ---- arrows ----
  const arrows: LayoutArrow[] = [];
  const right = (n: LayoutNode): [number, number] => [n.x + n.w, n.y + n.h / 2];
  const left = (n: LayoutNode): [number, number] => [n.x, n.y + n.h / 2];
  const horizontal = (kind: ArrowKind, from: LayoutNode, to: LayoutNode, direction: 0 | 1) => {
    const pts: [number, number][] = to.x > from.x ? [right(from), left(to)] : [left(from), right(to)];
    arrows.push({ id: `${kind}:${from.id}->${to.id}`, kind, from: from.id, to: to.id, points: pts, direction });
  };
  /** Upward arrow from `from` (below) to `to` (above), detouring past the nodes in between on `side`. */
  const upward = (kind: ArrowKind, from: LayoutNode, to: LayoutNode, direction: 0 | 1, side: 1 | -1, offset = 0) => {
    const cx = from.x + from.w / 2 + offset;
    const start: [number, number] = [cx, from.y];
    const end: [number, number] = [to.x + to.w / 2 + offset, to.y + to.h];
    const between = nodes.filter((n) => n !== from && n !== to && Math.abs(n.x + n.w / 2 - cx) < n.w && n.y > end[1] - 1 && n.y + n.h < start[1] + 1);
    let pts: [number, number][];
    if (between.length === 0) pts = [start, end];
    else {
      const topMost = Math.min(...between.map((n) => n.y));
      const bottomMost = Math.max(...between.map((n) => n.y + n.h));
      const detourX = side > 0 ? Math.max(...between.map((n) => n.x + n.w)) + 7 : Math.min(...between.map((n) => n.x)) - 7;
      const below = bottomMost + Math.min(10, (start[1] - bottomMost) / 2);
      const above = topMost - Math.min(10, (topMost - end[1]) / 2);
      pts = [start, [cx, below], [detourX, below], [detourX, above], [end[0], above], end];
    }
    arrows.push({ id: `${kind}:${from.id}->${to.id}`, kind, from: from.id, to: to.id, points: pts, direction });
  };
  const get = (id: string) => byId.get(id)!;
  for (let l = 0; l < L; l++) {
    for (let d = 0; d < D; d++) {
      const dir = d as 0 | 1;
      // inputs from below: x_t for layer 0, the layer below's output (y_t or h_t) otherwise
      for (const { t } of columns) {
        const src = l === 0 ? get(`x:${t}`) : D === 2 ? get(`y:${l - 1}:${t}`) : get(`h:${l - 1}:0:${t}`);
        upward('input', src, get(`h:${l}:${d}:${t}`), dir, 1, d === 1 ? 8 : 0);
      }
      // the recurrence, through gaps as dashed arrows
      const seq = columns.map((c) => c.t);
      const order = d === 0 ? seq : [...seq].reverse();
      const rowIds = (t: number) => [`h:${l}:${d}:${t}`, ...(input.hasCell ? [`c:${l}:${d}:${t}`] : [])];
      const startIds = [`h0:${l}:${d}`, ...(input.hasCell ? [`c0:${l}:${d}`] : [])];
      const endIds = [`hn:${l}:${d}`, ...(input.hasCell ? [`cn:${l}:${d}`] : [])];
      startIds.forEach((id, k) => horizontal('initial', get(id), get(rowIds(order[0])[k]), dir));
      for (let i = 1; i < order.length; i++) {
        const a = order[i - 1];
        const b = order[i];
        const contiguous = Math.abs(b - a) === 1;
        rowIds(a).forEach((id, k) => horizontal(contiguous ? (k === 0 ? 'recurrent' : 'cell') : 'gap', get(id), get(rowIds(b)[k]), dir));
      }
      endIds.forEach((id, k) => horizontal('final', get(rowIds(order[order.length - 1])[k]), get(id), dir));
      if (input.hasCell) {
        // c_t -> h_t (h_t = o_t * tanh(c_t)): a short link between the lane and the row
        for (const { t } of columns) {
          const c = get(`c:${l}:${d}:${t}`);
          const h = get(`h:${l}:${d}:${t}`);
          const x0 = c.x + c.w - 10;
          arrows.push({ id: `cell:${c.id}->${h.id}`, kind: 'cell', from: c.id, to: h.id, points: [[x0, c.y + c.h], [x0, h.y]], direction: dir });
        }
      }
    }
    if (D === 2) {
      for (const { t } of columns) {
        const yNode = get(`y:${l}:${t}`);
        upward('concat', get(`h:${l}:0:${t}`), yNode, 0, -1, -12);
        upward('concat', get(`h:${l}:1:${t}`), yNode, 1, -1, 12);
      }
    }
  }
  if (input.hasHead) {
    const src = D === 2 ? get(`y:${L - 1}:${lastCol.t}`) : get(`h:${L - 1}:0:${lastCol.t}`);
    upward('head', src, get('head'), 0, 1);
  }

  return { width, height, columns, gaps, rows, nodes, arrows, leftEndX, rightEndX };
}

function rowKey(kind: string, layer: number, direction: number): string {
  return `${kind}:${layer}:${direction}`;
}
