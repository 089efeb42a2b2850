/*
 * The recorded forward and the backward through time on the WebAssembly kernels (float64):
 * weights packed once in the instance's memory (and repacked in place when a training step
 * changes them), every tape, gradient and scratch buffer in the same memory, laid out afresh
 * per run above the weights. unroll.ts uses it for traces and backward when WebAssembly is
 * there (its TypeScript loops stay the fallback); the training loop keeps one for all steps.
 * Layer: engine. Imports engine files only.
 *
 * Per layer and direction, forward: ih = X W_ih^T + b_ih for all steps (one product), then
 * kernels.as `recurrenceTape` (per step hh = h W_hh^T + b_hh and the cell, keeping gates, c,
 * GRU's hh). Backward: `recurrenceBackward` (per step the cell's backward and dh = dHh W_hh on
 * packed W_hh^T), then the weight gradients as single products over all steps:
 * dW_hh^T = H_prev^T dHh, dW_ih^T = X^T dPre (dHh, dPre packed as panels, the other side
 * transposed), and dX = dPre W_ih. Same sums as the TypeScript path within float64 rounding.
 */
import type { HeadConfig, ModelConfig, StateDict, Tensor } from './types';
import type { WasmKernels } from './wasm/backend';

/** The exports of kernels.as this file calls (byte pointers into the instance's memory). */
interface TapeKernels {
  gemm(rows: number, cols: number, depth: number, a: number, lda: number, wp: number, c: number, ldc: number, bias: number, accumulate: number): void;
  copyRows(rows: number, width: number, src: number, srcStride: number, dst: number, dstStride: number, mode: number): void;
  packPanels(cols: number, depth: number, src: number, ld: number, dst: number): void;
  packPanelsT(cols: number, depth: number, k0: number, count: number, src: number, ld: number, dst: number): void;
  transpose(rows: number, cols: number, src: number, lds: number, dst: number, ldd: number): void;
  columnSums(rows: number, cols: number, src: number, ld: number, out: number, accumulate: number): void;
  recurrenceTape(
    cell: number, relu: number, L: number, N: number, H: number, P: number, DH: number, reverse: number,
    ih: number, hh: number, hhAll: number, h0: number, c0: number, out: number, c: number, m: number, gates: number,
    wHh: number, bHh: number, wHr: number,
  ): void;
  recurrenceBackward(
    cell: number, relu: number, L: number, N: number, H: number, P: number, DH: number, reverse: number,
    dOut: number, out: number, h0: number, c0: number, c: number, gates: number, hh: number,
    dh: number, dC: number, dPre: number, dHh: number, dhTape: number, norms: number,
    dhTotal: number, dM: number, dHPrev: number, wHhT: number, wHrT: number,
  ): void;
  gemmF32(rows: number, cols: number, depth: number, a: number, lda: number, wp: number, c: number, ldc: number, bias: number): void;
  packPanelsF32(cols: number, depth: number, src: number, ld: number, dst: number): void;
  packPanelsTF32(cols: number, depth: number, k0: number, count: number, src: number, ld: number, dst: number, src64: number): void;
  transposeF32(rows: number, cols: number, src: number, lds: number, dst: number, ldd: number): void;
  columnSumsF32(rows: number, cols: number, src: number, ld: number, out: number, accumulate: number): void;
  addRowsF32(rows: number, width: number, src: number, lds: number, dst: number, ldd: number): void;
  recurrenceTapeF32: TapeKernels['recurrenceTape'];
  recurrenceBackwardF32: TapeKernels['recurrenceBackward'];
}

/** The kernels of one precision, same arguments (strides in elements, pointers in bytes). */
interface Ops {
  gemm(rows: number, cols: number, depth: number, a: number, lda: number, wp: number, c: number, ldc: number, bias: number, accumulate: number): void;
  /** Pack a tape (LN rows) as the panels of its transpose. */
  packT(cols: number, depth: number, k0: number, count: number, src: number, ld: number, dst: number): void;
  transpose: TapeKernels['transpose'];
  columnSums: TapeKernels['columnSums'];
  recurrenceTape: TapeKernels['recurrenceTape'];
  recurrenceBackward: TapeKernels['recurrenceBackward'];
  /** copyRows mode between two buffers of this precision. */
  same: number;
}

/** One direction's parameters as unroll.ts holds them (PyTorch layouts, float64). */
export interface TapeWeights {
  suffix: string;
  inSize: number;
  wIh: Float64Array;
  wHh: Float64Array;
  bIh: Float64Array | null;
  bHh: Float64Array | null;
  wHr: Float64Array | null;
}

