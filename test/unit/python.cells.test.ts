/*
 * The Python reader on loops over time that call a cell: which loops are recognised (range with
 * x[t] or x[:, t], iterating a tensor, unbind), the sequence they walk (time first), and the cell
 * document Unroll / Open as JSON make of them. The snippets in test/golden/cells/snippets/ were run
 * by PyTorch 1.13 (scripts/make_cell_golden.py): the document made from each must give PyTorch's
 * last h (and c) and stack of h.
 * Layer: test (Node). Reads only files inside the repository.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { readSnippet, toRnnDocument, toRnnDocumentObject } from '../../src/python/index';
import { run } from '../../src/api';
import { readDocument } from '../../src/document/reader';
import { flatten } from './goldenCompare';

function snippetsDir(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'test', 'golden', 'cells', 'snippets'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('test/golden/cells/snippets not found above ' + __dirname);
    dir = parent;
  }
  return path.join(dir, 'test', 'golden', 'cells', 'snippets');
}

const HEAD = 'import torch\nimport torch.nn as nn\ntorch.manual_seed(0)\ncell = nn.GRUCell(4, 6)\n';

function loopOf(src: string) {
  const r = readSnippet(src);
  assert.equal(r.models.length, 1);
  return r.models[0].cellLoop;
}

describe('Python: a loop over time that calls a cell', () => {
  it('for t in range(x.size(0)): h = cell(x[t], h) walks x along dim 0', () => {
    const l = loopOf(HEAD + 'x = torch.rand(5, 2, 4)\nh = torch.zeros(2, 6)\nfor t in range(x.size(0)):\n    h = cell(x[t], h)\n');
    assert.deepEqual(l && { ...l, offset: undefined }, { line: 6, offset: undefined, timeAxis: 0, sequence: [5, 2, 4], source: 'x', draw: 'rand' });
  });

  it('x[:, t] of a batch-first x: time axis 1, the sequence given time first; range(3) walks the first 3 steps', () => {
    const l = loopOf(HEAD + 'x = torch.randn(2, 7, 4)\nh = None\nfor t in range(3):\n    h = cell(x[:, t, :], h)\n');
    assert.equal(l?.timeAxis, 1);
    assert.deepEqual(l?.sequence, [3, 2, 4]);
  });

  it('for x_t in x, x.unbind(1), torch.unbind(x, dim=1)', () => {
    assert.deepEqual(loopOf(HEAD + 'x = torch.rand(5, 4)\nh = torch.zeros(6)\nfor x_t in x:\n    h = cell(x_t, h)\n')?.sequence, [5, 4]);
    assert.deepEqual(loopOf(HEAD + 'x = torch.rand(3, 8, 4)\nh = None\nfor x_t in x.unbind(1):\n    h = cell(x_t, h)\n')?.sequence, [8, 3, 4]);
    assert.deepEqual(loopOf(HEAD + 'x = torch.rand(3, 8, 4)\nh = None\nfor x_t in torch.unbind(x, dim=1):\n    h = cell(x_t, h)\n')?.sequence, [8, 3, 4]);
  });

  it('for t, x_t in enumerate(x.unbind(1)) walks like x.unbind(1); range(len(x)) with x[t]', () => {
    assert.deepEqual(loopOf(HEAD + 'x = torch.rand(3, 8, 4)\nh = None\nfor t, x_t in enumerate(x.unbind(1)):\n    h = cell(x_t, h)\n')?.sequence, [8, 3, 4]);
    assert.deepEqual(loopOf(HEAD + 'x = torch.rand(5, 2, 4)\nh = None\nfor t in range(len(x)):\n    h = cell(x[t], h)\n')?.sequence, [5, 2, 4]);
  });

  it('a call inside an if in the loop body still counts; a call outside any loop or in zip(...) is one call', () => {
    assert.deepEqual(loopOf(HEAD + 'x = torch.rand(5, 2, 4)\nh = None\nfor t in range(5):\n    if t >= 0:\n        h = cell(x[t], h)\n')?.sequence, [5, 2, 4]);
    assert.equal(loopOf(HEAD + 'x = torch.rand(2, 4)\nh = cell(x)\n'), undefined);
    assert.equal(loopOf(HEAD + 'x = torch.rand(5, 2, 4)\nh = None\nfor x_t, y_t in zip(x, x):\n    h = cell(x_t, h)\n'), undefined);
    assert.equal(loopOf(HEAD + 'x = torch.rand(5, 2, 4)\nh = None\nfor t in range(5):\n    h = cell(x[0], h)\n'), undefined, 'x[0] every step is not a walk over time');
  });

  it('Open as JSON: the cell document with the sequence (time first), "loop" for a 2-D sequence, notes when numbers differ', () => {
    const r = readSnippet(HEAD + 'x = torch.rand(5, 4)\nh = torch.zeros(6)\nfor x_t in x:\n    h = cell(x_t, h)\n');
    assert.deepEqual(toRnnDocumentObject(r.models[0]), { model: { type: 'GRUCell', input_size: 4, hidden_size: 6 }, seed: 0, input: { rand: [5, 4] }, loop: true });
    const bf = readSnippet(HEAD + 'x = torch.randn(2, 7, 4)\nh = None\nfor t in range(7):\n    h = cell(x[:, t], h)\n');
    const o = toRnnDocumentObject(bf.models[0]);
    assert.deepEqual(o.input, { randn: [7, 2, 4] });
    assert.match(String(o.description), /The loop walks x along dim 1; the view draws the sequence time first, torch\.randn\(7, 2, 4\)/);
    const one = readSnippet(HEAD + 'x = torch.rand(2, 4)\nh = cell(x)\n');
    assert.deepEqual(toRnnDocumentObject(one.models[0]).input, { rand: [2, 4] }, 'one call: the step itself');
  });

  const dir = snippetsDir();
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.py')).sort()) {
    it(`${f}: the document made from the snippet gives what PyTorch computed running it`, () => {
      const src = fs.readFileSync(path.join(dir, f), 'utf8');
      const expected = JSON.parse(fs.readFileSync(path.join(dir, f.replace(/\.py$/, '.json')), 'utf8')).expected;
      const r = readSnippet(src);
      assert.equal(r.models.length, 1);
      const text = toRnnDocument(r.models[0], 'test');
      const read = readDocument(text);
      assert.deepEqual(read.diagnostics.filter((d) => d.severity === 'error'), [], text);
      assert.equal(read.document?.cell?.loop, true);
      const out = run(JSON.parse(text)) as unknown as Record<string, unknown>;
      // PyTorch ran the snippet in float32; the engine sums in float64: float32 rounding apart.
      for (const [k, want] of Object.entries(expected) as [string, unknown][]) {
        const a = flatten(out[k]);
        const e = flatten(want);
        assert.deepEqual(a.shape, e.shape, `${k}: shape`);
        e.values.forEach((y, i) => assert.ok(Math.abs((a.values[i] as number) - (y as number)) <= 1e-5 * Math.max(1, Math.abs(y as number)), `${k}[${i}]: ${a.values[i]} vs ${y}`));
      }
    });
  }
});
