/*
 * Draws the unrolled diagram as SVG from a layout (layout.ts) and a payload: nodes with their
 * vectors as heatmap strips, arrows, row labels, the time axis, collapsed gaps, and the
 * reveal-in-time state of the step controls. Nodes are keyboard-focusable (roving tabindex:
 * Tab enters, arrow keys move in time and across rows, Enter selects).
 * Layer: webview (DOM only).
 */
import type { RunPayload } from '../protocol/messages';
import type { Layout, LayoutNode } from './layout';
import { nodeVector, type Vec } from './data';
import { s, fill, sub } from './dom';
import { nonFiniteText, svgStrip } from './heatmap';

export interface DiagramContext {
  payload: RunPayload;
  layout: Layout;
  batch: number;
  /** Steps revealed (0..T): forward rows show t < cursor, reverse rows t >= T - cursor. */
  cursor: number;
  selected?: string;
  scales: Record<string, number>;
  str: (key: string, ...args: (string | number)[]) => string;
  onSelect: (node: LayoutNode) => void;
  onRead: (node: LayoutNode, vector: Vec | undefined) => void;
  onGap: (first: number, last: number) => void;
}

/** Label of a node in the textbook's 1-based notation, e.g. h₃ or ←h₃ with the layer. */
export function nodeLabel(n: LayoutNode, p: RunPayload): string {
  const D = p.model.bidirectional ? 2 : 1;
  const arrow = D === 2 ? (n.direction === 0 ? '→' : '←') : '';
  const layer = p.model.numLayers > 1 ? `⁽${String(n.layer).replace(/[0-9]/g, (d) => '⁰¹²³⁴⁵⁶⁷⁸⁹'[Number(d)])}⁾` : '';
  switch (n.kind) {
    case 'x':
      return `x${sub(n.t + 1)}`;
    case 'h':
      return `${arrow}h${sub(n.t + 1)}${layer}`;
    case 'c':
      return `${arrow}c${sub(n.t + 1)}${layer}`;
    case 'y':
      return `y${sub(n.t + 1)}${layer}`;
    // A cell's hx and its loop's last state have no layer axis: h0, c0, h, c.
    case 'h0':
      return p.cell ? 'h0' : `h0[${n.layer * D + n.direction}]`;
    case 'c0':
      return p.cell ? 'c0' : `c0[${n.layer * D + n.direction}]`;
    case 'hn':
      return p.cell ? 'h' : `h_n[${n.layer * D + n.direction}]`;
    case 'cn':
      return p.cell ? 'c' : `c_n[${n.layer * D + n.direction}]`;
    case 'head':
      return 'head';
  }
}

/** Is the node revealed at this cursor (steps shown so far)? */
export function isRevealed(n: LayoutNode, cursor: number, seqLen: number): boolean {
  switch (n.kind) {
    case 'x':
    case 'h0':
    case 'c0':
      return true;
    case 'h':
    case 'c':
      return n.direction === 0 ? n.t < cursor : n.t >= seqLen - cursor;
    case 'y':
      return n.t < cursor && n.t >= seqLen - cursor;
    default:
      return cursor >= seqLen;
  }
}

function scaleKey(kind: string): string {
  return kind === 'x' ? 'x' : kind === 'c' || kind === 'c0' || kind === 'cn' ? 'c' : kind === 'head' ? 'head' : 'h';
}

