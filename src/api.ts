/*
 * The library entry (`rnn-lens/engine`, bundled to dist/engine.js): run, grad, init and shapes
 * on an RNN document given as a plain object (as JSON.parse returns it), and createModel for
 * running the same weights on many inputs.
 * Layer: library edge. Imports src/document and src/engine only; no vscode, no DOM, no Node,
 * so the bundle works in Node, a browser or a worker.
 *
 * Every document goes through the same reader as the editor and the CLI (it is serialised
 * first), so the same rules and the same messages apply; problems throw an Error whose message
 * lists them.
 */
import type { Budget, Diagnostic, RnnDocument } from './document/types';
import { checkInputShape, readDocument } from './document/reader';
import { isProblem, nestedToTensor, tensorToNested } from './document/nested';
import { ResolveError, resolveParameters } from './document/resolve';
import { addLeadingAxis, moduleInputShape } from './document/cell';
import { prepareModel, type Precision } from './engine/unroll';
import { prepareParallelModel } from './engine/parallel/parallelModel';
import type { ThreadHost } from './engine/parallel/threads';
import {
  forwardJson,
  gradDocumentJson,
  initDocumentJson,
  prepareDocumentModel,
  runDocumentJson,
  shapesDocument,
  type GradJson,
  type InitJson,
  type RunJson,
} from './document/commands';
import type { ForwardResult, HeadConfig, ModelConfig, ShapeReport, Tensor } from './engine/types';
import { createDocumentTrainer, FLOAT32_NOTE, trainDocumentJson, trainResultJson, type TrainJson } from './document/train';
import type { AbortFlag, Trainer, TrainSpec, TrainStepInfo } from './engine/train/types';

export { readDocument, readTensorText } from './document/reader';
export { openCheckpoint, inspectJson, CheckpointError } from './checkpoint/index';
export type { Checkpoint, ByteSource, InspectJson, ModuleInfo, TensorInfo } from './checkpoint/index';
export type { CheckpointResolver } from './document/fromCheckpoint';
import type { CheckpointResolver } from './document/fromCheckpoint';
export { DEFAULT_BUDGET } from './document/types';
export type { Budget, Diagnostic, ReadResult, RnnDocument } from './document/types';
export type { GradJson, InitJson, RunJson } from './document/commands';
export type { Tensor, ShapeReport, ModelConfig, HeadConfig, ForwardResult } from './engine/types';
export type { Precision } from './engine/unroll';
export type { ThreadHost } from './engine/parallel/threads';
/** Which build of the WebAssembly kernels runs (relaxed SIMD with FMA, SIMD, or null: TypeScript), and a way to choose one. */
export { kernelPath, relaxedSimdAvailable, setKernelPreference } from './engine/wasm/backend';
export type { KernelPath, KernelPreference } from './engine/wasm/backend';
export type { TrainJson } from './document/train';
export type { AbortFlag, Trainer, TrainResult, TrainSpec, TrainStepInfo, TrainStop } from './engine/train/types';

/** Options of every entry point. */
export interface ApiOptions {
  /** Limits checked before anything is allocated (DEFAULT_BUDGET when absent). */
  budget?: Budget;
  /**
   * Opens the checkpoint a document names in `"state_dict": {"from": ...}`: e.g.
   * `(from) => openCheckpoint(bytesOf(from))`. The library does no I/O itself.
   */
  checkpoint?: CheckpointResolver;
}

/** Options of createModel. */
export interface CreateModelOptions extends ApiOptions {
  /**
   * 'float64' (default): float64 sums of the float32 weights, within 1e-6 of PyTorch.
   * 'float32': PyTorch's own CPU arithmetic (float32 SIMD kernels), faster, within float32
   * rounding of PyTorch (about 1e-6 relative; up to ~1e-5 on long or saturating runs).
   * Applies to forwardTensors and forward on the WebAssembly backend (float64 elsewhere).
   */
  precision?: Precision;
  /**
   * Where helper threads come from (on Node: `nodeThreadHost()` of dist/threads.js). Absent: one
   * thread. Batched runs whose batch is a multiple of 4 (8 or more) and large enough (about 8
   * million multiply-adds per thread) are cut into batch parts run side by side; the results
   * are bit for bit those of one thread (src/engine/parallel).
   */
  threadHost?: ThreadHost | null;
  /** The most threads a forward may use, the caller's included (0 or absent: one per core; 1: no helpers). */
  threads?: number;
}

/** Results carry the notes a run produced (seed defaulted to 0, dropout ignored, ...). */
export type WithNotes<T> = T & { notes: string[] };

/** Thrown for an invalid document: `diagnostics` holds every problem the reader found. */
export class DocumentError extends Error {
  constructor(message: string, readonly diagnostics: Diagnostic[]) {
    super(message);
    this.name = 'DocumentError';
  }
}

/** Forward pass: {output, h_n, c_n?, head?} as nested arrays in PyTorch's shapes. */
export function run(document: unknown, options?: ApiOptions): WithNotes<RunJson> {
  const doc = validate(document, options);
  const r = guard(() => runDocumentJson(doc));
  return { ...r.result, notes: r.notes };
}

