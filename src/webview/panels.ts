/*
 * The side panels of the Unroll View: results printed like PyTorch, the shapes strip, the
 * gradient chart (log scale) with the RNN/LSTM/GRU comparison, the beginner's explanations and
 * the notes. Each returns a fresh element; main.ts places them.
 * Layer: webview (DOM only).
 */
import type { ComparePayload, RunPayload } from '../protocol/messages';
import { batchOf, hOut, outputAt } from './data';
import { h, s } from './dom';
import { formatCount, formatShape, formatTorchTensor } from './format';
import { NONFINITE, nonFiniteMarkPath, nonFiniteText } from './heatmap';
import { wireKind, type WireNumber } from '../protocol/wire';

type Str = (key: string, ...args: (string | number)[]) => string;

/** head, h_n, c_n and output at the selected step, as `print()` shows them in PyTorch. */
export function renderResults(p: RunPayload, t: number, batch: number | 'all', precision: number, str: Str, linewidth?: number): HTMLElement {
  const box = h('section', { class: 'results', 'aria-label': str('results') });
  box.appendChild(h('h2', {}, str('results')));
  // a tensor holding inf or nan says so in its tooltip and aria-label (the text is PyTorch's print)
  const print = (name: string, text: string, values?: (number | null)[]) => {
    const nf = nonFiniteText(values, str);
    box.appendChild(
      h('div', { class: 'result' }, h('code', { class: 'result-name' }, name),
        h('pre', { class: `tensor${nf ? ' has-nonfinite' : ''}`, tabindex: 0, 'aria-label': nf ? `${name}: ${nf}` : name, title: nf, 'data-result': name }, text)),
    );
  };
  const opts = { precision, ...(linewidth ? { linewidth } : {}) };
  if (p.headOutput) print('head', formatTorchTensor(p.headOutput.shape, p.headOutput.data, opts), p.headOutput.data);
  // A cell's loop ends with h (and c) of shape (N, H): h_n without its one-layer axis.
  const last = (shape: number[]) => (p.cell ? shape.slice(1) : shape);
  print(p.cell ? 'h' : 'h_n', formatTorchTensor(last(p.hN.shape), p.hN.data, opts), p.hN.data);
  if (p.cN) print(p.cell ? 'c' : 'c_n', formatTorchTensor(last(p.cN.shape), p.cN.data, opts), p.cN.data);
  // output at the selected step, for every batch element (what output[t] prints)
  const rows: (number | null)[] = [];
  const width = (p.model.bidirectional ? 2 : 1) * hOut(p);
  const n = p.unbatched ? 1 : p.batch;
  let ok = true;
  for (let b = 0; b < n; b++) {
    const r = outputAt(p, t, b);
    if (!r) ok = false;
    else rows.push(...r);
  }
  const name = p.unbatched ? `output[${t}]` : p.model.batchFirst ? `output[:, ${t}]` : `output[${t}]`;
  print(name + `   (t = ${t + 1})`, ok ? formatTorchTensor(p.unbatched ? [width] : [n, width], rows, opts) : str('notSent'), ok ? rows : undefined);
  void batch;
  void batchOf;
  return box;
}

/**
 * The document's "description" under the title, as plain text (textContent only: it is the
 * document author's text), clamped to a few lines by CSS. The "more" button is shown by
 * `updateDescription` once the clamp is seen to hide something.
 */
export function renderDescription(text: string, open: boolean, str: Str, onToggle: (open: boolean) => void): HTMLElement {
  const box = h('div', { class: `description${open ? ' open' : ''}` });
  const para = h('p', { class: 'description-text', id: 'doc-description', 'aria-label': str('description') }, text);
  const more = h('button', { type: 'button', class: 'link-button more', 'aria-controls': 'doc-description', 'aria-expanded': open ? 'true' : 'false', hidden: true }, str(open ? 'less' : 'more'));
  more.addEventListener('click', () => {
    const next = !box.classList.contains('open');
    box.classList.toggle('open', next);
    more.textContent = str(next ? 'less' : 'more');
    more.setAttribute('aria-expanded', next ? 'true' : 'false');
    onToggle(next);
  });
  box.appendChild(para);
  box.appendChild(more);
  return box;
}

