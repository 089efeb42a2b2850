/*
 * "Long memory": the origin post's lesson as an experiment. A sequence of length L whose answer
 * is its FIRST step's value; RNN, LSTM and GRU trained on the same sequences with the same
 * budget and seed, then judged on fresh sequences they never saw. As L grows, what the first
 * step wrote into h fades (the gradient that should teach the model to keep it shrinks with
 * every step back), so the plain RNN falls to chance while the LSTM's cell lane carries it.
 * Designed with PyTorch first: scripts/lab/long_memory.py (its numbers: test/fixtures/lab/).
 *
 * Every model is an ordinary RNN document with a `train` block, trained by the engine's
 * document trainer (src/api.ts createTrainer); the lab only feeds it the next minibatch before
 * each step (the training set in order, batchSize at a time, round and round), as a PyTorch
 * loop over minibatches would. The data come from the engine's torch-compatible generator,
 * drawn exactly as the python script draws them:
 *   g = torch.Generator().manual_seed(dataSeed(L, seed))
 *   regression:     x = torch.randn(N, L, 1, generator=g); y = x[:, 0, :]; then the test set
 *   classification: ids = floor(torch.rand(N, L, generator=g) * K); ids[:, 1:] += K: the first
 *                   id is the class (0..K-1), the rest are noise tokens K..2K-1 that are never a
 *                   class; y = ids[:, 0]; then the test set. The embedding has 2K rows.
 * Initialisation: PyTorch's (torch.manual_seed(seed), then Embedding, RNN, Linear), except one
 * documented deviation for the LSTM (forgetBias / inputBias, on in the defaults): its forget
 * gate's bias starts 5 higher and its input gate's 5 lower (forget gate about 0.99, input gate
 * about 0.01), so it starts out keeping its cell and letting little in. With PyTorch's init
 * (forget gate about 0.5) no LSTM held at L = 50 within a budget the editor can train
 * (bench/results/lab/exploration.md).
 * Layer: lab (pure). Imports src/api (library edge) and src/engine; no vscode, no DOM, no Node.
 */
import { createTrainer } from '../api';
import { createGenerator, torchRand, torchRandn } from '../engine/random';
import { backward, prepareModel } from '../engine/unroll';
import type { CellType, StateDict, Tensor } from '../engine/types';
import type { TrainStepInfo } from '../engine/train/types';

export type LongMemoryVariant = 'regression' | 'classification';

/** Everything that decides an experiment (the same keys as the python script's config). */
export interface LongMemoryConfig {
  variant: LongMemoryVariant;
  lengths: number[];
  cells: CellType[];
  seeds: number[];
  /** Training sequences. */
  nTrain: number;
  /**
   * Sequences per optimizer step: the training set in order, batchSize at a time, round and
   * round (step s uses rows (s * batchSize) mod nTrain ...); 0, or nTrain or more: full batch.
   * A smaller batchSize must divide nTrain.
   */
  batchSize: number;
  /** Fresh sequences for judging, drawn after the training ones. */
  nTest: number;
  hidden: number;
  /** classification: number of classes K (the vocabulary is 2K: K classes, K noise tokens); regression ignores it. */
  classes: number;
  /** classification: embedding_dim. */
  embeddingDim: number;
  lr: number;
  steps: number;
  /**
   * LSTM only, the documented deviation from PyTorch's default initialisation: added to the
   * forget gate's slice of bias_ih_l0 after the seeded draw (in float32, as
   * `rnn.bias_ih_l0[H:2H] += forgetBias` under torch.no_grad()). 0: PyTorch's init.
   */
  forgetBias: number;
  /** LSTM only: added to the input gate's slice of bias_ih_l0 (`rnn.bias_ih_l0[:H] += inputBias`). 0: PyTorch's init. */
  inputBias: number;
}

/**
 * The configurations the python record (scripts/lab/long_memory.py record) was made with.
 * classification is the experiment (see bench/results/lab/exploration.md for how it was chosen);
 * regression is kept for exploring.
 */
