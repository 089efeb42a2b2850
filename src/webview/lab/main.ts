/*
 * The RNN Lab webview: draws the events of a lab job (src/protocol/lab.ts) as they arrive:
 * the long-memory experiment (test metric against length per model, mean over seeds with the
 * spread; gradient norm per training step; how much the loss hears each time step), or the
 * character-level language model (live loss, samples as training goes). Stop / Run again.
 * The webview has no strings of its own: the host sends them translated in 'init'.
 * Everything is built with createElement and textContent (src/webview/dom.ts): the selected
 * text a language model learns from is shown as text, never parsed as HTML.
 * Layer: webview (DOM only). Imports protocol types and src/webview helpers.
 */
import type { LabEvent, LabFromWebview, LabRun, LabToWebview, LabLongMemoryConfig, LabCharLmInfo, LabSample } from '../../protocol/lab';
import { clear, fill, h } from '../dom';
import { chartFigure, fmt, type Series } from './charts';

interface VsCodeApi {
  postMessage(m: LabFromWebview): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

interface Saved {
  strings: Record<string, string>;
  events: LabEvent[];
  /** The language model's loss on a log scale (the default: it falls over several decades). */
  clLog?: boolean;
}

let strings: Record<string, string> = {};
let events: LabEvent[] = [];
let running = false;
/** The length whose training curves and gradient profile are shown. */
let pickedLength: number | undefined;
let scheduled = false;
let clLog = true;

const root = document.querySelector('main') ?? document.body.appendChild(document.createElement('main'));
root.classList.add('lab');

const S = (k: string, ...args: (string | number)[]) => fill(strings[k] ?? k, ...args);

function save(): void {
  vscode.setState({ strings, events, clLog } satisfies Saved);
}

/** Redraw at most once per frame (step events come in bursts). */
function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    render();
  });
}

window.addEventListener('message', (e: MessageEvent) => {
  const m = e.data as LabToWebview;
  if (!m || typeof m !== 'object') return;
  switch (m.type) {
    case 'init':
      strings = m.strings;
      // A restored panel: the host has no events (the job ended with the old window), ours stay.
      if (m.events.length > 0 || m.running) events = m.events;
      running = m.running;
      break;
    case 'reset':
      events = [];
      running = m.running;
      pickedLength = undefined;
      break;
    case 'event':
      events.push(m.event);
      if (m.event.type === 'done' || m.event.type === 'error') running = false;
      break;
    default:
      return;
  }
  save();
  schedule();
});

// --- state derived from the events ------------------------------------------------------------

interface LmState {
  config: LabLongMemoryConfig;
  plan: { cell: string; length: number; seed: number }[];
  current?: number;
  lastStep?: { index: number; step: number; loss: number };
  /** Live curves of models in training: index -> steps. */
  live: Map<number, { step: number; loss: number; gradNorm: number }[]>;
  runs: (LabRun | undefined)[];
}

interface ClState {
  info: LabCharLmInfo;
  steps: { step: number; loss: number }[];
  samples: LabSample[];
}

function derive(): { lm?: LmState; cl?: ClState; done?: { stopped: boolean }; error?: string } {
  let lm: LmState | undefined;
  let cl: ClState | undefined;
  let done: { stopped: boolean } | undefined;
  let error: string | undefined;
  for (const e of events) {
    switch (e.type) {
      case 'lm/start':
        lm = { config: e.config, plan: e.plan, live: new Map(), runs: [] };
        break;
      case 'lm/model':
        if (lm) lm.current = e.index;
        break;
      case 'lm/step':
        if (lm) {
          const list = lm.live.get(e.index) ?? [];
          list.push({ step: e.step, loss: e.loss, gradNorm: e.gradNorm });
          lm.live.set(e.index, list);
          lm.lastStep = { index: e.index, step: e.step, loss: e.loss };
        }
        break;
      case 'lm/run':
        if (lm) lm.runs[e.index] = e.run;
        break;
      case 'cl/start':
        cl = { info: e.info, steps: [], samples: [] };
        break;
      case 'cl/step':
        cl?.steps.push({ step: e.step, loss: e.loss });
        break;
      case 'cl/sample':
        cl?.samples.push(e.sample);
        break;
      case 'done':
        done = { stopped: e.stopped };
        break;
      case 'error':
        error = e.message;
        break;
    }
  }
  return { lm, cl, done, error };
}

