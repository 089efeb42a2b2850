/*
 * A helper thread of the parallel forward (src/engine/parallel): connects the engine's helper
 * (serveForwardHelper) to this thread's message port. Started by threadHost.ts from the run
 * worker, the CLI and the benchmark. Bundled by scripts/build.mjs as dist/forwardThread.js (Node
 * worker_threads); tests run the tsc output (out/src/worker/forwardThread.js).
 * Layer: worker (Node's worker_threads; otherwise only the engine).
 */
import { serveForwardHelper } from '../engine/parallel/helper';

interface Port {
  postMessage(m: unknown): void;
  on(e: 'message', f: (m: unknown) => void): void;
}

const { parentPort } = require('node:worker_threads') as { parentPort: Port | null };
if (parentPort) {
  const port = parentPort;
  port.on('message', serveForwardHelper((reply) => port.postMessage(reply)));
}
