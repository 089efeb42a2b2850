/*
 * The forward on several threads: the batch is cut into parts (batchSplit.ts), the calling thread
 * runs the first part with its own prepared model while helper threads (threads.ts, each with
 * the same model prepared in its own WebAssembly instance, the same kernel build) run the
 * others and write their results into shared memory; the caller waits with Atomics.wait and
 * puts the parts together. Every sequence gets exactly the bits a one-thread run gives it (see
 * batchSplit.ts), so the parallel forward is the same function, only sooner.
 *
 * When it uses one thread: no host or no shared memory (threads.ts), a thread that may not
 * block, helpers not ready yet, unbatched input, a batch that is not a multiple of 4 (or is
 * only 4), or too little work: each thread must get at least MIN_WORK_PER_THREAD multiply-adds,
 * about 2 ms of one core on the WebAssembly kernels, so the hand-over (a message, a wake-up, the
 * copies of the part's input and results: tens of microseconds per megabyte) stays a few
 * percent of the run.
 * Layer: engine. Imports only engine files.
 */
import type { ForwardResult, HeadConfig, ModelConfig, StateDict, Tensor } from '../types';
import { gateCount, prepareModel, type PreparedModel, type Precision } from '../unroll';
import { kernelPath } from '../wasm/backend';
import { batchAxes, putBatch, splitBatch, takeBatch, type BatchPart } from './batchSplit';
import { canBlock, CONTROL, sharedMemoryAvailable, type HelperPort, type HelperRequest, type ThreadHost } from './threads';

/** Multiply-adds each thread must get before a run is split (see the header). */
export const MIN_WORK_PER_THREAD = 8_000_000;

/** Options of prepareParallelModel. */
export interface ParallelOptions {
  /** The forward's arithmetic (as prepareModel; default 'float64'). */
  precision?: Precision;
  /**
   * The most threads a run may use, the caller's included: 1 runs on the calling thread only;
   * 0 or absent: one per core (host.cores, which also caps a larger number).
   */
  threads?: number;
  /** Where helper threads come from; absent or null: one thread. */
  host?: ThreadHost | null;
  /** Work per thread below which a run is not split (multiply-adds; tests lower it). */
  minWorkPerThread?: number;
  /** This thread's model when the caller has prepared it already (same weights; its precision wins). */
  prepared?: PreparedModel;
  /**
   * Pause the threads after a run they did not speed up (default true; see PAUSE_RUNS). Tests
   * that count threads turn it off, so a loaded machine cannot change what they see.
   */
  adaptive?: boolean;
}

/**
 * After a split run whose parts did not run side by side (the caller waited for its helpers about
 * as long as its own part took: the cores are busy with other work, or this process gets a fixed
 * CPU share), the next PAUSE_RUNS runs use one thread, then the split is tried again. The
 * estimate is parts x own / (own + wait); below MIN_SPEEDUP the split is judged not to pay.
 * Only runs whose own part takes at least 20 ms are judged (Date.now is coarse). The numbers
 * are the same bits either way; only the wall time differs.
 */
export const PAUSE_RUNS = 16;
const MIN_SPEEDUP = 1.2;

/** A prepared model whose untraced forward may use several threads. */
export interface ParallelModel {
  readonly model: ModelConfig;
  readonly head?: HeadConfig;
  /** The calling thread's own prepared model (traces, backward, one-thread runs). */
  readonly prepared: PreparedModel;
  /** Threads a run may use at most (the caller's included) after the cap: helpers + 1. */
  readonly maxThreads: number;
  /** Threads the last forward used (1 when it ran on the calling thread only). */
  readonly lastThreads: number;
  /** Same results as `prepared.forward(input, h0, c0)` (bit for bit), untraced. */
  forward(input: Tensor, h0?: Tensor, c0?: Tensor): ForwardResult;
  /** Resolves when every helper has prepared the model (or given up): the threads usable now. */
  ready(): Promise<number>;
  /** Waits (blocking, at most timeoutMs) until the helpers are prepared; the threads usable now. */
  waitReady(timeoutMs: number): number;
  /** Ends the helper threads; the model keeps working on the calling thread. */
  dispose(): void;
}

interface Helper {
  port: HelperPort;
  control: Int32Array;
  results: SharedArrayBuffer | null;
  /** False once it failed to prepare, exited or missed a deadline. */
  alive: boolean;
  readyPromise: Promise<void>;
}

