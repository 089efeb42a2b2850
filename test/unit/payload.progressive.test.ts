/*
 * The Unroll View's payload in two parts (src/run/payload.ts): the forward's payload goes out
 * first (onForward, `gradientsPending`), then the whole payload with the gradients. The
 * gradient chart's ||dL/dx_t|| against real PyTorch (test/golden/view, scripts/make_view_golden.py)
 * within 1e-6 * max(1, |x|); the forward's payload is the whole payload without the gradients;
 * a run too long to trace records one forward for both (the threaded forward only without
 * gradients); a run over the gradient budget sends no forward part and says why.
 * Layer: test (Node).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { readDocument } from '../../src/document/reader';
import { forward } from '../../src/engine/unroll';
import type { RunSpec } from '../../src/engine/types';
import { fromWireNumber } from '../../src/protocol/wire';
import type { RunPayload } from '../../src/protocol/messages';
import { buildRunPayload } from '../../src/run/payload';

const root = path.resolve(__dirname, '../../..');
const dir = path.join(root, 'test/golden/view');
const cases = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));

function docOf(c: { model: unknown; seed: number; input: unknown; head?: unknown }) {
  const read = readDocument(JSON.stringify({ model: c.model, seed: c.seed, input: c.input, head: c.head }));
  assert.ok(read.document, JSON.stringify(read.diagnostics));
  return read.document;
}

function withoutGradients(p: RunPayload): RunPayload {
  const { gradients: _g, gradientsPending: _p, ...rest } = p;
  return rest as RunPayload;
}

describe('Unroll View payload: the forward first, then the gradients (vs PyTorch)', () => {
  it('has view golden cases', () => assert.ok(cases.length >= 3));

  for (const c of cases) {
    it(`${c.description}`, () => {
      const parts: RunPayload[] = [];
      const phases: string[] = [];
      const whole = buildRunPayload(docOf(c), { title: 't', onForward: (p) => parts.push(p), onPhase: (p) => phases.push(p) });
      assert.deepStrictEqual(phases, ['forward', 'view', 'gradients']);
      assert.strictEqual(parts.length, 1);
      const first = parts[0];
      assert.strictEqual(first.gradientsPending, true);
      assert.strictEqual(first.gradients, undefined);
      assert.deepStrictEqual(withoutGradients(first), withoutGradients(whole), 'the forward part is the whole payload without gradients');
      assert.ok(!whole.gradientsPending);
      assert.strictEqual(whole.gradients?.loss, c.expected.loss);
      const want: number[] = c.expected.input_norms;
      const got = whole.gradients!.inputNorms.map(fromWireNumber);
      assert.strictEqual(got.length, want.length);
      want.forEach((w, t) => assert.ok(Math.abs(got[t] - w) <= 1e-6 * Math.max(1, Math.abs(w)), `t=${t}: ${got[t]} vs PyTorch ${w}`));
    });
  }

  it('a run too long to trace: one recorded forward serves the view and the gradients; without gradients the threaded forward runs', function () {
    this.timeout(120_000);
    // LSTM 5 -> 64, N 64, L 128: a trace of ~8.4 M numbers, over TRACE_MEMORY_BUDGET
    const doc = docOf({ model: { type: 'LSTM', input_size: 5, hidden_size: 64, batch_first: true }, seed: 3, input: { rand: [64, 128, 5] } });
    let untraced = 0;
    const threaded = (spec: RunSpec) => {
      untraced++;
      return forward(spec);
    };
    const parts: RunPayload[] = [];
    const withGradients = buildRunPayload(doc, { title: 't', forwardUntraced: threaded, onForward: (p) => parts.push(p) });
    assert.strictEqual(untraced, 0, 'the recorded forward is the one painted');
    assert.strictEqual(parts.length, 1);
    assert.strictEqual(withGradients.steps, undefined, 'too long to trace');
    assert.ok(withGradients.gradients);
    const without = buildRunPayload(doc, { title: 't', forwardUntraced: threaded, gradientFlopBudget: 0 });
    assert.strictEqual(untraced, 1, 'no gradients: the threaded forward');
    assert.strictEqual(without.gradients, undefined);
    const a = withGradients.output.data.map(fromWireNumber);
    const b = without.output.data.map(fromWireNumber);
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= 1e-12 * Math.max(1, Math.abs(b[i])), `output[${i}]`));
  });

  it('over the gradient budget: no forward part, no gradients, and a note saying why', () => {
    const parts: RunPayload[] = [];
    const p = buildRunPayload(docOf(cases[0]), { title: 't', gradientFlopBudget: 0, onForward: (x) => parts.push(x) });
    assert.strictEqual(parts.length, 0);
    assert.strictEqual(p.gradients, undefined);
    assert.ok(p.notes.some((n) => /over the gradient budget/.test(n)));
  });
});
