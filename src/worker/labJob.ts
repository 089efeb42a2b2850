/*
 * One RNN Lab job (long-memory experiment or character-level language model), reporting
 * through `post`: LabEvents, then exactly one 'done' or 'error'. Never throws.
 * Layer: worker, PURE (no vscode, no Node, no DOM): runs in a worker_thread, a Web Worker, or
 * a unit test.
 */
import { checkLongMemoryConfig, runLongMemory, plan, type LongMemoryConfig } from '../lab/longMemory';
import { CHAR_LM_DEFAULTS, trainCharLm } from '../lab/charLm';
import type { LabEvent, LabRequest } from '../protocol/lab';

/** Is `x` a request the host could have sent? */
export function isLabRequest(x: unknown): x is LabRequest {
  if (!x || typeof x !== 'object') return false;
  const m = x as Record<string, unknown>;
  if (m.kind === 'longMemory') return !!m.config && typeof m.config === 'object';
  if (m.kind === 'charLm') return typeof m.text === 'string' && typeof m.cell === 'string' && typeof m.steps === 'number';
  return false;
}

/** Runs `request`; `stepEvery` thins step events (the host draws curves, not every number). */
export function runLabJob(request: unknown, post: (e: LabEvent) => void, options: { signal?: { readonly aborted: boolean } } = {}): void {
  try {
    if (!isLabRequest(request)) throw new Error('The lab worker got no experiment to run.');
    if (request.kind === 'longMemory') {
      const config = request.config as LongMemoryConfig;
      const problem = checkLongMemoryConfig(config);
      if (problem) throw new Error(`Long memory experiment: ${problem}.`);
      post({ type: 'lm/start', config: request.config, plan: plan(config) });
      const stepEvery = Math.max(1, Math.floor(config.steps / 100));
      runLongMemory(config, {
        stepEvery,
        signal: options.signal,
        onEvent: (e) => {
          if (e.type === 'model') post({ type: 'lm/model', index: e.index });
          else if (e.type === 'step') post({ type: 'lm/step', index: e.index, step: e.info.step, loss: e.info.loss, gradNorm: e.info.gradNorm });
          else post({ type: 'lm/run', index: e.index, run: e.run });
        },
      });
    } else {
      const cfg = { ...CHAR_LM_DEFAULTS, cell: request.cell, steps: request.steps, seed: request.seed };
      trainCharLm(request.text, cfg, {
        sampleEvery: request.sampleEvery,
        signal: options.signal,
        maxTrainFlops: request.maxTrainFlops,
        onStep: (info) => post({ type: 'cl/step', step: info.step, loss: info.loss, gradNorm: info.gradNorm }),
        onSample: (sample) => post({ type: 'cl/sample', sample }),
        onSetup: (setup) =>
          post({
            type: 'cl/start',
            info: { cell: cfg.cell, vocab: setup.vocab, textLength: setup.used, batch: setup.batch, seqLen: setup.seqLen, hidden: cfg.hidden, embeddingDim: cfg.embeddingDim, lr: cfg.lr, steps: cfg.steps },
          }),
      });
    }
    post({ type: 'done', stopped: !!options.signal?.aborted });
  } catch (e) {
    post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
}
