/*
 * "Watch it learn text": a character-level language model on a text the user selects (any
 * language: the text is split into Unicode code points, so Japanese, emoji and accents are one
 * character each). The model is an ordinary RNN document:
 *   embedding(V, E) -> RNN / LSTM / GRU(E, H) -> Linear(H, V) on every step ("on": "all"),
 *   cross_entropy against the next character, Adam,
 * trained full batch by the engine's document trainer; every few steps it is sampled (greedy
 * and with a temperature, src/lab/sample.ts) so the learner sees the text take shape as the
 * loss falls. It trains in float32 by default (CHAR_LM_PRECISION): PyTorch's own precision for
 * such a script, and about 1.5x faster than float64 on CHAR_LM_DEFAULTS (CPU per step, 40 steps on
 * 4,000 characters, measured once on this machine); it follows PyTorch's float32 run
 * (test/unit/lab.float32.test.ts). Documents trained in the editor stay float64 (exact).
 * Layer: lab (pure). Imports src/api (library edge), src/engine and ./sample; no vscode, DOM, Node.
 */
import { createTrainer, DEFAULT_BUDGET, type Precision } from '../api';
import type { CellType, HeadConfig, ModelConfig } from '../engine/types';
import type { TrainStepInfo } from '../engine/train/types';
import { createSampler } from './sample';

/** Sizes of the language model and its training. */
export interface CharLmConfig {
  cell: CellType;
  hidden: number;
  embeddingDim: number;
  /** Characters per training sequence (L). */
  seqLen: number;
  /** At most this many sequences (N); the text is cut into N consecutive pieces of L + 1. */
  maxBatch: number;
  lr: number;
  steps: number;
  /** torch.manual_seed of the parameters. */
  seed: number;
}

export const CHAR_LM_DEFAULTS: CharLmConfig = { cell: 'LSTM', hidden: 64, embeddingDim: 16, seqLen: 32, maxBatch: 16, lr: 0.01, steps: 300, seed: 0 };

/** The language model's training precision: float32, as a PyTorch script trains it (the panel says so). */
export const CHAR_LM_PRECISION: Precision = 'float32';

/** The distinct code points of `text`, sorted by code point (Python's sorted(set(text))). */
export function vocabulary(text: string): string[] {
  return [...new Set(Array.from(text))].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
}

/** Token ids of `text` in `vocab`; throws on a character outside it. */
export function encode(text: string, vocab: string[]): number[] {
  const index = new Map(vocab.map((c, i) => [c, i]));
  return Array.from(text, (c) => {
    const i = index.get(c);
    if (i === undefined) throw new Error(`the character ${JSON.stringify(c)} is not in the vocabulary`);
    return i;
  });
}

/** The training document for `text`, with what was chosen to build it. */
export interface CharLmSetup {
  doc: Record<string, unknown>;
  vocab: string[];
  ids: number[];
  batch: number;
  seqLen: number;
  /** Characters of the text used (N * L + 1). */
  used: number;
}

/**
 * The RNN document that trains a language model on `text`: N consecutive pieces of L
 * characters as the input (batch_first (N, L) ids) and the same pieces shifted by one as the
 * target. Needs at least 2 characters and 2 distinct ones.
 */
export function charLmDocument(text: string, cfg: CharLmConfig): CharLmSetup {
  const chars = Array.from(text);
  if (chars.length < 2) throw new Error('select at least two characters of text');
  const vocab = vocabulary(text);
  if (vocab.length < 2) throw new Error('the text needs at least two different characters');
  const seqLen = Math.max(1, Math.min(cfg.seqLen, chars.length - 1));
  const batch = Math.max(1, Math.min(cfg.maxBatch, Math.floor((chars.length - 1) / seqLen)));
  const used = batch * seqLen + 1;
  const ids = encode(chars.slice(0, used).join(''), vocab);
  const input: number[][] = [];
  const target: number[][] = [];
  for (let i = 0; i < batch; i++) {
    input.push(ids.slice(i * seqLen, i * seqLen + seqLen));
    target.push(ids.slice(i * seqLen + 1, i * seqLen + seqLen + 1));
  }
  const doc = {
    embedding: { num_embeddings: vocab.length, embedding_dim: cfg.embeddingDim },
    model: { type: cfg.cell, input_size: cfg.embeddingDim, hidden_size: cfg.hidden, batch_first: true },
    head: { type: 'Linear', out_features: vocab.length, on: 'all' },
    seed: cfg.seed,
    input,
    train: { loss: 'cross_entropy', target, optimizer: { type: 'Adam', lr: cfg.lr }, steps: cfg.steps },
  };
  return { doc, vocab, ids, batch, seqLen, used };
}

