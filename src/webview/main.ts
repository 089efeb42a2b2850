/*
 * Entry point of the RNN Unroll View webview (bundled to dist/webview.js). Says 'ready', draws
 * whatever run the host sends (or the one restored from state), and wires the controls: batch
 * selector, precision toggle, play/step/slider, selection and keyboard, gap expansion, export.
 * Layer: webview (DOM only). Talks to the host only through src/protocol messages.
 */
import type { ComparePayload, HostMessage, RunPayload, TrainSession, ViewMessage } from '../protocol/messages';
import { isHostMessage, isRunPayload, isTrainSession } from '../protocol/validate';
import { appendCurves, curveStepsDone } from '../protocol/curves';
import { renderTraining, type TrainAction } from './training';
import { collapseForWidth, computeLayout, fitDiagram, type CollapseSettings, type LayoutNode } from './layout';
import { renderDiagram, nodeLabel } from './diagram';
import { renderInspector } from './inspector';
import { renderDescription, renderExplanations, renderGradients, renderNotes, renderResults, renderShapes, updateDescription } from './panels';
import { clear, fill, h, s } from './dom';
import { countNonFinite, legend, maxAbs } from './heatmap';
import { formatTorchTensor, linewidthFor } from './format';
import { batchOf, nodeVector, valuesJson } from './data';
import { diagramToSvg, svgToPngBase64 } from './export';

