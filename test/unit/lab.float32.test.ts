/*
 * The Lab's language model trains in float32 by default (src/lab/charLm.ts, CHAR_LM_PRECISION):
 * against PyTorch's own float32 training of the same documents (test/fixtures/lab/
 * char_lm_float32.json, made by scripts/lab/char_lm_float32.py) the losses agree within 1e-5 and
 * the greedy continuation is PyTorch's; precision 'float64' still gives PyTorch's float64 run
 * (test/fixtures/lab/char_lm.json). Layer: test (Node).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from './helpers/golden';
import { CHAR_LM_PRECISION, trainCharLm, type CharLmConfig } from '../../src/lab/charLm';
import type { CellType } from '../../src/engine/types';

const read = (name: string) => JSON.parse(fs.readFileSync(path.join(repoRoot(), 'test', 'fixtures', 'lab', name), 'utf8'));
const f32 = read('char_lm_float32.json') as {
  text: string;
  cases: { cell: CellType; config: Omit<CharLmConfig, 'cell'>; loss_float32: number[]; greedy_float32: string }[];
};
const f64 = read('char_lm.json') as { text: string; cases: { cell: CellType; config: Omit<CharLmConfig, 'cell'>; loss: number[] }[] };

const scaled = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));

describe('lab: the language model trains in float32 by default', function () {
  this.timeout(60_000);

  it('defaults to float32', () => assert.strictEqual(CHAR_LM_PRECISION, 'float32'));

  for (const c of f32.cases) {
    it(`${c.cell} (hidden ${c.config.hidden}, ${c.config.steps} steps): PyTorch's float32 losses within 1e-5, its greedy text`, () => {
      const r = trainCharLm(f32.text, { ...c.config, cell: c.cell }, { sampleEvery: c.config.steps, sampleLength: 40 });
      assert.strictEqual(r.loss.length, c.loss_float32.length);
      let worst = 0;
      r.loss.forEach((l, i) => { worst = Math.max(worst, scaled(l, c.loss_float32[i])); });
      assert.ok(worst <= 1e-5, `loss vs PyTorch float32: ${worst}`);
      assert.strictEqual(r.samples[r.samples.length - 1].greedy, c.greedy_float32);
    });
  }

  it('precision float64 still trains to PyTorch\'s float64 losses (1e-9)', () => {
    const c = f64.cases[0];
    const r = trainCharLm(f64.text, { ...c.config, cell: c.cell }, { precision: 'float64', sampleEvery: c.config.steps, sampleLength: 2 });
    r.loss.forEach((l, i) => assert.ok(scaled(l, c.loss[i]) <= 1e-9, `loss at step ${i}: ${l} vs ${c.loss[i]}`));
    // ... and the default run is not that one: the float32 run differs from float64 somewhere.
    const d = trainCharLm(f64.text, { ...c.config, cell: c.cell }, { sampleEvery: c.config.steps, sampleLength: 2 });
    assert.ok(d.loss.some((l, i) => l !== r.loss[i]));
  });
});
