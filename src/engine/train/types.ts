/*
 * Training vocabulary: the resolved train spec, optimizer and loss configurations, per-step
 * information and results. See docs "Training: the train block".
 * Layer: engine. Imports engine types only (no vscode, no DOM, no Node).
 */
import type { EmbeddingConfig, ForwardResult, HeadConfig, ModelConfig, StateDict, Tensor } from '../types';

/** `nn.MSELoss()` or `nn.CrossEntropyLoss()`, both with reduction='mean'. */
export type LossType = 'mse' | 'cross_entropy';

/** `torch.optim.SGD(params, lr, momentum, dampening, weight_decay, nesterov)`, PyTorch 1.13 defaults applied. */
export interface SgdConfig {
  type: 'SGD';
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
}

/** `torch.optim.Adam` / `torch.optim.AdamW` (lr, betas, eps, weight_decay, amsgrad), defaults applied. */
export interface AdamConfig {
  type: 'Adam' | 'AdamW';
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
}

export type OptimizerConfig = SgdConfig | AdamConfig;

/** The `train` block, validated and with defaults applied. */
export interface TrainConfig {
  loss: LossType;
  optimizer: OptimizerConfig;
  /** Optimizer steps, >= 1. */
  steps: number;
  /** max_norm of clip_grad_norm_ (L2 over all parameters); absent: no clipping (the norm is still reported). */
  clipGradNorm?: number;
}

/**
 * Everything a training run needs, already validated (the document layer validates and draws
 * the seeded parameters, input and target).
 */
export interface TrainSpec {
  model: ModelConfig;
  head?: HeadConfig;
  embedding?: EmbeddingConfig;
  /**
   * Initial parameters, canonical names, complete: `embedding.weight` (when an embedding is
   * given), the RNN's (`weight_ih_l0`, ...), `head.weight`, `head.bias`. Not modified: the
   * trainer copies them.
   */
  stateDict: StateDict;
  /**
   * The model's input: float features (L, N, In) / (N, L, In) / (L, In), or with an embedding
   * integer token ids (as float64 values) shaped (L, N) / (N, L) / (L).
   */
  input: Tensor;
  /** Constants (not trained), default zeros. */
  h0?: Tensor;
  c0?: Tensor;
  /**
   * mse: the prediction's shape. cross_entropy: integer class ids (as float64 values), the
   * prediction's shape less its class axis ((N), (N, L) / (L, N), (L), or [] unbatched "last").
   */
  target: Tensor;
  train: TrainConfig;
}

/** What one optimizer step did. */
export interface TrainStepInfo {
  /** 0-based index of the step. */
  step: number;
  /** The loss BEFORE this step's update (what `loss.item()` gives in the loop). */
  loss: number;
  /** Total L2 norm of all gradients before clipping (what clip_grad_norm_ returns). */
  gradNorm: number;
}

/** Why a run ended before `steps`. */
export interface TrainStop {
  /** 'aborted': the signal was raised; 'non-finite': the loss or the gradient norm was NaN or inf. */
  reason: 'aborted' | 'non-finite';
  /** 0-based step at which it stopped (no update was applied at that step). */
  step: number;
}

/** The result of a run: what `rnn-lens train` prints (as JSON with PyTorch's names). */
export interface TrainResult {
  /** One per completed step, before the update. */
  loss: number[];
  /** One per completed step, before clipping. */
  gradNorm: number[];
  /** Every parameter after the last completed step (the last finite state), canonical names. */
  stateDict: StateDict;
  /** Plain-language notes (stopped at step k, non-finite loss, ...). */
  notes: string[];
  stopped?: TrainStop;
}

/** Anything with an `aborted` flag (an AbortSignal works); checked between steps. */
export interface AbortFlag {
  readonly aborted: boolean;
}

/** Options of trainAll. */
export interface TrainOptions {
  /** Called after every completed step (before the next one starts). */
  onStep?: (info: TrainStepInfo) => void;
  /** Checked before every step: when aborted, the run stops and returns the steps done. */
  signal?: AbortFlag;
  /** The trainer's arithmetic (TrainerOptions.precision); default 'float64'. */
  precision?: 'float64' | 'float32';
}

/**
 * A stepwise training run, for a worker that can pause, resume and stop: call `step()` as
 * often as wanted (up to stepsTotal); everything else reads the current state.
 */
export interface Trainer {
  readonly stepsTotal: number;
  /** Completed steps (updates applied). */
  readonly stepsDone: number;
  /** Set once a step met a NaN/inf loss or gradient: step() then throws, the state stays the last finite one. */
  readonly stopped?: TrainStop;
  /**
   * One optimizer step: zero_grad, forward, loss, backward, (clip), opt.step. Returns the loss
   * before the update and the gradient norm before clipping. When the loss or the gradient
   * norm is not finite, no update is applied, `stopped` is set and the info is still returned.
   * Throws when called after stepsTotal or after a stop.
   */
  step(): TrainStepInfo;
  /** Current parameters (copies), canonical names, registration order. */
  stateDict(): StateDict;
  /** The current prediction for the spec's input: head output (or RNN output without a head). */
  predict(): Tensor;
  /** A forward pass of the current model on the spec's input (embedding applied; trace on request), for the diagram. */
  forward(options?: { trace?: boolean }): ForwardResult;
  /** Losses and gradient norms so far, the current state_dict and the notes. */
  result(): TrainResult;
}