/** Gradients of the loss the document's `backward` block describes: {input, h0?, c0?, state_dict}. */
export function grad(document: unknown, options?: ApiOptions): WithNotes<GradJson> {
  const doc = validate(document, options);
  const r = guard(() => gradDocumentJson(doc));
  return { ...r.result, notes: r.notes };
}

/** The parameters (seeded and given) and the input a run would use: {state_dict, input?}. */
export function init(document: unknown, options?: ApiOptions): WithNotes<InitJson> {
  const doc = validate(document, options);
  const r = guard(() => initDocumentJson(doc));
  return { ...r.result, notes: r.notes };
}

/** Shapes, parameter list and FLOPs, from sizes alone. */
export function shapes(document: unknown, options?: ApiOptions): ShapeReport {
  return shapesDocument(validate(document, options));
}

/** A model prepared once from a document: run `forward` on as many inputs as needed. */
export interface Model {
  readonly model: ModelConfig;
  readonly head?: HeadConfig;
  /** Notes from preparing the weights (seed defaulted to 0, ...). */
  readonly notes: string[];
  /**
   * Run on `input` (nested arrays or a Tensor; the document's input when omitted), with the
   * document's h0/c0 unless given. Returns nested arrays in PyTorch's shapes.
   */
  forward(input?: unknown, h0?: unknown, c0?: unknown): RunJson;
  /**
   * The fast path: engine Tensors in (flat Float64Array data, PyTorch's shapes; h0/c0 zeros
   * when absent) and engine Tensors out ({output, hN, cN?, head?, notes}), with no nested-array
   * conversion. Only shape checks (PyTorch's wording) run per call; the weights stay packed.
   */
  forwardTensors(input: Tensor, h0?: Tensor, c0?: Tensor): ForwardResult;
  /** Ends the helper threads (options.threadHost); the model keeps working on one thread. */
  dispose(): void;
}

/** Read the document's weights once (drawing from the seed what it leaves out). */
export function createModel(document: unknown, options?: CreateModelOptions): Model {
  const doc = validate(document, options);
  const p = guard(() => (options?.precision === 'float32' ? prepareFloat32(doc) : prepareDocumentModel(doc)));
  const threaded = options?.threadHost && options.threads !== 1
    ? prepareParallelModel(doc.model, doc.head, resolveParameters(doc).stateDict, { prepared: p.prepared, host: options.threadHost, threads: options.threads })
    : null;
  const runner = threaded ?? p.prepared;
  return {
    model: doc.model,
    head: doc.head,
    notes: p.notes,
    forward(input?: unknown, h0?: unknown, c0?: unknown): RunJson {
      // A cell document takes the cell's shapes (one step (N, in), hx (N, H)): the module's without L = 1 / the layer axis.
      const cell = doc.cell;
      const given = (v: unknown, what: string) => (cell ? addLeadingAxis(toTensor(v, what)) : toTensor(v, what));
      let x = input === undefined ? p.input : toTensor(input, 'input');
      if (!x) throw new Error('no input: pass one to forward(input), or give the document an "input"');
      if (cell && input !== undefined) x = { shape: moduleInputShape(x.shape, cell.loop), data: x.data };
      const problem = checkInputShape(doc.model, x.shape);
      if (problem) throw new Error(problem);
      const h = h0 === undefined ? (input === undefined ? p.h0 : undefined) : given(h0, 'h0');
      const c = c0 === undefined ? (input === undefined ? p.c0 : undefined) : given(c0, 'c0');
      return guard(() => forwardJson(runner.forward(x!, h, c), cell));
    },
    forwardTensors(input: Tensor, h0?: Tensor, c0?: Tensor): ForwardResult {
      return runner.forward(input, h0, c0);
    },
    dispose(): void {
      threaded?.dispose();
    },
  };
}

/** prepareDocumentModel with the float32 kernels (same parameters, same input/h0/c0). */
function prepareFloat32(doc: RnnDocument): ReturnType<typeof prepareDocumentModel> {
  const p = resolveParameters(doc);
  return {
    prepared: prepareModel(doc.model, doc.head, p.stateDict, { precision: 'float32' }),
    notes: p.notes,
    input: p.input,
    h0: doc.h0?.kind === 'literal' ? doc.h0.tensor : undefined,
    c0: doc.c0?.kind === 'literal' ? doc.c0.tensor : undefined,
  };
}

/** Options of createTrainer (and of train). */
export interface TrainerApiOptions extends ApiOptions {
  /**
   * 'float64' (default): follows PyTorch's float64 run of the same float32 initial values
   * (within 1e-6 on the golden trajectories). 'float32': PyTorch's own CPU arithmetic on the
   * WebAssembly tape, parameters rounded to float32 after every update as PyTorch's float32
   * tensors are; faster (about 1.7x on a character LSTM), and follows PyTorch's float32 run
   * within float32 rounding (loss within 1e-5). The result's notes say when float32 ran.
   * Without WebAssembly it falls back to float64.
   */
  precision?: Precision;
}