/** Shows the description's "more"/"less" button only when the text is longer than the clamp. */
export function updateDescription(box: Element | null): void {
  if (!box) return;
  const para = box.querySelector('.description-text') as HTMLElement | null;
  const more = box.querySelector('button.more') as HTMLElement | null;
  if (!para || !more) return;
  const clipped = para.scrollHeight > para.clientHeight + 1;
  more.hidden = !(clipped || box.classList.contains('open'));
}

/** input -> output, h_n, c_n, head with their sizes; parameters with counts. */
export function renderShapes(p: RunPayload, str: Str): HTMLElement {
  const box = h('section', { class: 'shapes', 'aria-label': str('shapes') });
  box.appendChild(h('h2', {}, str('shapes')));
  const strip = h('div', { class: 'shape-strip' });
  const chip = (name: string, shape: (number | string)[] | undefined) => (shape ? h('span', { class: 'chip' }, h('code', {}, name), ' ', formatShape(shape)) : undefined);
  strip.appendChild(chip('input', p.cellStep ? p.shapes.input.slice(1) : p.shapes.input)!);
  strip.appendChild(h('span', { class: 'arrow-text', 'aria-hidden': 'true' }, '→'));
  strip.appendChild(h('span', { class: 'chip model' }, p.cell ? `nn.${p.cell}(${p.model.inputSize}, ${p.model.hiddenSize})` : `nn.${p.model.type}(${p.model.inputSize}, ${p.model.hiddenSize}${p.model.numLayers > 1 ? `, num_layers=${p.model.numLayers}` : ''}${p.model.batchFirst ? ', batch_first=True' : ''}${p.model.bidirectional ? ', bidirectional=True' : ''}${p.model.projSize ? `, proj_size=${p.model.projSize}` : ''})`));
  strip.appendChild(h('span', { class: 'arrow-text', 'aria-hidden': 'true' }, '→'));
  const chips = p.cell
    ? [p.cellStep ? undefined : chip(str('cellStack'), p.shapes.output), chip('h', p.shapes.hN.slice(1)), chip('c', p.shapes.cN?.slice(1))]
    : [chip('output', p.shapes.output), chip('h_n', p.shapes.hN), chip('c_n', p.shapes.cN)];
  for (const c of chips) if (c) strip.appendChild(c);
  if (p.shapes.head) {
    strip.appendChild(h('span', { class: 'arrow-text', 'aria-hidden': 'true' }, '→'));
    strip.appendChild(chip('head', p.shapes.head)!);
  }
  box.appendChild(strip);
  const details = h('details', { class: 'params' });
  details.appendChild(h('summary', {}, `${str('params')}: ${str('paramCount', formatCount(p.shapes.paramCount))} · ${str('flops', formatCount(p.shapes.flopsPerStep))}`));
  const table = h('table', {});
  for (const q of p.shapes.params) {
    const count = q.shape.reduce((a, b) => a * b, 1);
    // A cell's parameters by the cell's names (weight_ih); the payload keeps the module's for the inspector.
    const name = p.cell ? q.name.replace(/_l0$/, '') : q.name;
    table.appendChild(h('tr', {}, h('td', {}, h('code', {}, name)), h('td', {}, formatShape(q.shape)), h('td', { class: 'num' }, formatCount(count)), h('td', { class: 'muted' }, q.gates.map((g) => g.gate).filter(Boolean).join(' '))));
  }
  details.appendChild(table);
  if (p.omittedParams?.length) details.appendChild(h('p', { class: 'muted' }, str('weightsOmitted', p.omittedParams.join(', '))));
  box.appendChild(details);
  return box;
}

/**
 * Bars on a log10 axis, one per time step (downsampled to at most maxBars by max). A step whose
 * norm is inf or nan (wire numbers) is a full-height magenta bar with its mark and says so; the
 * axis is scaled on the finite norms only.
 */
