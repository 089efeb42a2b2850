/*
 * forwardBackward (src/engine/unroll.ts): one recorded forward whose results (and trace) reach
 * the caller before the backward of a loss of them, as the Unroll View uses it. Against real
 * PyTorch on every golden backward case, on the WebAssembly tape and the TypeScript fallback:
 * the forward results the callback sees, the traced top-layer h per step, and every gradient,
 * within 1e-6 * max(1, |x|). Also: the trace and gradients equal those of forward() and
 * backward() called apart, and an error thrown by the callback stops the backward.
 * Layer: test (Node).
 */
import * as assert from 'assert';
import { backward, forward, forwardBackward, prepareModel, type Backend } from '../../src/engine/unroll';
import type { ForwardResult, RunSpec, Tensor } from '../../src/engine/types';
import { loadGoldenCases, maxRelativeError, type GoldenCase } from './helpers/golden';

const TOLERANCE = 1e-6;
const cases: GoldenCase[] = [...loadGoldenCases(), ...loadGoldenCases('extra').map((c) => ({ ...c, name: `extra/${c.name}` }))].filter((c) => c.backward);

function close(label: string, actual: Tensor | undefined, expected: Tensor): void {
  assert.ok(actual, `${label}: missing`);
  assert.deepStrictEqual(actual.shape, expected.shape, `${label}: shape`);
  const err = maxRelativeError(actual, expected);
  assert.ok(err <= TOLERANCE, `${label}: max relative error ${err} > ${TOLERANCE}`);
}

function specOf(c: GoldenCase): RunSpec {
  return { model: c.model, head: c.head, stateDict: c.stateDict, input: c.input, h0: c.h0, c0: c.c0 };
}

describe('forwardBackward: one recorded forward, then backward (vs PyTorch)', () => {
  it('has golden backward cases', () => assert.ok(cases.length >= 4));

  for (const c of cases) {
    const bw = c.backward!;
    for (const backend of ['wasm', 'typescript'] as Backend[]) {
      for (const trace of [true, false]) {
        it(`${c.name} (${backend}, trace ${trace})`, () => {
          const m = prepareModel(c.model, c.head, c.stateDict, { backend });
          let seen: ForwardResult | undefined;
          let calls = 0;
          const g = m.forwardBackward(c.input, (f) => {
            calls++;
            seen = f;
            return bw.upstream;
          }, { h0: c.h0, c0: c.c0, trace });
          assert.strictEqual(calls, 1);
          close('output', seen!.output, c.expected.output);
          close('h_n', seen!.hN, c.expected.hN);
          if (c.expected.cN) close('c_n', seen!.cN, c.expected.cN);
          if (c.expected.head) close('head', seen!.head, c.expected.head);
          assert.strictEqual(seen!.trace !== undefined, trace);
          close('grad input', g.input, bw.expected.input);
          if (bw.expected.h0) close('grad h0', g.h0, bw.expected.h0);
          else assert.strictEqual(g.h0, undefined);
          if (bw.expected.c0) close('grad c0', g.c0, bw.expected.c0);
          assert.deepStrictEqual(Object.keys(g.stateDict).sort(), Object.keys(bw.expected.stateDict).sort());
          for (const [name, want] of Object.entries(bw.expected.stateDict)) close(`grad ${name}`, g.stateDict[name], want);
          if (trace) {
            // The trace survives the backward that ran after it (the tape's memory is reused).
            const apart = forward(specOf(c), { trace: true, backend });
            const steps = seen!.trace!.steps;
            assert.strictEqual(steps.length, apart.trace!.steps.length);
            steps.forEach((perLayer, l) => perLayer.forEach((perDir, d) => perDir.forEach((s, t) => {
              for (const [name, v] of Object.entries(s.vectors)) {
                assert.deepStrictEqual(Array.from(v), Array.from(apart.trace!.steps[l][d][t].vectors[name]), `l=${l} d=${d} t=${t} ${name}`);
              }
            })));
          }
          // The same per-step norms as backward() on its own forward.
          const alone = backward(specOf(c), bw.upstream, { backend });
          assert.deepStrictEqual(g.inputGradNorms, alone.inputGradNorms);
          assert.deepStrictEqual(g.hiddenGradNorms, alone.hiddenGradNorms);
        });
      }
    }
  }

  it('the one-shot form runs the spec (and keeps working after a callback throws)', () => {
    const c = cases[0];
    assert.throws(() => forwardBackward(specOf(c), () => { throw new Error('loss failed'); }), /loss failed/);
    const g = forwardBackward(specOf(c), (f) => {
      close('output', f.output, c.expected.output);
      return c.backward!.upstream;
    });
    close('grad input', g.input, c.backward!.expected.input);
  });
});