export const LONG_MEMORY_DEFAULTS: Record<LongMemoryVariant, LongMemoryConfig> = {
  regression: {
    variant: 'regression',
    lengths: [5, 10, 20, 50],
    cells: ['RNN', 'LSTM', 'GRU'],
    seeds: [0, 1, 2],
    nTrain: 4096,
    batchSize: 64,
    nTest: 512,
    hidden: 16,
    classes: 4,
    embeddingDim: 8,
    lr: 0.01,
    steps: 600,
    forgetBias: 0,
    inputBias: 0,
  },
  classification: {
    variant: 'classification',
    lengths: [5, 10, 20, 50, 100],
    cells: ['RNN', 'LSTM', 'GRU'],
    seeds: [0, 1, 2],
    nTrain: 4096,
    batchSize: 64,
    nTest: 512,
    hidden: 16,
    classes: 4,
    embeddingDim: 8,
    lr: 0.02,
    steps: 400,
    forgetBias: 5,
    inputBias: -5,
  },
};

/** What is wrong with `cfg` (one sentence naming the field), or undefined when it can run. */
export function checkLongMemoryConfig(cfg: LongMemoryConfig): string | undefined {
  const posInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 1;
  if (cfg.variant !== 'regression' && cfg.variant !== 'classification') return `variant must be "classification" or "regression", not ${JSON.stringify(cfg.variant)}`;
  for (const k of ['nTrain', 'nTest', 'hidden', 'classes', 'embeddingDim', 'steps'] as const) if (!posInt(cfg[k])) return `${k} must be a whole number of at least 1, not ${JSON.stringify(cfg[k])}`;
  if (!(Number.isInteger(cfg.batchSize) && cfg.batchSize >= 0)) return `batchSize must be a whole number (0: full batch), not ${JSON.stringify(cfg.batchSize)}`;
  if (cfg.batchSize > 0 && cfg.batchSize < cfg.nTrain && cfg.nTrain % cfg.batchSize !== 0) return `nTrain (${cfg.nTrain}) must be a multiple of batchSize (${cfg.batchSize})`;
  if (!Array.isArray(cfg.lengths) || !cfg.lengths.length || !cfg.lengths.every(posInt)) return 'lengths must be a list of whole numbers of at least 1';
  if (!Array.isArray(cfg.seeds) || !cfg.seeds.length || !cfg.seeds.every((x) => Number.isInteger(x) && x >= 0)) return 'seeds must be a list of whole numbers of at least 0';
  if (!Array.isArray(cfg.cells) || !cfg.cells.length || !cfg.cells.every((c) => c === 'RNN' || c === 'LSTM' || c === 'GRU')) return 'cells must be a list of "RNN", "LSTM", "GRU"';
  for (const k of ['lr', 'forgetBias', 'inputBias'] as const) if (typeof cfg[k] !== 'number' || !Number.isFinite(cfg[k])) return `${k} must be a number, not ${JSON.stringify(cfg[k])}`;
  return undefined;
}

/** Sequences per step: batchSize, or the whole training set. */
export function batchOf(cfg: Pick<LongMemoryConfig, 'batchSize' | 'nTrain'>): number {
  return cfg.batchSize > 0 ? Math.min(cfg.batchSize, cfg.nTrain) : cfg.nTrain;
}

/** The first row of minibatch `step` (python: batch_rows). */
export function batchStart(step: number, batch: number, nTrain: number): number {
  return (step * batch) % nTrain;
}

/** The data generator's seed for one length and seed: one stream per (L, seed), shared by every model. */
export function dataSeed(length: number, seed: number): number {
  return 1000 * seed + length;
}

/** Training and test sets of one (variant, L, seed). Inputs batch_first. */
export interface LongMemoryData {
  /** regression: (N, L, 1) floats; classification: (N, L) token ids. */
  trainInput: Tensor;
  /** regression: (N, 1); classification: (N) class ids. */
  trainTarget: Tensor;
  testInput: Tensor;
  testTarget: Tensor;
}

