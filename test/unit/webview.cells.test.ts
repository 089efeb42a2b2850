/*
 * The Unroll View's payload for a cell document: marked as the cell (the view labels the row
 * nn.LSTMCell and prints h, c), one call marked as a step, every step of a loop traced as one
 * layer and one direction, h the loop's last h (PyTorch's numbers, test/golden/cells), and the
 * protocol check accepting it (and refusing a cell name that is not a cell).
 * Layer: test (Node).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { readDocument } from '../../src/document/reader';
import { buildRunPayload } from '../../src/run/payload';
import { isRunPayload } from '../../src/protocol/validate';
import { assertClose, flatten } from './goldenCompare';

function golden(name: string): { text: string; expected: { h: unknown; output?: unknown } } {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'test', 'golden', 'cells'))) dir = path.dirname(dir);
  const text = fs.readFileSync(path.join(dir, 'test', 'golden', 'cells', `${name}.json`), 'utf8');
  return { text, expected: JSON.parse(text).expected };
}

describe('Unroll View payload of a cell document', () => {
  it('a loop: cell LSTMCell, one layer and direction traced at every step, h = PyTorch\'s last h', () => {
    const g = golden('lstm_cell_loop_hx');
    const p = buildRunPayload(readDocument(g.text).document!, { title: 't' });
    assert.equal(p.cell, 'LSTMCell');
    assert.equal(p.cellStep, undefined);
    assert.equal(p.seqLen, 4);
    assert.equal(p.steps?.length, 1);
    assert.equal(p.steps?.[0].length, 1);
    assert.equal(p.steps?.[0][0].length, 4);
    const n = flatten(g.expected.h).shape;
    assertClose(reshape(p.hN.data as number[], n), g.expected.h, 'h');
    assert.ok(isRunPayload(p));
    assert.equal(isRunPayload({ ...p, cell: 'LSTM' }), false);
  });

  it('one call: marked as a step', () => {
    const g = golden('gru_cell_step_hx');
    const p = buildRunPayload(readDocument(g.text).document!, { title: 't' });
    assert.equal(p.cell, 'GRUCell');
    assert.equal(p.cellStep, true);
    assert.equal(p.seqLen, 1);
    assertClose(reshape(p.hN.data as number[], flatten(g.expected.h).shape), g.expected.h, 'h');
    assert.ok(isRunPayload(p));
  });
});

function reshape(data: number[], shape: number[]): unknown {
  if (shape.length <= 1) return data.slice(0, shape[0] ?? data.length);
  const step = data.length / shape[0];
  return Array.from({ length: shape[0] }, (_, i) => reshape(data.slice(i * step, (i + 1) * step), shape.slice(1)));
}
