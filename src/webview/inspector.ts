/*
 * The inspector: a selected cell's equation with the user's numbers plugged in, each term as a
 * heatmap and printed like PyTorch. RNN h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh); LSTM
 * gates i, f, g, o and c_t; GRU r, z, n; the head's product. Symbols and parameter names are
 * PyTorch's (weight_ih_l0, W_ii, ...).
 * Layer: webview (DOM only).
 */
import type { RunPayload } from '../protocol/messages';
import type { LayoutNode } from './layout';
import { batchSlice, hOut, nodeVector, stepAt, type Vec } from './data';
import { h } from './dom';
import { formatShape, formatTorchTensor } from './format';
import { canvasHeatmap, maxAbs, nonFiniteText } from './heatmap';
import { fromWireNumber } from '../protocol/wire';
import { nodeLabel } from './diagram';

export interface InspectorContext {
  payload: RunPayload;
  batch: number;
  precision: number;
  /** PyTorch print linewidth for this column's width (format.linewidthFor); 80 by default. */
  linewidth?: number;
  str: (key: string, ...args: (string | number)[]) => string;
  onRead: (text: string) => void;
}

const GATE_SYMBOLS: Record<string, { ih: string; hh: string; act: string; key: string }> = {
  i: { ih: 'W_ii x_t + b_ii', hh: 'W_hi h_(t-1) + b_hi', act: 'σ', key: 'gateI' },
  f: { ih: 'W_if x_t + b_if', hh: 'W_hf h_(t-1) + b_hf', act: 'σ', key: 'gateF' },
  g: { ih: 'W_ig x_t + b_ig', hh: 'W_hg h_(t-1) + b_hg', act: 'tanh', key: 'gateG' },
  o: { ih: 'W_io x_t + b_io', hh: 'W_ho h_(t-1) + b_ho', act: 'σ', key: 'gateO' },
  r: { ih: 'W_ir x_t + b_ir', hh: 'W_hr h_(t-1) + b_hr', act: 'σ', key: 'gateR' },
  z: { ih: 'W_iz x_t + b_iz', hh: 'W_hz h_(t-1) + b_hz', act: 'σ', key: 'gateZ' },
  n: { ih: 'W_in x_t + b_in', hh: 'W_hn h_(t-1) + b_hn', act: 'tanh', key: 'gateN' },
};

function vecText(v: Vec, precision: number, linewidth?: number): string {
  return formatTorchTensor([v.length], v, { precision, ...(linewidth ? { linewidth } : {}) });
}

/** One term: symbol, words, heatmap (canvas) and PyTorch-printed values. */
function term(ctx: InspectorContext, symbol: string, words: string, v: Vec | undefined, scale?: number): HTMLElement {
  const row = h('div', { class: 'term' });
  row.appendChild(h('div', { class: 'term-head' }, h('code', { class: 'term-symbol' }, symbol), words ? h('span', { class: 'term-words' }, words) : undefined));
  if (v) {
    row.appendChild(canvasHeatmap(v, scale ?? Math.max(1e-12, maxAbs(v)), symbol, ctx.onRead, ctx.str));
    const nf = nonFiniteText(v, ctx.str);
    row.appendChild(h('pre', { class: `tensor${nf ? ' has-nonfinite' : ''}`, tabindex: 0, 'aria-label': nf ? `${symbol}: ${nf}` : symbol, title: nf }, vecText(v, ctx.precision, ctx.linewidth)));
  } else row.appendChild(h('p', { class: 'muted' }, ctx.str('notSent')));
  return row;
}

/** a + b elementwise with PyTorch's float32 rules for inf and nan (inf + -inf is nan). */
function add(a: Vec, b: Vec): Vec {
  return a.map((x, i) => fromWireNumber(x) + fromWireNumber(b[i]));
}

function paramRef(p: RunPayload, base: string, layer: number, direction: number, rows?: [number, number]): string {
  const name = `${base}_l${layer}${direction === 1 ? '_reverse' : ''}`;
  const info = p.shapes.params.find((q) => q.name === name);
  const shape = info ? formatShape(info.shape) : '';
  // A cell names its parameters without the layer: weight_ih.
  return `${p.cell ? base : name}${rows ? `[${rows[0]}:${rows[1]}]` : ''} ${shape}`.trim();
}

