/*
 * The long-memory experiment against PyTorch (test/fixtures/lab/long_memory.json, made by
 * scripts/lab/long_memory.py fixture): the data drawn with the engine's torch-compatible
 * generator equal PyTorch's bit for bit, and tiny configurations trained by the engine's
 * document trainer (full batch, and minibatches fed in order with the LSTM's gate-bias init)
 * give PyTorch's float64 losses, gradient norms, test scores and input-gradient profiles.
 * Layer: test (Node).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from './helpers/golden';
import { checkLongMemoryConfig, dataSeed, gateBiased, LONG_MEMORY_DEFAULTS, longMemoryDocument, makeLongMemoryData, plan, runLongMemory, summarize, trainOne, type LongMemoryConfig } from '../../src/lab/longMemory';
import { createGenerator, torchRandn } from '../../src/engine/random';
import { createTrainer } from '../../src/api';
import { runLabJob } from '../../src/worker/labJob';
import type { LabEvent } from '../../src/protocol/lab';
import type { CellType } from '../../src/engine/types';

interface Case {
  variant: 'regression' | 'classification';
  cell: CellType;
  length: number;
  seed: number;
  config: { n_train: number; n_test: number; H: number; K: number; E: number; lr: number; steps: number; batch: number; forget_bias: number; input_bias: number };
  data: { train_input: number[]; train_target: number[]; test_input: number[]; test_target: number[] };
  loss: number[];
  grad_norm: number[];
  test: { loss: number; accuracy?: number };
  train: { loss: number; accuracy?: number };
  input_grad_init: number[];
  input_grad_final: number[];
  bias_ih_l0_init: number[];
}

const fixture = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'test', 'fixtures', 'lab', 'long_memory.json'), 'utf8')) as {
  cases: Case[];
  draws: {
    seed: number;
    randn_100x50x1_first_64: number[];
    classification_L20_seed1_train_sum: number;
    classification_L20_seed1_test_first_row: number[];
    classification_L100_seed2: { n_train: number; n_test: number; K: number; train_sum: number; train_last_row: number[]; test_last_row: number[] };
  };
};

function configOf(c: Case): LongMemoryConfig {
  return {
    variant: c.variant,
    lengths: [c.length],
    cells: [c.cell],
    seeds: [c.seed],
    nTrain: c.config.n_train,
    batchSize: c.config.batch,
    nTest: c.config.n_test,
    hidden: c.config.H,
    classes: c.config.K,
    embeddingDim: c.config.E,
    lr: c.config.lr,
    steps: c.config.steps,
    forgetBias: c.config.forget_bias,
    inputBias: c.config.input_bias,
  };
}

function close(actual: number, expected: number, what: string, rel = 1e-9): void {
  assert.ok(Math.abs(actual - expected) <= rel * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs PyTorch ${expected}`);
}

describe('lab: long memory data (torch-compatible generator)', () => {
  it('draws the same bits as PyTorch for every fixture case', () => {
    for (const c of fixture.cases) {
      const d = makeLongMemoryData(configOf(c), c.length, c.seed);
      assert.deepStrictEqual(Array.from(d.trainInput.data), c.data.train_input, `${c.variant} L=${c.length} train input`);
      assert.deepStrictEqual(Array.from(d.trainTarget.data), c.data.train_target, `${c.variant} train target`);
      assert.deepStrictEqual(Array.from(d.testInput.data), c.data.test_input, `${c.variant} test input`);
      assert.deepStrictEqual(Array.from(d.testTarget.data), c.data.test_target, `${c.variant} test target`);
    }
  });

  it('draws the experiment-sized sets as PyTorch does (AVX2 randn path, classification ids)', () => {
    const g = createGenerator(fixture.draws.seed);
    assert.deepStrictEqual(Array.from(torchRandn(g, [100, 50, 1]).data.subarray(0, 64)), fixture.draws.randn_100x50x1_first_64);
    const d = makeLongMemoryData({ variant: 'classification', nTrain: 1024, nTest: 512, classes: 4 }, 20, 1);
    assert.strictEqual(d.trainInput.data.reduce((a, b) => a + b, 0), fixture.draws.classification_L20_seed1_train_sum);
    assert.deepStrictEqual(Array.from(d.testInput.data.subarray(0, 20)), fixture.draws.classification_L20_seed1_test_first_row);
    assert.strictEqual(dataSeed(20, 1), 1020);
    const b = fixture.draws.classification_L100_seed2;
    const e = makeLongMemoryData({ variant: 'classification', nTrain: b.n_train, nTest: b.n_test, classes: b.K }, 100, 2);
    assert.strictEqual(e.trainInput.data.reduce((x, y) => x + y, 0), b.train_sum);
    assert.deepStrictEqual(Array.from(e.trainInput.data.subarray((b.n_train - 1) * 100)), b.train_last_row);
    assert.deepStrictEqual(Array.from(e.testInput.data.subarray((b.n_test - 1) * 100)), b.test_last_row);
  });

  it('the defaults are the recorded design: minibatches of 64 from 4,096 sequences, the LSTM gate-bias deviation', () => {
    const d = LONG_MEMORY_DEFAULTS.classification;
    assert.strictEqual(checkLongMemoryConfig(d), undefined);
    assert.deepStrictEqual([d.nTrain, d.batchSize, d.hidden, d.steps, d.forgetBias, d.inputBias], [4096, 64, 16, 400, 5, -5]);
    assert.deepStrictEqual(d.lengths, [5, 10, 20, 50, 100]);
  });

  it('says which field is wrong in a configuration that cannot run', () => {
    const d = LONG_MEMORY_DEFAULTS.classification;
    assert.match(checkLongMemoryConfig({ ...d, batchSize: 100 })!, /nTrain \(4096\) must be a multiple of batchSize \(100\)/);
    assert.match(checkLongMemoryConfig({ ...d, hidden: 0 })!, /^hidden must be/);
    assert.strictEqual(checkLongMemoryConfig({ ...d, nTrain: 32 }), undefined, 'a batch of 64 from 32 sequences is the full batch');
    assert.match(checkLongMemoryConfig({ ...d, lengths: [] })!, /^lengths/);
    assert.match(checkLongMemoryConfig({ ...d, cells: ['LSTM', 'Transformer' as CellType] })!, /^cells/);
    assert.throws(() => trainOne({ ...d, steps: 1.5 }, 'RNN', 5, 0), /Long memory experiment: steps must be a whole number/);
  });

  it('starts the LSTM from PyTorch\'s bias_ih_l0 with the gate biases added (float32)', () => {
    const cases = fixture.cases.filter((c) => c.config.forget_bias !== 0);
    assert.ok(cases.length >= 2);
    for (const c of cases) {
      const cfg = configOf(c);
      const d = makeLongMemoryData(cfg, c.length, c.seed);
      const drawn = createTrainer(longMemoryDocument(cfg, c.cell, c.seed, d)).stateDict().bias_ih_l0;
      if (c.cell === 'LSTM') assert.deepStrictEqual(gateBiased(drawn, cfg.hidden, cfg.forgetBias, cfg.inputBias), c.bias_ih_l0_init);
      else assert.deepStrictEqual(Array.from(drawn.data), c.bias_ih_l0_init, `${c.cell}: PyTorch's init, unchanged`);
    }
  });
});

describe('lab: long memory trained by the engine matches PyTorch (float64)', () => {
  for (const c of fixture.cases) {
    const how = c.config.batch ? ` (minibatches of ${c.config.batch}, gate biases ${c.config.forget_bias}/${c.config.input_bias})` : ' (full batch, PyTorch init)';
    it(`${c.variant} ${c.cell} L=${c.length} seed ${c.seed}${how}: losses, gradient norms, test score, input gradients`, () => {
      const run = trainOne(configOf(c), c.cell, c.length, c.seed);
      assert.ok(run);
      assert.strictEqual(run.trainLoss.length, c.loss.length);
      c.loss.forEach((l, i) => close(run.trainLoss[i], l, `loss at step ${i}`));
      c.grad_norm.forEach((g, i) => close(run.gradNorm[i], g, `grad norm at step ${i}`));
      close(run.test.loss, c.test.loss, 'test loss');
      close(run.train.loss, c.train.loss, 'train loss');
      if (c.test.accuracy !== undefined) assert.strictEqual(run.test.accuracy, c.test.accuracy);
      c.input_grad_init.forEach((g, t) => close(run.inputGradInit[t], g, `||dL/dx_${t}|| at init`, 1e-8));
      c.input_grad_final.forEach((g, t) => close(run.inputGradFinal[t], g, `||dL/dx_${t}|| after training`, 1e-8));
    });
  }
});

describe('lab: experiment plumbing', () => {
  const c = fixture.cases[0];
  const cfg: LongMemoryConfig = { ...configOf(c), lengths: [3, 4], cells: ['RNN', 'LSTM'], seeds: [0, 1], steps: 2 };

  it('trains every model of the plan and summarises mean and spread over seeds', () => {
    const runs = runLongMemory(cfg);
    assert.strictEqual(runs.length, plan(cfg).length);
    const points = summarize(runs, 'loss');
    assert.strictEqual(points.length, 4);
    for (const p of points) {
      assert.strictEqual(p.seeds, 2);
      assert.ok(p.min <= p.mean && p.mean <= p.max);
    }
  });

  it('stops between steps when the signal is raised, keeping the runs done', () => {
    const signal = { aborted: false };
    const runs = runLongMemory(cfg, { signal, onEvent: (e) => { if (e.type === 'run' && e.index === 1) signal.aborted = true; } });
    assert.strictEqual(runs.length, 2);
  });

  it('the worker job posts start, model, step and run events, then done', () => {
    const events: LabEvent[] = [];
    runLabJob({ kind: 'longMemory', config: { ...cfg, lengths: [3], seeds: [0] } }, (e) => events.push(e));
    assert.deepStrictEqual(events.map((e) => e.type).filter((t, i, a) => a.indexOf(t) === i), ['lm/start', 'lm/model', 'lm/step', 'lm/run', 'done']);
    assert.strictEqual(events.filter((e) => e.type === 'lm/run').length, 2);
    const bad: LabEvent[] = [];
    runLabJob({ kind: 'nonsense' }, (e) => bad.push(e));
    assert.strictEqual(bad.length, 1);
    assert.strictEqual(bad[0].type, 'error');
    const odd: LabEvent[] = [];
    runLabJob({ kind: 'longMemory', config: { ...cfg, batchSize: 3 } }, (e) => odd.push(e));
    assert.deepStrictEqual(odd, [{ type: 'error', message: 'Long memory experiment: nTrain (8) must be a multiple of batchSize (3).' }]);
  });
});