/** Options of train(): the budget, the precision, a callback after every step, a signal checked between steps. */
export interface TrainApiOptions extends TrainerApiOptions {
  /** Called after each completed step with {step (0-based), loss, gradNorm}. */
  onStep?: (info: TrainStepInfo) => void;
  /** Checked before each step (an AbortSignal works): when aborted, the steps done are returned with `stopped`. */
  signal?: AbortFlag;
}

/**
 * Train the document as its `train` block says (PyTorch's loop: zero_grad, forward, loss,
 * backward, clip_grad_norm_, opt.step), synchronously. Returns what `rnn-lens train` prints:
 * {loss, grad_norm, state_dict, notes, stopped?}. A NaN/inf loss stops the run at that step
 * (the last finite parameters are returned, `stopped.reason` is 'non-finite').
 */
export function train(document: unknown, options?: TrainApiOptions): TrainJson {
  const precision = trainPrecision(options);
  const doc = validate(document, options);
  return guard(() => trainDocumentJson(doc, { onStep: options?.onStep, signal: options?.signal, precision }));
}

/** The note a float32 run carries. */
export { FLOAT32_NOTE };

/** options.precision checked: 'float64' (absent) or 'float32'; anything else is a clear error. */
function trainPrecision(options?: TrainerApiOptions): Precision {
  const p = options?.precision;
  if (p === undefined) return 'float64';
  if (p !== 'float64' && p !== 'float32') {
    throw new Error(`precision must be 'float64' or 'float32', got ${typeof p === 'string' ? JSON.stringify(p) : String(p)}`);
  }
  return p;
}

/** A stepwise trainer on a document (for a worker that pauses, resumes and stops); see Trainer. */
export interface DocumentTrainer extends Trainer {
  /** The resolved spec (initial parameters, input, target, optimizer). */
  readonly spec: TrainSpec;
  /** Notes from resolving the document (seed defaulted to 0, ...). */
  readonly notes: string[];
  /** What `rnn-lens train` would print for the steps done so far. */
  json(): TrainJson;
}

/** Read the document once and return a trainer that runs one optimizer step per `step()` call. */
export function createTrainer(document: unknown, options?: TrainerApiOptions): DocumentTrainer {
  const precision = trainPrecision(options);
  const doc = validate(document, options);
  const made = guard(() => createDocumentTrainer(doc, { precision }));
  const t = made.trainer;
  return {
    spec: made.spec,
    notes: made.notes,
    get stepsTotal() { return t.stepsTotal; },
    get stepsDone() { return t.stepsDone; },
    get stopped() { return t.stopped; },
    step: () => t.step(),
    stateDict: () => t.stateDict(),
    predict: () => t.predict(),
    forward: (o?: { trace?: boolean }) => t.forward(o),
    result: () => t.result(),
    json: () => trainResultJson(t.result(), made.notes),
  };
}

/** Nested arrays in a tensor's shape (handy with Tensor results of the engine). */
export { tensorToNested };

function validate(document: unknown, options?: ApiOptions): RnnDocument {
  let text: string | undefined;
  try {
    text = JSON.stringify(document);
  } catch (e) {
    // A cycle, a BigInt, or nesting deep enough to overflow JSON.stringify itself.
    throw new DocumentError(`invalid RNN document: it cannot be serialised as JSON (${(e as Error).message})`, []);
  }
  if (text === undefined) throw new DocumentError('invalid RNN document: expected an object, got ' + typeof document, []);
  const read = readDocument(text, { budget: options?.budget, checkpoint: options?.checkpoint });
  if (!read.document) {
    const lines = read.diagnostics
      .filter((d) => d.severity === 'error')
      .map((d) => `  ${d.severity}: ${d.message}${d.message.includes('got null') ? ' (NaN and Infinity become null in JSON)' : ''}`);
    throw new DocumentError(`invalid RNN document:\n${lines.join('\n')}`, read.diagnostics);
  }
  return read.document;
}

function toTensor(value: unknown, what: string): Tensor {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const t = value as { shape?: unknown; data?: unknown };
    if (Array.isArray(t.shape) && (t.data instanceof Float64Array || t.data instanceof Float32Array || Array.isArray(t.data))) {
      const n = t.shape.reduce((a, b) => a * b, 1);
      if (t.data.length !== n) throw new Error(`${what}: shape ${JSON.stringify(t.shape)} holds ${n} values, data has ${t.data.length}`);
      return { shape: [...t.shape], data: Float64Array.from(t.data as ArrayLike<number>, (x) => Math.fround(x)) };
    }
  }
  const t = nestedToTensor(value, true);
  if (isProblem(t)) throw new Error(`${what}: ${t.message}`);
  return t;
}

/** Engine errors (PyTorch-worded) and resolve errors pass through as plain Errors with their message. */
function guard<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ResolveError) throw new Error(e.message);
    throw e;
  }
}
