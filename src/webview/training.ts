/*
 * The Train section of the Unroll View: the Train / Pause / Resume / Stop controls, the step
 * counter with the current loss and gradient norm, the loss curve and the gradient norm per step
 * (SVG, linear or log scale), the predictions before training, at the step shown and the target
 * side by side, and "Save trained weights". Returns a fresh element; main.ts places it and sends
 * the messages its buttons ask for.
 * Layer: webview (DOM only). Numbers come from the host as wire numbers.
 */
import { curveIndexOf, curveStepsDone } from '../protocol/curves';
import type { RunPayload, TrainSession, WireTensor } from '../protocol/messages';
import { wireKind, type WireNumber } from '../protocol/wire';
import { h, s } from './dom';
import { formatTorchTensor } from './format';
import { curvePath, stepTicks, stepX, valueAxis, type PlotBox } from './lossCurve';

type Str = (key: string, ...args: (string | number)[]) => string;

/** What a button of the section asks for. */
export type TrainAction = 'start' | 'pause' | 'resume' | 'stop' | 'saveDocument' | 'saveNew';

export interface TrainSectionOptions {
  payload: RunPayload;
  /** The training run shown, when there is one (for this document). */
  session?: TrainSession;
  log: boolean;
  precision: number;
  linewidth: number;
  str: Str;
  onAction(action: TrainAction): void;
  onLog(log: boolean): void;
}

/**
 * A number for the counters: 4 significant digits (all of them in full precision), with an
 * exponent when very large or small (5.3e+17, not 530000000000000000), or PyTorch's words for
 * the non-finite.
 */
export function shortNumber(v: WireNumber | undefined, precision: number): string {
  if (v === undefined) return '–';
  const kind = wireKind(v);
  if (kind) return kind;
  const x = precision > 4 ? (v as number) : Number((v as number).toPrecision(4));
  const a = Math.abs(x);
  return a !== 0 && (a >= 1e6 || a < 1e-4) ? x.toExponential() : String(x);
}

const CHART_W = 360;
const CHART_H = 150;
const BOX: PlotBox = { x: 46, y: 8, width: CHART_W - 54, height: CHART_H - 36 };

/** One curve chart: axes, ticks, the curve (values of the kept steps, `steps` when thinned), a marker at the step shown. */
function chart(values: WireNumber[], steps: number[] | undefined, stepsTotal: number, shownStep: number, log: boolean, label: string, cls: string): SVGSVGElement {
  const axis = valueAxis(values, log);
  const svg = s('svg', { class: `chart train-chart ${cls}`, viewBox: `0 0 ${CHART_W} ${CHART_H}`, role: 'img', 'aria-label': label });
  const yOf = (f: number) => BOX.y + BOX.height * (1 - f);
  for (const tick of axis.ticks) {
    const f = axis.fraction(tick.value);
    if (f === undefined) continue;
    svg.appendChild(s('line', { x1: BOX.x, x2: BOX.x + BOX.width, y1: yOf(f), y2: yOf(f), class: 'grid' }));
    svg.appendChild(s('text', { x: BOX.x - 4, y: yOf(f) + 4, 'text-anchor': 'end', class: 'tick' }, tick.label));
  }
  svg.appendChild(s('line', { x1: BOX.x, x2: BOX.x, y1: BOX.y, y2: BOX.y + BOX.height, class: 'axis' }));
  svg.appendChild(s('line', { x1: BOX.x, x2: BOX.x + BOX.width, y1: BOX.y + BOX.height, y2: BOX.y + BOX.height, class: 'axis' }));
  for (const step of stepTicks(stepsTotal)) {
    const x = stepX(step - 1, stepsTotal, BOX);
    svg.appendChild(s('line', { x1: x, x2: x, y1: BOX.y + BOX.height, y2: BOX.y + BOX.height + 4, class: 'axis' }));
    // the last label ends at the edge instead of running past it
    const anchor = x > BOX.x + BOX.width - 16 ? 'end' : 'middle';
    svg.appendChild(s('text', { x: anchor === 'end' ? x + 4 : x, y: BOX.y + BOX.height + 16, 'text-anchor': anchor, class: 'tick' }, String(step)));
  }
  const d = curvePath(values, stepsTotal, axis, BOX, steps);
  if (d) svg.appendChild(s('path', { d, class: 'curve' }));
  // the step whose model is shown: after `shownStep` updates, i.e. just after loss index shownStep - 1
  const at = shownStep > 0 ? curveIndexOf({ steps, loss: values, gradNorm: values }, shownStep - 1) : -1;
  if (shownStep > 0 && shownStep <= stepsTotal) {
    const x = stepX(shownStep - 1, stepsTotal, BOX);
    svg.appendChild(s('line', { x1: x, x2: x, y1: BOX.y, y2: BOX.y + BOX.height, class: 'shown-step' }));
    // the dot only where that step's value was kept (an old step of a long run may be thinned away)
    const v = at >= 0 ? values[at] : null;
    const f = v === null ? undefined : axis.fraction(v);
    if (f !== undefined) svg.appendChild(s('circle', { cx: x, cy: yOf(f), r: 3.5, class: 'shown-dot' }));
  }
  return svg;
}