/** Draws the data exactly as scripts/lab/long_memory.py make_data does. */
export function makeLongMemoryData(cfg: Pick<LongMemoryConfig, 'variant' | 'nTrain' | 'nTest' | 'classes'>, length: number, seed: number): LongMemoryData {
  const g = createGenerator(dataSeed(length, seed));
  if (cfg.variant === 'regression') {
    const trainInput = torchRandn(g, [cfg.nTrain, length, 1]);
    const testInput = torchRandn(g, [cfg.nTest, length, 1]);
    return { trainInput, trainTarget: firstStep(trainInput, length, 1), testInput, testTarget: firstStep(testInput, length, 1) };
  }
  const toIds = (u: Tensor): Tensor => ({
    shape: u.shape,
    // PyTorch: (u * K).floor().long().clamp_(max=K-1), the product in float32 (u * K is exact for K a power of two;
    // Math.fround keeps the float32 rounding for other K); then ids[:, 1:] += K.
    data: u.data.map((x, i) => Math.min(cfg.classes - 1, Math.floor(Math.fround(x * cfg.classes))) + (i % length === 0 ? 0 : cfg.classes)),
  });
  const trainInput = toIds(torchRand(g, [cfg.nTrain, length]));
  const testInput = toIds(torchRand(g, [cfg.nTest, length]));
  return { trainInput, trainTarget: firstStep(trainInput, length, 0), testInput, testTarget: firstStep(testInput, length, 0) };
}

/** x[:, 0, :] of a (N, L, F) tensor (F = 0: x[:, 0] of (N, L)). */
function firstStep(x: Tensor, length: number, features: number): Tensor {
  const n = x.shape[0];
  const f = Math.max(1, features);
  const data = new Float64Array(n * f);
  for (let i = 0; i < n; i++) for (let k = 0; k < f; k++) data[i * f + k] = x.data[i * length * f + k];
  return { shape: features ? [n, features] : [n], data };
}

/** Nested arrays of a tensor (the document's literal input and target). */
export function nested(t: Tensor): unknown {
  const build = (dim: number, offset: number): unknown => {
    if (dim === t.shape.length) return t.data[offset];
    const stride = t.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    const out: unknown[] = [];
    for (let i = 0; i < t.shape[dim]; i++) out.push(build(dim + 1, offset + i * stride));
    return out;
  };
  return build(0, 0);
}

/** Rows [start, start + count) of a tensor whose first axis is the sequence (a view, no copy). */
export function rowsOf(t: Tensor, start: number, count: number): Tensor {
  const per = t.shape.slice(1).reduce((a, b) => a * b, 1);
  return { shape: [count, ...t.shape.slice(1)], data: t.data.subarray(start * per, (start + count) * per) };
}

/**
 * The RNN document one model of the experiment trains: the data literal (the first minibatch:
 * the lab feeds the next one before every step), the seed, the train block, and for the LSTM
 * with a gate-bias deviation the changed bias_ih_l0 in `state_dict` (replacing the drawn one,
 * as load_state_dict would).
 */
export function longMemoryDocument(cfg: LongMemoryConfig, cell: CellType, seed: number, data: Pick<LongMemoryData, 'trainInput' | 'trainTarget'>, stateDict?: Record<string, unknown>): Record<string, unknown> {
  const cls = cfg.variant === 'classification';
  const doc: Record<string, unknown> = {
    model: { type: cell, input_size: cls ? cfg.embeddingDim : 1, hidden_size: cfg.hidden, batch_first: true },
    head: { type: 'Linear', out_features: cls ? cfg.classes : 1 },
    seed,
    ...(stateDict ? { state_dict: stateDict } : {}),
    input: nested(data.trainInput),
    train: {
      loss: cls ? 'cross_entropy' : 'mse',
      target: nested(data.trainTarget),
      optimizer: { type: 'Adam', lr: cfg.lr },
      steps: cfg.steps,
    },
  };
  if (cls) return { embedding: { num_embeddings: 2 * cfg.classes, embedding_dim: cfg.embeddingDim }, ...doc };
  return doc;
}

