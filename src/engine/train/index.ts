/*
 * Training, PyTorch-exact: nn.Embedding, a Linear head on the last or every step, MSELoss and
 * CrossEntropyLoss (mean), clip_grad_norm_, SGD / Adam / AdamW with PyTorch 1.13's updates.
 * The loop (loop/trainer.ts) sits beside the unroll (../unroll.ts), not inside it.
 * Layer: engine. No vscode, DOM or Node imports.
 *
 * Two ways in:
 *   createTrainer(spec).step()       one optimizer step at a time (a worker that pauses/resumes/stops)
 *   trainAll(spec, {onStep, signal}) every step in one call; the signal is checked between steps
 */
import { createTrainer } from './loop/trainer';
import type { TrainOptions, TrainResult, TrainSpec } from './types';

export * from './types';
export { createTrainer, type TrainerOptions } from './loop/trainer';

/**
 * Train `spec` for `spec.train.steps` steps, or until the signal is aborted (checked before each
 * step) or a loss / gradient norm is NaN or inf (the last finite state is kept; `stopped` and a
 * note name the step). Synchronous: a caller that must stay responsive (Ctrl+C in the CLI) uses
 * createTrainer and yields between steps, or raises the signal from onStep.
 */
export function trainAll(spec: TrainSpec, options: TrainOptions = {}): TrainResult {
  const trainer = createTrainer(spec, { precision: options.precision });
  while (trainer.stepsDone < trainer.stepsTotal && !trainer.stopped) {
    if (options.signal?.aborted) {
      const r = trainer.result();
      r.stopped = { reason: 'aborted', step: trainer.stepsDone };
      r.notes.push(`stopped before step ${trainer.stepsDone + 1} of ${trainer.stepsTotal}: ${trainer.stepsDone} steps done`);
      return r;
    }
    const info = trainer.step();
    if (trainer.stopped) break;
    options.onStep?.(info);
  }
  return trainer.result();
}