/** Builds the diagram's <svg>. */
export function renderDiagram(ctx: DiagramContext): SVGSVGElement {
  const { layout: L, payload: p, str } = ctx;
  const T = p.seqLen;
  const svg = s('svg', {
    class: 'diagram',
    width: L.width,
    height: L.height,
    viewBox: `0 0 ${L.width} ${L.height}`,
    role: 'group',
    'aria-label': str('diagramLabel', p.cell ?? p.model.type, T),
  });
  const defs = s('defs');
  for (const [id, cls] of [['arrow', 'arrowhead'], ['arrow-rev', 'arrowhead rev'], ['arrow-dim', 'arrowhead dim']] as const) {
    defs.appendChild(s('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, s('path', { d: 'M0,0L10,5L0,10z', class: cls })));
  }
  svg.appendChild(defs);

  // row labels on the left
  const D = p.model.bidirectional ? 2 : 1;
  for (const r of L.rows) {
    let text: string;
    if (r.kind === 'x') text = str('rowX');
    else if (r.kind === 'y') text = (p.model.numLayers > 1 ? str('rowLayer', r.layer) + ' ' : '') + 'y = [→h ; ←h]';
    else if (r.kind === 'c') text = str('rowCell') + (D === 2 ? (r.direction === 0 ? ' →' : ' ←') : '');
    else if (p.cell) text = `nn.${p.cell}`; // a cell's loop is one layer, one direction: name the cell
    else text = str('rowLayer', r.layer) + (D === 2 ? (r.direction === 0 ? ` → ${str('forward')}` : ` ← ${str('reverse')}`) : '');
    svg.appendChild(s('text', { x: 8, y: r.y + 4, class: `row-label row-${r.kind}${r.direction === 1 ? ' rev' : ''}` }, text));
  }
  // time axis
  const axisY = L.height - 10;
  for (const c of L.columns) svg.appendChild(s('text', { x: c.x, y: axisY, class: 'axis-label', 'text-anchor': 'middle' }, `t=${c.t + 1}`));
  // gaps
  for (const g of L.gaps) {
    const n = g.last - g.first + 1;
    const gap = s('g', { class: 'gap', tabindex: 0, role: 'button', 'aria-label': str('gapExpand', Math.floor((g.first + g.last) / 2) + 1, g.first + 1, g.last + 1) });
    gap.appendChild(s('rect', { x: g.x + 4, y: 8, width: g.w - 8, height: L.height - 24, rx: 6, class: 'gap-band' }));
    gap.appendChild(s('text', { x: g.x + g.w / 2, y: L.height / 2 - 6, 'text-anchor': 'middle', class: 'gap-dots' }, '⋯'));
    gap.appendChild(s('text', { x: g.x + g.w / 2, y: L.height / 2 + 10, 'text-anchor': 'middle', class: 'gap-count' }, str('gapLabel', n)));
    gap.appendChild(s('title', {}, str('gapExpand', Math.floor((g.first + g.last) / 2) + 1, g.first + 1, g.last + 1)));
    const act = () => ctx.onGap(g.first, g.last);
    gap.addEventListener('click', act);
    gap.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        act();
      }
    });
    svg.appendChild(gap);
  }
  // end labels: the classic confusion of where the reverse direction's h_n is
  if (D === 2) {
    const topRev = L.nodes.find((n) => n.kind === 'hn' && n.direction === 1 && n.layer === p.model.numLayers - 1);
    if (topRev) {
      const noteY = 28;
      svg.appendChild(s('polyline', { points: `${topRev.x + topRev.w / 2},${noteY + 4} ${topRev.x + topRev.w / 2},${topRev.y}`, class: 'end-leader' }));
      svg.appendChild(s('text', { x: topRev.x, y: noteY, class: 'end-note' }, str('reverseEndNote')));
    }
  }

  // arrows below nodes
  const arrowLayer = s('g', { class: 'arrows', 'aria-hidden': 'true' });
  const byId = new Map(L.nodes.map((n) => [n.id, n] as const));
  for (const a of L.arrows) {
    const to = byId.get(a.to)!;
    const from = byId.get(a.from)!;
    const shown = isRevealed(to, ctx.cursor, T) && isRevealed(from, ctx.cursor, T);
    const cls = `arrow arrow-${a.kind}${a.direction === 1 ? ' rev' : ''}${shown ? '' : ' future'}`;
    arrowLayer.appendChild(
      s('polyline', {
        points: a.points.map(([x, y]) => `${x},${y}`).join(' '),
        class: cls,
        'marker-end': `url(#${shown ? (a.direction === 1 ? 'arrow-rev' : 'arrow') : 'arrow-dim'})`,
      }),
    );
  }
  svg.appendChild(arrowLayer);

  // nodes
  const nodeLayer = s('g', { class: 'nodes' });
  const elements = new Map<string, SVGGElement>();
  const firstFocusable = ctx.selected && byId.has(ctx.selected) ? ctx.selected : L.nodes.find((n) => n.kind === 'h')?.id;
  for (const n of L.nodes) {
    const vec = nodeVector(p, n.kind, n.layer, n.direction, n.t, ctx.batch);
    const revealed = isRevealed(n, ctx.cursor, T);
    const label = nodeLabel(n, p);
    const desc =
      n.kind === 'h0' ? str('initialState') : n.kind === 'c0' ? str('initialCell') : n.kind === 'hn' ? (p.cell ? str('cellLastH') : str('finalState', n.layer * D + n.direction)) : n.kind === 'cn' ? (p.cell ? str('cellLastC') : str('finalCell', n.layer * D + n.direction)) : n.kind === 'head' ? str('headLabel') : '';
    // inf / nan (PyTorch's float32) said in the node's tooltip and aria-label, once revealed
    const nf = revealed ? nonFiniteText(vec, str) : undefined;
    const aria = desc.startsWith(label) ? desc : str('nodeAria', label, desc || (vec ? `${vec.length}` : str('notSent')));
    const g = s('g', {
      class: `node node-${n.kind}${n.direction === 1 ? ' rev' : ''}${revealed ? '' : ' future'}${ctx.selected === n.id ? ' selected' : ''}${vec ? '' : ' missing'}${nf ? ' has-nonfinite' : ''}`,
      tabindex: n.id === firstFocusable ? 0 : -1,
      role: 'button',
      'aria-label': nf ? `${aria} — ${nf}` : aria,
      'data-id': n.id,
    });
    if (ctx.selected === n.id) g.setAttribute('aria-pressed', 'true');
    const end = n.kind === 'h0' || n.kind === 'hn' || n.kind === 'c0' || n.kind === 'cn';
    g.appendChild(s('rect', { x: n.x, y: n.y, width: n.w, height: n.h, rx: n.kind === 'x' ? 3 : 6, class: `box${end ? ' end' : ''}` }));
    const small = n.kind === 'c' || n.kind === 'c0' || n.kind === 'cn';
    g.appendChild(s('text', { x: n.x + 4, y: n.y + (small ? 13 : 12), class: 'node-label' }, label));
    if (vec && revealed) {
      const stripH = small ? 5 : 10;
      g.appendChild(svgStrip(vec, n.x + 3, n.y + n.h - stripH - 3, n.w - 6, stripH, ctx.scales[scaleKey(n.kind)] ?? 1, 24));
    } else if (!vec) {
      g.appendChild(s('text', { x: n.x + n.w - 4, y: n.y + (small ? 13 : 24), 'text-anchor': 'end', class: 'missing-mark' }, '—'));
    }
    const title = desc ? (desc.startsWith(label) ? desc : `${label}: ${desc}`) : label;
    g.appendChild(s('title', {}, nf ? `${title}\n${nf}` : title));
    g.addEventListener('click', () => ctx.onSelect(n));
    g.addEventListener('mouseenter', () => ctx.onRead(n, vec));
    g.addEventListener('focus', () => ctx.onRead(n, vec));
    g.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        ctx.onSelect(n);
        return;
      }
      const next = neighbour(L, n, e.key);
      if (next) {
        e.preventDefault();
        const el = elements.get(next.id);
        if (el) {
          g.setAttribute('tabindex', '-1');
          el.setAttribute('tabindex', '0');
          el.focus();
        }
      }
    });
    elements.set(n.id, g);
    nodeLayer.appendChild(g);
  }
  svg.appendChild(nodeLayer);
  return svg;
}

