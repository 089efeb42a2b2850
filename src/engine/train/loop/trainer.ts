/*
 * The training loop, one optimizer step at a time, as PyTorch runs it:
 *   opt.zero_grad(); pred = head(rnn(embedding(x))); loss = loss_fn(pred, target)
 *   loss.backward(); total_norm = clip_grad_norm_(params, max_norm); opt.step()
 * Parameters are float64 copies of the spec's float32 values; gradients come from the unroll's
 * backward through time (../../unroll.ts: one recorded forward, the loss computed in between by
 * an upstream function, then backward), plus the embedding's scatter-add here. One prepared
 * model serves every step (on the WebAssembly tape when the host has it, ../../tape.ts); the
 * optimizer updates the parameters here and setWeights repacks them in place.
 * Layer: engine. Imports engine files only.
 *
 * PyTorch: the loop trains in float32; this one in float64 from the same float32 initial
 * values, as the golden references do (PyTorch's own float32 run drifts from them by ~1e-6).
 */
import { parameterInfos } from '../../params';
import { prepareModel, type PreparedModel } from '../../unroll';
import { WasmKernels } from '../../wasm/backend';
import type { ForwardResult, StateDict, Tensor, Upstream } from '../../types';
import type { Trainer, TrainResult, TrainSpec, TrainStepInfo, TrainStop } from '../types';
import { checkIds, embeddingBackwardAccumulate, embeddingForward } from '../embedding';
import { mseLoss } from '../losses/mse';
import { crossEntropyLoss } from '../losses/crossEntropy';
import { clipGradNorm, totalGradNorm } from '../clip';
import type { Optimizer, ParamSlot } from '../optimizers/optimizer';
import { Sgd } from '../optimizers/sgd';
import { Adam } from '../optimizers/adam';
import { AdamW } from '../optimizers/adamw';

/** Options of createTrainer. */
export interface TrainerOptions {
  /** Default 'auto': the WebAssembly tape when the host has it, else TypeScript (tests force each). */
  backend?: 'auto' | 'wasm' | 'typescript';
  /**
   * Default 'float64' (within 1e-6 of the golden float64 trajectories). 'float32': PyTorch's
   * own CPU arithmetic on the WebAssembly tape (f32x4 kernels), faster; parameters are kept
   * rounded to float32 after every update, as PyTorch's float32 tensors are. Its trajectory
   * follows PyTorch's float32 run (expected_float32) within float32 rounding amplified by the
   * steps (tested at 1e-5 * max(1, |x|) on the loss; measured <= 7.4e-7 on the golden cases, where
   * PyTorch's float32 and float64 runs differ by as much; test/unit/tape.wasm.test.ts). Without
   * WebAssembly it falls back to float64.
   */
  precision?: 'float64' | 'float32';
  /**
   * Default true: result() returns every step's loss and gradient norm (16 bytes per step). A
   * caller that reports each step as it goes (the editor's training worker) passes false, so
   * memory stays flat however many steps run; result().loss and .gradNorm are then empty.
   */
  keepHistory?: boolean;
}

/** A stepwise trainer for `spec` (see Trainer). Throws PyTorch-worded errors for a spec that does not fit. */
export function createTrainer(spec: TrainSpec, _options?: TrainerOptions): Trainer {
  return new Loop(spec, _options);
}

/** The optimizer a config names. */
function makeOptimizer(spec: TrainSpec): Optimizer {
  const o = spec.train.optimizer;
  // PyTorch's constructor checks, in its words.
  if (!(o.lr >= 0)) throw new Error(`Invalid learning rate: ${o.lr}`);
  if (o.type === 'SGD') {
    if (o.momentum < 0) throw new Error(`Invalid momentum value: ${o.momentum}`);
    if (o.weightDecay < 0) throw new Error(`Invalid weight_decay value: ${o.weightDecay}`);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) throw new Error('Nesterov momentum requires a momentum and zero dampening');
    return new Sgd(o);
  }
  if (!(o.eps >= 0)) throw new Error(`Invalid epsilon value: ${o.eps}`);
  if (!(o.betas[0] >= 0 && o.betas[0] < 1)) throw new Error(`Invalid beta parameter at index 0: ${o.betas[0]}`);
  if (!(o.betas[1] >= 0 && o.betas[1] < 1)) throw new Error(`Invalid beta parameter at index 1: ${o.betas[1]}`);
  if (!(o.weightDecay >= 0)) throw new Error(`Invalid weight_decay value: ${o.weightDecay}`);
  return o.type === 'AdamW' ? new AdamW(o) : new Adam(o);
}