function logBars(values: WireNumber[], width: number, height: number, label: string, cls: string): SVGSVGElement {
  const maxBars = 400;
  const bin = Math.max(1, Math.ceil(values.length / maxBars));
  const bars: { v: number; kind?: 'nan' | 'inf' | '-inf' }[] = [];
  for (let i = 0; i < values.length; i += bin) {
    const slice = values.slice(i, i + bin);
    const kinds = slice.map(wireKind);
    const kind = kinds.includes('nan') ? 'nan' : kinds.includes('inf') ? 'inf' : kinds.includes('-inf') ? '-inf' : undefined;
    bars.push({ v: Math.max(0, ...slice.filter((v, k) => !kinds[k]).map((v) => v as number)), kind });
  }
  const positive = bars.filter((b) => !b.kind && b.v > 0).map((b) => b.v);
  const svg = s('svg', { class: `chart ${cls}`, width, height: height + 16, viewBox: `0 0 ${width} ${height + 16}`, role: 'img', 'aria-label': label });
  if (positive.length === 0 && !bars.some((b) => b.kind)) return svg;
  const hi = positive.length ? Math.ceil(Math.log10(Math.max(...positive))) : 1;
  const lo = positive.length ? Math.min(hi - 1, Math.floor(Math.log10(Math.min(...positive)))) : 0;
  const left = 40;
  const bw = (width - left - 4) / bars.length;
  const yOf = (v: number) => height - ((Math.log10(v) - lo) / (hi - lo)) * (height - 4);
  for (let e = lo; e <= hi; e += Math.max(1, Math.ceil((hi - lo) / 4))) {
    svg.appendChild(s('line', { x1: left, x2: width, y1: yOf(10 ** e), y2: yOf(10 ** e), class: 'grid' }));
    svg.appendChild(s('text', { x: left - 4, y: yOf(10 ** e) + 4, 'text-anchor': 'end', class: 'tick' }, `1e${e}`));
  }
  bars.forEach(({ v, kind }, i) => {
    const when = `t=${i * bin + 1}${bin > 1 ? `..${Math.min(values.length, (i + 1) * bin)}` : ''}`;
    if (kind) {
      const x = left + i * bw + 0.5;
      const w = Math.max(0.8, bw - 1);
      const r = s('rect', { x, y: 0, width: w, height, fill: NONFINITE, class: `bar nonfinite ${kind === '-inf' ? 'neg-inf' : kind}` });
      r.appendChild(s('title', {}, `${when}: ${kind}`));
      svg.appendChild(r);
      svg.appendChild(s('path', { d: nonFiniteMarkPath(kind, x, 0, w, Math.min(height, Math.max(w, 6))), class: 'nonfinite-mark' }));
      return;
    }
    if (v <= 0) return;
    const y = yOf(v);
    const r = s('rect', { x: left + i * bw + 0.5, y, width: Math.max(0.8, bw - 1), height: Math.max(0.5, height - y), class: 'bar' });
    r.appendChild(s('title', {}, `${when}: ${v.toExponential(3)}`));
    svg.appendChild(r);
  });
  svg.appendChild(s('text', { x: left, y: height + 14, class: 'tick' }, 't=1'));
  svg.appendChild(s('text', { x: width - 2, y: height + 14, 'text-anchor': 'end', class: 'tick' }, `t=${values.length}`));
  return svg;
}

/** The gradients section: ||dL/dx_t|| and ||dL/dh_t||, the explanation, the compare button. */
export function renderGradients(p: RunPayload, str: Str, onCompare: () => void, compare: ComparePayload | 'working' | undefined): HTMLElement {
  const box = h('section', { class: 'gradients', 'aria-label': str('gradients') });
  box.appendChild(h('h2', {}, str('gradients')));
  if (p.gradientsPending) box.appendChild(h('p', { class: 'muted pending', role: 'status' }, str('gradPending')));
  else if (!p.gradients) box.appendChild(h('p', { class: 'muted' }, str('gradNone')));
  else {
    box.appendChild(h('p', { class: 'muted' }, str('gradLoss', p.gradients.loss)));
    box.appendChild(h('h3', {}, str('gradInput')));
    box.appendChild(logBars(p.gradients.inputNorms, 360, 90, str('gradInput'), 'grad-input'));
    const top = p.gradients.hiddenNorms[p.gradients.hiddenNorms.length - 1];
    const D = p.model.bidirectional ? 2 : 1;
    for (let d = 0; d < D && top; d++) {
      const title = str('gradHidden', p.model.numLayers - 1, D === 2 ? str(d === 0 ? 'forward' : 'reverse') : '');
      box.appendChild(h('h3', {}, title));
      box.appendChild(logBars(top[d], 360, 70, title, 'grad-hidden'));
    }
  }
  box.appendChild(h('p', { class: 'explain' }, str('gradExplain')));
  const button = h('button', { type: 'button', class: 'compare-button' }, str('compare'));
  button.addEventListener('click', onCompare);
  if (compare === 'working') button.setAttribute('disabled', 'true');
  box.appendChild(button);
  if (compare === 'working') box.appendChild(h('p', { class: 'muted' }, str('compareWorking')));
  else if (compare?.error) box.appendChild(h('p', { class: 'error' }, compare.error));
  else if (compare) box.appendChild(renderCompare(compare, str));
  return box;
}