/** Pointers of one direction's packed weights (0: none). */
export interface PackedDirection {
  wIh: number;
  wHh: number;
  bIh: number;
  bHh: number;
  wHr: number;
  /** W_ih^T, W_hh^T, W_hr^T packed for backward. */
  wIhT: number;
  wHhT: number;
  wHrT: number;
}

/** Pointers of one recorded run (valid until the instance's next run). */
export interface TapeRun {
  L: number;
  N: number;
  batched: boolean;
  trace: boolean;
  x: number;
  h0: number;
  c0: number;
  layers: { input: number; inSize: number; out: number; dirs: { ih: number; hh: number; gates: number; c: number; m: number }[] }[];
  /** Head outputs, seq-first rows (LN for 'all', N for the last step); 0 without a head. */
  head: number;
  headRows: number;
}

/** The tapes of a traced run, in unroll.ts's LayerTape shape. */
export interface CopiedLayer {
  input: Float64Array;
  inSize: number;
  output: Float64Array;
  dirs: { ih: Float64Array; hh: Float64Array; gates: Float64Array; c: Float64Array; m: Float64Array }[];
}

/** Upstream gradients, checked by the caller, in the caller's layout. */
export interface TapeUpstream {
  gradOutput: Float64Array | null;
  gradHN: Float64Array | null;
  gradCN: Float64Array | null;
  gradHead: Float64Array | null;
}


/**
 * A copy of heap[from, from + n). Not heap.slice: V8 copies a slice of a WebAssembly memory's
 * array element by element (about 3x slower than set of a subarray, which moves bytes).
 */
export function copyOut(heap: Float64Array | Float32Array, from: number, n: number): Float64Array {
  const r = resultArray(n);
  r.set(heap.subarray(from, from + n));
  return r;
}

/**
 * Small results are views of a shared 32 KB block: V8 gives every typed array over 64 bytes a
 * backing store of its own, and allocating it was a third of a tiny model's whole forward (the
 * origin snippet's). A block is freed when no result in it is held any more; a held result keeps
 * at most 8 times its size alive.
 */
const BLOCK_BYTES = 32 * 1024;
const SMALL_BYTES = BLOCK_BYTES / 8;
let block: ArrayBuffer | null = null;
let blockUsed = 0;

/** A new zeroed Float64Array of n elements, the caller's own (see BLOCK_BYTES). */
export function resultArray(n: number): Float64Array {
  const bytes = n * 8;
  if (bytes > SMALL_BYTES || bytes === 0) return new Float64Array(n);
  if (!block || blockUsed + bytes > BLOCK_BYTES) {
    block = new ArrayBuffer(BLOCK_BYTES);
    blockUsed = 0;
  }
  const r = new Float64Array(block, blockUsed, n);
  blockUsed += bytes;
  return r;
}

export class WasmTape {
  private readonly k: TapeKernels;
  private readonly cell: number;
  private readonly relu: number;
  private readonly D: number;
  private readonly H: number;
  private readonly P: number;
  private readonly Hout: number;
  private readonly G: number;
  private readonly layers: number;
  private readonly In: number;
  private readonly outF: number;
  private readonly headAll: boolean;
  readonly packed: PackedDirection[][] = [];
  readonly packedHead = { w: 0, b: 0, wT: 0 };
  /** W^T panels match the current weights (packed on the first backward after a change). */
  private transposesFresh = false;
  /** Bytes per element of every buffer (8 float64, 4 float32). */
  private readonly es: number;
  /** Columns per weight panel (4 float64, 8 float32). */
  private readonly lanes: number;
  private readonly ops: Ops;
  /** float32: where a product that accumulates is computed before it is added. */
  private accScratch = 0;
  /** Results as views of buffers kept here and overwritten by the next call (PrepareOptions.reuseResults). */
  reuseResults = false;
  private readonly kept = new Map<string, Float64Array>();

