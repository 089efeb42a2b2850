/*
 * The time loop: runs torch.nn.RNN / LSTM / GRU over layers, directions and time steps,
 * forward (with an optional trace for the diagram) and backward through time.
 * Layer: engine. Imports only engine files (no vscode, no DOM, no Node).
 *
 * How a layer and direction is computed (PyTorch's order of operations, laid out for speed):
 *   1. ih = X W_ih^T + b_ih for ALL time steps at once: one (L*N x In) x (In x G) product.
 *   2. per time step only the recurrent product hh = h_{t-1} W_hh^T + b_hh (N x G),
 *      then the cell's element-wise step (cells/*.ts) writes h_t straight into the output.
 * Internally every sequence is seq-first (L, N, features); batch_first input and outputs are
 * transposed at the edges. Buffers are allocated once per run; nothing is allocated per step.
 *
 * Backward (backward through time) replays a forward run that kept a tape of the gates and
 * states, walks each direction in reverse processing order, and computes the input-side
 * products (dX, dW_ih) once per layer and direction, again as single matrix products.
 * On the WebAssembly backend, traces and backward run the same steps on ./tape.ts (every tape
 * in the instance's memory); the loops below are the reference and the fallback.
 */
import type {
  CellType,
  ForwardResult,
  GradResult,
  HeadConfig,
  ModelConfig,
  RunSpec,
  StateDict,
  StepTrace,
  Tensor,
  Trace,
  Upstream,
} from './types';
import { columnSumAccumulate, gemmNT, gemmTNAccumulate, rowSumAccumulate, transpose, transposeInto } from './kernels';
import { rnnStep, rnnStepBackward } from './cells/rnn';
import { lstmStep, lstmStepBackward } from './cells/lstm';
import { gruStep, gruStepBackward } from './cells/gru';
import { kernelPath, WasmKernels } from './wasm/backend';
import { copyOut, WasmTape, type TapeRun, type TapeUpstream } from './tape';

/**
 * Where forward, traces and backward run: 'wasm' (f64x2 SIMD kernels, falls back when the host
 * has no WebAssembly SIMD; traces and backward through tape.ts), 'typescript' (the reference
 * loops below), or 'auto' (wasm when available; default).
 */
export type Backend = 'auto' | 'wasm' | 'typescript';

/**
 * The arithmetic of an untraced WebAssembly forward. 'float64' (default): float32 weights,
 * float64 sums, within 1e-6 of PyTorch everywhere. 'float32': PyTorch's own CPU arithmetic
 * (f32x4 kernels: weights, activations, gates and sums in float32), faster, and within float32
 * rounding of PyTorch (about 1e-6 relative; more where long recurrences amplify rounding).
 * PyTorch: its float32 results differ from its float64 ones by the same order.
 * Traces, backward and the TypeScript backend always compute in float64.
 */
export type Precision = 'float64' | 'float32';

/** Options of a forward run. */
export interface ForwardOptions {
  /** Record every step's vectors for the diagram (costs memory; off by default). */
  trace?: boolean;
  /** Which kernels `forward(spec)` prepares the model with (default 'auto'). */
  backend?: Backend;
  /** The arithmetic `forward(spec)` prepares the model with (default 'float64'). */
  precision?: Precision;
}

/** Options of prepareModel. */
export interface PrepareOptions {
  /** Default 'auto': WebAssembly when available, else TypeScript. */
  backend?: Backend;
  /** Default 'float64'. 'float32' applies to the WebAssembly backend only (see Precision). */
  precision?: Precision;
  /**
   * Kernels for the large float64 products of a recorded forward and of backward (the input
   * projection of all steps, the weight gradients, dL/dx, the head on every step): the training
   * loop passes one instance it keeps. Same sums within float64 rounding; absent: TypeScript.
   */
  products?: WasmKernels | null;
  /**
   * The arithmetic of traces and backward on the WebAssembly backend. Default 'float64'.
   * 'float32' (with precision 'float32'): the tape runs in PyTorch's float32 CPU arithmetic,
   * the training loop's opt-in fast precision; results drift from the float64 reference by
   * float32 rounding (see train/loop/trainer.ts for the bar it is tested at).
   */
  tapePrecision?: Precision;
  /**
   * Hand back backward's gradients and the forward results an upstream function reads as
   * views of buffers the next call overwrites (no allocation per call; the training loop uses
   * them before its next step). Default false: every result is the caller's own copy.
   */
  reuseResults?: boolean;
  /**
   * Lay the model out in this instance (reset first) instead of a new one. The caller owns
   * it and must not use an earlier model prepared in it again.
   */
  kernels?: WasmKernels;
}

/** A model whose weights were checked and packed once; run it as often as needed. */
export interface PreparedModel {
  readonly model: ModelConfig;
  readonly head?: HeadConfig;
  /** The kernels this model's untraced forward runs on. */
  readonly backend: 'wasm' | 'typescript';
  /** The arithmetic of this model's untraced forward ('float32' only on the wasm backend). */
  readonly precision: Precision;
  /** Same as `forward(spec)` with this model's weights. */
  forward(input: Tensor, h0?: Tensor, c0?: Tensor, opts?: ForwardOptions): ForwardResult;
  /**
   * Same as `backward(spec, upstream)` with this model's weights. `upstream` may be a function
   * of the forward results (output, h_n, c_n, head in the caller's layout), called once between
   * the recorded forward and the backward: a loss computes its gradients there without a
   * second forward pass (the training loop does).
   */
  backward(input: Tensor, upstream: Upstream | UpstreamFn, h0?: Tensor, c0?: Tensor): GradResult;
  /**
   * One recorded forward, then the backward of a loss of its results: `onForward` gets the
   * forward results (the caller's own copies, with the trace when `trace` is set) before the
   * backward starts and returns the upstream gradients. The same numbers as forward() then
   * backward(), with one forward pass instead of two on the WebAssembly tape (the Unroll View
   * paints the forward while its gradients are computed).
   */
  forwardBackward(input: Tensor, onForward: (forward: ForwardResult) => Upstream, opts?: { h0?: Tensor; c0?: Tensor; trace?: boolean }): GradResult;
  /**
   * Take new values of the parameters (same names and shapes as at preparation; the training
   * loop calls this after each optimizer step): copied in and repacked in place.
   */
  setWeights(stateDict: StateDict): void;
}

/** Upstream gradients computed from the forward results (see PreparedModel.backward). */
export type UpstreamFn = (forward: { output: Tensor; hN: Tensor; cN?: Tensor; head?: Tensor }) => Upstream;

/** Number of gate blocks stacked in W_ih / W_hh: RNN 1, LSTM 4 (i f g o), GRU 3 (r z n). */
export function gateCount(type: CellType): number {
  return type === 'LSTM' ? 4 : type === 'GRU' ? 3 : 1;
}

/** PyTorch's gate names in stacking order ('' for a plain RNN). */
export function gateNames(type: CellType): string[] {
  return type === 'LSTM' ? ['i', 'f', 'g', 'o'] : type === 'GRU' ? ['r', 'z', 'n'] : [];
}

/** Run the model of `spec` once. See ForwardResult for shapes (PyTorch's). */
export function forward(spec: RunSpec, opts?: ForwardOptions): ForwardResult {
  // A trace is float64 (the wasm tape, or TypeScript): a float32 request does not apply to it.
  const precision = opts?.trace ? 'float64' : opts?.precision;
  const kernels = oneShotKernels(opts?.backend);
  try {
    return prepareModel(spec.model, spec.head, spec.stateDict, { backend: opts?.backend, precision, kernels }).forward(spec.input, spec.h0, spec.c0, opts);
  } finally {
    doneWithOneShot(kernels);
  }
}

/**
 * Gradients of L = sum(output*grad_output) + sum(h_n*grad_h_n) + sum(c_n*grad_c_n)
 * + sum(head*grad_head) with respect to the input, h0/c0 (only when the spec gives them, as
 * PyTorch only has .grad for tensors that exist) and every parameter (PyTorch's names).
 */