function renderCompare(c: ComparePayload, str: Str): HTMLElement {
  const box = h('div', { class: 'compare' });
  box.appendChild(h('p', {}, str('compareTitle', c.seed ?? 0) + (c.loss ? ` · ${c.loss}` : '')));
  const width = 360;
  const height = 120;
  // finite norms only: an overflowed (inf) or nan norm is left out of the scale and the line
  const all = c.rows.flatMap((r) => r.inputNorms).filter((v): v is number => !wireKind(v) && (v as number) > 0);
  if (all.length === 0) return box;
  const hi = Math.ceil(Math.log10(Math.max(...all)));
  const lo = Math.min(hi - 1, Math.floor(Math.log10(Math.min(...all))));
  const left = 40;
  const svg = s('svg', { class: 'chart compare-chart', width, height: height + 16, viewBox: `0 0 ${width} ${height + 16}`, role: 'img', 'aria-label': str('compare') });
  const yOf = (v: number) => height - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * (height - 6);
  for (let e = lo; e <= hi; e += Math.max(1, Math.ceil((hi - lo) / 4))) {
    svg.appendChild(s('line', { x1: left, x2: width, y1: yOf(10 ** e), y2: yOf(10 ** e), class: 'grid' }));
    svg.appendChild(s('text', { x: left - 4, y: yOf(10 ** e) + 4, 'text-anchor': 'end', class: 'tick' }, `1e${e}`));
  }
  const legendBox = h('div', { class: 'compare-legend' });
  c.rows.forEach((r) => {
    const n = r.inputNorms.length;
    const step = Math.max(1, Math.ceil(n / 400));
    const pts: string[] = [];
    for (let i = 0; i < n; i += step) {
      const v = r.inputNorms[i];
      if (!wireKind(v)) pts.push(`${left + (n === 1 ? 0 : (i / (n - 1)) * (width - left - 4))},${yOf(v as number)}`);
    }
    svg.appendChild(s('polyline', { points: pts.join(' '), class: `line line-${r.type}` }));
    legendBox.appendChild(h('span', { class: `swatch swatch-${r.type}` }, r.type));
  });
  svg.appendChild(s('text', { x: left, y: height + 14, class: 'tick' }, 't=1'));
  svg.appendChild(s('text', { x: width - 2, y: height + 14, 'text-anchor': 'end', class: 'tick' }, `t=${c.rows[0]?.inputNorms.length ?? 0}`));
  box.appendChild(svg);
  box.appendChild(legendBox);
  return box;
}

/** Short explanations for a beginner, chosen for this model. */
export function renderExplanations(p: RunPayload, str: Str): HTMLElement {
  const box = h('section', { class: 'explanations', 'aria-label': str('explainTitle') });
  box.appendChild(h('h2', {}, str('explainTitle')));
  const keys = ['explainH'];
  if (p.model.numLayers > 1) keys.push('explainLayers');
  if (p.model.bidirectional) keys.push('explainBi');
  if (p.model.type === 'LSTM') keys.push('explainLstm');
  if (p.model.type === 'GRU') keys.push('explainGru');
  if (p.head) keys.push('explainHead');
  keys.push('explainGrad');
  for (const k of keys) box.appendChild(h('p', { class: `explain ${k}` }, str(k)));
  return box;
}

/** The run's notes (already localised by the host). */
export function renderNotes(p: RunPayload, str: Str): HTMLElement | undefined {
  if (p.notes.length === 0) return undefined;
  const box = h('section', { class: 'notes', 'aria-label': str('notes') });
  box.appendChild(h('h2', {}, str('notes')));
  const ul = h('ul', {});
  for (const n of p.notes) ul.appendChild(h('li', {}, n));
  box.appendChild(ul);
  return box;
}
