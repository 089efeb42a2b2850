/*
 * What the parallel forward needs from its host, and what it may use: helper threads come from a
 * ThreadHost the host layer injects (src/worker/threadHost.ts: Node's worker_threads), because
 * the engine itself starts nothing. Results come back through SharedArrayBuffer memory and the
 * caller waits with Atomics.wait, so the forward stays synchronous like PreparedModel.forward.
 * Where any of that is missing (no SharedArrayBuffer, as in a browser page that is not
 * crossOriginIsolated; a thread that may not block such as a browser's main thread) the run
 * uses one thread.
 * Layer: engine. Imports only engine types; uses only ECMAScript globals (SharedArrayBuffer, Atomics).
 */
import type { HeadConfig, ModelConfig, StateDict, Tensor } from '../types';
import type { Precision } from '../unroll';
import type { KernelPath } from '../wasm/backend';

/** One helper thread as the engine sees it. */
export interface HelperPort {
  postMessage(message: HelperRequest): void;
  /** Called with every message the helper posts (HelperReply). */
  onMessage(listener: (message: unknown) => void): void;
  /** Ends the thread (its memory with it). */
  terminate(): void;
}

/** Starts helper threads running src/worker/forwardThread.ts (serveForwardHelper). */
export interface ThreadHost {
  /** How many threads the machine can run at once (cores), the caller's thread included. */
  readonly cores: number;
  startHelper(): HelperPort;
}

/** Control words in a helper's SharedArrayBuffer (Int32Array indices). */
export const CONTROL = {
  /** 0 preparing, 1 ready, 2 unusable (could not prepare the same kernels). */
  ready: 0,
  /**
   * seq when run `seq` finished, -seq when it threw (the caller then runs that part itself): one
   * word, so a waiter compares and sleeps on the same value the helper changes.
   */
  done: 1,
  length: 2,
} as const;

/** Caller -> helper. */
export type HelperRequest =
  /** Prepare this model (weights packed once, as prepareModel does) and set control[ready]. */
  | {
      type: 'prepare';
      model: ModelConfig;
      head?: HeadConfig;
      stateDict: StateDict;
      precision: Precision;
      /** The kernels the caller runs: the helper must run the same build (bit-identical parts). */
      kernel: KernelPath;
      control: SharedArrayBuffer;
    }
  /**
   * Run one part and write output | h_n | c_n | head (float64, the part's shapes, in that order)
   * into `results`, then set control[done] = seq (or -seq when it threw) and notify.
   */
  | { type: 'run'; seq: number; input: Tensor; h0?: Tensor; c0?: Tensor; results: SharedArrayBuffer };

/** Helper -> caller (besides the control words): readiness, for callers that can await it. */
export type HelperReply = { type: 'ready'; usable: boolean; reason?: string };

/**
 * Can this thread share memory with helpers? False without SharedArrayBuffer / Atomics: browsers
 * define SharedArrayBuffer only in cross-origin isolated contexts, where it may be posted.
 */
export function sharedMemoryAvailable(): boolean {
  return typeof SharedArrayBuffer === 'function' && typeof Atomics === 'object';
}

let blockable: boolean | undefined;

/** May this thread wait with Atomics.wait? (Not a browser's main thread.) */
export function canBlock(): boolean {
  if (blockable !== undefined) return blockable;
  try {
    // A value that is not there: returns 'not-equal' at once where waiting is allowed, throws where not.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    blockable = true;
  } catch {
    blockable = false;
  }
  return blockable;
}
