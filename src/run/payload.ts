/*
 * Builds what the RNN Unroll View draws (a RunPayload) from a read document: resolves the run
 * (seeded parameters, rand input), runs the engine forward with a trace, backward for the
 * gradient norms when affordable, and the shape report. Also the RNN/LSTM/GRU comparison.
 * Layer: run, PURE (below both src/worker and src/extension, which both build payloads): imports
 * engine, document and protocol; no vscode, no Node, no DOM, so it runs in the extension host, a
 * worker and unit tests on Node alike. Localised text is passed in (`translate`); English otherwise.
 *
 * Long runs: the payload must stay small enough to post and to keep in the webview's state, so
 * beyond TRACE_BUDGET elements only the first and last time steps are sent (`times`), and
 * parameters larger than PARAM_BUDGET are left out (`omittedParams`).
 */
import { backward, createGenerator, forward, forwardBackward, initStateDict, shapeReport } from '../engine/index';
import type { ForwardResult, GradResult, ModelConfig, RunSpec, Tensor, Upstream } from '../engine/types';
import { resolveRun } from '../document/resolve';
import { nonFiniteNotes } from '../document/nonFinite';
import type { RnnDocument } from '../document/types';
import type { ComparePayload, RunPayload, WireStep, WireTensor } from '../protocol/messages';
import { toWireNumber, type WireNumber } from '../protocol/wire';
import { trainSummary } from './train';

/**
 * Max numbers of traced step vectors sent to the webview. The view draws at most ~200 nodes,
 * and every number crosses two message channels (worker -> host -> webview): 600k numbers
 * (~13 MB of JSON) blocked the extension host for 0.5-1.3 s on a 120,000-step document.
 */
export const TRACE_BUDGET = 200_000;
/** Max numbers held by the engine's trace (memory of the extension host). */
export const TRACE_MEMORY_BUDGET = 8_000_000;
/** Max elements of one parameter sent to the webview; total max is 4x this. */
export const PARAM_BUDGET = 65_536;
/** Max elements of input/output rows sent (the rest is windowed like the trace). */
export const ROWS_BUDGET = 120_000;
/**
 * Backward is skipped above this many forward FLOPs (it costs about twice the forward) where the
 * run blocks its thread until the whole payload is built (the extension host, the comparison).
 */
export const GRADIENT_FLOP_BUDGET = 400_000_000;
/**
 * The default gradient budget of worker runs (setting rnnLens.run.gradientFlopThreshold): the
 * view paints the forward first (BuildOptions.onForward) and the gradients follow, so a backward
 * of a few seconds delays nothing. The medium workload (LSTM 64 -> 256, 2 layers,
 * bidirectional, N 16, L 128: 9.1 GFLOP) is under it.
 */
export const WORKER_GRADIENT_FLOP_BUDGET = 12_000_000_000;
/** Max numbers the recorded forward and its backward hold (WebAssembly memory: 8 bytes each). */
export const TAPE_MEMORY_BUDGET = 40_000_000;

export interface BuildOptions {
  title: string;
  source?: string;
  /** Run on this input instead of the document's. */
  input?: Tensor;
  /** Forward FLOPs above which no gradients are computed (default GRADIENT_FLOP_BUDGET). */
  gradientFlopBudget?: number;
  /** Localises English notes and sentences (vscode.l10n.t on the host); identity by default. */
  translate?: (english: string, ...args: (string | number)[]) => string;
  /** Told when each phase starts (the run worker reports it as progress): forward, view, then gradients when computed. */
  onPhase?: (phase: 'forward' | 'gradients' | 'view', withGradients: boolean) => void;
  /**
   * Given the payload of the forward results (`gradientsPending` set) before the gradients are
   * computed, so the view can paint it while they are (only for runs that compute gradients).
   */
  onForward?: (payload: RunPayload) => void;
  /**
   * The forward of runs too long to trace (default: the engine's one-thread forward). The run
   * worker passes the parallel forward (src/engine/parallel), which gives the same bits.
   */
  forwardUntraced?: (spec: RunSpec) => ForwardResult;
}

const identity = (s: string, ...args: (string | number)[]) => s.replace(/\{(\d+)\}/g, (_, i) => String(args[Number(i)] ?? ''));

/**
 * Tensor -> JSON (src/protocol/wire.ts): nan travels as null, inf and -inf as
 * ±Number.MAX_VALUE. PyTorch: it computes in float32, so a float64 result beyond float32's
 * range (|x| > 3.4028234663852886e38) is inf there and travels as inf here too.
 */