// --- rendering --------------------------------------------------------------------------------

function send(m: LabFromWebview): void {
  vscode.postMessage(m);
}

function toolbar(status: string): HTMLElement {
  const stop = h('button', { type: 'button', class: 'stop', disabled: !running }, S('stop'));
  stop.addEventListener('click', () => send({ type: 'stop' }));
  const again = h('button', { type: 'button', class: 'rerun', disabled: running || events.length === 0 }, S('rerun'));
  again.addEventListener('click', () => send({ type: 'rerun' }));
  return h('div', { class: 'toolbar' }, h('span', { class: 'status', role: 'status', 'aria-live': 'polite' }, status), stop, again);
}

function render(): void {
  clear(root);
  const { lm, cl, done, error } = derive();
  if (!lm && !cl && !error) {
    root.appendChild(h('h1', {}, S('panelTitle')));
    root.appendChild(h('p', { class: 'waiting' }, S('waiting')));
    return;
  }
  let status = '';
  if (error) status = S('failed', error);
  else if (lm) {
    const doneCount = lm.runs.filter(Boolean).length;
    if (done) status = done.stopped ? S('stopped', doneCount, lm.plan.length) : S('finished', doneCount);
    else if (lm.current !== undefined) {
      const p = lm.plan[lm.current];
      const st = lm.lastStep?.index === lm.current ? lm.lastStep.step + 1 : 0;
      status = S('running', lm.current + 1, lm.plan.length, p.cell, p.length, p.seed, st, lm.config.steps);
    }
  } else if (cl) {
    const last = cl.steps[cl.steps.length - 1];
    if (done) status = done.stopped ? S('clStopped', last ? last.step + 1 : 0, cl.info.steps) : S('clDone', last ? last.step + 1 : 0, last ? fmt(last.loss) : '–');
    else status = S('clRunning', last ? last.step + 1 : 0, cl.info.steps, last ? fmt(last.loss) : '–');
  }
  const progress = h('progress', { class: 'progress', max: 1, value: progressOf(lm, cl, !!done) });
  root.appendChild(h('header', {}, h('h1', {}, lm ? S('lmTitle') : cl ? S('clTitle') : S('panelTitle')), toolbar(status), progress));
  if (error) root.appendChild(h('p', { class: 'error', role: 'alert' }, S('failed', error)));
  if (lm) renderLongMemory(lm);
  if (cl) renderCharLm(cl);
}

function progressOf(lm: LmState | undefined, cl: ClState | undefined, done: boolean): number {
  if (done) return 1;
  if (lm) {
    const doneCount = lm.runs.filter(Boolean).length;
    const partial = lm.lastStep && lm.lastStep.index === lm.current ? (lm.lastStep.step + 1) / lm.config.steps : 0;
    return Math.min(1, (doneCount + (lm.runs[lm.current ?? -1] ? 0 : partial)) / Math.max(1, lm.plan.length));
  }
  if (cl) {
    const last = cl.steps[cl.steps.length - 1];
    return last ? (last.step + 1) / cl.info.steps : 0;
  }
  return 0;
}

