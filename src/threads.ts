/*
 * The Node side of the library's threads (bundled to dist/threads.js beside dist/engine.js):
 * `nodeThreadHost()` starts the parallel forward's helpers (dist/forwardThread.js) in
 * worker_threads; pass it to createModel as `threadHost`. dist/engine.js itself stays free of
 * Node, so it also runs in browsers and workers (on one thread there).
 *   const { createModel } = require('rnn-lens/engine');
 *   const { nodeThreadHost } = require('rnn-lens/threads');
 *   const model = createModel(doc, { threadHost: nodeThreadHost(), threads: 0 });
 * Layer: library edge (Node: os, path, worker_threads through src/worker/threadHost.ts).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import type { ThreadHost } from './engine/parallel/threads';
import { nodeThreadHost as startHost } from './worker/threadHost';

export type { ThreadHost } from './engine/parallel/threads';

/** The cores of this machine (os.availableParallelism where Node has it). */
export function machineCores(): number {
  const o = os as { availableParallelism?: () => number };
  return Math.max(1, o.availableParallelism?.() ?? os.cpus().length);
}

/**
 * Helper threads running `script` (default: forwardThread.js beside this bundle), `cores` the
 * machine's unless given; null where worker_threads is missing.
 */
export function nodeThreadHost(script = path.join(__dirname, 'forwardThread.js'), cores = machineCores()): ThreadHost | null {
  return startHost(script, cores);
}