/** Model and head configurations of the language model (for the sampler). */
export function charLmModel(cfg: CharLmConfig, vocabSize: number): { model: ModelConfig; head: HeadConfig } {
  return {
    model: { type: cfg.cell, inputSize: cfg.embeddingDim, hiddenSize: cfg.hidden, numLayers: 1, nonlinearity: 'tanh', bias: true, batchFirst: true, dropout: 0, bidirectional: false, projSize: 0 },
    head: { type: 'Linear', outFeatures: vocabSize, bias: true, on: 'all' },
  };
}

/** One sample of the model as it is at `step`. */
export interface CharLmSample {
  step: number;
  loss: number;
  prompt: string;
  greedy: string;
  temperature: number;
  seed: number;
  sampled: string;
}

/** Options of trainCharLm. */
export interface CharLmHooks {
  onStep?: (info: TrainStepInfo) => void;
  onSample?: (s: CharLmSample) => void;
  /** Called once the document is built, before the first sample. */
  onSetup?: (setup: CharLmSetup) => void;
  /** Sample before training, every `sampleEvery` steps and after the last (default 25). */
  sampleEvery?: number;
  /** Characters per sample (default 60). */
  sampleLength?: number;
  temperature?: number;
  /** Checked between steps. */
  signal?: { readonly aborted: boolean };
  /** The training budget (steps x FLOPs of a forward and backward pass), checked before the first step (the setting rnnLens.budget.maxTrainFlops; default 1e12). */
  maxTrainFlops?: number;
  /** Training precision (default CHAR_LM_PRECISION, float32; 'float64' follows PyTorch's float64 run). */
  precision?: Precision;
}

/** Trains the language model, sampling as it goes; returns the losses and the last sample. */
export function trainCharLm(text: string, cfg: CharLmConfig, hooks: CharLmHooks = {}): { setup: CharLmSetup; loss: number[]; samples: CharLmSample[] } {
  const setup = charLmDocument(text, cfg);
  const precision = hooks.precision ?? CHAR_LM_PRECISION;
  const trainer = createTrainer(setup.doc, { precision, ...(hooks.maxTrainFlops === undefined ? {} : { budget: { ...DEFAULT_BUDGET, maxTrainFlops: hooks.maxTrainFlops } }) });
  hooks.onSetup?.(setup);
  const { model, head } = charLmModel(cfg, setup.vocab.length);
  const every = Math.max(1, hooks.sampleEvery ?? 25);
  const length = hooks.sampleLength ?? 60;
  const temperature = hooks.temperature ?? 0.8;
  const promptIds = setup.ids.slice(0, 1);
  const samples: CharLmSample[] = [];
  const decode = (ids: number[]) => ids.map((i) => setup.vocab[i]).join('');
  let lastLoss = NaN;
  const takeSample = (step: number) => {
    const sampler = createSampler({ model, head, stateDict: trainer.stateDict() });
    const s: CharLmSample = {
      step,
      loss: lastLoss,
      prompt: decode(promptIds),
      greedy: decode(sampler.greedy(promptIds, length)),
      temperature,
      seed: cfg.seed,
      sampled: decode(sampler.sample(promptIds, length, temperature, cfg.seed)),
    };
    samples.push(s);
    hooks.onSample?.(s);
  };
  takeSample(0);
  while (trainer.stepsDone < trainer.stepsTotal && !trainer.stopped) {
    if (hooks.signal?.aborted) break;
    const info = trainer.step();
    lastLoss = info.loss;
    hooks.onStep?.(info);
    if (trainer.stepsDone % every === 0 || trainer.stepsDone === trainer.stepsTotal) takeSample(trainer.stepsDone);
  }
  return { setup, loss: trainer.result().loss, samples };
}