  constructor(
    private readonly kernels: WasmKernels,
    private readonly model: ModelConfig,
    private readonly head: HeadConfig | undefined,
    private readonly weights: TapeWeights[][],
    private readonly headWeight: Float64Array | null,
    private readonly headBias: Float64Array | null,
    readonly precision: 'float64' | 'float32' = 'float64',
  ) {
    this.k = kernels.k as unknown as TapeKernels;
    const k = this.k;
    const f32 = precision === 'float32';
    this.es = f32 ? 4 : 8;
    this.lanes = f32 ? 8 : 4;
    this.ops = f32
      ? {
          gemm: (rows, cols, depth, a, lda, wp, c, ldc, bias, accumulate) => {
            if (!accumulate) return k.gemmF32(rows, cols, depth, a, lda, wp, c, ldc, bias);
            k.gemmF32(rows, cols, depth, a, lda, wp, this.accScratch, cols, bias);
            k.addRowsF32(rows, cols, this.accScratch, cols, c, ldc);
          },
          packT: (cols, depth, k0, count, src, ld, dst) => k.packPanelsTF32(cols, depth, k0, count, src, ld, dst, 0),
          transpose: k.transposeF32,
          columnSums: k.columnSumsF32,
          recurrenceTape: k.recurrenceTapeF32,
          recurrenceBackward: k.recurrenceBackwardF32,
          same: 2,
        }
      : {
          gemm: k.gemm,
          packT: k.packPanelsT,
          transpose: k.transpose,
          columnSums: k.columnSums,
          recurrenceTape: k.recurrenceTape,
          recurrenceBackward: k.recurrenceBackward,
          same: 0,
        };
    this.cell = model.type === 'LSTM' ? 1 : model.type === 'GRU' ? 2 : 0;
    this.relu = model.type === 'RNN' && model.nonlinearity === 'relu' ? 1 : 0;
    this.D = model.bidirectional ? 2 : 1;
    this.H = model.hiddenSize;
    this.P = model.type === 'LSTM' ? model.projSize : 0;
    this.Hout = this.P > 0 ? this.P : this.H;
    this.G = (this.cell === 1 ? 4 : this.cell === 2 ? 3 : 1) * this.H;
    this.layers = model.numLayers;
    this.In = model.inputSize;
    this.outF = head && headWeight ? head.outFeatures : 0;
    this.headAll = head?.on === 'all';
    const { G, H, P, Hout } = this;
    const alloc = (n: number): number => this.alloc(n);
    const panelSize = (cols: number, depth: number): number => this.panelSize(cols, depth);
    const bias = (b: Float64Array | null): number => (b ? alloc(Math.ceil(b.length / this.lanes) * this.lanes) : 0);
    for (const row of weights) {
      this.packed.push(
        row.map((w) => ({
          wIh: alloc(panelSize(G, w.inSize)),
          wHh: alloc(panelSize(G, Hout)),
          bIh: bias(w.bIh),
          bHh: bias(w.bHh),
          wHr: w.wHr ? alloc(panelSize(P, H)) : 0,
          wIhT: alloc(panelSize(w.inSize, G)),
          wHhT: alloc(panelSize(Hout, G)),
          wHrT: w.wHr ? alloc(panelSize(H, P)) : 0,
        })),
      );
    }
    if (this.outF > 0) {
      const DH = this.D * Hout;
      this.packedHead.w = alloc(panelSize(this.outF, DH));
      this.packedHead.b = bias(headBias);
      this.packedHead.wT = alloc(panelSize(DH, this.outF));
    }
    kernels.keep();
    this.weightsChanged();
  }

  /** `count` elements of this tape's precision; returns a byte pointer. */
  private alloc(count: number): number {
    return this.es === 4 ? this.kernels.allocF32(count) : this.kernels.alloc(count);
  }

  /** The instance's memory as this tape's element type (re-read after every alloc). */
  private mem(): Float64Array | Float32Array {
    return this.es === 4 ? this.kernels.heap32 : this.kernels.heap;
  }

  /** Elements of W (cols x depth) packed in panels. */
  private panelSize(cols: number, depth: number): number {
    return Math.ceil(cols / this.lanes) * this.lanes * depth;
  }