/** Does this model start from a changed init (the LSTM's gate biases)? */
export function hasGateBias(cfg: Pick<LongMemoryConfig, 'forgetBias' | 'inputBias'>, cell: CellType): boolean {
  return cell === 'LSTM' && (cfg.forgetBias !== 0 || cfg.inputBias !== 0);
}

/**
 * bias_ih_l0 after the deviation: the drawn float32 values with inputBias added to the input
 * gate's slice [0, H) and forgetBias to the forget gate's [H, 2H) (PyTorch's gate order i, f, g, o),
 * each sum rounded to float32 as PyTorch's in-place add on a float32 tensor rounds it.
 */
export function gateBiased(drawn: Tensor, hidden: number, forgetBias: number, inputBias: number): number[] {
  const out = Array.from(drawn.data);
  for (let j = 0; j < hidden; j++) {
    out[j] = Math.fround(out[j] + inputBias);
    out[hidden + j] = Math.fround(out[hidden + j] + forgetBias);
  }
  return out;
}

/** Loss (mean, as the training loss) and, for classification, accuracy. */
export interface Score {
  loss: number;
  accuracy?: number;
}

/** A trained model's parameters and what it needs to run on new sequences. */
interface Trained {
  cfg: LongMemoryConfig;
  cell: CellType;
  stateDict: StateDict;
}

/** The RNN's input features for `input`: the embedding's rows for token ids, the input itself otherwise. */
function features(m: Trained, input: Tensor): Tensor {
  if (m.cfg.variant === 'regression') return input;
  const w = m.stateDict['embedding.weight'];
  const e = m.cfg.embeddingDim;
  const data = new Float64Array(input.data.length * e);
  input.data.forEach((id, i) => data.set(w.data.subarray(id * e, id * e + e), i * e));
  return { shape: [...input.shape, e], data };
}

function rnnOnly(sd: StateDict): StateDict {
  const out: StateDict = {};
  for (const [k, v] of Object.entries(sd)) if (k !== 'embedding.weight') out[k] = v;
  return out;
}

function modelConfig(m: Trained) {
  const cls = m.cfg.variant === 'classification';
  return {
    model: {
      type: m.cell,
      inputSize: cls ? m.cfg.embeddingDim : 1,
      hiddenSize: m.cfg.hidden,
      numLayers: 1,
      nonlinearity: 'tanh' as const,
      bias: true,
      batchFirst: true,
      dropout: 0,
      bidirectional: false,
      projSize: 0,
    },
    head: { type: 'Linear' as const, outFeatures: cls ? m.cfg.classes : 1, bias: true, on: 'last' as const },
  };
}

/** The gradient of the mean loss with respect to the head's output, and the loss itself. */
function lossAndGrad(variant: LongMemoryVariant, pred: Tensor, target: Tensor): { score: Score; grad: Tensor } {
  const grad = new Float64Array(pred.data.length);
  if (variant === 'regression') {
    let s = 0;
    const n = pred.data.length;
    for (let i = 0; i < n; i++) {
      const d = pred.data[i] - target.data[i];
      s += d * d;
      grad[i] = (2 * d) / n;
    }
    return { score: { loss: s / n }, grad: { shape: pred.shape, data: grad } };
  }
  const [n, k] = pred.shape;
  let s = 0;
  let right = 0;
  for (let i = 0; i < n; i++) {
    const row = pred.data.subarray(i * k, i * k + k);
    let max = -Infinity;
    let arg = 0;
    for (let j = 0; j < k; j++) if (row[j] > max) (max = row[j]), (arg = j);
    let z = 0;
    for (let j = 0; j < k; j++) z += Math.exp(row[j] - max);
    const y = target.data[i];
    s += Math.log(z) + max - row[y];
    if (arg === y) right++;
    for (let j = 0; j < k; j++) grad[i * k + j] = (Math.exp(row[j] - max) / z - (j === y ? 1 : 0)) / n;
  }
  return { score: { loss: s / n, accuracy: right / n }, grad: { shape: pred.shape, data: grad } };
}