export function toWire(t: Tensor): WireTensor {
  return { shape: [...t.shape], data: wireVec(t.data) };
}

/** Numbers -> wire numbers (see toWire). */
export function wireVec(v: ArrayLike<number>): WireNumber[] {
  return Array.from(v, toWireNumber);
}

/** Rows of an input/output tensor kept for times `keep` (ascending), time axis shortened. */
function windowRows(t: Tensor, keep: number[], batchFirst: boolean, unbatched: boolean): WireTensor {
  const width = t.shape[t.shape.length - 1];
  if (unbatched) {
    const data: WireNumber[] = [];
    for (const k of keep) data.push(...wireVec(t.data.subarray(k * width, (k + 1) * width)));
    return { shape: [keep.length, width], data };
  }
  const data: WireNumber[] = [];
  if (batchFirst) {
    const [n, l] = t.shape;
    for (let b = 0; b < n; b++) for (const k of keep) data.push(...wireVec(t.data.subarray((b * l + k) * width, (b * l + k + 1) * width)));
    return { shape: [n, keep.length, width], data };
  }
  const n = t.shape[1];
  for (const k of keep) data.push(...wireVec(t.data.subarray(k * n * width, (k + 1) * n * width)));
  return { shape: [keep.length, n, width], data };
}

/** Numbers one traced step holds, over all layers and directions. */
function traceElementsPerStep(model: ModelConfig, inputSize: number, batch: number): number {
  const D = model.bidirectional ? 2 : 1;
  const H = model.hiddenSize;
  const Hout = model.projSize > 0 ? model.projSize : H;
  const G = (model.type === 'LSTM' ? 4 : model.type === 'GRU' ? 3 : 1) * H;
  let per = 0;
  for (let l = 0; l < model.numLayers; l++) {
    const inSize = l === 0 ? inputSize : D * Hout;
    per += D * (inSize + Hout + 2 * G + G + Hout + (model.type === 'LSTM' ? 2 * H : 0));
  }
  return per * batch;
}

/**
 * Numbers a recorded forward and its backward hold (src/engine/tape.ts), about: per layer and
 * direction the gates and pre-activations, c and the projection's m, per layer the output, and
 * the backward's gradients of the widest layer's input, pre-activations and output.
 */
export function tapeElements(model: ModelConfig, inputSize: number, seqLen: number, batch: number): number {
  const D = model.bidirectional ? 2 : 1;
  const H = model.hiddenSize;
  const Hout = model.projSize > 0 ? model.projSize : H;
  const G = (model.type === 'LSTM' ? 4 : model.type === 'GRU' ? 3 : 1) * H;
  const LN = seqLen * batch;
  const perDirection = 2 * G + 2 * H;
  const widest = Math.max(inputSize, D * Hout);
  return LN * (inputSize + model.numLayers * (D * perDirection + D * Hout) + 2 * widest + 2 * G + 2 * D * Hout);
}

/** The time steps to keep when `perStep * T` is over `budget`: the first and the last ones. */
export function keptTimes(seqLen: number, perStep: number, budget: number): number[] | undefined {
  if (perStep * seqLen <= budget) return undefined;
  const half = Math.max(1, Math.floor(budget / Math.max(1, perStep) / 2));
  if (2 * half >= seqLen) return undefined;
  const keep: number[] = [];
  for (let t = 0; t < half; t++) keep.push(t);
  for (let t = seqLen - half; t < seqLen; t++) keep.push(t);
  return keep;
}

/**
 * The payload of the Unroll View for a document (see RunPayload). Throws the document layer's
 * ResolveError (no input) or the engine's PyTorch-worded errors; the caller shows them.
 */