  /**
   * Repack after the weight arrays given to the constructor changed in place (a training
   * step): the forward panels now, the transposed ones on the next backward.
   */
  weightsChanged(): void {
    const K = this.kernels;
    const k = this.k;
    const { G, H, P, Hout } = this;
    K.release();
    let most = this.headWeight ? this.headWeight.length : 0;
    for (const row of this.weights) for (const w of row) most = Math.max(most, w.wIh.length, w.wHh.length, w.wHr ? w.wHr.length : 0);
    const raw = K.alloc(most);
    const heap = K.heap;
    const mem = this.mem();
    const es = this.es;
    const f32 = es === 4;
    const pack = (src: Float64Array, cols: number, depth: number, dst: number): void => {
      heap.set(src, raw / 8);
      if (f32) k.packPanelsF32(cols, depth, raw, depth, dst);
      else k.packPanels(cols, depth, raw, depth, dst);
    };
    const bias = (src: Float64Array | null, dst: number): void => {
      if (!src) return;
      mem.fill(0, dst / es, dst / es + Math.ceil(src.length / this.lanes) * this.lanes);
      mem.set(src, dst / es);
    };
    this.weights.forEach((row, l) =>
      row.forEach((w, d) => {
        const p = this.packed[l][d];
        pack(w.wIh, G, w.inSize, p.wIh);
        pack(w.wHh, G, Hout, p.wHh);
        bias(w.bIh, p.bIh);
        bias(w.bHh, p.bHh);
        if (w.wHr) pack(w.wHr, P, H, p.wHr);
      }),
    );
    if (this.outF > 0) {
      pack(this.headWeight!, this.outF, this.D * Hout, this.packedHead.w);
      bias(this.headBias, this.packedHead.b);
    }
    this.transposesFresh = false;
  }

  private packTransposes(): void {
    const K = this.kernels;
    const k = this.k;
    const { G, H, P, Hout } = this;
    K.release();
    let most = this.headWeight ? this.headWeight.length : 0;
    for (const row of this.weights) for (const w of row) most = Math.max(most, w.wIh.length, w.wHh.length, w.wHr ? w.wHr.length : 0);
    const raw = K.alloc(most);
    const heap = K.heap;
    // W^T (cols x depth) from W (depth x cols, row-major): W^T[n, k] = W[k * cols + n].
    const packT = (src: Float64Array, cols: number, depth: number, dst: number): void => {
      heap.set(src, raw / 8);
      if (this.es === 4) k.packPanelsTF32(cols, depth, 0, depth, raw, cols, dst, 1);
      else k.packPanelsT(cols, depth, 0, depth, raw, cols, dst);
    };
    this.weights.forEach((row, l) =>
      row.forEach((w, d) => {
        const p = this.packed[l][d];
        packT(w.wIh, w.inSize, G, p.wIhT);
        packT(w.wHh, Hout, G, p.wHhT);
        if (w.wHr) packT(w.wHr, H, P, p.wHrT);
      }),
    );
    if (this.outF > 0) packT(this.headWeight!, this.D * Hout, this.outF, this.packedHead.wT);
    this.transposesFresh = true;
  }

  /**
   * The recorded forward. input/h0/c0 in the caller's layout (already checked); 'trace'
   * also keeps ih and hh of every step. Frees the previous run's buffers.
   */
  run(input: Float64Array, L: number, N: number, batched: boolean, h0: Float64Array | undefined, c0: Float64Array | undefined, trace: boolean): TapeRun {
    const es = this.es;
    if (!this.transposesFresh) this.packTransposes(); // before the run's buffers: it uses scratch
    const K = this.kernels;
    const k = this.ops;
    const { D, H, P, G, Hout, In, cell } = this;
    const DH = D * Hout;
    const S = D * this.layers;
    const LN = L * N;
    const isLSTM = cell === 1;
    const batchFirst = batched && this.model.batchFirst;
    K.release();
    const x = this.alloc(LN * In);
    const stage = batchFirst ? this.alloc(LN * In) : 0;
    const ph0 = this.alloc(S * N * Hout);
    const pc0 = isLSTM ? this.alloc(S * N * H) : 0;
    const ihShared = trace ? 0 : this.alloc(LN * G);
    const hhAll = trace || cell === 2;
    const hhScratch = hhAll ? 0 : this.alloc(N * G);
    const layers: TapeRun['layers'] = [];
    let inSize = In;
    let layerIn = x;
    for (let l = 0; l < this.layers; l++) {
      const out = this.alloc(LN * DH);
      const dirs = [];
      for (let d = 0; d < D; d++) {
        dirs.push({
          ih: trace ? this.alloc(LN * G) : ihShared,
          hh: hhAll ? this.alloc(LN * G) : hhScratch,
          gates: cell !== 0 ? this.alloc(LN * G) : 0,
          c: isLSTM ? this.alloc(LN * H) : 0,
          m: P > 0 ? this.alloc(LN * H) : 0,
        });
      }
      layers.push({ input: layerIn, inSize, out, dirs });
      layerIn = out;
      inSize = DH;
    }
    const headRows = this.outF > 0 ? (this.headAll ? LN : N) : 0;
    const head = headRows > 0 ? this.alloc(headRows * this.outF) : 0;
    const heap = this.mem(); // after the last alloc

    if (batchFirst) {
      heap.set(input, stage / es);
      this.toSeqFirst(stage, x, L, N, In);
    } else heap.set(input, x / es);
    if (h0) heap.set(h0, ph0 / es);
    else heap.fill(0, ph0 / es, ph0 / es + S * N * Hout);
    if (isLSTM) {
      if (c0) heap.set(c0, pc0 / es);
      else heap.fill(0, pc0 / es, pc0 / es + S * N * H);
    }
    for (let l = 0; l < this.layers; l++) {
      const layer = layers[l];
      for (let d = 0; d < D; d++) {
        const w = this.packed[l][d];
        const t = layer.dirs[d];
        const state = l * D + d;
        k.gemm(LN, G, layer.inSize, layer.input, layer.inSize, w.wIh, t.ih, G, w.bIh, 0);
        k.recurrenceTape(
          cell, this.relu, L, N, H, P, DH, d,
          t.ih, t.hh, hhAll ? 1 : 0, ph0 + state * N * Hout * es, isLSTM ? pc0 + state * N * H * es : 0, layer.out + d * Hout * es, t.c, t.m, t.gates,
          w.wHh, w.bHh, w.wHr,
        );
      }
    }
    if (headRows > 0) {
      const top = layers[this.layers - 1].out + (this.headAll ? 0 : (L - 1) * N * DH * es);
      k.gemm(headRows, this.outF, DH, top, DH, this.packedHead.w, head, this.outF, this.packedHead.b, 0);
    }
    return { L, N, batched, trace, x, h0: ph0, c0: pc0, layers, head, headRows };
  }

