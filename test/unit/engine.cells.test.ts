/*
 * Cell documents (nn.RNNCell / LSTMCell / GRUCell, one call or the loop over time) against the
 * golden cases in test/golden/cells/*.json, made by scripts/make_cell_golden.py with PyTorch 1.13:
 * forward (h, c, the loop's stack of h) and backward (input, h0, c0, weight_ih ... by the cell's
 * names) within 1e-6 * max(1, |expected|) per element, the project's golden bar; seeded
 * parameters and torch.rand inputs bit for bit. Every case goes through the library entry, so the
 * document reader, the mapping onto the one-layer module and the engine are all under test.
 * Layer: test (Node). Reads only files inside the repository.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { createModel, grad, init, run, shapes } from '../../src/api';
import { assertClose, flatten } from './goldenCompare';

function cellsDir(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'test', 'golden', 'cells'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('test/golden/cells not found above ' + __dirname);
    dir = parent;
  }
  return path.join(dir, 'test', 'golden', 'cells');
}

type Golden = {
  model: { type: string; hidden_size: number };
  loop?: boolean;
  input: unknown;
  h0?: unknown;
  seed?: number;
  expected: { output?: unknown; h: unknown; c?: unknown; state_dict?: Record<string, unknown>; input?: unknown };
  backward?: { expected: { input: unknown; h0?: unknown; c0?: unknown; state_dict: Record<string, unknown> } };
};

function bitEqual(ours: unknown, expected: unknown, where: string): void {
  const a = flatten(ours);
  const e = flatten(expected);
  assert.deepEqual(a.shape, e.shape, `${where}: shape`);
  for (let i = 0; i < e.values.length; i++) assert.ok(Object.is(a.values[i], e.values[i]), `${where}[${i}]: ${a.values[i]} vs ${e.values[i]}`);
}

describe('cells against PyTorch 1.13 (test/golden/cells)', () => {
  const dir = cellsDir();
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

  it('finds every cell case (3 cells x one call, loop, batched, unbatched, hx, seeded, no bias)', () => {
    assert.ok(files.length >= 29, `only ${files.length}`);
    for (const t of ['rnn_cell', 'lstm_cell', 'gru_cell']) {
      for (const kind of ['_step', '_step_hx', '_step_unbatched_hx', '_loop', '_loop_hx', '_loop_unbatched', '_seeded_loop', '_seeded_step', '_nobias_loop']) {
        assert.ok(files.includes(`${t}${kind}.json`), `${t}${kind}`);
      }
    }
  });

  for (const file of files) {
    const doc = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Golden;
    const name = file.replace(/\.json$/, '');
    const loop = doc.loop ?? (Array.isArray(doc.input) ? flatten(doc.input).shape.length === 3 : (doc.input as { rand: number[] }).rand.length === 3);

    it(`${name}: forward (${loop ? 'the loop\'s stack of h, last h' : 'h\''}${doc.model.type === 'LSTMCell' ? ', c' : ''})`, () => {
      const r = run(doc);
      assertClose(r.h, doc.expected.h, 'h');
      if (doc.model.type === 'LSTMCell') assertClose(r.c, doc.expected.c, 'c');
      else assert.equal(r.c, undefined);
      if (loop) assertClose(r.output, doc.expected.output, 'output');
      else assert.equal(r.output, undefined, 'one call of a cell returns h (and c) only');
      assert.equal(r.h_n, undefined, 'a cell has no h_n');
    });

    if (doc.expected.state_dict) {
      it(`${name}: seeded parameters${doc.expected.input ? ' and torch.rand input' : ''} bit for bit`, () => {
        const r = init(doc);
        assert.deepEqual(Object.keys(r.state_dict), Object.keys(doc.expected.state_dict!), 'names and registration order');
        for (const [k, v] of Object.entries(doc.expected.state_dict!)) bitEqual(r.state_dict[k], v, k);
        if (doc.expected.input) bitEqual(r.input, doc.expected.input, 'input');
      });
    }

    if (doc.backward) {
      it(`${name}: backward (input, hx, weight_ih, weight_hh, bias_ih, bias_hh)`, () => {
        const g = grad(doc);
        const e = doc.backward!.expected;
        assertClose(g.input, e.input, 'grad input');
        if (e.h0) assertClose(g.h0, e.h0, 'grad h0');
        if (e.c0) assertClose(g.c0, e.c0, 'grad c0');
        assert.deepEqual(Object.keys(g.state_dict), Object.keys(e.state_dict));
        for (const [k, v] of Object.entries(e.state_dict)) assertClose(g.state_dict[k], v, `grad ${k}`);
      });
    }
  }

  it('createModel: forward on another step with the cell\'s shapes ((N, in), hx (N, H))', () => {
    const doc = JSON.parse(fs.readFileSync(path.join(dir, 'gru_cell_step_hx.json'), 'utf8')) as Golden;
    const m = createModel(doc);
    const r = m.forward(doc.input, doc.h0);
    assertClose(r.h, doc.expected.h, 'h');
  });

  it('shapes: the cell\'s names and shapes (weight_ih (4H, in), hx (N, H), h\' (N, H))', () => {
    const s = shapes({ model: { type: 'LSTMCell', input_size: 10, hidden_size: 20 }, input: { rand: [3, 10] } });
    assert.deepEqual(s.params.map((p) => [p.name, p.shape]), [['weight_ih', [80, 10]], ['weight_hh', [80, 20]], ['bias_ih', [80]], ['bias_hh', [80]]]);
    assert.deepEqual(s.params[0].gates.map((g) => g.gate), ['i', 'f', 'g', 'o']);
    assert.deepEqual([s.input, s.h0, s.hN, s.cN, s.output], [[3, 10], [3, 20], [3, 20], [3, 20], [3, 20]]);
    const l = shapes({ model: { type: 'GRUCell', input_size: 4, hidden_size: 6 }, input: { rand: [7, 2, 4] } });
    assert.deepEqual([l.input, l.h0, l.output, l.hN], [[7, 2, 4], [2, 6], [7, 2, 6], [2, 6]]);
  });
});