export function backward(spec: RunSpec, upstream: Upstream, opts?: { backend?: Backend }): GradResult {
  const kernels = oneShotKernels(opts?.backend);
  try {
    return prepareModel(spec.model, spec.head, spec.stateDict, { backend: opts?.backend, kernels }).backward(spec.input, upstream, spec.h0, spec.c0);
  } finally {
    doneWithOneShot(kernels);
  }
}

/** `spec`'s model once forward and backward on one recorded run (see PreparedModel.forwardBackward). */
export function forwardBackward(spec: RunSpec, onForward: (forward: ForwardResult) => Upstream, opts?: { trace?: boolean; backend?: Backend }): GradResult {
  const kernels = oneShotKernels(opts?.backend);
  try {
    return prepareModel(spec.model, spec.head, spec.stateDict, { backend: opts?.backend, kernels })
      .forwardBackward(spec.input, onForward, { h0: spec.h0, c0: spec.c0, trace: opts?.trace });
  } finally {
    doneWithOneShot(kernels);
  }
}

/**
 * One instance shared by the one-shot forward(spec) / backward(spec) calls (their results are
 * copies, so the instance is free again when they return): a fresh instance per call paid the
 * page faults of a new memory on every run, more than a small model's whole backward.
 */
let oneShot: WasmKernels | null | undefined;
/**
 * A one-shot instance that grew past this is dropped after the call (memory cannot shrink).
 * The Unroll View's medium run (LSTM 64->256, 2 layers, bidirectional, N 16, L 128) needs
 * ~330 MB for its trace; a fresh memory of that size costs ~1.5 s of page faults per call.
 */
const ONE_SHOT_KEEP_BYTES = 512 * 1024 * 1024;

/** The build oneShot was made from (setKernelPreference may change it between calls). */
let oneShotPath: string | null = null;

function oneShotKernels(backend: Backend | undefined): WasmKernels | undefined {
  if (backend === 'typescript') return undefined;
  if (oneShot && oneShotPath !== kernelPath()) oneShot = undefined;
  if (oneShot === undefined) {
    oneShot = WasmKernels.create();
    oneShotPath = kernelPath();
  }
  const k = oneShot ?? undefined;
  oneShot = undefined; // taken: a nested call (none today) would get its own
  return k;
}

function doneWithOneShot(k: WasmKernels | undefined): void {
  if (k && k.bytes <= ONE_SHOT_KEEP_BYTES) oneShot = k;
}

/** Check the state_dict against the model and pack the weights once. Throws PyTorch-worded errors. */
export function prepareModel(model: ModelConfig, head: HeadConfig | undefined, stateDict: StateDict, options?: PrepareOptions): PreparedModel {
  return new Prepared(model, head, stateDict, options?.backend ?? 'auto', options?.precision ?? 'float64', options?.products ?? null, options?.tapePrecision ?? 'float64', options?.reuseResults === true, options?.kernels);
}

// ---------------------------------------------------------------------------------------------

interface DirectionWeights {
  layer: number;
  direction: 0 | 1;
  suffix: string;
  inSize: number;
  /** (G x inSize), PyTorch layout. */
  wIh: Float64Array;
  /** (G x H_out). */
  wHh: Float64Array;
  bIh: Float64Array | null;
  bHh: Float64Array | null;
  /** (P x H), LSTM with proj_size > 0. */
  wHr: Float64Array | null;
  /** Transposes for backward, made on first use. */
  wIhT?: Float64Array;
  wHhT?: Float64Array;
  wHrT?: Float64Array;
}

/** What one direction of one layer kept during a recorded run. */
interface DirectionTape {
  /** (L, N, G) W_ih x + b_ih (trace only; otherwise a shared scratch buffer). */
  ih: Float64Array;
  /** (L, N, G) W_hh h + b_hh (trace, and GRU backward). */
  hh: Float64Array;
  /** (L, N, G) activated gates. */
  gates: Float64Array;
  /** (L, N, H) cell states (LSTM). */
  c: Float64Array;
  /** (L, N, H) o * tanh(c) before the projection (LSTM with proj_size > 0). */
  m: Float64Array;
}

interface LayerTape {
  /** (L, N, inSize), seq-first. */
  input: Float64Array;
  inSize: number;
  /** (L, N, D * H_out), seq-first. */
  output: Float64Array;
  dirs: DirectionTape[];
}

interface RunResult {
  L: number;
  N: number;
  batched: boolean;
  /** (D*layers, N, H_out) / (D*layers, N, H). */
  h0: Float64Array;
  c0: Float64Array;
  hN: Float64Array;
  cN: Float64Array;
  /** (N, out_features) */
  head: Float64Array | null;
  layers: LayerTape[];
}

type RecordMode = 'none' | 'tape' | 'trace';

const EMPTY = new Float64Array(0);

