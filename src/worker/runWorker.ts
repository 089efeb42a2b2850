/*
 * The run worker's entry: receives one RunRequest, runs it (job.ts) and posts progress and the
 * RunPayload back. Bundled twice by scripts/build.mjs:
 *   dist/runWorker.js      Node worker_threads (desktop VS Code, code-server: the Node extension host)
 *   dist/web/runWorker.js  a browser Web Worker (vscode.dev: the web extension host), built with
 *                          process.env.RNN_LENS_WEB = "1", so the Node branch below is dropped.
 * A 'read' request (job.ts ReadRequest) reads a large document instead and posts its ReadResult;
 * a 'readArray' request (ArrayReadRequest) reads a large selected array and posts the tensor.
 * A 'train' request (trainJob.ts TrainRequest) trains a document and keeps listening for
 * Pause / Resume / Stop (TrainControl) until the host ends it.
 * Runs and reads are served one after another: the host may keep a worker that finished a run
 * for the next one (warm: WebAssembly compiled and optimised, memory mapped). The host ends it
 * with terminate() on cancel or when it has been idle a while, which really stops the CPU and
 * frees the worker's memory (and its helper threads: runThreads.ts, Node only).
 * Layer: worker (Node's worker_threads or the Web Worker global; otherwise only job.ts).
 */
import {
  arrayReadJob,
  isArrayReadRequest,
  isReadRequest,
  readJob,
  runJob,
  type ArrayReadReply,
  type ReadReply,
  type RunRequest,
  type WorkerReply,
} from './job';
import { isTrainControl, isTrainRequest, startTrainJob, type TrainReply } from './trainJob';
import { threadedForward } from './runThreads';

interface Port {
  postMessage(m: WorkerReply | ReadReply | ArrayReadReply | TrainReply): void;
}

/**
 * Serves the first message. A training job keeps the worker: the returned function hears the
 * messages after the first (Pause / Resume / Stop).
 */
function serve(port: Port, request: unknown, helperScript?: string): ((m: unknown) => void) | undefined {
  if (isTrainRequest(request)) {
    const job = startTrainJob(request, { post: (reply) => port.postMessage(reply) });
    return (m) => {
      if (isTrainControl(m)) job.control(m.action);
    };
  }
  if (isReadRequest(request)) {
    port.postMessage(readJob(request));
    return undefined;
  }
  if (isArrayReadRequest(request)) {
    port.postMessage(arrayReadJob(request));
    return undefined;
  }
  if (!request || typeof request !== 'object' || !('doc' in request)) {
    port.postMessage({ type: 'error', message: 'The run worker got no document to run.' });
    return undefined;
  }
  const run = request as RunRequest;
  runJob(run, (reply) => port.postMessage(reply), helperScript ? threadedForward(run, helperScript) : undefined);
  return undefined;
}

// The define comes first so esbuild folds the web build's condition to false and drops the branch.
if (process.env.RNN_LENS_WEB !== '1' && typeof process !== 'undefined') {
  const { parentPort } = require('node:worker_threads') as {
    parentPort: (Port & { once(e: 'message', f: (m: unknown) => void): void; on(e: 'message', f: (m: unknown) => void): void }) | null;
  };
  const next = (m: unknown): void => {
    // Helper threads of a large run's forward (runThreads.ts) run dist/forwardThread.js.
    const more = serve(parentPort!, m, `${__dirname}/forwardThread.js`);
    // training keeps the worker for its controls; a run or a read leaves it ready for the next request
    if (more) parentPort!.on('message', more);
    else parentPort!.once('message', next);
  };
  parentPort?.once('message', next);
} else {
  const scope = globalThis as unknown as Port & { onmessage: ((e: { data: unknown }) => void) | null };
  const next = (e: { data: unknown }): void => {
    scope.onmessage = null;
    const more = serve(scope, e.data);
    scope.onmessage = more ? (m) => more(m.data) : next;
  };
  scope.onmessage = next;
}