  /** (N, L, F) rows at src -> (L, N, F) at dst. */
  private toSeqFirst(src: number, dst: number, L: number, N: number, F: number): void {
    const es = this.es;
    for (let b = 0; b < N; b++) this.k.copyRows(L, F, src + b * L * F * es, F, dst + b * F * es, N * F, this.ops.same);
  }

  /** (L, N, F) rows at src (row stride ld) -> (N, L, F) at dst. */
  private toBatchFirst(src: number, ld: number, dst: number, L: number, N: number, F: number): void {
    const es = this.es;
    for (let b = 0; b < N; b++) this.k.copyRows(L, F, src + b * ld * es, N * ld, dst + b * L * F * es, F, this.ops.same);
  }

  /** A (L, N, F) buffer in the caller's layout, as a new array (one allocation). */
  private callerLayout(run: TapeRun, p: number, F: number, key?: string): Float64Array {
    const es = this.es;
    const { L, N } = run;
    const K = this.kernels;
    if (run.batched && this.model.batchFirst) {
      const mark = this.alloc(L * N * F); // scratch above the run; the run's buffers stay
      this.toBatchFirst(p, F, mark, L, N, F);
      return this.toFloat64(mark, L * N * F, key);
    }
    return this.toFloat64(p, L * N * F, key);
  }

  /**
   * A float64 copy of n elements at byte pointer p. float32 is widened in the instance first
   * (a typed-array set that converts runs element by element in V8, ~10x a plain copy).
   */
  private toFloat64(p: number, n: number, key?: string): Float64Array {
    let from = p / 8;
    if (this.es === 4) {
      const wide = this.kernels.alloc(n); // scratch above everything of this run
      this.k.copyRows(1, n, p, 0, wide, 0, 1);
      from = wide / 8;
    }
    if (!this.reuseResults || !key) return copyOut(this.kernels.heap, from, n);
    let buf = this.kept.get(key);
    if (!buf || buf.length !== n) this.kept.set(key, (buf = new Float64Array(n)));
    buf.set(this.kernels.heap.subarray(from, from + n));
    return buf;
  }

  /** The top layer's output in the caller's layout (`reuse`: a kept buffer under reuseResults). */
  output(run: TapeRun, reuse = false): Float64Array {
    return this.callerLayout(run, run.layers[this.layers - 1].out, this.D * this.Hout, reuse ? 'output' : undefined);
  }