class Loop implements Trainer {
  readonly stepsTotal: number;
  stepsDone = 0;
  stopped?: TrainStop;
  private readonly losses: number[] = [];
  private readonly norms: number[] = [];
  /** TrainerOptions.keepHistory. */
  private readonly keepHistory: boolean;
  private readonly notes: string[] = [];
  /** Registration order: embedding.weight, the RNN's, head.weight, head.bias. */
  private readonly slots: (ParamSlot & { shape: number[] })[] = [];
  private readonly optimizer: Optimizer;
  /** The RNN and head parameters as tensors over the slots' live data (no copies). */
  private readonly modelDict: StateDict = {};
  private readonly embedding?: ParamSlot & { shape: number[] };
  /** The RNN's input: the spec's input, or embedding(ids) rewritten every step into this buffer. */
  private embedded?: Float64Array;
  private readonly lossGrad: Float64Array;
  /** WebAssembly kernels for the large products of the TypeScript fallback (null: none). */
  private readonly products: WasmKernels | null;
  /** The model every step runs on (weights refreshed after each optimizer step). */
  private readonly model: PreparedModel;
  /** Training in float32 (TrainerOptions.precision). */
  private readonly float32: boolean;

  constructor(private readonly spec: TrainSpec, _options?: TrainerOptions) {
    this.stepsTotal = spec.train.steps;
    const names: string[] = [];
    if (spec.embedding) names.push('embedding.weight');
    for (const info of parameterInfos(spec.model, spec.head)) names.push(info.name);
    for (const name of names) {
      const t = spec.stateDict[name];
      if (!t) throw new Error(`Missing key(s) in state_dict: "${name}".`);
      const slot = { name, shape: [...t.shape], data: Float64Array.from(t.data), grad: new Float64Array(t.data.length) };
      this.slots.push(slot);
      if (name === 'embedding.weight') this.embedding = slot;
      else this.modelDict[name] = { shape: slot.shape, data: slot.data };
    }
    if (this.embedding) {
      const problem = checkIds(spec.input.data, this.embedding.shape[0]);
      if (problem) throw new Error(problem);
    }
    this.optimizer = makeOptimizer(spec);
    const precision = _options?.precision ?? 'float64';
    this.keepHistory = _options?.keepHistory !== false;
    this.model = prepareModel(spec.model, spec.head, this.modelDict, { backend: _options?.backend ?? 'auto', precision, tapePrecision: precision, reuseResults: true });
    this.float32 = this.model.precision === 'float32';
    if (this.float32) for (const slot of this.slots) roundToFloat32(slot.data);
    if (this.float32) this.model.setWeights(this.modelDict);
    this.products = this.model.backend === 'wasm' ? null : WasmKernels.create();
    if (this.products) {
      this.model = prepareModel(spec.model, spec.head, this.modelDict, { backend: 'typescript', products: this.products });
    }
    if (spec.train.loss === 'cross_entropy') {
      if (!spec.head) throw new Error('cross_entropy needs a head: the logits are the head\'s outputs (add "head": {"type": "Linear", "out_features": C})');
      const C = spec.head.outFeatures;
      for (const y of spec.target.data) if (!Number.isInteger(y) || y < 0 || y >= C) throw new Error(`Target ${y} is out of bounds.`);
    }
    // Check shapes once with a forward pass (PyTorch's errors for input/h0/c0), and size the loss gradient.
    const pred = this.predict();
    this.checkTarget(pred);
    this.lossGrad = new Float64Array(pred.data.length);
  }

