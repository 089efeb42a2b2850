/*
 * The helper thread's side of the parallel forward: prepares the same model as the caller (its
 * own WebAssembly instance, the same kernel build), then runs the batch parts it is given and
 * writes their results into the caller's shared memory. The host entry
 * (src/worker/forwardThread.ts) only connects this to its message port.
 * Layer: engine. Imports only engine files.
 */
import { prepareModel, type PreparedModel } from '../unroll';
import { kernelPath, setKernelPreference } from '../wasm/backend';
import { CONTROL, type HelperReply, type HelperRequest } from './threads';

/** Returns the handler of the caller's messages; replies go through `post`. */
export function serveForwardHelper(post: (reply: HelperReply) => void): (message: unknown) => void {
  let prepared: PreparedModel | null = null;
  let control: Int32Array | null = null;

  const prepare = (m: Extract<HelperRequest, { type: 'prepare' }>): void => {
    control = new Int32Array(m.control);
    let reason: string | undefined;
    try {
      setKernelPreference(m.kernel);
      if (kernelPath() !== m.kernel) reason = `this thread cannot run the ${m.kernel} kernels`;
      else {
        prepared = prepareModel(m.model, m.head, m.stateDict, { backend: 'wasm', precision: m.precision });
        if (prepared.backend !== 'wasm' || prepared.precision !== m.precision) reason = 'this thread has no WebAssembly kernels';
      }
    } catch (e) {
      reason = e instanceof Error ? e.message : String(e);
    }
    if (reason !== undefined) prepared = null;
    Atomics.store(control, CONTROL.ready, prepared ? 1 : 2);
    Atomics.notify(control, CONTROL.ready);
    post({ type: 'ready', usable: prepared !== null, reason });
  };

  const run = (m: Extract<HelperRequest, { type: 'run' }>): void => {
    if (!control) return;
    try {
      if (!prepared) throw new Error('not prepared');
      const r = prepared.forward(m.input, m.h0, m.c0);
      const out = new Float64Array(m.results);
      let at = 0;
      for (const t of [r.output, r.hN, r.cN, r.head]) {
        if (!t) continue;
        out.set(t.data, at);
        at += t.data.length;
      }
      Atomics.store(control, CONTROL.done, m.seq);
    } catch {
      // The caller runs this part itself and reports whatever it throws.
      Atomics.store(control, CONTROL.done, -m.seq);
    }
    Atomics.notify(control, CONTROL.done);
  };

  return (message: unknown): void => {
    const m = message as HelperRequest | null;
    if (!m || typeof m !== 'object') return;
    if (m.type === 'prepare') prepare(m);
    else if (m.type === 'run') run(m);
  };
}
