/*
 * The character-level language model and its sampler against PyTorch
 * (test/fixtures/lab/char_lm.json, made by scripts/lab/char_lm.py on a Japanese text): the
 * engine trains the same document to PyTorch's float64 losses, and the greedy continuation and
 * the seeded temperature samples (one torch.rand per character, inverse cumulative softmax)
 * are PyTorch's characters. Layer: test (Node).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from './helpers/golden';
import { charLmDocument, charLmModel, encode, trainCharLm, vocabulary, type CharLmConfig } from '../../src/lab/charLm';
import { argmax, createSampler, drawFromSoftmax, softmax } from '../../src/lab/sample';
import { createTrainer } from '../../src/api';
import type { CellType } from '../../src/engine/types';

const fixture = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'test', 'fixtures', 'lab', 'char_lm.json'), 'utf8')) as {
  text: string;
  cases: { cell: CellType; config: Omit<CharLmConfig, 'cell'>; loss: number[]; vocab: string[]; greedy: string; samples: Record<string, string> }[];
};

describe('lab: character-level language model', () => {
  it('splits text into Unicode code points, sorted like Python sorted(set(text))', () => {
    assert.deepStrictEqual(vocabulary('ba😀あa'), ['a', 'b', 'あ', '😀']);
    assert.deepStrictEqual(encode('a😀', vocabulary('ba😀あa')), [0, 3]);
    assert.deepStrictEqual(vocabulary(fixture.text), fixture.cases[0].vocab);
  });

  it('refuses text with fewer than two characters or one distinct character', () => {
    assert.throws(() => charLmDocument('a', { cell: 'RNN', hidden: 2, embeddingDim: 2, seqLen: 4, maxBatch: 2, lr: 0.1, steps: 1, seed: 0 }));
    assert.throws(() => charLmDocument('aaaa', { cell: 'RNN', hidden: 2, embeddingDim: 2, seqLen: 4, maxBatch: 2, lr: 0.1, steps: 1, seed: 0 }));
  });

  for (const c of fixture.cases) {
    const cfg: CharLmConfig = { ...c.config, cell: c.cell };
    it(`${c.cell}: the engine trains the document to PyTorch's losses, then greedy and seeded samples are PyTorch's`, () => {
      const setup = charLmDocument(fixture.text, cfg);
      const trainer = createTrainer(setup.doc);
      const losses: number[] = [];
      while (trainer.stepsDone < trainer.stepsTotal) losses.push(trainer.step().loss);
      c.loss.forEach((l, i) => assert.ok(Math.abs(losses[i] - l) <= 1e-9 * Math.max(1, l), `loss at step ${i}: ${losses[i]} vs ${l}`));
      const { model, head } = charLmModel(cfg, setup.vocab.length);
      const sampler = createSampler({ model, head, stateDict: trainer.stateDict() });
      const decode = (ids: number[]) => ids.map((i) => setup.vocab[i]).join('');
      assert.strictEqual(decode(sampler.greedy(setup.ids.slice(0, 1), 40)), c.greedy);
      for (const [key, text] of Object.entries(c.samples)) {
        const [t, s] = key.split('/').map(Number);
        assert.strictEqual(decode(sampler.sample(setup.ids.slice(0, 1), 40, t, s)), text, `temperature ${t}, seed ${s}`);
      }
    });
  }

  it('trainCharLm samples before training, every few steps and after the last', () => {
    const c = fixture.cases[0];
    const steps: number[] = [];
    const r = trainCharLm(fixture.text, { ...c.config, cell: c.cell, steps: 6 }, { sampleEvery: 3, sampleLength: 5, onSample: (s) => steps.push(s.step) });
    assert.deepStrictEqual(steps, [0, 3, 6]);
    assert.strictEqual(r.loss.length, 6);
    for (const s of r.samples) assert.strictEqual(Array.from(s.greedy).length, 5);
  });

  it('trainCharLm refuses a run above the training budget (rnnLens.budget.maxTrainFlops) before the first step', () => {
    const c = fixture.cases[0];
    let stepped = 0;
    assert.throws(
      () => trainCharLm(fixture.text, { ...c.config, cell: c.cell, steps: 6 }, { maxTrainFlops: 1000, onStep: () => stepped++ }),
      /training would take about [\d,]+ floating-point operations \(6 steps x [\d,]+ per step, forward and backward\), more than the limit of 1,000/,
    );
    assert.strictEqual(stepped, 0);
    // within the budget it trains
    assert.strictEqual(trainCharLm(fixture.text, { ...c.config, cell: c.cell, steps: 2 }, { maxTrainFlops: 1e12, sampleLength: 2 }).loss.length, 2);
  });
});

describe('lab: sampling helpers', () => {
  it('argmax takes the first maximum (torch.argmax)', () => {
    assert.strictEqual(argmax([1, 3, 3, 2]), 1);
  });
  it('softmax sums to 1 and a temperature sharpens it', () => {
    const p = softmax([1, 2, 3]);
    assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-15);
    assert.ok(softmax([1, 2, 3], 0.5)[2] > p[2]);
  });
  it('draws by the inverse cumulative softmax', () => {
    assert.strictEqual(drawFromSoftmax([0, 0], 1, 0.49), 0);
    assert.strictEqual(drawFromSoftmax([0, 0], 1, 0.51), 1);
    assert.strictEqual(drawFromSoftmax([0, 0], 1, 0.9999999999999999), 1);
  });
});