function product(shape: number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

function shapeText(shape: number[]): string {
  return `[${shape.join(', ')}]`;
}

function checkData(name: string, t: Tensor): void {
  if (t.data.length !== product(t.shape)) {
    throw new Error(`${name} has shape ${shapeText(t.shape)} (${product(t.shape)} elements) but ${t.data.length} values`);
  }
}

/** The forward results handed to an upstream function: each copied out of the tape on first read. */
class LazyForward {
  private out?: Tensor;
  private hn?: Tensor;
  private cn?: Tensor;
  private hd?: Tensor;

  constructor(private readonly tape: WasmTape, private readonly r: TapeRun, private readonly outShape: number[],
    private readonly hShape: number[], private readonly cShape: number[] | null, private readonly headShape: number[] | null) {}

  get output(): Tensor {
    return (this.out ??= { shape: this.outShape, data: this.tape.output(this.r, true) });
  }

  get hN(): Tensor {
    return (this.hn ??= { shape: this.hShape, data: this.tape.hN(this.r) });
  }

  get cN(): Tensor | undefined {
    if (!this.cShape) return undefined;
    return (this.cn ??= { shape: this.cShape, data: this.tape.cN(this.r) });
  }

  get head(): Tensor | undefined {
    if (!this.headShape) return undefined;
    return (this.hd ??= { shape: this.headShape, data: this.tape.headOutput(this.r, true)! });
  }
}

class Prepared implements PreparedModel {
  readonly model: ModelConfig;
  readonly head?: HeadConfig;
  private readonly D: number;
  private readonly H: number;
  private readonly P: number;
  private readonly hOut: number;
  private readonly G: number;
  private readonly weights: DirectionWeights[][];
  private readonly headWeight: Float64Array | null = null;
  private readonly headBias: Float64Array | null = null;
  private headWeightT?: Float64Array;
  readonly backend: 'wasm' | 'typescript';
  readonly precision: Precision;
  /** The WebAssembly instance holding this model's packed weights (wasm backend only). */
  private readonly wasm: WasmKernels | null = null;
  private readonly packed: { wIh: number; wHh: number; bIh: number; bHh: number; wHr: number }[][] = [];
  private packedHead = { w: 0, b: 0 };
  /** Recorded forward and backward on the wasm kernels (float64 wasm backend only). */
  private readonly tape: WasmTape | null = null;
  private readonly notesOnce: string[];

  constructor(model: ModelConfig, head: HeadConfig | undefined, stateDict: StateDict, backend: Backend, precision: Precision,
    private readonly products: WasmKernels | null = null, tapePrecision: Precision = 'float64', reuseResults = false,
    kernels?: WasmKernels) {
    this.model = model;
    this.head = head;
    this.D = model.bidirectional ? 2 : 1;
    this.H = model.hiddenSize;
    this.P = model.type === 'LSTM' ? model.projSize : 0;
    this.hOut = this.P > 0 ? this.P : this.H;
    this.G = gateCount(model.type) * this.H;

    const missing: string[] = [];
    const mismatched: string[] = [];
    const take = (name: string, shape: number[]): Float64Array => {
      const t = stateDict[name];
      if (!t) {
        missing.push(`"${name}"`);
        return new Float64Array(product(shape));
      }
      if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
        mismatched.push(
          `size mismatch for ${name}: copying a param with shape torch.Size(${shapeText(t.shape)}) from checkpoint, ` +
            `the shape in current model is torch.Size(${shapeText(shape)}).`,
        );
        return new Float64Array(product(shape));
      }
      checkData(name, t);
      // Packed once: a private contiguous copy, so later edits of the caller's tensors do not leak in.
      return Float64Array.from(t.data);
    };

    this.weights = [];
    for (let l = 0; l < model.numLayers; l++) {
      const inSize = l === 0 ? model.inputSize : this.D * this.hOut;
      const row: DirectionWeights[] = [];
      for (let d = 0; d < this.D; d++) {
        const suffix = `_l${l}${d === 1 ? '_reverse' : ''}`;
        row.push({
          layer: l,
          direction: d as 0 | 1,
          suffix,
          inSize,
          wIh: take(`weight_ih${suffix}`, [this.G, inSize]),
          wHh: take(`weight_hh${suffix}`, [this.G, this.hOut]),
          bIh: model.bias ? take(`bias_ih${suffix}`, [this.G]) : null,
          bHh: model.bias ? take(`bias_hh${suffix}`, [this.G]) : null,
          wHr: this.P > 0 ? take(`weight_hr${suffix}`, [this.P, this.H]) : null,
        });
      }
      this.weights.push(row);
    }
    if (head) {
      this.headWeight = take('head.weight', [head.outFeatures, this.D * this.hOut]);
      this.headBias = head.bias ? take('head.bias', [head.outFeatures]) : null;
    }
    if (missing.length > 0 || mismatched.length > 0) {
      const parts: string[] = [];
      if (missing.length > 0) parts.push(`Missing key(s) in state_dict: ${missing.join(', ')}.`);
      parts.push(...mismatched);
      throw new Error(`Error(s) in loading state_dict for ${model.type}:\n\t${parts.join('\n\t')}`);
    }
    this.notesOnce = this.notes();
    if (kernels) kernels.reset();
    this.wasm = backend === 'typescript' ? null : kernels ?? WasmKernels.create();
    this.backend = this.wasm ? 'wasm' : 'typescript';
    this.precision = this.wasm && precision === 'float32' ? 'float32' : 'float64';
    if (this.wasm && (this.precision === 'float64' || tapePrecision === 'float32')) {
      // tape.ts packs (forward panels now, W^T panels for backward when first needed), in the
      // untraced forward's precision.
      this.tape = new WasmTape(this.wasm, model, head, this.weights, this.headWeight, this.headBias, this.precision);
      this.tape.reuseResults = reuseResults;
      this.packed = this.tape.packed;
      this.packedHead = this.tape.packedHead;
    } else if (this.wasm) {
      // Packed once in the instance's memory (see kernels.as): float64 in transposed 4-column
      // panels, or float32 in 8-column panels.
      const k = this.wasm;
      const f32 = this.precision === 'float32';
      const packW = (w: Float64Array, cols: number, depth: number): number => (f32 ? k.packWeightsF32(w, cols, depth) : k.packWeights(w, cols, depth));
      const packB = (b: Float64Array | null): number => (f32 ? k.packBiasF32(b) : k.packBias(b));
      for (const row of this.weights) {
        this.packed.push(
          row.map((w) => ({
            wIh: packW(w.wIh, this.G, w.inSize),
            wHh: packW(w.wHh, this.G, this.hOut),
            bIh: packB(w.bIh),
            bHh: packB(w.bHh),
            wHr: w.wHr ? packW(w.wHr, this.P, this.H) : 0,
          })),
        );
      }
      if (this.headWeight) {
        this.packedHead = { w: packW(this.headWeight, head!.outFeatures, this.D * this.hOut), b: packB(this.headBias) };
      }
      k.keep();
    }
  }

  setWeights(stateDict: StateDict): void {
    const copy = (name: string, into: Float64Array | null): void => {
      if (!into) return;
      const t = stateDict[name];
      if (!t || t.data.length !== into.length) throw new Error(`setWeights: ${name} is missing or has ${t ? t.data.length : 0} values, expected ${into.length}`);
      into.set(t.data);
    };
    for (const row of this.weights) {
      for (const w of row) {
        copy(`weight_ih${w.suffix}`, w.wIh);
        copy(`weight_hh${w.suffix}`, w.wHh);
        copy(`bias_ih${w.suffix}`, w.bIh);
        copy(`bias_hh${w.suffix}`, w.bHh);
        copy(`weight_hr${w.suffix}`, w.wHr);
        w.wIhT = w.wHhT = w.wHrT = undefined;
      }
    }
    copy('head.weight', this.headWeight);
    copy('head.bias', this.headBias);
    this.headWeightT = undefined;
    if (this.tape) this.tape.weightsChanged();
    else if (this.wasm) {
      // float32 panels: packed again in place (same sizes, same pointers).
      const k = this.wasm;
      k.release();
      const repack = (w: Float64Array, cols: number, depth: number, at: number): void => {
        const p = k.packWeightsF32(w, cols, depth);
        k.heap32.copyWithin(at / 4, p / 4, p / 4 + Math.ceil(cols / 8) * 8 * depth);
        k.release();
      };
      const rebias = (b: Float64Array | null, at: number): void => {
        if (b) k.heap32.set(b, at / 4);
      };
      this.weights.forEach((row, l) =>
        row.forEach((w, d) => {
          const p = this.packed[l][d];
          repack(w.wIh, this.G, w.inSize, p.wIh);
          repack(w.wHh, this.G, this.hOut, p.wHh);
          rebias(w.bIh, p.bIh);
          rebias(w.bHh, p.bHh);
          if (w.wHr) repack(w.wHr, this.P, this.H, p.wHr);
        }),
      );
      if (this.headWeight) {
        repack(this.headWeight, this.head!.outFeatures, this.D * this.hOut, this.packedHead.w);
        rebias(this.headBias, this.packedHead.b);
      }
    }
  }

  forward(input: Tensor, h0?: Tensor, c0?: Tensor, opts?: ForwardOptions): ForwardResult {
    const traced = opts?.trace === true;
    if (this.wasm && !traced) return this.forwardWasm(this.wasm, input, h0, c0);
    if (this.tape && traced) return this.forwardTraced(this.tape, input, h0, c0);
    const run = this.run(input, h0, c0, traced ? 'trace' : 'none');
    const { L, N, batched } = run;
    const DH = this.D * this.hOut;
    const top = run.layers[run.layers.length - 1].output;
    const stateShape = (size: number) => (batched ? [this.D * this.model.numLayers, N, size] : [this.D * this.model.numLayers, size]);

    const result: ForwardResult = {
      output: { shape: this.outputShape(L, N, batched, DH), data: this.fromSeqFirst(top, L, N, DH, batched) },
      hN: { shape: stateShape(this.hOut), data: run.hN },
      notes: this.notesOnce.slice(),
    };
    if (this.model.type === 'LSTM') result.cN = { shape: stateShape(this.H), data: run.cN };
    if (this.head && run.head) {
      result.head = { shape: batched ? [N, this.head.outFeatures] : [this.head.outFeatures], data: run.head };
    }
    if (this.head?.on === 'all') result.head = this.headAll(result.output);
    if (traced) result.trace = this.buildTrace(run);
    return result;
  }

  /** Linear on every step (head.on = 'all'): rows of the output in the caller's layout -> (..., out_features). */
  private headAll(output: Tensor): Tensor {
    const outF = this.head!.outFeatures;
    const DH = this.D * this.hOut;
    const rows = output.data.length / DH;
    const data = new Float64Array(rows * outF);
    gemmNT(rows, outF, DH, output.data, 0, DH, this.headWeight!, 0, data, 0, outF, this.headBias, 0, false);
    return { shape: [...output.shape.slice(0, -1), outF], data };
  }

  /** A traced forward on the wasm tape: the run's tapes copied out and cut into steps. */
  private forwardTraced(tape: WasmTape, input: Tensor, h0?: Tensor, c0?: Tensor): ForwardResult {
    const { L, N, batched } = this.check(input, h0, c0);
    return this.tapeResults(tape, tape.run(input.data, L, N, batched, h0?.data, c0?.data, true));
  }

  /** The forward results of the tape's last run, the caller's own copies (with the trace when the run kept one). */
  private tapeResults(tape: WasmTape, r: TapeRun): ForwardResult {
    const { L, N, batched } = r;
    const DH = this.D * this.hOut;
    const S = this.D * this.model.numLayers;
    const stateShape = (size: number) => (batched ? [S, N, size] : [S, size]);
    const isLSTM = this.model.type === 'LSTM';
    const hN = tape.hN(r);
    const cN = isLSTM ? tape.cN(r) : EMPTY;
    const headOut = tape.headOutput(r);
    const output = tape.output(r);
    const result: ForwardResult = {
      output: { shape: this.outputShape(L, N, batched, DH), data: output },
      hN: { shape: stateShape(this.hOut), data: hN },
      notes: this.notesOnce.slice(),
    };
    if (isLSTM) result.cN = { shape: stateShape(this.H), data: cN };
    if (this.head && headOut) {
      const outF = this.head.outFeatures;
      result.head = this.head.on === 'all'
        ? { shape: [...result.output.shape.slice(0, -1), outF], data: headOut }
        : { shape: batched ? [N, outF] : [outF], data: headOut };
    }
    if (r.trace) {
      const views = tape.traceViews(r); // after the last copy that allocates in the instance
      result.trace = this.buildTrace({ L, N, batched, h0: views.h0, c0: views.c0, hN, cN, head: null, layers: views.layers });
    }
    return result;
  }

  forwardBackward(input: Tensor, onForward: (forward: ForwardResult) => Upstream, opts?: { h0?: Tensor; c0?: Tensor; trace?: boolean }): GradResult {
    const h0 = opts?.h0;
    const c0 = opts?.c0;
    const tape = this.tape;
    if (!tape) {
      // TypeScript: backward records its own forward (same numbers, one more pass).
      const f = this.forward(input, h0, c0, { trace: opts?.trace });
      return this.backward(input, onForward(f), h0, c0);
    }
    const { L, N, batched } = this.check(input, h0, c0);
    const r = tape.run(input.data, L, N, batched, h0?.data, c0?.data, opts?.trace === true);
    const upstream = onForward(this.tapeResults(tape, r));
    return this.gradResult(tape.backward(r, this.upstreamOf(L, N, batched, upstream)), input, h0, c0);
  }

  /** The upstream gradients of a backward pass, checked against their tensors' shapes. */
  private upstreamOf(L: number, N: number, batched: boolean, up: Upstream): TapeUpstream {
    const { D, H } = this;
    const DH = D * this.hOut;
    const layers = this.model.numLayers;
    const stateShape = (size: number) => (batched ? [D * layers, N, size] : [D * layers, size]);
    const data = (name: string, t: Tensor | undefined, shape: number[]): Float64Array | null => {
      if (!t) return null;
      checkData(name, t);
      if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
        throw new Error(`${name} must have the shape of its tensor ${shapeText(shape)}, got ${shapeText(t.shape)}`);
      }
      return t.data;
    };
    const outShape = this.outputShape(L, N, batched, DH);
    let gradHead: Float64Array | null = null;
    if (this.head && this.headWeight) {
      const out = this.head.outFeatures;
      gradHead = this.head.on === 'all'
        ? data('grad_head', up.gradHead, [...outShape.slice(0, -1), out])
        : data('grad_head', up.gradHead, batched ? [N, out] : [out]);
    }
    return {
      gradOutput: data('grad_output', up.gradOutput, outShape),
      gradHN: data('grad_h_n', up.gradHN, stateShape(this.hOut)),
      gradCN: this.model.type === 'LSTM' ? data('grad_c_n', up.gradCN, stateShape(H)) : null,
      gradHead,
    };
  }

  /** Backward on the wasm tape (see tape.ts). */
  private backwardWasm(tape: WasmTape, input: Tensor, upstreamOrFn: Upstream | UpstreamFn, h0?: Tensor, c0?: Tensor): GradResult {
    const { L, N, batched } = this.check(input, h0, c0);
    const r = tape.run(input.data, L, N, batched, h0?.data, c0?.data, false);
    let upstream: Upstream;
    if (typeof upstreamOrFn === 'function') {
      // The forward results, each copied out only when the function reads it.
      const S = this.D * this.model.numLayers;
      const DH = this.D * this.hOut;
      const outShape = this.outputShape(L, N, batched, DH);
      const head = this.head && this.headWeight ? this.head : undefined;
      const headShape = head ? (head.on === 'all' ? [...outShape.slice(0, -1), head.outFeatures] : batched ? [N, head.outFeatures] : [head.outFeatures]) : [];
      upstream = upstreamOrFn(new LazyForward(tape, r, outShape, batched ? [S, N, this.hOut] : [S, this.hOut],
        this.model.type === 'LSTM' ? (batched ? [S, N, this.H] : [S, this.H]) : null, head ? headShape : null));
    } else {
      upstream = upstreamOrFn;
    }
    return this.gradResult(tape.backward(r, this.upstreamOf(L, N, batched, upstream)), input, h0, c0);
  }

  /** The tape's gradients as a GradResult (h0/c0 only when the caller gave them, as PyTorch). */
  private gradResult(g: ReturnType<WasmTape['backward']>, input: Tensor, h0?: Tensor, c0?: Tensor): GradResult {
    const result: GradResult = {
      input: { shape: input.shape.slice(), data: g.input },
      stateDict: g.stateDict,
      inputGradNorms: g.inputGradNorms,
      hiddenGradNorms: g.hiddenGradNorms,
    };
    if (h0) result.h0 = { shape: h0.shape.slice(), data: g.h0 };
    if (c0 && this.model.type === 'LSTM') result.c0 = { shape: c0.shape.slice(), data: g.c0 };
    return result;
  }

  backward(input: Tensor, upstreamOrFn: Upstream | UpstreamFn, h0?: Tensor, c0?: Tensor): GradResult {
    if (this.tape) return this.backwardWasm(this.tape, input, upstreamOrFn, h0, c0);
    const run = this.run(input, h0, c0, 'tape');
    const { L, N, batched } = run;
    const { D, H, P, G } = this;
    const Hout = this.hOut;
    const DH = D * Hout;
    const layers = this.model.numLayers;
    const headAll = this.head?.on === 'all';
    // The top layer's output in the caller's layout (for a loss, and for the 'all' head's gradient).
    const topOutput = (): Tensor => ({
      shape: this.outputShape(L, N, batched, DH),
      data: this.fromSeqFirst(run.layers[layers - 1].output, L, N, DH, batched),
    });
    let callerOutput: Tensor | undefined;
    let upstream: Upstream;
    if (typeof upstreamOrFn === 'function') {
      callerOutput = topOutput();
      const stateShape0 = (size: number) => (batched ? [D * layers, N, size] : [D * layers, size]);
      const f: { output: Tensor; hN: Tensor; cN?: Tensor; head?: Tensor } = { output: callerOutput, hN: { shape: stateShape0(Hout), data: run.hN } };
      if (this.model.type === 'LSTM') f.cN = { shape: stateShape0(H), data: run.cN };
      if (this.head && run.head) f.head = { shape: batched ? [N, this.head.outFeatures] : [this.head.outFeatures], data: run.head };
      if (headAll) f.head = this.headAll(callerOutput);
      upstream = upstreamOrFn(f);
    } else {
      upstream = upstreamOrFn;
    }
    const isLSTM = this.model.type === 'LSTM';
    const isGRU = this.model.type === 'GRU';
    const relu = this.model.type === 'RNN' && this.model.nonlinearity === 'relu';

    const upstreamData = (name: string, t: Tensor | undefined, shape: number[]): Float64Array | null => {
      if (!t) return null;
      checkData(name, t);
      if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
        throw new Error(`${name} must have the shape of its tensor ${shapeText(shape)}, got ${shapeText(t.shape)}`);
      }
      return t.data;
    };
    const stateShape = (size: number) => (batched ? [D * layers, N, size] : [D * layers, size]);

    // dL/d(output of the top layer), seq-first.
    let dOut: Float64Array = new Float64Array(L * N * DH);
    const gOut = upstreamData('grad_output', upstream.gradOutput, this.outputShape(L, N, batched, DH));
    if (gOut) dOut = this.toSeqFirst(gOut, L, N, DH, batched);

    const grads: StateDict = {};
    const grad = (name: string, shape: number[]): Float64Array => {
      const data = new Float64Array(product(shape));
      grads[name] = { shape, data };
      return data;
    };

    if (this.head && this.headWeight && headAll) {
      // Linear on every step: dOutput += gHead W, dW += gHead^T output, db += column sums (rows in the caller's layout).
      const out = this.head.outFeatures;
      const gHeadW = grad('head.weight', [out, DH]);
      const gHeadB = this.headBias ? grad('head.bias', [out]) : null;
      const outShape = this.outputShape(L, N, batched, DH);
      const gHead = upstreamData('grad_head', upstream.gradHead, [...outShape.slice(0, -1), out]);
      if (gHead) {
        const rows = L * N;
        callerOutput ??= topOutput();
        this.headWeightT ??= transpose(this.headWeight, out, DH);
        const dTop = new Float64Array(rows * DH);
        this.bigGemm(rows, DH, out, gHead, 0, out, this.headWeightT, dTop, 0, DH, null, false);
        const dSeq = this.toSeqFirst(dTop, L, N, DH, batched);
        for (let i = 0; i < dSeq.length; i++) dOut[i] += dSeq[i];
        if (this.products) {
          // dW += gHead^T output as one product of the transposes (out x rows)(rows x DH).
          this.bigGemm(out, DH, rows, transpose(gHead, rows, out), 0, rows, transpose(callerOutput.data, rows, DH), gHeadW, 0, DH, null, true);
        } else {
          gemmTNAccumulate(rows, out, DH, gHead, 0, out, callerOutput.data, 0, DH, gHeadW, 0);
        }
        if (gHeadB) columnSumAccumulate(rows, out, gHead, 0, out, gHeadB);
      }
    } else if (this.head && this.headWeight) {
      const out = this.head.outFeatures;
      const gHeadW = grad('head.weight', [out, DH]);
      const gHeadB = this.headBias ? grad('head.bias', [out]) : null;
      const gHead = upstreamData('grad_head', upstream.gradHead, batched ? [N, out] : [out]);
      if (gHead) {
        const top = run.layers[layers - 1].output;
        const lastOff = (L - 1) * N * DH;
        this.headWeightT ??= transpose(this.headWeight, out, DH);
        gemmNT(N, DH, out, gHead, 0, out, this.headWeightT, 0, dOut, lastOff, DH, null, 0, true);
        gemmTNAccumulate(N, out, DH, gHead, 0, out, top, lastOff, DH, gHeadW, 0);
        if (gHeadB) columnSumAccumulate(N, out, gHead, 0, out, gHeadB);
      }
    }
    const gHN = upstreamData('grad_h_n', upstream.gradHN, stateShape(Hout));
    const gCN = isLSTM ? upstreamData('grad_c_n', upstream.gradCN, stateShape(H)) : null;

    const dH0 = new Float64Array(D * layers * N * Hout);
    const dC0 = new Float64Array(isLSTM ? D * layers * N * H : 0);
    const hiddenGradNorms: number[][][] = [];

    // Scratch, allocated once for the whole backward pass. Weight gradients are sums over
    // all steps, so they are taken at the end as single products of transposed tapes
    // (G x LN)(LN x K): contiguous dot products instead of a read-modify-write per step.
    const LN = L * N;
    const dPreTape = new Float64Array(LN * G); // dL/d(W_ih x + b_ih) for every step
    const dHhTape = isGRU ? new Float64Array(LN * G) : dPreTape; // dL/d(W_hh h + b_hh)
    const dhTape = new Float64Array(P > 0 ? LN * P : 0); // dL/dh_t, for dW_hr
    const dPreT = new Float64Array(G * LN);
    const dHhT = isGRU ? new Float64Array(G * LN) : dPreT;
    const hPrevT = new Float64Array(Hout * LN);
    const xT = new Float64Array(Math.max(this.model.inputSize, DH) * LN);
    const dhT = new Float64Array(P > 0 ? P * LN : 0);
    const mT = new Float64Array(P > 0 ? H * LN : 0);
    const dHPrevDirect = new Float64Array(isGRU ? N * H : 0);
    const dh = new Float64Array(N * Hout); // dL/dh_{t} flowing back through the recurrence
    const dhTotal = new Float64Array(N * Hout);
    const dM = new Float64Array(P > 0 ? N * H : 0);
    const dC = new Float64Array(isLSTM ? N * H : 0);

    const gradsFor = (w: DirectionWeights) => ({
      wIh: grad(`weight_ih${w.suffix}`, [G, w.inSize]),
      wHh: grad(`weight_hh${w.suffix}`, [G, Hout]),
      bIh: this.model.bias ? grad(`bias_ih${w.suffix}`, [G]) : null,
      bHh: this.model.bias ? grad(`bias_hh${w.suffix}`, [G]) : null,
      wHr: P > 0 ? grad(`weight_hr${w.suffix}`, [P, H]) : null,
    });
    // Register gradient entries in PyTorch's state_dict order (layer, direction).
    const paramGrads = this.weights.map((row) => row.map(gradsFor));

    for (let l = layers - 1; l >= 0; l--) {
      const tape = run.layers[l];
      const inSize = tape.inSize;
      const dX = new Float64Array(LN * inSize);
      transposeInto(tape.input, LN, inSize, xT);
      const perDir: number[][] = [];
      for (let d = 0; d < D; d++) {
        const w = this.weights[l][d];
        const g = paramGrads[l][d];
        const dt = tape.dirs[d];
        const state = l * D + d;
        const norms = new Array<number>(L).fill(0);
        w.wHhT ??= transpose(w.wHh, G, Hout);
        w.wIhT ??= transpose(w.wIh, G, inSize);
        if (w.wHr) w.wHrT ??= transpose(w.wHr, P, H);

        for (let i = 0; i < N * Hout; i++) dh[i] = gHN ? gHN[state * N * Hout + i] : 0;
        if (isLSTM) for (let i = 0; i < N * H; i++) dC[i] = gCN ? gCN[state * N * H + i] : 0;

        for (let k = L - 1; k >= 0; k--) {
          // k is the processing index; t the position in the sequence.
          const t = d === 0 ? k : L - 1 - k;
          const outOff = t * N * DH + d * Hout;
          let sq = 0;
          for (let b = 0; b < N; b++) {
            for (let j = 0; j < Hout; j++) {
              const v = dh[b * Hout + j] + dOut[outOff + b * DH + j];
              dhTotal[b * Hout + j] = v;
              sq += v * v;
            }
          }
          norms[t] = Math.sqrt(sq);

          const first = k === 0;
          const prevT = d === 0 ? t - 1 : t + 1;
          const hp = first ? run.h0 : tape.output;
          const hpOff = first ? state * N * Hout : prevT * N * DH + d * Hout;
          const hpStride = first ? Hout : DH;
          const preOff = t * N * G;
          // h_{t-1} of this step, transposed, for dW_hh at the end.
          for (let b = 0; b < N; b++) {
            for (let j = 0; j < Hout; j++) hPrevT[j * LN + t * N + b] = hp[hpOff + b * hpStride + j];
          }

          if (this.model.type === 'RNN') {
            rnnStepBackward(N, H, relu, tape.output, outOff, DH, dhTotal, dPreTape, preOff);
          } else if (isLSTM) {
            let dm = dhTotal;
            if (w.wHrT) {
              dhTape.set(dhTotal, t * N * P);
              gemmNT(N, H, P, dhTotal, 0, P, w.wHrT, 0, dM, 0, H, null, 0, false);
              dm = dM;
            }
            const cp = first ? run.c0 : dt.c;
            const cpOff = first ? state * N * H : prevT * N * H;
            lstmStepBackward(N, H, dt.gates, t * N * G, cp, cpOff, dt.c, t * N * H, dm, dC, dPreTape, preOff);
          } else {
            gruStepBackward(N, H, dt.gates, t * N * G, dt.hh, t * N * G, hp, hpOff, hpStride, dhTotal, dPreTape, preOff, dHhTape, preOff, dHPrevDirect);
          }

          // dL/dh_{t-1} = dHh W_hh (+ the direct path z * h_{t-1} of a GRU).
          gemmNT(N, Hout, G, dHhTape, preOff, G, w.wHhT, 0, dh, 0, Hout, null, 0, false);
          if (isGRU) for (let i = 0; i < N * H; i++) dh[i] += dHPrevDirect[i];
        }
        dH0.set(dh, state * N * Hout);
        if (isLSTM) dC0.set(dC, state * N * H);

        // Weight gradients, each one product over all steps.
        transposeInto(dPreTape, LN, G, dPreT);
        if (isGRU) transposeInto(dHhTape, LN, G, dHhT);
        this.bigGemm(G, Hout, LN, dHhT, 0, LN, hPrevT, g.wHh, 0, Hout, null, true);
        this.bigGemm(G, inSize, LN, dPreT, 0, LN, xT, g.wIh, 0, inSize, null, true);
        if (g.bHh) rowSumAccumulate(G, LN, dHhT, g.bHh);
        if (g.bIh) rowSumAccumulate(G, LN, dPreT, g.bIh);
        if (g.wHr) {
          transposeInto(dhTape, LN, P, dhT);
          transposeInto(dt.m, LN, H, mT);
          gemmNT(P, H, LN, dhT, 0, LN, mT, 0, g.wHr, 0, H, null, 0, true);
        }
        // dL/d(layer input) for all steps at once.
        this.bigGemm(LN, inSize, G, dPreTape, 0, G, w.wIhT, dX, 0, inSize, null, true);
        perDir.push(norms);
      }
      hiddenGradNorms[l] = perDir;
      dOut = dX;
    }

    const In = this.model.inputSize;
    const inputGradNorms: number[] = [];
    for (let t = 0; t < L; t++) {
      let sq = 0;
      for (let i = t * N * In; i < (t + 1) * N * In; i++) sq += dOut[i] * dOut[i];
      inputGradNorms.push(Math.sqrt(sq));
    }

    // Order the parameter gradients as the state_dict is ordered (head last).
    const ordered: StateDict = {};
    for (const key of Object.keys(grads).filter((k) => !k.startsWith('head.'))) ordered[key] = grads[key];
    for (const key of Object.keys(grads).filter((k) => k.startsWith('head.'))) ordered[key] = grads[key];

    const result: GradResult = {
      input: { shape: input.shape.slice(), data: this.fromSeqFirst(dOut, L, N, In, batched) },
      stateDict: ordered,
      inputGradNorms,
      hiddenGradNorms,
    };
    if (h0) result.h0 = { shape: h0.shape.slice(), data: dH0 };
    if (c0 && isLSTM) result.c0 = { shape: c0.shape.slice(), data: dC0 };
    return result;
  }

  /**
   * C (=|+=) A W^T + bias, as gemmNT with wOff 0, on the `products` kernels when there are some
   * and the product is large enough to pay for the copies (A, W packed, C in and out).
   */
  private bigGemm(rows: number, cols: number, depth: number, a: Float64Array, aOff: number, lda: number,
    w: Float64Array, c: Float64Array, cOff: number, ldc: number, bias: Float64Array | null, accumulate: boolean): void {
    const k = this.products;
    if (!k || rows * cols * depth < 32768) {
      gemmNT(rows, cols, depth, a, aOff, lda, w, 0, c, cOff, ldc, bias, 0, accumulate);
      return;
    }
    k.release();
    const pw = k.packWeights(w, cols, depth);
    const pb = k.packBias(bias);
    const aLen = (rows - 1) * lda + depth;
    const cLen = (rows - 1) * ldc + cols;
    const pa = k.alloc(aLen);
    const pc = k.alloc(cLen);
    const heap = k.heap; // after the last alloc: growing replaces the buffer
    heap.set(a.subarray(aOff, aOff + aLen), pa / 8);
    if (accumulate) heap.set(c.subarray(cOff, cOff + cLen), pc / 8);
    k.k.gemm(rows, cols, depth, pa, lda, pw, pc, ldc, pb, accumulate ? 1 : 0);
    if (ldc === cols) c.set(heap.subarray(pc / 8, pc / 8 + rows * cols), cOff);
    else for (let m = 0; m < rows; m++) c.set(heap.subarray(pc / 8 + m * ldc, pc / 8 + m * ldc + cols), cOff + m * ldc);
  }

  // -------------------------------------------------------------------------------------------

  private notes(): string[] {
    const notes: string[] = [];
    if (this.model.dropout > 0) {
      // PyTorch: dropout between layers is applied only in training mode.
      notes.push(`dropout=${this.model.dropout} is only applied in training; inference ignores it, as model.eval() does`);
      if (this.model.numLayers === 1) {
        // PyTorch warns about this at construction time (UserWarning), in these words.
        notes.push(
          'dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects num_layers greater than 1, ' +
            `but got dropout=${this.model.dropout} and num_layers=1`,
        );
      }
    }
    return notes;
  }

  private outputShape(L: number, N: number, batched: boolean, DH: number): number[] {
    if (!batched) return [L, DH];
    return this.model.batchFirst ? [N, L, DH] : [L, N, DH];
  }

  /** (N, L, F) -> (L, N, F) when batch_first; otherwise a copy. */
  private toSeqFirst(data: Float64Array, L: number, N: number, F: number, batched: boolean): Float64Array {
    if (!batched || !this.model.batchFirst) return Float64Array.from(data);
    const out = new Float64Array(L * N * F);
    for (let b = 0; b < N; b++) {
      for (let t = 0; t < L; t++) out.set(data.subarray((b * L + t) * F, (b * L + t + 1) * F), (t * N + b) * F);
    }
    return out;
  }

  /** (L, N, F) -> (N, L, F) when batch_first; otherwise the same buffer. */
  private fromSeqFirst(data: Float64Array, L: number, N: number, F: number, batched: boolean): Float64Array {
    if (!batched || !this.model.batchFirst) return data;
    const out = new Float64Array(L * N * F);
    for (let t = 0; t < L; t++) {
      for (let b = 0; b < N; b++) out.set(data.subarray((t * N + b) * F, (t * N + b + 1) * F), (b * L + t) * F);
    }
    return out;
  }

  /**
   * Untraced forward on the WebAssembly kernels: the same steps as `run` (one input product per
   * layer and direction, then per step the recurrent product and the cell), with every buffer
   * in the instance's memory, laid out afresh per run above the packed weights.
   */
  private forwardWasm(kernels: WasmKernels, input: Tensor, h0?: Tensor, c0?: Tensor): ForwardResult {
    const { L, N, batched } = this.check(input, h0, c0);
    const model = this.model;
    const { D, H, P, G } = this;
    const Hout = this.hOut;
    const DH = D * Hout;
    const layers = model.numLayers;
    const In = model.inputSize;
    const isLSTM = model.type === 'LSTM';
    const isGRU = model.type === 'GRU';
    const relu = model.type === 'RNN' && model.nonlinearity === 'relu' ? 1 : 0;
    const S = D * layers;
    const k = kernels.k;
    // float32: the same layout with 4-byte elements and the F32 kernels (inputs and states
    // rounded to float32 on the way in, as torch.tensor(..., dtype=torch.float32) would).
    const f32 = this.precision === 'float32';
    const es = f32 ? 4 : 8;
    const alloc = (count: number): number => (f32 ? kernels.allocF32(count) : kernels.alloc(count));
    const gemm = f32
      ? (rows: number, cols: number, depth: number, a: number, lda: number, wp: number, c: number, ldc: number, bias: number): void =>
          k.gemmF32(rows, cols, depth, a, lda, wp, c, ldc, bias)
      : (rows: number, cols: number, depth: number, a: number, lda: number, wp: number, c: number, ldc: number, bias: number): void =>
          k.gemm(rows, cols, depth, a, lda, wp, c, ldc, bias, 0);
    const recurrence = f32 ? k.recurrenceF32 : k.recurrence;

    kernels.release();
    const pX = alloc(L * N * In);
    const pOut = [alloc(L * N * DH), layers > 1 ? alloc(L * N * DH) : 0];
    const pIh = alloc(L * N * G);
    const pHh = alloc(N * G);
    const pH0 = alloc(S * N * Hout);
    const pC0 = isLSTM ? alloc(S * N * H) : 0;
    const pC = isLSTM ? alloc(N * H) : 0;
    const pM = P > 0 ? alloc(N * H) : 0;
    // The 'all' head runs after, on the output in the caller's layout (headAll).
    const outF = this.head && this.headWeight && this.head.on !== 'all' ? this.head.outFeatures : 0;
    const pHead = outF > 0 ? alloc(N * outF) : 0;
    // float64 staging for what comes from the caller (input, h0, c0), and the results in the
    // caller's layout as float64: output | h_n | c_n | head, handed back as views of one copy.
    const stageSize = Math.max(f32 || (batched && model.batchFirst) ? L * N * In : 0, f32 ? S * N * Math.max(Hout, H) : 0);
    const pStage = stageSize > 0 ? kernels.alloc(stageSize) : 0;
    const nOut = L * N * DH;
    const nHN = S * N * Hout;
    const nCN = isLSTM ? S * N * H : 0;
    const nHead = outF > 0 ? N * outF : 0;
    const pResult = kernels.alloc(nOut + nHN + nCN + nHead);
    const pHN = pResult + nOut * 8;
    const pCN = pHN + nHN * 8;
    const pHeadOut = pCN + nCN * 8;
    // After the last alloc: growing replaces the buffer.
    const heap64 = kernels.heap;
    const toKernel = f32 ? 3 : 0; // copyRows mode: float64 in, kernel precision out
    const fromKernel = f32 ? 1 : 0; // copyRows mode: kernel precision in, float64 out
    /** Copy a caller's float64 tensor (already in kernel layout) to p. */
    const put = (data: Float64Array, p: number): void => {
      if (f32) {
        heap64.set(data, pStage / 8);
        k.copyRows(1, data.length, pStage, 0, p, 0, toKernel);
      } else heap64.set(data, p / 8);
    };

    // Input, seq-first.
    if (batched && model.batchFirst) {
      heap64.set(input.data, pStage / 8);
      for (let b = 0; b < N; b++) k.copyRows(L, In, pStage + b * L * In * 8, In, pX + b * In * es, N * In, toKernel);
    } else put(input.data, pX);
    if (h0) put(h0.data, pH0);
    else heap64.fill(0, pH0 / 8, pH0 / 8 + Math.ceil((S * N * Hout * es) / 8));
    if (isLSTM) {
      if (c0) put(c0.data, pC0);
      else heap64.fill(0, pC0 / 8, pC0 / 8 + Math.ceil((S * N * H * es) / 8));
    }

    let layerIn = pX;
    let inSize = In;
    for (let l = 0; l < layers; l++) {
      const out = pOut[l % 2];
      for (let d = 0; d < D; d++) {
        const w = this.packed[l][d];
        const state = l * D + d;
        // 1. The input projection of every time step: one product.
        gemm(L * N, G, inSize, layerIn, inSize, w.wIh, pIh, G, w.bIh);
        // 2. The recurrence, all steps in one call (kernels.as `recurrence` / `recurrenceF32`).
        recurrence(
          isLSTM ? 1 : isGRU ? 2 : 0, relu, L, N, H, P, DH, d === 1 ? 1 : 0,
          pIh, pHh, pH0 + state * N * Hout * es, isLSTM ? pC0 + state * N * H * es : 0, out + d * Hout * es, pC, pM,
          w.wHh, w.bHh, w.wHr,
        );
        // h_n / c_n: the state after the last processed step (t = 0 for the reverse direction).
        const lastT = d === 0 ? L - 1 : 0;
        k.copyRows(N, Hout, out + (lastT * N * DH + d * Hout) * es, DH, pHN + state * N * Hout * 8, Hout, fromKernel);
        if (isLSTM) k.copyRows(1, N * H, pC, 0, pCN + state * N * H * 8, 0, fromKernel);
      }
      layerIn = out;
      inSize = DH;
    }

    // Output, back in the caller's layout.
    if (batched && model.batchFirst) {
      for (let b = 0; b < N; b++) k.copyRows(L, DH, layerIn + b * DH * es, N * DH, pResult + b * L * DH * 8, DH, fromKernel);
    } else k.copyRows(1, nOut, layerIn, 0, pResult, 0, fromKernel);
    if (outF > 0) {
      // output[-1] (seq-first) / output[:, -1, :] (batch-first): the last time step either way.
      gemm(N, outF, DH, layerIn + (L - 1) * N * DH * es, DH, this.packedHead.w, pHead, outF, this.packedHead.b);
      k.copyRows(1, nHead, pHead, 0, pHeadOut, 0, fromKernel);
    }
    // One allocation for every result (an allocation costs more than a small model's run).
    const all = copyOut(heap64, pResult / 8, nOut + nHN + nCN + nHead);
    const stateShape = (size: number) => (batched ? [S, N, size] : [S, size]);
    const result: ForwardResult = {
      output: { shape: this.outputShape(L, N, batched, DH), data: all.subarray(0, nOut) },
      hN: { shape: stateShape(Hout), data: all.subarray(nOut, nOut + nHN) },
      notes: this.notesOnce.slice(),
    };
    if (isLSTM) result.cN = { shape: stateShape(H), data: all.subarray(nOut + nHN, nOut + nHN + nCN) };
    if (outF > 0 && this.head) {
      result.head = { shape: batched ? [N, outF] : [outF], data: all.subarray(nOut + nHN + nCN) };
    }
    if (this.head?.on === 'all') result.head = this.headAll(result.output);
    return result;
  }

  /** Validate input and states: PyTorch's shape checks and wording. Returns the sizes. */
  private check(input: Tensor, h0: Tensor | undefined, c0: Tensor | undefined): { L: number; N: number; batched: boolean } {
    const model = this.model;
    const { D, H } = this;
    const Hout = this.hOut;
    const layers = model.numLayers;
    const isLSTM = model.type === 'LSTM';
    const rank = input.shape.length;
    if (rank !== 2 && rank !== 3) {
      throw new Error(`${model.type}: Expected input to be 2-D or 3-D but received ${rank}-D tensor`);
    }
    checkData('input', input);
    const batched = rank === 3;
    const inputSize = input.shape[rank - 1];
    if (inputSize !== model.inputSize) {
      throw new Error(`input.size(-1) must be equal to input_size. Expected ${model.inputSize}, got ${inputSize}`);
    }
    // PyTorch: batch_first does not apply to unbatched (2-D) input.
    const L = batched && model.batchFirst ? input.shape[1] : input.shape[0];
    const N = batched ? (model.batchFirst ? input.shape[0] : input.shape[1]) : 1;
    if (L === 0) throw new Error('Expected sequence length to be larger than 0 in RNN');

    const stateRank = batched ? 3 : 2;
    for (const [t, name] of [[h0, 'hx'], [c0, 'cx']] as const) {
      if (t && t.shape.length !== stateRank) {
        throw new Error(
          batched
            ? `For batched 3-D input, ${name} should also be 3-D but got ${t.shape.length}-D tensor`
            : `For unbatched 2-D input, ${name} should also be 2-D but got ${t.shape.length}-D tensor`,
        );
      }
    }
    const checkState = (t: Tensor | undefined, size: number, label: string): void => {
      const expected = batched ? [D * layers, N, size] : [D * layers, size];
      if (!t) return;
      if (t.shape.some((s, i) => s !== expected[i])) {
        throw new Error(`Expected ${label} size (${expected.join(', ')}), got ${shapeText(t.shape)}`);
      }
      checkData(label, t);
    };
    checkState(h0, Hout, isLSTM ? 'hidden[0]' : 'hidden');
    if (isLSTM) checkState(c0, H, 'hidden[1]');
    return { L, N, batched };
  }


  private run(input: Tensor, h0: Tensor | undefined, c0: Tensor | undefined, record: RecordMode): RunResult {
    const model = this.model;
    const { D, H, P, G } = this;
    const Hout = this.hOut;
    const DH = D * Hout;
    const layers = model.numLayers;
    const isLSTM = model.type === 'LSTM';
    const isGRU = model.type === 'GRU';
    const relu = model.type === 'RNN' && model.nonlinearity === 'relu';
    const { L, N, batched } = this.check(input, h0, c0);
    const h0Data = h0 ? h0.data : new Float64Array(D * layers * N * Hout);
    const c0Data = isLSTM ? (c0 ? c0.data : new Float64Array(D * layers * N * H)) : EMPTY;

    const x0 = this.toSeqFirst(input.data, L, N, model.inputSize, batched);
    const hN = new Float64Array(D * layers * N * Hout);
    const cN = new Float64Array(isLSTM ? D * layers * N * H : 0);

    const keepTape = record !== 'none';
    const keepTrace = record === 'trace';
    // Scratch shared by all layers/directions when nothing is recorded.
    const ihScratch = keepTrace ? EMPTY : new Float64Array(L * N * G);
    const hhScratch = new Float64Array(N * G);
    const gatesScratch = new Float64Array(N * G);
    const cScratch = new Float64Array(isLSTM ? N * H : 0);
    const mScratch = new Float64Array(P > 0 ? N * H : 0);

    const tapes: LayerTape[] = [];
    let layerIn: Float64Array = x0;
    for (let l = 0; l < layers; l++) {
      const inSize = l === 0 ? model.inputSize : DH;
      const out = new Float64Array(L * N * DH);
      const dirs: DirectionTape[] = [];
      for (let d = 0; d < D; d++) {
        const w = this.weights[l][d];
        const state = l * D + d;
        const tape: DirectionTape = {
          ih: keepTrace ? new Float64Array(L * N * G) : ihScratch,
          hh: keepTrace || (keepTape && isGRU) ? new Float64Array(L * N * G) : hhScratch,
          gates: keepTape && model.type !== 'RNN' ? new Float64Array(L * N * G) : gatesScratch,
          c: keepTape && isLSTM ? new Float64Array(L * N * H) : cScratch,
          m: keepTape && P > 0 ? new Float64Array(L * N * H) : mScratch,
        };
        const hhAll = tape.hh.length === L * N * G && tape.hh !== hhScratch;
        const gatesAll = tape.gates !== gatesScratch;
        const cAll = tape.c !== cScratch;
        const mAll = tape.m !== mScratch;

        // 1. The input projection of every time step: one product.
        this.bigGemm(L * N, G, inSize, layerIn, 0, inSize, w.wIh, tape.ih, 0, G, w.bIh, false);

        // 2. The recurrence.
        for (let k = 0; k < L; k++) {
          const t = d === 0 ? k : L - 1 - k;
          const first = k === 0;
          const prevT = d === 0 ? t - 1 : t + 1;
          const hp = first ? h0Data : out;
          const hpOff = first ? state * N * Hout : prevT * N * DH + d * Hout;
          const hpStride = first ? Hout : DH;
          const ihOff = t * N * G;
          const hhOff = hhAll ? t * N * G : 0;
          const gOff = gatesAll ? t * N * G : 0;
          const outOff = t * N * DH + d * Hout;

          gemmNT(N, G, Hout, hp, hpOff, hpStride, w.wHh, 0, tape.hh, hhOff, G, w.bHh, 0, false);

          if (model.type === 'RNN') {
            rnnStep(N, H, relu, tape.ih, ihOff, tape.hh, hhOff, out, outOff, DH);
          } else if (isGRU) {
            gruStep(N, H, tape.ih, ihOff, tape.hh, hhOff, tape.gates, gOff, hp, hpOff, hpStride, out, outOff, DH);
          } else {
            const cp = first ? c0Data : tape.c;
            const cpOff = first ? state * N * H : cAll ? prevT * N * H : 0;
            const cOff = cAll ? t * N * H : 0;
            if (w.wHr) {
              const mOff = mAll ? t * N * H : 0;
              lstmStep(N, H, tape.ih, ihOff, tape.hh, hhOff, tape.gates, gOff, cp, cpOff, tape.c, cOff, tape.m, mOff, H);
              // PyTorch: h_t = W_hr (o_t * tanh(c_t)), no bias.
              gemmNT(N, P, H, tape.m, mOff, H, w.wHr, 0, out, outOff, DH, null, 0, false);
            } else {
              lstmStep(N, H, tape.ih, ihOff, tape.hh, hhOff, tape.gates, gOff, cp, cpOff, tape.c, cOff, out, outOff, DH);
            }
          }
        }

        // h_n / c_n: the state after the last processed step (t = 0 for the reverse direction).
        const lastT = d === 0 ? L - 1 : 0;
        for (let b = 0; b < N; b++) {
          hN.set(out.subarray(lastT * N * DH + b * DH + d * Hout, lastT * N * DH + b * DH + (d + 1) * Hout), (state * N + b) * Hout);
        }
        if (isLSTM) {
          const cOff = cAll ? lastT * N * H : 0;
          cN.set(tape.c.subarray(cOff, cOff + N * H), state * N * H);
        }
        dirs.push(tape);
      }
      tapes.push({ input: layerIn, inSize, output: out, dirs });
      layerIn = out;
    }

    let head: Float64Array | null = null;
    if (this.head && this.headWeight && this.head.on !== 'all') {
      const outF = this.head.outFeatures;
      head = new Float64Array(N * outF);
      // output[-1] (seq-first) / output[:, -1, :] (batch-first): the last time step either way.
      gemmNT(N, outF, DH, layerIn, (L - 1) * N * DH, DH, this.headWeight, 0, head, 0, outF, this.headBias, 0, false);
    }
    return { L, N, batched, h0: h0Data, c0: c0Data, hN, cN, head, layers: tapes };
  }

  /** Cut the recorded tapes into per-step named vectors (only when a trace was asked for). */
  private buildTrace(run: RunResult): Trace {
    const { L, N } = run;
    const { D, H, G } = this;
    const Hout = this.hOut;
    const DH = D * Hout;
    const isLSTM = this.model.type === 'LSTM';
    const names = gateNames(this.model.type);
    // new + set, not slice: the tapes may be views of WebAssembly memory, which V8 slices element by element.
    const part = (src: Float64Array, from: number, to: number): Float64Array => {
      const v = new Float64Array(to - from);
      v.set(src.subarray(from, to));
      return v;
    };
    const gather = (src: Float64Array, off: number, stride: number, width: number): Float64Array => {
      const v = new Float64Array(N * width);
      for (let b = 0; b < N; b++) v.set(src.subarray(off + b * stride, off + b * stride + width), b * width);
      return v;
    };
    const steps: StepTrace[][][] = [];
    run.layers.forEach((tape, l) => {
      const perLayer: StepTrace[][] = [];
      for (let d = 0; d < D; d++) {
        const dt = tape.dirs[d];
        const state = l * D + d;
        const perDir: StepTrace[] = [];
        for (let t = 0; t < L; t++) {
          const first = d === 0 ? t === 0 : t === L - 1;
          const prevT = d === 0 ? t - 1 : t + 1;
          const vectors: Record<string, Float64Array> = {};
          vectors.x = part(tape.input, t * N * tape.inSize, (t + 1) * N * tape.inSize);
          vectors.h_prev = first
            ? part(run.h0, state * N * Hout, (state + 1) * N * Hout)
            : gather(tape.output, prevT * N * DH + d * Hout, DH, Hout);
          if (isLSTM) {
            vectors.c_prev = first ? part(run.c0, state * N * H, (state + 1) * N * H) : part(dt.c, prevT * N * H, (prevT + 1) * N * H);
          }
          vectors.ih = part(dt.ih, t * N * G, (t + 1) * N * G);
          vectors.hh = part(dt.hh, t * N * G, (t + 1) * N * G);
          names.forEach((name, k) => {
            vectors[name] = gather(dt.gates, t * N * G + k * H, G, H);
          });
          if (isLSTM) vectors.c = part(dt.c, t * N * H, (t + 1) * N * H);
          vectors.h = gather(tape.output, t * N * DH + d * Hout, DH, Hout);
          perDir.push({ layer: l, direction: d as 0 | 1, t, vectors });
        }
        perLayer.push(perDir);
      }
      steps.push(perLayer);
    });
    return { steps, batch: N, seqLen: L };
  }
}