  /** h_n (D*layers, N, H_out), flattened. */
  hN(run: TapeRun): Float64Array {
    const es = this.es;
    const { L, N } = run;
    const { D, Hout } = this;
    const DH = D * Hout;
    const heap = this.mem();
    const r = new Float64Array(D * this.layers * N * Hout);
    for (let l = 0; l < this.layers; l++) {
      for (let d = 0; d < D; d++) {
        const lastT = d === 0 ? L - 1 : 0;
        const base = run.layers[l].out / es + lastT * N * DH + d * Hout;
        for (let b = 0; b < N; b++) r.set(heap.subarray(base + b * DH, base + b * DH + Hout), ((l * D + d) * N + b) * Hout);
      }
    }
    return r;
  }

  /** c_n (D*layers, N, H), flattened (LSTM). */
  cN(run: TapeRun): Float64Array {
    const es = this.es;
    const { L, N } = run;
    const { D, H } = this;
    const heap = this.mem();
    const r = new Float64Array(D * this.layers * N * H);
    for (let l = 0; l < this.layers; l++) {
      for (let d = 0; d < D; d++) {
        const lastT = d === 0 ? L - 1 : 0;
        const base = run.layers[l].dirs[d].c / es + lastT * N * H;
        r.set(heap.subarray(base, base + N * H), (l * D + d) * N * H);
      }
    }
    return r;
  }

  /** The head's output in the caller's layout: (N, out) for the last step, (.., out) on every step. */
  headOutput(run: TapeRun, reuse = false): Float64Array | null {
    const es = this.es;
    if (run.headRows === 0) return null;
    if (!this.headAll) return this.toFloat64(run.head, run.N * this.outF, reuse ? 'head' : undefined);
    return this.callerLayout(run, run.head, this.outF, reuse ? 'head' : undefined);
  }

  /**
   * The tapes of a traced run (seq-first), plus h0/c0 as used: views of the instance's memory,
   * valid until its next run or allocation (the caller copies out the steps it keeps).
   */
  traceViews(run: TapeRun): { layers: CopiedLayer[]; h0: Float64Array; c0: Float64Array } {
    const es = this.es;
    const heap = this.mem();
    const { L, N } = run;
    const LN = L * N;
    const { D, H, G, Hout } = this;
    const S = D * this.layers;
    // float32 tapes are copied out as float64 (the trace's vectors are float64 arrays).
    const take = (p: number, n: number): Float64Array =>
      p === 0 ? new Float64Array(0) : heap instanceof Float64Array ? heap.subarray(p / es, p / es + n) : copyOut(heap, p / es, n);
    const layers = run.layers.map((layer) => ({
      input: take(layer.input, LN * layer.inSize),
      inSize: layer.inSize,
      output: take(layer.out, LN * D * Hout),
      dirs: layer.dirs.map((t) => ({ ih: take(t.ih, LN * G), hh: take(t.hh, LN * G), gates: take(t.gates, LN * G), c: take(t.c, LN * H), m: take(t.m, LN * H) })),
    }));
    return { layers, h0: take(run.h0, S * N * Hout), c0: this.cell === 1 ? take(run.c0, S * N * H) : new Float64Array(0) };
  }

