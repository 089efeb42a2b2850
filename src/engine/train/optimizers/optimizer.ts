/*
 * What every optimizer offers the training loop: one update of all parameters from their
 * gradients, in place. State (momentum buffers, moments, step count) lives in the optimizer.
 * Layer: engine. Imports nothing.
 */

/** A parameter and its gradient, both flat float64, same length. */
export interface ParamSlot {
  name: string;
  data: Float64Array;
  grad: Float64Array;
}

export interface Optimizer {
  /** opt.step(): update every slot's data from its grad. */
  step(params: readonly ParamSlot[]): void;
}