interface VsCodeApi {
  postMessage(m: ViewMessage): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface Ui {
  batch: number;
  full: boolean;
  cursor: number;
  center: number;
  selected?: string;
  /** The training curves on a log scale. */
  trainLog?: boolean;
}
interface Saved {
  payload?: RunPayload;
  strings?: Record<string, string>;
  ui?: Ui;
  train?: TrainSession;
}

const vscode = acquireVsCodeApi();
const app = document.getElementById('unroll-root') ?? document.body.appendChild(h('main', { id: 'unroll-root' }));

let payload: RunPayload | undefined;
let strings: Record<string, string> = {};
let ui: Ui = { batch: 0, full: false, cursor: 0, center: -1 };
let compare: ComparePayload | 'working' | undefined;
let error: string | undefined;
let timer: number | undefined;
let focusId: string | undefined;
let readout: HTMLElement | undefined;
/** Inner width (CSS px) of the diagram frame at the last measurement; 0 before the first. */
let frameWidth = 0;
/** PyTorch's print linewidth for the width of the main column and of the inspector (80 when it fits). */
let linewidth = 80;
let sideLinewidth = 80;
let descriptionOpen = false;
/** The training run of the document shown (host messages 'trainSession', 'trainSteps', ...). */
let train: TrainSession | undefined;
/** The Train section in the page, replaced alone when only the training numbers change. */
let trainSection: HTMLElement | undefined;
let trainQueued = false;

const str = (key: string, ...args: (string | number)[]) => fill(strings[key] ?? key, ...args);

function post(m: ViewMessage): void {
  vscode.postMessage(m);
}

function save(): void {
  vscode.setState({ payload, strings, ui, train } satisfies Saved);
}

function trainAction(action: TrainAction): void {
  switch (action) {
    case 'start':
      post({ type: 'trainStart' });
      return;
    case 'pause':
      post({ type: 'trainPause' });
      return;
    case 'resume':
      post({ type: 'trainResume' });
      return;
    case 'stop':
      post({ type: 'trainStop' });
      return;
    case 'saveDocument':
      post({ type: 'trainSave', to: 'document' });
      return;
    case 'saveNew':
      post({ type: 'trainSave', to: 'newDocument' });
      return;
  }
}

function buildTrainSection(p: RunPayload): HTMLElement | undefined {
  return renderTraining({
    payload: p,
    session: train,
    log: !!ui.trainLog,
    precision: ui.full ? 8 : 4,
    linewidth,
    str,
    onAction: trainAction,
    onLog: (log) => {
      ui.trainLog = log;
      save();
      redrawTraining();
    },
  });
}

/** Re-draws the Train section alone (the curves grow every few milliseconds while training). */
function redrawTraining(): void {
  if (!payload) return;
  const next = buildTrainSection(payload);
  if (trainSection?.isConnected && next) mergeTrainParts(trainSection, next);
  else render();
}

/** Does the panel show a Train section for this run? */
function buildsTraining(p: RunPayload): boolean {
  return !!(train ?? p.train);
}

/**
 * Brings the Train section `old` (in the page) up to `next`, part by part: a part whose data-key
 * is unchanged stays (its buttons keep the pointer and the keyboard focus); the others (counters,
 * curves) are replaced.
 */
function mergeTrainParts(old: HTMLElement, next: HTMLElement): void {
  const focused = document.activeElement as HTMLElement | null;
  const focusKey = focused?.getAttribute('data-train') ?? (focused?.id === 'train-log' ? 'log' : undefined);
  // In place: a kept part is never taken out of the page, not even for a moment (a click whose
  // mousedown and mouseup straddle a removal is lost).
  const placed = new Set<Element>();
  let cursor: Element | null = old.firstElementChild;
  for (const part of Array.from(next.children)) {
    const key = part.getAttribute('data-key');
    const match = Array.from(old.children).find((c) => !placed.has(c) && c.getAttribute('data-part') === part.getAttribute('data-part'));
    let now: Element = part;
    if (match && key !== null && match.getAttribute('data-key') === key) now = match;
    else if (match) {
      if (cursor === match) cursor = part;
      old.replaceChild(part, match);
    }
    // the parts come in the same order every time: a kept part is already at the cursor
    if (now !== cursor) old.insertBefore(now, cursor);
    placed.add(now);
    cursor = now.nextElementSibling;
  }
  for (const c of Array.from(old.children)) if (!placed.has(c)) old.removeChild(c);
  if (focusKey && focused && !old.contains(focused)) {
    // its part was re-created (the status changed): focus the same control, or the first one
    const again = focusKey === 'log' ? old.querySelector('#train-log') : old.querySelector(`[data-train="${focusKey}"]`) ?? old.querySelector('[data-train]');
    (again as HTMLElement | null)?.focus();
  }
}

/** At most one Train section re-draw per frame. */
function queueTrainingRedraw(): void {
  if (trainQueued) return;
  trainQueued = true;
  requestAnimationFrame(() => {
    trainQueued = false;
    redrawTraining();
  });
}

function setPayload(p: RunPayload, s: Record<string, string>, keepUi = false): void {
  payload = p;
  strings = s;
  error = undefined;
  compare = undefined;
  if (!keepUi) {
    ui = { batch: 0, full: false, cursor: p.seqLen, center: -1 };
    descriptionOpen = false;
  }
  ui.batch = Math.min(ui.batch, p.batch - 1);
  ui.cursor = Math.min(Math.max(0, ui.cursor), p.seqLen);
  stop();
  save();
  render();
}

function scales(p: RunPayload): Record<string, number> {
  const hN = p.hN.data;
  const out = p.output.data;
  return {
    x: Math.max(1e-12, maxAbs(p.input.data)),
    h: Math.max(1e-12, maxAbs(out, hN)),
    c: Math.max(1e-12, maxAbs(p.cN?.data)),
    head: Math.max(1e-12, maxAbs(p.headOutput?.data)),
  };
}

const presentCache = new WeakMap<RunPayload, { inf: boolean; nan: boolean }>();
/** Does the run hold inf / -inf, or nan, anywhere the panel shows values? (for the legend; once per payload) */
function nonFinitePresent(p: RunPayload): { inf: boolean; nan: boolean } {
  const cached = presentCache.get(p);
  if (cached) return cached;
  const found = { inf: false, nan: false };
  presentCache.set(p, found);
  const look = (v: (number | null)[] | undefined) => {
    const c = countNonFinite(v);
    if (!c) return;
    if (c.inf || c['-inf']) found.inf = true;
    if (c.nan) found.nan = true;
  };
  for (const w of [p.input, p.output, p.hN, p.cN, p.headOutput]) look(w?.data);
  for (const perLayer of p.steps ?? []) for (const perDir of perLayer) for (const step of perDir) for (const v of Object.values(step.vectors)) look(v);
  return found;
}

function selectedNode(): LayoutNode | undefined {
  if (!payload || !ui.selected) return undefined;
  return currentLayout()?.nodes.find((n) => n.id === ui.selected);
}

function currentLayout() {
  if (!payload) return undefined;
  return computeLayout({
    seqLen: payload.seqLen,
    numLayers: payload.model.numLayers,
    bidirectional: payload.model.bidirectional,
    hasCell: payload.model.type === 'LSTM',
    hasHead: !!payload.headOutput,
    collapse: collapseFor(payload, frameWidth),
  });
}

/** How a long sequence collapses in a frame `width` px wide (see collapseForWidth). */
function collapseFor(p: RunPayload, width: number): CollapseSettings {
  return collapseForWidth(p.seqLen, width, ui.center);
}

/** Width of one character of the printed tensors (a hidden probe in their font). */
function charWidth(): number {
  let probe = document.getElementById('char-probe');
  if (!probe) {
    probe = h('pre', { id: 'char-probe', class: 'tensor char-probe', 'aria-hidden': 'true' }, '0'.repeat(50));
    document.body.appendChild(probe);
  }
  return probe.getBoundingClientRect().width / 50;
}

let refitting = false;
/**
 * Measures the panel after a render or a resize: scales the diagram to the frame's width
 * (fitDiagram), and re-renders when the collapsed window or the print linewidth must change.
 */
function refit(): void {
  if (!payload) return;
  const wrap = app.querySelector('.diagram-wrap') as HTMLElement | null;
  const svg = wrap?.querySelector('svg.diagram') as SVGSVGElement | null;
  if (!wrap || !svg) return;
  const width = wrap.clientWidth;
  const measure = (selector: string, current: number): number => {
    const pre = app.querySelector(selector) as HTMLElement | null;
    if (!pre) return current;
    const cs = getComputedStyle(pre);
    return linewidthFor(pre.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight), charWidth());
  };
  const lw = measure('.col-main pre.tensor', linewidth);
  const side = measure('.col-side pre.tensor', sideLinewidth);
  const before = collapseFor(payload, frameWidth);
  const after = collapseFor(payload, width);
  frameWidth = width;
  if (!refitting && (lw !== linewidth || side !== sideLinewidth || before.edge !== after.edge || before.window !== after.window)) {
    linewidth = lw;
    sideLinewidth = side;
    refitting = true; // one re-render per measurement: no ping-pong with a scrollbar
    try {
      render();
    } finally {
      refitting = false;
    }
    return; // the render measured and sized itself
  }
  const vb = svg.viewBox.baseVal;
  const fit = fitDiagram(vb.width, vb.height, width);
  svg.setAttribute('width', String(fit.width));
  svg.setAttribute('height', String(fit.height));
  wrap.classList.toggle('scrolls', fit.scrolls);
  updateDescription(app.querySelector('.description'));
}