/** The node reached from `n` by an arrow key: left/right along the row, up/down across rows. */
export function neighbour(L: Layout, n: LayoutNode, key: string): LayoutNode | undefined {
  const cy = n.y + n.h / 2;
  const cx = n.x + n.w / 2;
  const centre = (m: LayoutNode) => [m.x + m.w / 2, m.y + m.h / 2] as const;
  if (key === 'ArrowLeft' || key === 'ArrowRight') {
    const sign = key === 'ArrowRight' ? 1 : -1;
    let best: LayoutNode | undefined;
    for (const m of L.nodes) {
      const [mx, my] = centre(m);
      if (Math.abs(my - cy) > 1 || (mx - cx) * sign <= 0) continue;
      if (!best || Math.abs(mx - cx) < Math.abs(best.x + best.w / 2 - cx)) best = m;
    }
    return best;
  }
  if (key === 'ArrowUp' || key === 'ArrowDown') {
    const sign = key === 'ArrowDown' ? 1 : -1;
    let best: LayoutNode | undefined;
    let bestScore = Infinity;
    for (const m of L.nodes) {
      const [mx, my] = centre(m);
      const dy = (my - cy) * sign;
      if (dy <= 1) continue;
      const score = dy * 1000 + Math.abs(mx - cx);
      if (score < bestScore) {
        bestScore = score;
        best = m;
      }
    }
    return best;
  }
  return undefined;
}

export { fill };