/** Forward on `input` with the trained parameters: the score against `target`. */
export function scoreModel(m: Trained, input: Tensor, target: Tensor): Score {
  const { model, head } = modelConfig(m);
  const prepared = prepareModel(model, head, rnnOnly(m.stateDict));
  const out = prepared.forward(features(m, input));
  return lossAndGrad(m.cfg.variant, out.head!, target).score;
}

/**
 * || dLoss / dx_t || for every time step t (x_t: the RNN's input at step t, after the
 * embedding), summed over the batch: how much the loss still "hears" each step. For the first
 * step it is the signal that has to teach the model to remember.
 */
export function inputGradientProfile(m: Trained, input: Tensor, target: Tensor): number[] {
  const { model, head } = modelConfig(m);
  const sd = rnnOnly(m.stateDict);
  const x = features(m, input);
  const pred = prepareModel(model, head, sd).forward(x).head!;
  const { grad } = lossAndGrad(m.cfg.variant, pred, target);
  return backward({ model, head, stateDict: sd, input: x }, { gradHead: grad }).inputGradNorms;
}

/** One trained model's record. */
export interface LongMemoryRun {
  cell: CellType;
  length: number;
  seed: number;
  /** Loss per training step (before the update) and gradient norm per step (before clipping). */
  trainLoss: number[];
  gradNorm: number[];
  /** On the training sequences after the last step. */
  train: Score;
  /** On the fresh sequences. */
  test: Score;
  /** || dLoss/dx_t || per t, at initialisation and after training. */
  inputGradInit: number[];
  inputGradFinal: number[];
  /** Wall-clock ms of the training (for the note; never asserted). */
  ms: number;
}

/** What the experiment reports as it goes. */
export type LongMemoryEvent =
  | { type: 'model'; index: number; total: number; cell: CellType; length: number; seed: number }
  | { type: 'step'; index: number; info: TrainStepInfo }
  | { type: 'run'; index: number; run: LongMemoryRun };

/** The models of an experiment, in the order they are trained: by length, then seed, then cell. */
export function plan(cfg: LongMemoryConfig): { cell: CellType; length: number; seed: number }[] {
  const out: { cell: CellType; length: number; seed: number }[] = [];
  for (const length of cfg.lengths) for (const seed of cfg.seeds) for (const cell of cfg.cells) out.push({ cell, length, seed });
  return out;
}

/** Options of trainOne / runLongMemory. */
export interface LongMemoryHooks {
  onEvent?: (e: LongMemoryEvent) => void;
  /** Report every k-th step (and the last); default 1. */
  stepEvery?: number;
  /** Checked between steps; raising it ends the experiment after the current step. */
  signal?: { readonly aborted: boolean };
  /** Time source for `ms` (default Date.now). */
  now?: () => number;
}