function stop(): void {
  if (timer !== undefined) window.clearInterval(timer);
  timer = undefined;
}

function setCursor(c: number): void {
  if (!payload) return;
  ui.cursor = Math.max(0, Math.min(payload.seqLen, c));
  if (payload.seqLen > 12 && ui.cursor > 0) ui.center = ui.cursor - 1;
  save();
  render();
}

function play(): void {
  if (!payload) return;
  if (timer !== undefined) {
    stop();
    render();
    return;
  }
  if (ui.cursor >= payload.seqLen) ui.cursor = 0;
  const step = payload.seqLen <= 50 ? 1 : Math.ceil(payload.seqLen / 100);
  timer = window.setInterval(() => {
    if (!payload || ui.cursor >= payload.seqLen) {
      stop();
      render();
      return;
    }
    setCursor(ui.cursor + step);
  }, 450);
  render();
}

/** Play/pause/step icons as SVG paths (icon fonts are not available inside the webview). */
const ICONS: Record<string, string> = {
  back: 'M3 2h2v12H3zM13 2v12L6 8z',
  play: 'M4 2v12l10-6z',
  pause: 'M4 2h3v12H4zM9 2h3v12H9z',
  forward: 'M11 2h2v12h-2zM3 2v12l7-6z',
};

function button(label: string, icon: string, onClick: () => void, extra?: Record<string, string>): HTMLButtonElement {
  const glyph = s('svg', { width: 14, height: 14, viewBox: '0 0 16 16', 'aria-hidden': 'true', class: 'icon' }, s('path', { d: ICONS[icon] ?? '' }));
  const b = h('button', { type: 'button', class: 'icon-button', 'aria-label': label, title: label, ...(extra ?? {}) }, glyph);
  b.addEventListener('click', onClick);
  return b;
}