/** The inspector's content for a node. */
export function renderInspector(ctx: InspectorContext, node: LayoutNode | undefined): HTMLElement {
  const { payload: p, str } = ctx;
  const box = h('div', { class: 'inspector-body' });
  if (!node) {
    box.appendChild(h('p', { class: 'muted' }, str('inspectorHint')));
    return box;
  }
  const label = nodeLabel(node, p);
  box.appendChild(h('h3', { class: 'inspector-title' }, label, node.t >= 0 ? h('span', { class: 'muted' }, `  t = ${node.t + 1} · PyTorch index ${node.t}`) : undefined));
  const b = ctx.batch;
  if (node.kind === 'h' || node.kind === 'c') {
    const step = stepAt(p, node.layer, node.direction, node.t);
    if (!step) {
      box.appendChild(h('p', { class: 'muted' }, str(p.steps ? 'stepNotSent' : 'gatesNotTraced')));
      box.appendChild(term(ctx, label, '', nodeVector(p, node.kind, node.layer, node.direction, node.t, b)));
      return box;
    }
    const v = (name: string) => batchSlice(step.vectors[name], p.batch, b);
    const l = node.layer;
    const d = node.direction;
    const H = p.model.hiddenSize;
    const x = v('x');
    const hPrev = v('h_prev');
    const ih = v('ih');
    const hh = v('hh');
    const prevName = node.direction === 0 ? 'h_(t-1)' : 'h_(t+1)';
    box.appendChild(term(ctx, l === 0 ? 'x_t' : 'x_t = output of layer ' + (l - 1), str('termInput'), x));
    box.appendChild(term(ctx, d === 0 ? 'h_(t-1)' : 'h_(t+1)  (reverse: the step to the right)', str('termPrev'), hPrev));
    if (p.model.type === 'RNN') {
      const act = p.model.nonlinearity;
      box.appendChild(h('p', { class: 'equation' }, h('code', {}, str('equationRnn', act).replace('h_(t-1)', prevName))));
      box.appendChild(h('p', { class: 'params' }, h('code', {}, `W_ih = ${paramRef(p, 'weight_ih', l, d)},  W_hh = ${paramRef(p, 'weight_hh', l, d)}${p.model.bias ? `,  b_ih = ${paramRef(p, 'bias_ih', l, d)},  b_hh = ${paramRef(p, 'bias_hh', l, d)}` : ''}`)));
      box.appendChild(term(ctx, 'W_ih x_t + b_ih', str('termIh'), ih));
      box.appendChild(term(ctx, `W_hh ${prevName} + b_hh`, str('termHh'), hh));
      if (ih && hh) box.appendChild(term(ctx, 'W_ih x_t + b_ih + W_hh h + b_hh', '', add(ih, hh)));
      box.appendChild(term(ctx, `h_t = ${act}(…)`, str('termResult'), v('h'), 1));
      return box;
    }
    const gates = p.model.type === 'LSTM' ? ['i', 'f', 'g', 'o'] : ['r', 'z', 'n'];
    if (p.model.type === 'LSTM') {
      box.appendChild(h('p', { class: 'equation' }, h('code', {}, 'i_t = σ(W_ii x_t + b_ii + W_hi h + b_hi)\nf_t = σ(…)   g_t = tanh(…)   o_t = σ(…)')));
      box.appendChild(h('p', { class: 'equation' }, h('code', {}, 'c_t = f_t ⊙ c_(t-1) + i_t ⊙ g_t\nh_t = o_t ⊙ tanh(c_t)')));
    } else {
      box.appendChild(h('p', { class: 'equation' }, h('code', {}, 'r_t = σ(W_ir x_t + b_ir + W_hr h + b_hr)\nz_t = σ(W_iz x_t + b_iz + W_hz h + b_hz)')));
      box.appendChild(h('p', { class: 'equation' }, h('code', {}, 'n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h + b_hn))\nh_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_(t-1)')));
    }
    box.appendChild(h('p', { class: 'params' }, h('code', {}, `${paramRef(p, 'weight_ih', l, d)} = [${gates.map((g) => 'W_i' + g).join(' ; ')}],  ${paramRef(p, 'weight_hh', l, d)} = [${gates.map((g) => 'W_h' + g).join(' ; ')}]`)));
    if (p.model.type === 'LSTM') box.appendChild(term(ctx, d === 0 ? 'c_(t-1)' : 'c_(t+1)', str('termPrevCell'), v('c_prev')));
    gates.forEach((g, k) => {
      const sym = GATE_SYMBOLS[g];
      const sec = h('section', { class: 'gate', 'aria-label': `${g}_t` });
      sec.appendChild(h('h4', {}, h('code', {}, `${g}_t`), ' ', h('span', { class: 'term-words' }, str(sym.key)), ' ', h('span', { class: 'muted' }, `rows ${k * H}:${(k + 1) * H}`)));
      const ihK = ih?.slice(k * H, (k + 1) * H);
      const hhK = hh?.slice(k * H, (k + 1) * H);
      sec.appendChild(term(ctx, sym.ih, '', ihK));
      sec.appendChild(term(ctx, sym.hh, '', hhK));
      sec.appendChild(term(ctx, `${g}_t = ${sym.act}(…)`, '', v(g), 1));
      box.appendChild(sec);
    });
    if (p.model.type === 'LSTM') {
      box.appendChild(term(ctx, 'c_t = f_t ⊙ c_(t-1) + i_t ⊙ g_t', '', v('c')));
      if (p.model.projSize > 0) box.appendChild(h('p', { class: 'params' }, h('code', {}, `${str('projection')}  W_hr = ${paramRef(p, 'weight_hr', l, d)}`)));
      box.appendChild(term(ctx, p.model.projSize > 0 ? 'h_t = W_hr (o_t ⊙ tanh(c_t))' : 'h_t = o_t ⊙ tanh(c_t)', str('termResult'), v('h')));
    } else {
      box.appendChild(term(ctx, 'h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_(t-1)', str('termResult'), v('h'), 1));
    }
    return box;
  }
  if (node.kind === 'head') {
    const w = p.shapes.params.find((q) => q.name === 'head.weight');
    box.appendChild(h('p', { class: 'equation' }, h('code', {}, `${str('headEquation')}   W = head.weight ${w ? formatShape(w.shape) : ''}, b = head.bias`)));
    const last = p.seqLen - 1;
    const lastOut = nodeVector(p, p.model.bidirectional ? 'y' : 'h', p.model.numLayers - 1, 0, last, b);
    box.appendChild(term(ctx, p.model.batchFirst ? 'output[:, -1]' : 'output[-1]', '', lastOut));
    if (w && lastOut && w.shape.length === 2) {
      // each output feature: the dot product, as products summed, for a learner to follow
      const out = nodeVector(p, 'head', 0, 0, -1, b) ?? [];
      const list = h('ul', { class: 'head-products' });
      for (let j = 0; j < Math.min(out.length, 8); j++) {
        list.appendChild(h('li', {}, h('code', {}, `head[${j}] = head.weight[${j}] · output[-1] + head.bias[${j}] = ${vecText([out[j]], ctx.precision).replace(/^tensor\(\[|\]\)$/g, '').trim()}`)));
      }
      box.appendChild(list);
    }
    box.appendChild(term(ctx, 'head', str('termResult'), nodeVector(p, 'head', 0, 0, -1, b)));
    return box;
  }
  const desc: Record<string, string> = {
    x: str('termInput'),
    y: 'y_t = [→h_t ; ←h_t]',
    h0: str('initialState'),
    c0: str('initialCell'),
    hn: str('finalState', node.layer * (p.model.bidirectional ? 2 : 1) + node.direction),
    cn: str('finalCell', node.layer * (p.model.bidirectional ? 2 : 1) + node.direction),
  };
  if (node.kind === 'y') {
    const Ho = hOut(p);
    const y = nodeVector(p, 'y', node.layer, 0, node.t, b);
    box.appendChild(term(ctx, `→h_t  (y[0:${Ho}])`, str('forward'), y?.slice(0, Ho)));
    box.appendChild(term(ctx, `←h_t  (y[${Ho}:${2 * Ho}])`, str('reverse'), y?.slice(Ho)));
  }
  box.appendChild(term(ctx, label, desc[node.kind] ?? '', nodeVector(p, node.kind, node.layer, node.direction, node.t, b)));
  if (node.kind === 'hn' && node.direction === 1) box.appendChild(h('p', { class: 'callout' }, str('reverseEndNote')));
  return box;
}
