/*
 * The run worker's threads: the untraced forward of a run (runs too long to trace) through the
 * parallel forward (src/engine/parallel) with helpers on up to rnnLens.run.threads cores, when
 * the run is large enough to pay for starting them (START_HELPERS_WORK); else, and wherever
 * anything is missing, the engine's one-thread forward. The numbers are the same bits.
 * Layer: worker (the thread host's worker_threads; otherwise engine files only).
 */
import { forward } from '../engine/unroll';
import { prepareParallelModel, threadsWorthStarting } from '../engine/parallel/parallelModel';
import type { ForwardResult, RunSpec } from '../engine/types';
import type { RunRequest, ThreadedForward } from './job';
import { nodeThreadHost } from './threadHost';

/** How long a run waits for its helpers to prepare the model before leaving them its parts. */
const READY_WAIT_MS = 30_000;

/**
 * The forward for `request`'s untraced run, or undefined when the request allows one thread
 * only. `script`: the path of forwardThread.js (beside runWorker.js in dist/).
 */
export function threadedForward(request: RunRequest, script: string): ThreadedForward | undefined {
  const cores = Math.max(1, Math.floor(request.cores ?? 1));
  const cap = Math.min(request.threads ?? 1, cores) || cores; // 0: one per core
  if (cap <= 1) return undefined;
  let used = 1;
  return {
    used: () => used,
    forward(spec: RunSpec): ForwardResult {
      used = 1;
      const worth = threadsWorthStarting(spec.model, spec.head, spec.input.shape, cap);
      const host = worth > 1 ? nodeThreadHost(script, cores) : null;
      if (!host) return forward(spec);
      const parallel = prepareParallelModel(spec.model, spec.head, spec.stateDict, { host, threads: worth });
      try {
        parallel.waitReady(READY_WAIT_MS);
        const result = parallel.forward(spec.input, spec.h0, spec.c0);
        used = parallel.lastThreads;
        return result;
      } finally {
        parallel.dispose();
      }
    },
  };
}