function selectedTime(p: RunPayload): number {
  const n = selectedNode();
  if (n && n.t >= 0) return n.t;
  return Math.max(0, Math.min(p.seqLen - 1, ui.cursor - 1));
}

async function exportDiagram(format: 'svg' | 'png'): Promise<void> {
  const svg = app.querySelector('svg.diagram') as SVGSVGElement | null;
  if (!svg) return;
  const text = diagramToSvg(svg);
  if (format === 'svg') post({ type: 'export', format, data: text });
  else {
    // at the diagram's natural size (its viewBox), not the size it is shown at in the panel
    const data = await svgToPngBase64(text, svg.viewBox.baseVal.width, svg.viewBox.baseVal.height);
    post({ type: 'export', format, data });
  }
}

function render(): void {
  const restoreFocus = focusId ?? (document.activeElement as HTMLElement | null)?.getAttribute?.('data-id') ?? undefined;
  // The Train section stays in the page across renders (its parts are merged, see mergeTrainParts):
  // a snapshot re-draws the model every few steps, and a button under the pointer must survive it.
  const keep = payload && trainSection?.isConnected && buildsTraining(payload) ? trainSection : undefined;
  // a re-draw (a training snapshot every few steps) keeps the page where the user scrolled it
  const scroller = document.scrollingElement;
  const scrollTop = scroller?.scrollTop ?? 0;
  if (keep) {
    for (const c of Array.from(app.children)) if (c !== keep) app.removeChild(c);
  } else clear(app);
  const before = (e: Node) => app.insertBefore(e, keep ?? null);
  if (error) {
    before(h('section', { class: 'error-box', role: 'alert' }, h('h2', {}, str('errorTitle')), h('pre', {}, error)));
  }
  if (!payload) {
    if (!error) app.appendChild(h('p', { class: 'waiting' }, strings.waiting ?? 'Waiting for a run…'));
    return;
  }
  const p = payload;
  const T = p.seqLen;
  const layout = currentLayout()!;

  // header: title, batch, precision, export
  const header = h('header', { class: 'toolbar' });
  header.appendChild(h('h1', { class: 'title' }, p.title));
  if (p.source) {
    const rev = h('button', { type: 'button', class: 'link-button' }, str('reveal'));
    rev.addEventListener('click', () => post({ type: 'reveal' }));
    header.appendChild(rev);
  }
  const spacer = h('span', { class: 'spacer' });
  header.appendChild(spacer);
  if (p.batch > 1) {
    const sel = h('select', { 'aria-label': str('batch'), class: 'batch-select' });
    for (let b = 0; b < p.batch; b++) {
      const o = h('option', { value: b }, `${str('batch')} ${b}`);
      if (b === ui.batch) o.selected = true;
      sel.appendChild(o);
    }
    sel.addEventListener('change', () => {
      ui.batch = Number(sel.value);
      save();
      render();
    });
    header.appendChild(sel);
  }
  const full = h('input', { type: 'checkbox', id: 'full-precision' });
  full.checked = ui.full;
  full.addEventListener('change', () => {
    ui.full = full.checked;
    save();
    render();
  });
  header.appendChild(h('label', { class: 'toggle', for: 'full-precision' }, full, str('fullPrecision')));
  const copy = h('button', { type: 'button' }, str('copyJson'));
  copy.addEventListener('click', () => post({ type: 'copy', text: valuesJson(p, selectedTime(p)) }));
  const svgB = h('button', { type: 'button' }, str('saveSvg'));
  svgB.addEventListener('click', () => void exportDiagram('svg'));
  const pngB = h('button', { type: 'button' }, str('savePng'));
  pngB.addEventListener('click', () => void exportDiagram('png'));
  header.appendChild(h('span', { class: 'export', role: 'group', 'aria-label': str('exportTitle') }, copy, svgB, pngB));
  before(header);
  if (p.description) before(renderDescription(p.description, descriptionOpen, str, (open) => (descriptionOpen = open)));

  // shapes strip
  before(renderShapes(p, str));
  // training: controls, curves, predictions (documents with a train block)
  const built = buildTrainSection(p);
  if (keep && built) mergeTrainParts(keep, built);
  else {
    keep?.remove();
    trainSection = built;
    if (built) app.appendChild(built);
  }

  const grid = h('div', { class: 'grid' });
  const left = h('div', { class: 'col-main' });
  const right = h('div', { class: 'col-side' });

  // controls
  const controls = h('div', { class: 'controls', role: 'group', 'aria-label': str('timeSlider') });
  controls.appendChild(button(str('stepBack'), 'back', () => setCursor(ui.cursor - 1)));
  controls.appendChild(button(timer !== undefined ? str('pause') : str('play'), timer !== undefined ? 'pause' : 'play', play, { class: 'icon-button play' }));
  controls.appendChild(button(str('stepForward'), 'forward', () => setCursor(ui.cursor + 1)));
  const slider = h('input', { type: 'range', min: 0, max: T, step: 1, value: ui.cursor, 'aria-label': str('timeSlider'), class: 'slider' });
  slider.addEventListener('input', () => setCursor(Number(slider.value)));
  controls.appendChild(slider);
  const status = p.model.bidirectional
    ? str('stepStatusBi', ui.cursor, Math.max(1, T - ui.cursor + 1), T, T)
    : str('stepStatus', ui.cursor, T);
  controls.appendChild(h('span', { class: 'status', 'aria-live': 'polite' }, status));
  left.appendChild(controls);

  // the diagram
  const wrap = h('div', { class: 'diagram-wrap' });
  const svg = renderDiagram({
    payload: p,
    layout,
    batch: ui.batch,
    cursor: ui.cursor,
    selected: ui.selected,
    scales: scales(p),
    str,
    onSelect: (n) => {
      ui.selected = n.id;
      focusId = n.id;
      save();
      render();
    },
    onRead: (n, v) => {
      focusId = n.id;
      if (readout) {
        clear(readout);
        readout.appendChild(h('code', { class: 'readout-name' }, nodeLabel(n, p)));
        readout.appendChild(h('pre', { class: 'tensor' }, v ? formatTorchTensor([v.length], v, { precision: ui.full ? 8 : 4, linewidth }) : str('notSent')));
      }
    },
    onGap: (first, last) => {
      ui.center = Math.floor((first + last) / 2);
      save();
      render();
    },
  });
  wrap.appendChild(svg);
  left.appendChild(wrap);
  if (layout.gaps.length) left.appendChild(h('p', { class: 'muted small' }, str('window')));
  const sc = scales(p);
  left.appendChild(
    legend(
      [
        { label: 'x', scale: sc.x },
        { label: 'h', scale: sc.h },
        ...(p.cN ? [{ label: 'c', scale: sc.c }] : []),
      ],
      { zero: str('legendZero'), nonFinite: str('nonFinite'), legend: str('legend'), infMeaning: str('infMeaning'), nanMeaning: str('nanMeaning') },
      nonFinitePresent(p),
    ),
  );
  readout = h('div', { class: 'readout', 'aria-live': 'polite' });
  left.appendChild(readout);
  left.appendChild(renderResults(p, selectedTime(p), ui.batch, ui.full ? 8 : 4, str, linewidth));

  // inspector and explanations
  const insp = h('section', { class: 'inspector', 'aria-label': str('inspector') }, h('h2', {}, str('inspector')));
  insp.appendChild(
    renderInspector(
      {
        payload: p,
        batch: ui.batch,
        precision: ui.full ? 8 : 4,
        linewidth: sideLinewidth,
        str,
        onRead: (text) => {
          if (readout) {
            clear(readout);
            readout.appendChild(h('code', {}, text));
          }
        },
      },
      selectedNode(),
    ),
  );
  right.appendChild(insp);
  right.appendChild(renderExplanations(p, str));
  grid.appendChild(left);
  grid.appendChild(right);
  app.appendChild(grid);

  const lower = h('div', { class: 'lower' });
  lower.appendChild(
    renderGradients(
      p,
      str,
      () => {
        compare = 'working';
        post({ type: 'compare' });
        render();
      },
      compare,
    ),
  );
  const notes = renderNotes(p, str);
  if (notes) lower.appendChild(notes);
  app.appendChild(lower);

  if (restoreFocus) {
    const el = app.querySelector(`[data-id="${CSS.escape(restoreFocus)}"]`) as SVGGElement | null;
    if (el && document.activeElement === document.body) {
      for (const other of Array.from(app.querySelectorAll('g.node[tabindex="0"]'))) other.setAttribute('tabindex', '-1');
      el.setAttribute('tabindex', '0');
      el.focus();
    }
  }
  refit();
  if (scroller && scroller.scrollTop !== scrollTop) scroller.scrollTop = scrollTop;
  void batchOf;
  void nodeVector;
}

