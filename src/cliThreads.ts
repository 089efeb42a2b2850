/*
 * `rnn-lens run` on several threads (--threads N; default: one per core): the document's forward
 * through the parallel forward (src/engine/parallel) when the run is large enough to pay for
 * starting helper threads (START_HELPERS_WORK), else exactly runDocumentJson's one-thread
 * forward. Either way the numbers are the same bits.
 * Layer: cli (Node: fs, path, and the worker layer's thread host).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { forwardJson, runDocumentJson, type RunJson, type WithNotes } from './document/commands';
import { nonFiniteNotes } from './document/nonFinite';
import { resolveRun } from './document/resolve';
import type { RnnDocument } from './document/types';
import { prepareParallelModel, threadsWorthStarting } from './engine/parallel/parallelModel';
import { machineCores } from './threads';
import { nodeThreadHost } from './worker/threadHost';

/** forwardThread.js: beside dist/cli.js in the bundle, under worker/ in tsc's output; null when missing. */
function helperScript(): string | null {
  const candidates = [join(__dirname, 'forwardThread.js'), join(__dirname, 'worker', 'forwardThread.js')];
  return candidates.find((c) => existsSync(c)) ?? null;
}

/**
 * runDocumentJson with up to `threads` threads (0: one per core; 1: runDocumentJson itself);
 * `threads` in the answer: how many the forward used.
 */
export function runDocumentThreaded(doc: RnnDocument, threads: number, cores = machineCores()): WithNotes<RunJson> & { threads: number } {
  const one = (): WithNotes<RunJson> & { threads: number } => ({ ...runDocumentJson(doc), threads: 1 });
  const cap = threads > 0 ? Math.min(threads, cores) : cores;
  if (cap <= 1) return one();
  const r = resolveRun(doc);
  const { model, head, stateDict, input, h0, c0 } = r.spec;
  const worth = threadsWorthStarting(model, head, input.shape, cap);
  const script = worth > 1 ? helperScript() : null;
  if (!script) return one();
  const parallel = prepareParallelModel(model, head, stateDict, { host: nodeThreadHost(script, cores), threads: worth });
  try {
    parallel.waitReady(30_000); // helpers that are not ready by then leave their parts to this thread
    const f = parallel.forward(input, h0, c0);
    const overflow = nonFiniteNotes([
      { name: 'output', tensor: f.output }, { name: 'h_n', tensor: f.hN }, { name: 'c_n', tensor: f.cN }, { name: 'head', tensor: f.head },
    ]);
    return { result: forwardJson(f, doc.cell), notes: [...r.notes, ...f.notes, ...overflow], threads: parallel.lastThreads };
  } finally {
    parallel.dispose();
  }
}