  private checkTarget(pred: Tensor): void {
    const t = this.spec.target;
    const same = (a: number[], b: number[]) => a.length === b.length && a.every((s, i) => s === b[i]);
    if (this.spec.train.loss === 'mse') {
      if (!same(t.shape, pred.shape)) {
        throw new Error(`Using a target size (torch.Size([${t.shape.join(', ')}])) that is different to the input size (torch.Size([${pred.shape.join(', ')}])). The target must have the prediction's shape.`);
      }
    } else {
      const want = pred.shape.slice(0, -1);
      if (!same(t.shape, want)) throw new Error(`Expected target size [${want.join(', ')}], got [${t.shape.join(', ')}]`);
    }
  }

  /** The RNN's input for the current parameters. */
  private rnnInput(): Tensor {
    if (!this.embedding) return this.spec.input;
    const w = { shape: this.embedding.shape, data: this.embedding.data };
    const x = embeddingForward(w, this.spec.input, this.embedded);
    this.embedded = x.data;
    return x;
  }

  private prepared(): PreparedModel {
    return this.model;
  }

  step(): TrainStepInfo {
    if (this.stopped) throw new Error(`training stopped at step ${this.stopped.step + 1} (${this.stopped.reason})`);
    if (this.stepsDone >= this.stepsTotal) throw new Error(`all ${this.stepsTotal} steps are done`);
    const spec = this.spec;
    const index = this.stepsDone;
    const x = this.rnnInput();
    let loss = NaN;
    const lossGrad = this.lossGrad;
    const upstream = (f: { output: Tensor; head?: Tensor }): Upstream => {
      const pred = spec.head ? f.head! : f.output;
      loss = spec.train.loss === 'mse'
        ? mseLoss(pred.data, spec.target.data, lossGrad)
        : crossEntropyLoss(pred.data, spec.target.data, spec.head!.outFeatures, lossGrad);
      const g: Tensor = { shape: pred.shape, data: lossGrad };
      return spec.head ? { gradHead: g } : { gradOutput: g };
    };
    const g = this.prepared().backward(x, upstream, spec.h0, spec.c0);
    for (const slot of this.slots) {
      if (slot === this.embedding) {
        slot.grad.fill(0);
        embeddingBackwardAccumulate(spec.input.data, g.input.data, slot.shape[1], slot.grad);
      } else {
        slot.grad = g.stateDict[slot.name].data;
      }
    }
    const grads = this.slots.map((s) => s.grad);
    const gradNorm = totalGradNorm(grads);
    const info: TrainStepInfo = { step: index, loss, gradNorm };
    if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
      this.stopped = { reason: 'non-finite', step: index };
      const what = !Number.isFinite(loss) ? `the loss is ${fmt(loss)}` : `the gradient norm is ${fmt(gradNorm)}`;
      this.notes.push(`stopped at step ${index + 1} of ${this.stepsTotal}: ${what}; no update was applied, the parameters are those after step ${index} (the last finite state)`);
      return info;
    }
    if (spec.train.clipGradNorm !== undefined) clipGradNorm(grads, spec.train.clipGradNorm, gradNorm);
    this.optimizer.step(this.slots);
    if (this.float32) for (const slot of this.slots) roundToFloat32(slot.data);
    this.model.setWeights(this.modelDict);
    if (this.keepHistory) {
      this.losses.push(loss);
      this.norms.push(gradNorm);
    }
    this.stepsDone++;
    return info;
  }

  stateDict(): StateDict {
    const out: StateDict = {};
    for (const s of this.slots) out[s.name] = { shape: [...s.shape], data: Float64Array.from(s.data) };
    return out;
  }

  predict(): Tensor {
    const f = this.forward();
    return this.spec.head ? f.head! : f.output;
  }

  forward(options?: { trace?: boolean }): ForwardResult {
    return this.prepared().forward(this.rnnInput(), this.spec.h0, this.spec.c0, { trace: options?.trace === true });
  }

  result(): TrainResult {
    const r: TrainResult = { loss: this.losses.slice(), gradNorm: this.norms.slice(), stateDict: this.stateDict(), notes: this.notes.slice() };
    if (this.stopped) r.stopped = { ...this.stopped };
    return r;
  }
}

/** Round every value to the nearest float32 (PyTorch's float32 parameters). */
function roundToFloat32(data: Float64Array): void {
  for (let i = 0; i < data.length; i++) data[i] = Math.fround(data[i]);
}

function fmt(x: number): string {
  return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
}