// the panel is resized with the editor group beside it: re-fit (at most once per frame)
let resizeQueued = false;
new ResizeObserver(() => {
  if (resizeQueued) return;
  resizeQueued = true;
  requestAnimationFrame(() => {
    resizeQueued = false;
    refit();
  });
}).observe(app);

window.addEventListener('message', (event: MessageEvent) => {
  const m: unknown = event.data;
  if (!isHostMessage(m)) return;
  const msg = m as HostMessage;
  switch (msg.type) {
    case 'run': {
      const received = performance.now();
      // a new run: its training (if any) is sent right after ('trainSession')
      train = undefined;
      setPayload(msg.payload, msg.strings);
      // the frame after this one has been painted: tell the host (bench/vscode.mjs times runs by it)
      requestAnimationFrame(() => setTimeout(() => post({ type: 'painted', ms: performance.now() - received }), 0));
      break;
    }
    case 'gradients':
    case 'gradientsFailed': {
      // the gradients of the run shown (its forward was painted first): drawn in place
      if (!payload?.gradientsPending) break;
      const received = performance.now();
      payload = msg.type === 'gradients'
        ? { ...payload, gradientsPending: false, gradients: msg.gradients }
        : { ...payload, gradientsPending: false, notes: [...payload.notes, msg.message] };
      save();
      render();
      requestAnimationFrame(() => setTimeout(() => post({ type: 'painted', ms: performance.now() - received, gradients: true }), 0));
      break;
    }
    case 'error':
      error = msg.message;
      render();
      break;
    case 'compare':
      compare = msg.payload;
      render();
      break;
    case 'idle':
      strings = msg.strings;
      if (!payload) render();
      break;
    case 'trainSession':
      train = msg.session ?? undefined;
      save();
      render();
      break;
    case 'trainSteps':
      // kept bounded as the host keeps it (older steps thinned, spikes kept)
      if (train && appendCurves(train, msg.from, msg.loss, msg.gradNorm)) queueTrainingRedraw();
      break;
    case 'trainStatus':
      if (train) {
        train.status = msg.status;
        train.message = msg.message;
        save();
        queueTrainingRedraw();
      }
      break;
    case 'trainSnapshot':
      // the model after msg.step steps: drawn like a run, keeping the user's place and selection
      if (train) {
        train.shownStep = Math.min(msg.step, curveStepsDone(train));
        if (msg.prediction) train.after = msg.prediction;
      }
      setPayload(msg.payload, strings, true);
      break;
    case 'progress': {
      const bar = document.querySelector('.progress') ?? app.insertBefore(h('progress', { class: 'progress', max: 1 }), app.firstChild);
      (bar as HTMLProgressElement).value = msg.fraction;
      break;
    }
  }
});

// restore from state (panel reload / serializer), then ask the host for the current run
const saved = vscode.getState() as Saved | undefined;
if (saved && isRunPayload(saved.payload)) {
  if (saved.ui) ui = saved.ui;
  if (isTrainSession(saved.train)) train = saved.train;
  setPayload(saved.payload, saved.strings ?? {}, !!saved.ui);
} else render();
post({ type: 'ready' });