function renderLongMemory(lm: LmState): void {
  const c = lm.config;
  const cls = c.variant === 'classification';
  const runs = lm.runs.filter((r): r is LabRun => !!r);
  root.appendChild(
    h('p', { class: 'task' }, cls ? S('lmTaskClassification', c.classes, c.nTest, `${Math.round(100 / c.classes)}%`) : S('lmTaskRegression', Math.max(...c.lengths), c.nTest)),
  );
  root.appendChild(h('p', { class: 'setup' }, S('lmSetup', c.nTrain, c.steps, c.lr, c.hidden, c.seeds.join(', '), c.batchSize || c.nTrain)));
  // The LSTM's gate-bias deviation from PyTorch's init, said where the setup is (records made before it have none).
  const fb = c.forgetBias ?? 0;
  const ib = c.inputBias ?? 0;
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
  const deviation = c.cells.includes('LSTM') && (fb !== 0 || ib !== 0);
  root.appendChild(h('p', { class: deviation ? 'init deviation' : 'init' }, deviation ? S('lmInitDeviation', fb, -ib, sigmoid(fb).toFixed(2), sigmoid(ib).toFixed(2)) : S('lmInitDefault')));

  // Chart 1: the test metric against length, mean over seeds, spread as bars.
  const metric = (r: LabRun) => (cls ? r.test.accuracy ?? NaN : r.test.loss);
  const series: Series[] = c.cells.map((cell) => ({
    cls: `cell-${cell}`,
    label: cell,
    points: c.lengths
      .map((length) => {
        const v = runs.filter((r) => r.cell === cell && r.length === length).map(metric);
        if (v.length === 0) return undefined;
        return { x: length, y: v.reduce((a, b) => a + b, 0) / v.length, lo: Math.min(...v), hi: Math.max(...v) };
      })
      .filter((p): p is { x: number; y: number; lo: number; hi: number } => !!p),
  }));
  const charts = h('div', { class: 'charts' });
  const allLengths = [...c.lengths];
  charts.appendChild(
    chartFigure(
      series,
      cls
        ? { title: S('lmChartAccuracy'), xLabel: S('lmAxisLength'), categoricalX: true, categories: allLengths, yMin: 0, yMax: 1, reference: { y: 1 / c.classes, label: S('lmChance') }, formatY: (y) => `${Math.round(y * 100)}%` }
        : { title: S('lmChartLoss'), xLabel: S('lmAxisLength'), categoricalX: true, categories: allLengths, yMin: 0, reference: { y: 1, label: S('lmBaseline') } },
    ),
  );

  // Length picker for the two lower charts.
  const liveIndex = lm.current;
  const liveLength = liveIndex !== undefined ? lm.plan[liveIndex].length : undefined;
  const shown = pickedLength ?? (runs.length ? Math.max(...runs.map((r) => r.length)) : liveLength) ?? allLengths[0];
  const seedShown = c.seeds[0];
  const picker = h('select', { class: 'length-pick', 'aria-label': S('lmLengthPick') });
  for (const L of allLengths) picker.appendChild(h('option', { value: String(L), selected: L === shown }, `L = ${L}`));
  picker.addEventListener('change', () => {
    pickedLength = Number(picker.value);
    schedule();
  });

  // Chart 2: gradient norm per step (finished runs; the model in training live).
  const gradSeries: Series[] = c.cells.map((cell) => {
    const idx = lm.plan.findIndex((p) => p.cell === cell && p.length === shown && p.seed === seedShown);
    const r = lm.runs[idx];
    const pts = r ? r.gradNorm.map((g, i) => ({ x: i + 1, y: g })).filter((_, i, a) => a.length <= 400 || i % Math.ceil(a.length / 400) === 0) : (lm.live.get(idx) ?? []).map((p) => ({ x: p.step + 1, y: p.gradNorm }));
    return { cls: `cell-${cell}`, label: cell, points: pts };
  });
  charts.appendChild(chartFigure(gradSeries, { title: S('lmChartGrad', shown, seedShown), xLabel: S('lmAxisStep'), logY: true }));

  // Chart 3: ||dLoss/dx_t|| over t at initialisation.
  const fadeSeries: Series[] = c.cells.map((cell) => {
    const r = runs.find((x) => x.cell === cell && x.length === shown && x.seed === seedShown);
    return { cls: `cell-${cell}`, label: cell, points: r ? r.inputGradInit.map((g, t) => ({ x: t + 1, y: g })) : [] };
  });
  charts.appendChild(chartFigure(fadeSeries, { title: S('lmChartFade', shown, seedShown), xLabel: S('lmAxisTime'), logY: true }));
  root.appendChild(h('div', { class: 'pick-row' }, h('label', {}, S('lmLengthPick'), ' ', picker)));
  root.appendChild(charts);

  // The numbers.
  const fmtMetric = (v: number) => (cls ? `${(v * 100).toFixed(1)}%` : fmt(v));
  const table = h('table', { class: 'numbers' });
  table.appendChild(h('caption', {}, S('lmTableCaption', cls ? S('lmMetricAccuracy') : S('lmMetricLoss'))));
  table.appendChild(h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, S('lmColumnLength')), ...c.cells.map((cell) => h('th', { scope: 'col', class: `cell-${cell}` }, cell)))));
  const body = h('tbody');
  for (const L of allLengths) {
    const tr = h('tr', {}, h('th', { scope: 'row' }, String(L)));
    for (const cell of c.cells) {
      const rs = runs.filter((r) => r.cell === cell && r.length === L);
      if (rs.length === 0) {
        tr.appendChild(h('td', { class: 'pending' }, '…'));
        continue;
      }
      const v = rs.map(metric);
      const tv = rs.map((r) => (cls ? r.train.accuracy ?? NaN : r.train.loss));
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const tmean = tv.reduce((a, b) => a + b, 0) / tv.length;
      const spread = rs.length > 1 ? ` (${fmtMetric(Math.min(...v))} – ${fmtMetric(Math.max(...v))})` : '';
      tr.appendChild(h('td', {}, h('span', { class: 'test' }, fmtMetric(mean) + spread), h('br'), h('span', { class: 'train' }, `${S('lmTrain')} ${fmtMetric(tmean)}`)));
    }
    body.appendChild(tr);
  }
  table.appendChild(body);
  root.appendChild(h('details', { class: 'numbers-box', open: true }, h('summary', {}, S('lmTable')), table, h('p', { class: 'note' }, S('lmNumbersNote'))));
  root.appendChild(h('section', { class: 'why' }, h('h2', {}, S('lmWhyTitle')), h('p', {}, S('lmWhy1')), h('p', {}, S('lmWhy2')), h('p', {}, S('lmWhy3'))));
}

