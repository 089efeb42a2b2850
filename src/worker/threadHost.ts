/*
 * Helper threads for the parallel forward on Node (src/engine/parallel/threads.ts ThreadHost):
 * worker_threads running forwardThread.js. Used by the run worker (desktop VS Code and
 * code-server), the CLI and the benchmark; the web build has no such host and runs on one thread.
 * A helper keeps the program alive only until it has prepared its model: after that it is
 * unref'd, so a program whose work is done exits without disposing it.
 * Layer: worker (Node's worker_threads only; the path arrives from the caller).
 */
import type { HelperPort, ThreadHost } from '../engine/parallel/threads';

interface NodeWorker {
  postMessage(m: unknown): void;
  on(e: 'message', f: (m: unknown) => void): void;
  on(e: 'error' | 'exit', f: (x: unknown) => void): void;
  terminate(): Promise<number>;
  unref(): void;
}

interface WorkerThreads {
  Worker: new (file: string) => NodeWorker;
}

/**
 * A ThreadHost starting `script` (the path of forwardThread.js) in worker_threads, or null where
 * worker_threads cannot be loaded. `cores`: the machine's (os.availableParallelism(), which the
 * caller reads: this layer uses no other Node module).
 */
export function nodeThreadHost(script: string, cores: number): ThreadHost | null {
  let threads: WorkerThreads;
  try {
    threads = require('node:worker_threads') as WorkerThreads;
  } catch {
    return null;
  }
  return {
    cores: Math.max(1, Math.floor(cores) || 1),
    startHelper(): HelperPort {
      const w = new threads.Worker(script);
      const listeners: ((m: unknown) => void)[] = [];
      w.on('message', (m) => {
        if ((m as { type?: unknown } | null)?.type === 'ready') w.unref();
        listeners.forEach((f) => f(m));
      });
      // A helper that dies says so like a reply, so the model stops counting on it.
      const gone = (): void => listeners.forEach((f) => f({ type: 'exit' }));
      w.on('error', gone);
      w.on('exit', gone);
      return {
        postMessage: (m) => w.postMessage(m),
        onMessage: (f) => listeners.push(f),
        terminate: () => void w.terminate(),
      };
    },
  };
}