/** Trains one model of the experiment and judges it; undefined when the signal stopped it. */
export function trainOne(cfg: LongMemoryConfig, cell: CellType, length: number, seed: number, index = 0, hooks: LongMemoryHooks = {}, data?: LongMemoryData): LongMemoryRun | undefined {
  const problem = checkLongMemoryConfig(cfg);
  if (problem) throw new Error(`Long memory experiment: ${problem}.`);
  const d = data ?? makeLongMemoryData(cfg, length, seed);
  const batch = batchOf(cfg);
  const first = { trainInput: rowsOf(d.trainInput, 0, batch), trainTarget: rowsOf(d.trainTarget, 0, batch) };
  let trainer = createTrainer(longMemoryDocument(cfg, cell, seed, first));
  if (hasGateBias(cfg, cell)) {
    const bias = gateBiased(trainer.stateDict().bias_ih_l0, cfg.hidden, cfg.forgetBias, cfg.inputBias);
    trainer = createTrainer(longMemoryDocument(cfg, cell, seed, first, { bias_ih_l0: bias }));
  }
  const now = hooks.now ?? Date.now;
  const initial: Trained = { cfg, cell, stateDict: trainer.stateDict() };
  const inputGradInit = inputGradientProfile(initial, first.trainInput, first.trainTarget);
  const every = Math.max(1, hooks.stepEvery ?? 1);
  // Minibatches: the trainer reads its spec's input and target at every step, so the next
  // batch is written into them in place (same shapes) before the step, as a DataLoader loop
  // hands PyTorch's model the next batch. The golden minibatch cases check this against PyTorch.
  const spec = trainer.spec;
  const feed = batch < cfg.nTrain;
  const t0 = now();
  while (trainer.stepsDone < trainer.stepsTotal && !trainer.stopped) {
    if (hooks.signal?.aborted) return undefined;
    if (feed) {
      const start = batchStart(trainer.stepsDone, batch, cfg.nTrain);
      spec.input.data.set(rowsOf(d.trainInput, start, batch).data);
      spec.target.data.set(rowsOf(d.trainTarget, start, batch).data);
    }
    const info = trainer.step();
    if (info.step % every === every - 1 || info.step === trainer.stepsTotal - 1) hooks.onEvent?.({ type: 'step', index, info });
  }
  const ms = now() - t0;
  const r = trainer.result();
  const trained: Trained = { cfg, cell, stateDict: r.stateDict };
  return {
    cell,
    length,
    seed,
    trainLoss: r.loss,
    gradNorm: r.gradNorm,
    train: scoreModel(trained, d.trainInput, d.trainTarget),
    test: scoreModel(trained, d.testInput, d.testTarget),
    inputGradInit,
    inputGradFinal: inputGradientProfile(trained, first.trainInput, first.trainTarget),
    ms,
  };
}

/** Runs the whole experiment (synchronously; a worker runs it). Returns the runs completed. */
export function runLongMemory(cfg: LongMemoryConfig, hooks: LongMemoryHooks = {}): LongMemoryRun[] {
  const runs: LongMemoryRun[] = [];
  const models = plan(cfg);
  let cached: { key: string; data: LongMemoryData } | undefined;
  for (let index = 0; index < models.length; index++) {
    if (hooks.signal?.aborted) break;
    const { cell, length, seed } = models[index];
    hooks.onEvent?.({ type: 'model', index, total: models.length, cell, length, seed });
    const key = `${length}/${seed}`;
    if (cached?.key !== key) cached = { key, data: makeLongMemoryData(cfg, length, seed) };
    const run = trainOne(cfg, cell, length, seed, index, hooks, cached.data);
    if (!run) break;
    runs.push(run);
    hooks.onEvent?.({ type: 'run', index, run });
  }
  return runs;
}

/** Mean and spread over seeds of one model at one length. */
export interface SummaryPoint {
  cell: CellType;
  length: number;
  seeds: number;
  mean: number;
  min: number;
  max: number;
}

/** Per model and length: the test metric (accuracy for classification, loss for regression) over seeds. */
export function summarize(runs: LongMemoryRun[], metric: 'loss' | 'accuracy'): SummaryPoint[] {
  const groups = new Map<string, LongMemoryRun[]>();
  for (const r of runs) {
    const k = `${r.cell}\u0000${r.length}`;
    (groups.get(k) ?? groups.set(k, []).get(k)!).push(r);
  }
  const out: SummaryPoint[] = [];
  for (const rs of groups.values()) {
    const v = rs.map((r) => (metric === 'accuracy' ? r.test.accuracy ?? NaN : r.test.loss));
    out.push({ cell: rs[0].cell, length: rs[0].length, seeds: rs.length, mean: v.reduce((a, b) => a + b, 0) / v.length, min: Math.min(...v), max: Math.max(...v) });
  }
  return out.sort((a, b) => a.length - b.length || a.cell.localeCompare(b.cell));
}
