/*
 * The training loop, one optimizer step at a time, as PyTorch runs it:
 *   opt.zero_grad(); pred = head(rnn(embedding(x))); loss = loss_fn(pred, target)
 *   loss.backward(); total_norm = clip_grad_norm_(params, max_norm); opt.step()
 * Parameters are float64 copies of the spec's float32 values; gradients come from the unroll's
 * backward through time (../../unroll.ts), extended here by the embedding and the head.
 * Layer: engine. Imports engine files only.
 */
import type { ForwardResult, StateDict, Tensor } from '../../types';
import type { Trainer, TrainSpec, TrainStepInfo } from '../types';

/** Options of createTrainer (none yet; reserved for backends). */
export interface TrainerOptions {}

/** A stepwise trainer for `spec` (see Trainer). Throws PyTorch-worded errors for a spec that does not fit. */
export function createTrainer(spec: TrainSpec, _options?: TrainerOptions): Trainer {
  void spec;
  throw new Error('createTrainer: not implemented yet');
}
export type { ForwardResult, StateDict, Tensor, TrainStepInfo };