  /**
   * Backward through time of `run` (the instance's last run). Gradients of every parameter
   * (state_dict order, head last), of the input (caller's layout), of h0/c0, and the per-step
   * gradient norms the view draws.
   */
  backward(run: TapeRun, up: TapeUpstream): {
    input: Float64Array; h0: Float64Array; c0: Float64Array; stateDict: StateDict; inputGradNorms: number[]; hiddenGradNorms: number[][][];
  } {
    const es = this.es;
    const K = this.kernels;
    const k = this.ops;
    const { L, N } = run;
    const { D, H, P, G, Hout, In, cell, outF } = this;
    const DH = D * Hout;
    const S = D * this.layers;
    const LN = L * N;
    const isLSTM = cell === 1;
    const isGRU = cell === 2;
    const batchFirst = run.batched && this.model.batchFirst;
    const maxIn = Math.max(In, DH);

    // Results first (one region, handed back as views of one copy), then scratch.
    const names: { name: string; shape: number[]; p: number }[] = [];
    const result = (name: string, shape: number[]): number => {
      const p = this.alloc(shape.reduce((a, b) => a * b, 1));
      names.push({ name, shape, p });
      return p;
    };
    const resStart = this.alloc(0);
    const gIn = this.alloc(LN * In);
    const gH0 = this.alloc(S * N * Hout);
    const gC0 = isLSTM ? this.alloc(S * N * H) : 0;
    const gradPtrs = this.weights.map((row) =>
      row.map((w) => ({
        wIh: result(`weight_ih${w.suffix}`, [G, w.inSize]),
        wHh: result(`weight_hh${w.suffix}`, [G, Hout]),
        bIh: w.bIh ? result(`bias_ih${w.suffix}`, [G]) : 0,
        bHh: w.bHh ? result(`bias_hh${w.suffix}`, [G]) : 0,
        wHr: w.wHr ? result(`weight_hr${w.suffix}`, [P, H]) : 0,
      })),
    );
    const gHeadW = outF > 0 ? result('head.weight', [outF, DH]) : 0;
    const gHeadB = outF > 0 && this.headBias ? result('head.bias', [outF]) : 0;
    const resEnd = this.alloc(0);

    const stage = this.alloc(Math.max(LN * DH, run.headRows * outF));
    const dTop = this.alloc(LN * DH);
    const dX = [this.alloc(LN * maxIn), this.alloc(LN * maxIn)];
    const dPre = this.alloc(LN * G);
    const dHh = isGRU ? this.alloc(LN * G) : dPre;
    const dhTape = P > 0 ? this.alloc(LN * P) : 0;
    const norms = this.alloc(L);
    const dhTotal = this.alloc(N * Hout);
    const dM = P > 0 ? this.alloc(N * H) : 0;
    const dHPrev = isGRU ? this.alloc(N * H) : 0;
    const dh = this.alloc(N * Hout);
    const dC = isLSTM ? this.alloc(N * H) : 0;
    const packA = this.alloc(this.panelSize(Math.max(G, outF), LN));
    const packB = isGRU || P > 0 ? this.alloc(this.panelSize(G, LN)) : 0;
    const tT = this.alloc(maxIn * LN); // X^T, or the top output's transpose for the head
    const hT = this.alloc(H * LN); // H_prev^T, M^T
    const prod = this.alloc(Math.max(maxIn, H) * Math.max(G, outF)); // a transposed product
    const gHeadSeq = outF > 0 && this.headAll && batchFirst ? this.alloc(LN * outF) : 0;
    this.accScratch = es === 4 ? this.alloc(LN * maxIn) : 0;
    const heap = this.mem(); // after the last alloc
    heap.fill(0, resStart / es, resEnd / es);

    // dL/d(top output), seq-first.
    if (up.gradOutput) {
      if (batchFirst) {
        heap.set(up.gradOutput, stage / es);
        this.toSeqFirst(stage, dTop, L, N, DH);
      } else heap.set(up.gradOutput, dTop / es);
    } else heap.fill(0, dTop / es, dTop / es + LN * DH);

    // The head: dTop += gHead W, dW^T = top^T gHead, db = column sums of gHead.
    if (outF > 0 && up.gradHead) {
      const rows = run.headRows;
      let gh = stage; // gradOutput, if any, is in dTop by now
      heap.set(up.gradHead, stage / es);
      if (gHeadSeq) {
        this.toSeqFirst(stage, gHeadSeq, L, N, outF);
        gh = gHeadSeq;
      }
      const topOff = this.headAll ? 0 : (L - 1) * N * DH;
      const top = run.layers[this.layers - 1].out + topOff * es;
      k.gemm(rows, DH, outF, gh, outF, this.packedHead.wT, dTop + topOff * es, DH, 0, 1);
      k.transpose(rows, DH, top, DH, tT, rows);
      k.packT(outF, rows, 0, rows, gh, outF, packA);
      k.gemm(DH, outF, rows, tT, rows, packA, prod, outF, 0, 0);
      k.transpose(DH, outF, prod, outF, gHeadW, DH);
      if (gHeadB) k.columnSums(rows, outF, gh, outF, gHeadB, 0);
    }

    const hiddenGradNorms: number[][][] = [];
    let dOut = dTop;
    for (let l = this.layers - 1; l >= 0; l--) {
      const layer = run.layers[l];
      const inSize = layer.inSize;
      const dIn = dX[l % 2];
      k.transpose(LN, inSize, layer.input, inSize, tT, LN); // X^T, shared by both directions
      const xT = tT;
      const perDir: number[][] = [];
      for (let d = 0; d < D; d++) {
        const w = this.packed[l][d];
        const g = gradPtrs[l][d];
        const t = layer.dirs[d];
        const state = l * D + d;
        const h0 = run.h0 + state * N * Hout * es;
        const c0 = isLSTM ? run.c0 + state * N * H * es : 0;
        if (up.gradHN) heap.set(up.gradHN.subarray(state * N * Hout, (state + 1) * N * Hout), dh / es);
        else heap.fill(0, dh / es, dh / es + N * Hout);
        if (isLSTM) {
          if (up.gradCN) heap.set(up.gradCN.subarray(state * N * H, (state + 1) * N * H), dC / es);
          else heap.fill(0, dC / es, dC / es + N * H);
        }
        const out = layer.out + d * Hout * es;
        k.recurrenceBackward(
          cell, this.relu, L, N, H, P, DH, d,
          dOut + d * Hout * es, out, h0, c0, t.c, t.gates, t.hh,
          dh, dC, dPre, dHh, dhTape, norms, dhTotal, dM, dHPrev, w.wHhT, w.wHrT,
        );
        heap.copyWithin(gH0 / es + state * N * Hout, dh / es, dh / es + N * Hout);
        if (isLSTM) heap.copyWithin(gC0 / es + state * N * H, dC / es, dC / es + N * H);
        const nrm = new Array<number>(L);
        for (let i = 0; i < L; i++) nrm[i] = heap[norms / es + i];
        perDir.push(nrm);

        // Weight gradients, each one product over all steps.
        k.packT(G, LN, 0, LN, dPre, G, packA);
        k.gemm(inSize, G, LN, xT, LN, packA, prod, G, 0, 0);
        k.transpose(inSize, G, prod, G, g.wIh, inSize);
        if (g.bIh) k.columnSums(LN, G, dPre, G, g.bIh, 0);
        // dX = dPre W_ih, summed over the directions.
        k.gemm(LN, inSize, G, dPre, G, w.wIhT, dIn, inSize, 0, d > 0 ? 1 : 0);
        // H_prev^T (Hout x LN, column t*N + b).
        const hPrevT = hT;
        if (d === 0) {
          k.transpose(N, Hout, h0, Hout, hPrevT, LN);
          if (L > 1) k.transpose((L - 1) * N, Hout, out, DH, hPrevT + N * es, LN);
        } else {
          if (L > 1) k.transpose((L - 1) * N, Hout, out + N * DH * es, DH, hPrevT, LN);
          k.transpose(N, Hout, h0, Hout, hPrevT + (L - 1) * N * es, LN);
        }
        let packHh = packA;
        if (isGRU) {
          k.packT(G, LN, 0, LN, dHh, G, packB);
          packHh = packB;
        }
        // dW_hh^T (Hout x G) = H_prev^T dHh.
        k.gemm(Hout, G, LN, hPrevT, LN, packHh, prod, G, 0, 0);
        k.transpose(Hout, G, prod, G, g.wHh, Hout);
        if (g.bHh) k.columnSums(LN, G, dHh, G, g.bHh, 0);
        if (g.wHr) {
          // dW_hr^T (H x P) = M^T dh.
          k.transpose(LN, H, t.m, H, hPrevT, LN);
          k.packT(P, LN, 0, LN, dhTape, P, packB);
          k.gemm(H, P, LN, hPrevT, LN, packB, prod, P, 0, 0);
          k.transpose(H, P, prod, P, g.wHr, H);
        }
      }
      hiddenGradNorms[l] = perDir;
      dOut = dIn;
    }

    // dL/dx, caller's layout.
    if (batchFirst) this.toBatchFirst(dOut, In, gIn, L, N, In);
    else this.k.copyRows(1, LN * In, dOut, 0, gIn, 0, this.ops.same);
    const all = this.toFloat64(resStart, (resEnd - resStart) / es, 'grads');
    const view = (p: number, n: number): Float64Array => all.subarray((p - resStart) / es, (p - resStart) / es + n);
    const stateDict: StateDict = {};
    for (const r of names) stateDict[r.name] = { shape: r.shape, data: view(r.p, r.shape.reduce((a, b) => a * b, 1)) };
    const inputGradNorms: number[] = [];
    const seq = dOut / es;
    for (let t = 0; t < L; t++) {
      let sq = 0;
      for (let i = seq + t * N * In; i < seq + (t + 1) * N * In; i++) sq += heap[i] * heap[i];
      inputGradNorms.push(Math.sqrt(sq));
    }
    return {
      input: view(gIn, LN * In),
      h0: view(gH0, S * N * Hout),
      c0: isLSTM ? view(gC0, S * N * H) : new Float64Array(0),
      stateDict,
      inputGradNorms,
      hiddenGradNorms,
    };
  }
}

/** The tensor form of a caller-layout result (used by unroll.ts). */
export function tensorOf(shape: number[], data: Float64Array): Tensor {
  return { shape, data };
}
