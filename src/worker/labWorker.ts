/*
 * The RNN Lab's worker: trains the models of one experiment (long memory) or one character-level
 * language model, posting LabEvents (src/protocol/lab.ts) as it goes, so the extension host
 * stays responsive. One job per worker; Stop terminates the worker (the host keeps the events
 * received so far), which really stops the CPU.
 * Bundled by scripts/build.mjs as dist/labWorker.js (Node worker_threads) and
 * dist/web/labWorker.js (a browser Web Worker, process.env.RNN_LENS_WEB = "1").
 * Layer: worker. Imports src/lab (pure) and protocol types; Node's worker_threads only in the
 * Node branch.
 */
import { runLabJob } from './labJob';
import type { LabEvent } from '../protocol/lab';

interface Port {
  postMessage(m: LabEvent): void;
}

if (process.env.RNN_LENS_WEB !== '1' && typeof process !== 'undefined') {
  const { parentPort } = require('node:worker_threads') as { parentPort: (Port & { once(e: 'message', f: (m: unknown) => void): void }) | null };
  parentPort?.once('message', (m) => runLabJob(m, (e) => parentPort.postMessage(e)));
} else {
  const scope = globalThis as unknown as Port & { onmessage: ((e: { data: unknown }) => void) | null };
  scope.onmessage = (e) => {
    scope.onmessage = null;
    runLabJob(e.data, (ev) => scope.postMessage(ev));
  };
}