function renderCharLm(cl: ClState): void {
  const i = cl.info;
  root.appendChild(h('p', { class: 'setup' }, S('clSetup', i.cell, i.vocab.length, i.embeddingDim, i.hidden, i.batch, i.seqLen, i.lr, i.steps)));
  const uniform = Math.log(i.vocab.length);
  const pts = cl.steps.map((p) => ({ x: p.step + 1, y: p.loss }));
  const thin = pts.length > 400 ? pts.filter((_, k) => k % Math.ceil(pts.length / 400) === 0 || k === pts.length - 1) : pts;
  // from ln V down to 0.001 or less: a log scale shows the whole fall (the switch keeps the choice)
  const logBox = h('input', { type: 'checkbox', id: 'cl-log' });
  logBox.checked = clLog;
  logBox.addEventListener('change', () => {
    clLog = logBox.checked;
    save();
    schedule();
  });
  root.appendChild(h('label', { class: 'toggle cl-log', for: 'cl-log' }, logBox, S('clLogScale')));
  // log ticks as numbers a reader knows (10, 1, 0.1, 0.001), not 1e1, 1e0
  const axis = clLog ? { logY: true, formatY: (y: number) => String(Number(y.toPrecision(3))) } : { yMin: 0 };
  root.appendChild(
    chartFigure([{ cls: `cell-${i.cell}`, label: i.cell, points: thin }], { title: S('clChartLoss', i.vocab.length, uniform.toFixed(2)), xLabel: S('lmAxisStep'), ...axis, reference: { y: uniform, label: `ln ${i.vocab.length}` }, width: 720, height: 220 }, 'wide'),
  );
  // Oldest first: the text takes shape down the list as the loss falls.
  const list = h('ol', { class: 'samples' });
  const oneLine = (t: string) => t.replace(/\r?\n/g, ' ↵ ');
  for (const sm of cl.samples) {
    list.appendChild(
      h(
        'li',
        {},
        h('div', { class: 'sample-head' }, sm.step === 0 ? S('clBefore') : S('clStep', sm.step, fmt(sm.loss))),
        h('div', { class: 'sample-row' }, h('span', { class: 'kind' }, S('clGreedy')), h('span', { class: 'text' }, h('span', { class: 'prompt' }, oneLine(sm.prompt)), oneLine(sm.greedy))),
        h('div', { class: 'sample-row' }, h('span', { class: 'kind' }, S('clSampled', sm.temperature, sm.seed)), h('span', { class: 'text' }, h('span', { class: 'prompt' }, oneLine(sm.prompt)), oneLine(sm.sampled))),
      ),
    );
  }
  root.appendChild(h('section', { class: 'samples-box' }, h('h2', {}, S('clSamples')), list));
  root.appendChild(h('section', { class: 'why' }, h('p', {}, S('clWhy')), h('p', { class: 'note' }, S('clSampling'))));
}

// First paint: what the state kept (a restored panel), then ask the host.
const saved = vscode.getState() as Saved | undefined;
if (saved && typeof saved === 'object' && Array.isArray(saved.events)) {
  strings = saved.strings ?? {};
  events = saved.events;
  if (typeof saved.clLog === 'boolean') clLog = saved.clLog;
}
render();
send({ type: 'ready' });