export function buildRunPayload(doc: RnnDocument, opts: BuildOptions): RunPayload {
  const tr = opts.translate ?? identity;
  const resolved = resolveRun(doc, { input: opts.input, translate: opts.translate });
  const spec = resolved.spec;
  const model = spec.model;
  const unbatched = spec.input.shape.length === 2;
  const seqLen = unbatched || !model.batchFirst ? spec.input.shape[0] : spec.input.shape[1];
  const batch = unbatched ? 1 : model.batchFirst ? spec.input.shape[0] : spec.input.shape[1];
  const notes = [...resolved.notes]; // already localised by resolveRun

  const perStep = traceElementsPerStep(model, model.inputSize, batch);
  const traceFits = perStep * seqLen <= TRACE_MEMORY_BUDGET;
  const report = shapeReport(model, spec.head, spec.input.shape);
  const flops = report.flopsPerSequence ?? report.flopsPerStep * seqLen;
  const withGradients = flops <= (opts.gradientFlopBudget ?? GRADIENT_FLOP_BUDGET) && tapeElements(model, model.inputSize, seqLen, batch) <= TAPE_MEMORY_BUDGET;
  if (!withGradients) notes.push(tr('Gradients were not computed: this run is over the gradient budget.'));
  opts.onPhase?.('forward', withGradients);

  const paint = (result: ForwardResult): RunPayload => {
    opts.onPhase?.('view', withGradients);
    return forwardPayload(doc, opts, resolved.seed, spec, result, report, notes, seqLen, batch, unbatched, perStep);
  };
  const gradientsOf = (g: GradResult, loss: string): RunPayload['gradients'] =>
    ({ inputNorms: wireVec(g.inputGradNorms), hiddenNorms: g.hiddenGradNorms.map((l) => l.map(wireVec)), loss: tr(loss) });

  // Without gradients, an untraced run takes the threaded forward of the run worker. With them,
  // one recorded forward serves both: painting a threaded forward first and recording another
  // for the gradients was slower in the editor here (bench:vscode, medium on 2 cores: painted
  // 1230 vs 1085 ms, gradients 2764 vs 1903 ms: the renderer and the host share the second core).
  if (!withGradients) return paint(!traceFits && opts.forwardUntraced ? opts.forwardUntraced(spec) : forward(spec, { trace: traceFits }));
  // One recorded forward: its payload goes out (onForward) while the gradients are computed.
  let payload: RunPayload | undefined;
  let loss = '';
  const g = forwardBackward(spec, (result) => {
    payload = paint(result);
    opts.onForward?.({ ...payload, gradientsPending: true });
    opts.onPhase?.('gradients', true);
    const upstream = lossUpstream(spec, result.output, result.head);
    loss = upstream.loss;
    return upstream.upstream;
  }, { trace: traceFits });
  payload!.gradients = gradientsOf(g, loss);
  return payload!;
}

/** The payload of a run's forward results (everything but the gradients). */
function forwardPayload(doc: RnnDocument, opts: BuildOptions, seed: number | undefined, spec: RunSpec, result: ForwardResult, report: ReturnType<typeof shapeReport>,
  notesBefore: string[], seqLen: number, batch: number, unbatched: boolean, perStep: number): RunPayload {
  const tr = opts.translate ?? identity;
  const model = spec.model;
  const notes = [...notesBefore];
  // The engine's notes are English and carry numbers; resolveRun already said the dropout one
  // in the user's language, and PyTorch's own warning is quoted verbatim under a localised lead.
  for (const n of result.notes) {
    if (n.startsWith('dropout=')) continue;
    const note = tr('PyTorch warns here: {0}', n);
    if (!notes.includes(note)) notes.push(note);
  }
  // Overflow (inf in PyTorch's float32, nan after inf - inf) is said where it appears.
  notes.push(...nonFiniteNotes([
    { name: 'output', tensor: result.output }, { name: 'h_n', tensor: result.hN }, { name: 'c_n', tensor: result.cN }, { name: 'head', tensor: result.head },
  ], tr));

  const rowWidth = (model.bidirectional ? 2 : 1) * (model.projSize || model.hiddenSize) + model.inputSize;
  const keepByTrace = keptTimes(seqLen, perStep, TRACE_BUDGET);
  const keepByRows = keptTimes(seqLen, rowWidth * batch, ROWS_BUDGET);
  const keep = keepByTrace && keepByRows ? (keepByTrace.length < keepByRows.length ? keepByTrace : keepByRows) : keepByTrace ?? keepByRows;

  let steps: WireStep[][][] | undefined;
  if (result.trace) {
    const indices = keep ?? result.trace.steps[0][0].map((_, t) => t);
    steps = result.trace.steps.map((perLayer) =>
      perLayer.map((perDir) =>
        indices.map((t) => {
          const s = perDir[t];
          const vectors: Record<string, WireNumber[]> = {};
          for (const [name, v] of Object.entries(s.vectors)) vectors[name] = wireVec(v);
          return { layer: s.layer, direction: s.direction, t: s.t, vectors };
        }),
      ),
    );
  } else {
    notes.push(tr('The run is too long to record every step: the diagram shows inputs and outputs, without the gates.'));
  }
  if (keep) {
    notes.push(tr('Long sequence: only the first and last {0} time steps are sent to the view.', keep.length / 2));
  }

  const stateDict: Record<string, WireTensor> = {};
  const omittedParams: string[] = [];
  let total = 0;
  for (const [name, t] of Object.entries(spec.stateDict)) {
    if (t.data.length > PARAM_BUDGET || total + t.data.length > 4 * PARAM_BUDGET) {
      omittedParams.push(name);
      continue;
    }
    total += t.data.length;
    stateDict[name] = toWire(t);
  }

  const payload: RunPayload = {
    title: opts.title,
    model,
    batch,
    seqLen,
    unbatched,
    input: keep ? windowRows(spec.input, keep, model.batchFirst, unbatched) : toWire(spec.input),
    output: keep ? windowRows(result.output, keep, model.batchFirst, unbatched) : toWire(result.output),
    hN: toWire(result.hN),
    stateDict,
    shapes: {
      input: report.input,
      output: report.output,
      hN: report.hN,
      params: report.params,
      paramCount: report.paramCount,
      flopsPerStep: report.flopsPerStep,
    },
    notes,
  };
  payload.seed = seed;
  if (doc.cell) payload.cell = doc.cell.type;
  if (doc.cell && !doc.cell.loop) payload.cellStep = true;
  if (doc.train) payload.train = trainSummary(doc.train);
  if (opts.source !== undefined) payload.source = opts.source;
  // plain text for the panel; very long descriptions are cut (the panel clamps to a few lines anyway)
  if (doc.description) payload.description = doc.description.length > 4000 ? doc.description.slice(0, 4000) + '…' : doc.description;
  if (spec.head) payload.head = spec.head;
  if (result.cN) payload.cN = toWire(result.cN);
  if (result.head) payload.headOutput = toWire(result.head);
  if (steps) payload.steps = steps;
  if (keep) payload.times = keep;
  if (omittedParams.length) payload.omittedParams = omittedParams;
  if (report.cN) payload.shapes.cN = report.cN;
  if (report.head) payload.shapes.head = report.head;
  if (report.flopsPerSequence !== undefined) payload.shapes.flopsPerSequence = report.flopsPerSequence;
  return payload;
}