function tensorBlock(title: string, w: WireTensor | undefined, precision: number, linewidth: number, cls: string): HTMLElement {
  const box = h('div', { class: `prediction ${cls}` }, h('h3', {}, title));
  box.appendChild(h('pre', { class: 'tensor', tabindex: 0, 'aria-label': title }, w ? formatTorchTensor(w.shape, w.data, { precision, linewidth }) : '–'));
  return box;
}

/** The Train section, or undefined when the document has no `train` block and nothing was trained. */
export function renderTraining(o: TrainSectionOptions): HTMLElement | undefined {
  const { payload: p, session, str } = o;
  const summary = session?.summary ?? p.train;
  if (!summary) return undefined;
  const box = h('section', { class: 'training', 'aria-label': str('trainTitle') });
  // Parts with a data-key are kept in the page while their key stays the same (main.ts), so a
  // button under the pointer is not replaced by an identical one while the curves grow.
  const status = session?.status;
  const bar = h('div', { class: 'train-bar', 'data-part': 'bar', 'data-key': `${status ?? 'none'}|${p.source ? 1 : 0}|${o.precision}` });
  bar.appendChild(h('h2', {}, str('trainTitle')));
  const clip = summary.clipGradNorm !== undefined ? ` · clip_grad_norm_(max_norm=${summary.clipGradNorm})` : '';
  bar.appendChild(h('code', { class: 'train-summary' }, `${summary.loss} · ${summary.optimizer} · ${str('trainSteps', summary.steps)}${clip}`));
  const buttons = h('span', { class: 'train-buttons', role: 'group', 'aria-label': str('trainTitle') });
  const add = (label: string, action: TrainAction, primary = false, disabled = false) => {
    const b = h('button', { type: 'button', class: primary ? 'primary' : '', 'data-train': action, disabled });
    b.textContent = label;
    b.addEventListener('click', () => o.onAction(action));
    buttons.appendChild(b);
  };
  if (status === 'running') {
    add(str('trainPause'), 'pause', true);
    add(str('trainStop'), 'stop');
  } else if (status === 'paused') {
    add(str('trainResume'), 'resume', true);
    add(str('trainStop'), 'stop');
  } else {
    add(session ? str('trainAgain') : str('trainButton'), 'start', true, !p.source);
  }
  bar.appendChild(buttons);
  if (session) {
    const logBox = h('input', { type: 'checkbox', id: 'train-log' });
    logBox.checked = o.log;
    logBox.addEventListener('change', () => o.onLog(logBox.checked));
    bar.appendChild(h('label', { class: 'toggle', for: 'train-log' }, logBox, str('trainLogScale')));
  }
  box.appendChild(bar);

  if (!session) {
    box.appendChild(h('p', { class: 'muted small' }, p.source ? str('trainHint') : str('trainNoSource')));
    return box;
  }

  // counters: step k / N, the last loss and gradient norm, the status
  // the steps done; the last kept point is always the last step (src/protocol/curves.ts)
  const done = curveStepsDone(session);
  const lastAt = session.loss.length - 1;
  const counters = h('div', { class: 'train-counters', 'data-part': 'counters' });
  counters.appendChild(h('span', { class: 'train-counter', 'data-step': done }, str('trainStepOf', done, session.stepsTotal)));
  counters.appendChild(h('span', {}, str('trainLoss', shortNumber(session.loss[lastAt], o.precision))));
  counters.appendChild(h('span', {}, str('trainGradNorm', shortNumber(session.gradNorm[lastAt], o.precision))));
  counters.appendChild(h('span', { class: `train-status status-${session.status}`, 'data-status': session.status }, str(`trainStatus_${session.status}`)));
  const progress = h('progress', { class: 'train-progress', max: session.stepsTotal, value: done, 'aria-label': str('trainStepOf', done, session.stepsTotal) });
  counters.appendChild(progress);
  box.appendChild(counters);
  // said once per status change (the counters change every few milliseconds: not live)
  box.appendChild(
    h('p', { class: `train-said ${session.status === 'failed' ? 'error' : 'muted'}${session.message ? '' : ' visually-hidden'}`, 'data-part': 'said', 'data-key': `${session.status}|${session.message ?? ''}`, role: session.status === 'failed' ? 'alert' : 'status' },
      session.message ?? str(`trainStatus_${session.status}`)),
  );

  // the curves
  const charts = h('div', { class: 'train-charts', 'data-part': 'charts' });
  const last = session.loss[lastAt];
  // the step axis spans the steps done (a long run paused early is not squeezed into its left edge)
  const span = Math.max(2, done);
  charts.appendChild(
    h('figure', {},
      chart(session.loss, session.steps, span, session.shownStep, o.log, str('trainLossAria', summary.loss, done, shortNumber(last, 8)), 'loss'),
      h('figcaption', {}, str('trainLossChart', summary.loss, o.log ? str('trainLogWord') : str('trainLinearWord')))),
  );
  charts.appendChild(
    h('figure', {},
      chart(session.gradNorm, session.steps, span, session.shownStep, o.log, str('trainGradAria', done), 'grad'),
      h('figcaption', {}, str('trainGradChart', o.log ? str('trainLogWord') : str('trainLinearWord')))),
  );
  box.appendChild(charts);

  // predictions before and at the step shown, and the target
  const preds = h('div', { class: 'train-predictions', 'data-part': 'predictions', 'data-key': `${session.shownStep}|${o.precision}|${o.linewidth}` });
  const lw = Math.max(34, Math.floor(o.linewidth / 3) - 2);
  preds.appendChild(tensorBlock(str('trainBefore'), session.before, o.precision, lw, 'before'));
  preds.appendChild(tensorBlock(str('trainAfter', session.shownStep), session.after, o.precision, lw, 'after'));
  preds.appendChild(tensorBlock(str('trainTarget'), session.target, o.precision, lw, 'target'));
  box.appendChild(preds);
  box.appendChild(h('p', { class: 'muted small train-shown', 'data-part': 'shown', 'data-shown-step': session.shownStep }, str('trainShowing', session.shownStep)));

  // save: only when asked, and only for a model at one step (not while it changes)
  const ended = session.status !== 'running';
  const save = h('div', { class: 'train-save', role: 'group', 'aria-label': str('trainSave'), 'data-part': 'save', 'data-key': `${ended}|${session.shownStep > 0}|${session.source ? 1 : 0}` });
  save.appendChild(h('span', {}, str('trainSave')));
  const saveButton = (label: string, action: TrainAction, enabled: boolean) => {
    const b = h('button', { type: 'button', 'data-train': action, disabled: !enabled });
    b.textContent = label;
    b.addEventListener('click', () => o.onAction(action));
    save.appendChild(b);
  };
  saveButton(str('trainSaveDocument'), 'saveDocument', ended && !!session.source && session.shownStep > 0);
  saveButton(str('trainSaveNew'), 'saveNew', ended && session.shownStep > 0);
  if (!ended) save.appendChild(h('span', { class: 'muted small' }, str('trainSaveHint')));
  box.appendChild(save);
  return box;
}