function product(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Multiply-adds of one sequence of L steps (products only; the element-wise work is small beside them). */
export function workPerSequence(model: ModelConfig, head: HeadConfig | undefined, L: number): number {
  const D = model.bidirectional ? 2 : 1;
  const H = model.hiddenSize;
  const P = model.type === 'LSTM' ? model.projSize : 0;
  const hOut = P > 0 ? P : H;
  const G = gateCount(model.type) * H;
  let work = 0;
  for (let l = 0; l < model.numLayers; l++) {
    const inSize = l === 0 ? model.inputSize : D * hOut;
    work += D * L * (G * (inSize + hOut) + P * H);
  }
  if (head) work += head.outFeatures * D * hOut * (head.on === 'all' ? L : 1);
  return work;
}

/**
 * Work (multiply-adds) from which a one-off run starts helper threads (the CLI's run, the
 * extension's run worker): a helper costs a thread start, a second copy of the weights and
 * packing them (tens of milliseconds), which a run of a tenth of a second or more on one core
 * (400 million multiply-adds on the WebAssembly kernels) pays back. A model prepared once and
 * run many times (the library) starts them at once and splits from MIN_WORK_PER_THREAD.
 */
export const START_HELPERS_WORK = 400_000_000;

/**
 * How many threads (the caller's included) a one-off run of `inputShape` should start, at most
 * `cap`: 1 when it is under START_HELPERS_WORK or its batch cannot be split bit-identically.
 */
export function threadsWorthStarting(model: ModelConfig, head: HeadConfig | undefined, inputShape: readonly number[], cap: number): number {
  if (inputShape.length !== 3 || cap <= 1) return 1;
  const axis = batchAxes(model.batchFirst).sequence;
  const batch = inputShape[axis];
  if (workPerSequence(model, head, inputShape[1 - axis]) * batch < START_HELPERS_WORK) return 1;
  return splitBatch(batch, cap).length;
}

/**
 * Check and pack the model on this thread (as prepareModel, which throws PyTorch-worded errors)
 * and start the helpers the options allow; they prepare the same model in the background.
 */
export function prepareParallelModel(model: ModelConfig, head: HeadConfig | undefined, stateDict: StateDict, options?: ParallelOptions): ParallelModel {
  const prepared = options?.prepared ?? prepareModel(model, head, stateDict, { precision: options?.precision ?? 'float64' });
  return new Parallel(prepared, stateDict, options ?? {});
}

class Parallel implements ParallelModel {
  readonly model: ModelConfig;
  readonly head?: HeadConfig;
  readonly maxThreads: number;
  lastThreads = 1;
  private readonly helpers: Helper[] = [];
  private readonly minWork: number;
  private seq = 0;
  private readonly adaptive: boolean;
  /** Runs left on one thread after a split that did not pay (see PAUSE_RUNS). */
  private paused = 0;

  constructor(readonly prepared: PreparedModel, stateDict: StateDict, options: ParallelOptions) {
    this.model = prepared.model;
    this.head = prepared.head;
    this.minWork = options.minWorkPerThread ?? MIN_WORK_PER_THREAD;
    this.adaptive = options.adaptive ?? true;
    const host = options.host ?? null;
    const kernel = kernelPath();
    // More threads than cores never helps: the cap is the setting and the machine's cores both.
    const cores = host?.cores ?? 1;
    const cap = options.threads && options.threads > 0 ? Math.min(Math.floor(options.threads), cores) : cores;
    const possible = host !== null && prepared.backend === 'wasm' && kernel !== null && sharedMemoryAvailable() && canBlock();
    this.maxThreads = possible ? Math.max(1, Math.min(cap, 64)) : 1;
    for (let i = 1; i < this.maxThreads; i++) {
      let port: HelperPort;
      try {
        port = host!.startHelper();
      } catch {
        break; // no more threads to be had: run with those started
      }
      const control = new Int32Array(new SharedArrayBuffer(CONTROL.length * 4));
      let settle: () => void = () => undefined;
      const helper: Helper = { port, control, results: null, alive: true, readyPromise: new Promise<void>((r) => (settle = r)) };
      port.onMessage((m) => {
        const reply = m as { type?: unknown; usable?: unknown } | null;
        if (reply?.type === 'ready') {
          if (reply.usable !== true) helper.alive = false;
          settle();
        } else if (reply?.type === 'exit') {
          helper.alive = false;
          settle();
        }
      });
      const request: HelperRequest = {
        type: 'prepare', model: this.model, head: this.head, stateDict, precision: prepared.precision, kernel: kernel!, control: control.buffer as SharedArrayBuffer,
      };
      port.postMessage(request);
      this.helpers.push(helper);
    }
  }

  async ready(): Promise<number> {
    await Promise.all(this.helpers.map((h) => h.readyPromise));
    return 1 + this.readyHelpers().length;
  }

  waitReady(timeoutMs: number): number {
    const deadline = Date.now() + timeoutMs;
    for (const h of this.helpers) {
      while (h.alive && Atomics.load(h.control, CONTROL.ready) === 0) {
        const left = deadline - Date.now();
        if (left <= 0) break;
        Atomics.wait(h.control, CONTROL.ready, 0, left);
      }
    }
    return 1 + this.readyHelpers().length;
  }

  dispose(): void {
    for (const h of this.helpers) {
      h.alive = false;
      try {
        h.port.terminate();
      } catch {
        // already gone
      }
    }
    this.helpers.length = 0;
  }

  private readyHelpers(): Helper[] {
    return this.helpers.filter((h) => h.alive && Atomics.load(h.control, CONTROL.ready) === 1);
  }

  /** The parts of this run, or null to run it whole on this thread. */
  private plan(input: Tensor, h0: Tensor | undefined, c0: Tensor | undefined): { parts: BatchPart[]; helpers: Helper[] } | null {
    if (this.helpers.length === 0) return null;
    if (this.paused > 0) {
      this.paused--;
      return null;
    }
    const m = this.model;
    const shape = input.shape;
    // Anything unusual runs whole, so the errors name the caller's shapes (prepared.forward checks).
    if (shape.length !== 3 || input.data.length !== product(shape) || shape[2] !== m.inputSize) return null;
    const axis = batchAxes(m.batchFirst).sequence;
    const N = shape[axis];
    const L = shape[1 - axis];
    if (L <= 0 || N <= 0) return null;
    const S = (m.bidirectional ? 2 : 1) * m.numLayers;
    const isLSTM = m.type === 'LSTM';
    const hOut = isLSTM && m.projSize > 0 ? m.projSize : m.hiddenSize;
    const stateOk = (t: Tensor | undefined, size: number): boolean =>
      !t || (t.shape.length === 3 && t.shape[0] === S && t.shape[1] === N && t.shape[2] === size && t.data.length === S * N * size);
    if (!stateOk(h0, hOut) || (c0 && !isLSTM) || !stateOk(c0, m.hiddenSize)) return null;
    const helpers = this.readyHelpers();
    const byWork = Math.floor((workPerSequence(m, this.head, L) * N) / this.minWork);
    const parts = splitBatch(N, Math.min(1 + helpers.length, byWork));
    if (parts.length < 2) return null;
    return { parts, helpers: helpers.slice(0, parts.length - 1) };
  }

  forward(input: Tensor, h0?: Tensor, c0?: Tensor): ForwardResult {
    const plan = this.plan(input, h0, c0);
    if (!plan) {
      this.lastThreads = 1;
      return this.prepared.forward(input, h0, c0);
    }
    const { parts, helpers } = plan;
    const axes = batchAxes(this.model.batchFirst);
    const partOf = (p: BatchPart) => ({
      input: takeBatch(input, axes.sequence, p),
      h0: h0 && takeBatch(h0, axes.state, p),
      c0: c0 && takeBatch(c0, axes.state, p),
    });
    const seq = ++this.seq;
    const sizes = parts.map((p) => this.resultSizes(input.shape, p.count));
    helpers.forEach((h, i) => {
      const bytes = sizes[i + 1].total * 8;
      if (!h.results || h.results.byteLength < bytes) h.results = new SharedArrayBuffer(bytes);
      const part = partOf(parts[i + 1]);
      const request: HelperRequest = { type: 'run', seq, ...part, results: h.results };
      try {
        h.port.postMessage(request);
      } catch {
        h.alive = false;
      }
    });

    const started = Date.now();
    const own = partOf(parts[0]);
    const mine = this.prepared.forward(own.input, own.h0, own.c0);
    const ownDone = Date.now();
    const ownMs = ownDone - started;
    // A helper gets ten times the caller's own time (and ten seconds) before its part is run
    // here instead: a busy machine slows it, a dead thread must not hang the run.
    const deadline = ownDone + 10 * ownMs + 10_000;

    const full = (t: Tensor, axis: number): Tensor => {
      const shape = t.shape.slice();
      shape[axis] = parts[parts.length - 1].start + parts[parts.length - 1].count;
      const data = new Float64Array(product(shape));
      putBatch(data, shape, axis, parts[0], t.data);
      return { shape, data };
    };
    const headAxis = this.head?.on === 'all' ? axes.sequence : axes.lastHead;
    const result: ForwardResult = { output: full(mine.output, axes.sequence), hN: full(mine.hN, axes.state), notes: mine.notes };
    if (mine.cN) result.cN = full(mine.cN, axes.state);
    if (mine.head) result.head = full(mine.head, headAxis);

    let used = 1;
    let waitedMs = 0;
    helpers.forEach((h, i) => {
      const part = parts[i + 1];
      const s = sizes[i + 1];
      if (this.await(h, seq, deadline)) {
        if (i === helpers.length - 1) waitedMs = Date.now() - ownDone;
        const values = new Float64Array(h.results!, 0, s.total);
        let at = 0;
        const take = (n: number): Float64Array => values.subarray(at, (at += n));
        putBatch(result.output.data, result.output.shape, axes.sequence, part, take(s.output));
        putBatch(result.hN.data, result.hN.shape, axes.state, part, take(s.hN));
        if (result.cN) putBatch(result.cN.data, result.cN.shape, axes.state, part, take(s.cN));
        if (result.head) putBatch(result.head.data, result.head.shape, headAxis, part, take(s.head));
        used++;
      } else {
        // The same part on this thread: the same kernels, so the same bits (or the same error).
        const p = partOf(part);
        const r = this.prepared.forward(p.input, p.h0, p.c0);
        putBatch(result.output.data, result.output.shape, axes.sequence, part, r.output.data);
        putBatch(result.hN.data, result.hN.shape, axes.state, part, r.hN.data);
        if (result.cN && r.cN) putBatch(result.cN.data, result.cN.shape, axes.state, part, r.cN.data);
        if (result.head && r.head) putBatch(result.head.data, result.head.shape, headAxis, part, r.head.data);
      }
    });
    this.lastThreads = used;
    if (this.adaptive && used === parts.length && ownMs >= 20 && (parts.length * ownMs) / (ownMs + waitedMs) < MIN_SPEEDUP) {
      this.paused = PAUSE_RUNS;
    }
    return result;
  }

  /** Waits for helper `h` to finish run `seq`; false when it failed or missed the deadline. */
  private await(h: Helper, seq: number, deadline: number): boolean {
    if (!h.alive) return false;
    for (;;) {
      const v = Atomics.load(h.control, CONTROL.done);
      if (v === seq) return true;
      if (v === -seq) return false;
      const left = deadline - Date.now();
      if (left <= 0) {
        // Lost: never used again (it may still write into its old results buffer).
        h.alive = false;
        h.results = null;
        try {
          h.port.terminate();
        } catch {
          // already gone
        }
        return false;
      }
      Atomics.wait(h.control, CONTROL.done, v, left);
    }
  }

  /** Element counts of a part's results (output | h_n | c_n | head), as the helper writes them. */
  private resultSizes(inputShape: readonly number[], count: number): { output: number; hN: number; cN: number; head: number; total: number } {
    const m = this.model;
    const L = m.batchFirst ? inputShape[1] : inputShape[0];
    const D = m.bidirectional ? 2 : 1;
    const S = D * m.numLayers;
    const isLSTM = m.type === 'LSTM';
    const hOut = isLSTM && m.projSize > 0 ? m.projSize : m.hiddenSize;
    const output = L * count * D * hOut;
    const hN = S * count * hOut;
    const cN = isLSTM ? S * count * m.hiddenSize : 0;
    const head = this.head ? this.head.outFeatures * count * (this.head.on === 'all' ? L : 1) : 0;
    return { output, hN, cN, head, total: output + hN + cN + head };
  }
}