/** The upstream gradients of the loss the gradient chart explains. */
function lossUpstream(spec: RunSpec, output: Tensor, head: Tensor | undefined): { upstream: Upstream; loss: string } {
  if (head && spec.head) {
    return { upstream: { gradHead: { shape: [...head.shape], data: new Float64Array(head.data.length).fill(1) } }, loss: 'L = head(output at the last step).sum()' };
  }
  const g = new Float64Array(output.data.length);
  const model = spec.model;
  const unbatched = output.shape.length === 2;
  const width = output.shape[output.shape.length - 1];
  if (unbatched) g.fill(1, (output.shape[0] - 1) * width);
  else if (model.batchFirst) {
    const [n, l] = output.shape;
    for (let b = 0; b < n; b++) g.fill(1, (b * l + l - 1) * width, (b * l + l) * width);
  } else {
    const [l, n] = output.shape;
    g.fill(1, (l - 1) * n * width);
  }
  return {
    upstream: { gradOutput: { shape: [...output.shape], data: g } },
    loss: model.batchFirst ? 'L = output[:, -1].sum()' : 'L = output[-1].sum()',
  };
}

/**
 * The same input through an RNN, an LSTM and a GRU of the same size, each initialised as
 * torch.manual_seed(seed) would, and ||dL/dx_t|| of L = output[-1].sum() for each: the picture
 * of why gated cells keep early information.
 */
export function buildComparePayload(model: ModelConfig, input: Tensor, seed: number, translate?: BuildOptions['translate']): ComparePayload {
  const tr = translate ?? identity;
  const rows: ComparePayload['rows'] = [];
  for (const type of ['RNN', 'LSTM', 'GRU'] as const) {
    const m: ModelConfig = { ...model, type, projSize: 0, nonlinearity: 'tanh', dropout: 0 };
    const stateDict = initStateDict(m, undefined, createGenerator(seed));
    const spec: RunSpec = { model: m, stateDict, input };
    const out = forward(spec);
    const { upstream } = lossUpstream(spec, out.output, undefined);
    rows.push({ type, inputNorms: wireVec(backward(spec, upstream).inputGradNorms) });
  }
  return { rows, seed, loss: tr(model.batchFirst ? 'L = output[:, -1].sum()' : 'L = output[-1].sum()') };
}

/** Would the comparison fit the gradient budget? (Three models, forward and backward.) */
export function compareAffordable(model: ModelConfig, input: Tensor): boolean {
  const m: ModelConfig = { ...model, type: 'LSTM', projSize: 0 };
  const r = shapeReport(m, undefined, input.shape);
  return (r.flopsPerSequence ?? Infinity) * 3 <= GRADIENT_FLOP_BUDGET;
}
