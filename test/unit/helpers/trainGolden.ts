/*
 * Golden training cases (test/golden/train/*.json, computed by PyTorch 1.13; see
 * /work/shared/golden/README.md "Training cases") and the comparison bars.
 * Layer: test (Node).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { StateDict, Tensor } from '../../../src/engine/types';
import type { OptimizerConfig, TrainSpec } from '../../../src/engine/train/types';
import { repoRoot, toHeadConfig, toModelConfig, toStateDict, toTensor } from './golden';

export interface TrainGolden {
  name: string;
  raw: Record<string, any>;
  expected: { loss: number[]; grad_norm: number[]; state_dict: Record<string, unknown>; initial_state_dict?: Record<string, unknown>; input?: unknown; target?: unknown };
  expectedFloat32?: { loss: number[] };
}

/** Every training case in test/golden/<subdir>. */
export function loadTrainCases(subdir = 'train'): TrainGolden[] {
  const dir = path.join(repoRoot(), 'test', 'golden', subdir);
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => {
    const raw = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    return { name: f.replace(/\.json$/, ''), raw, expected: raw.expected, expectedFloat32: raw.expected_float32 };
  });
}

/** A number or nested array -> Tensor (a bare number is a 0-d tensor). */
export function anyTensor(v: unknown): Tensor {
  if (typeof v === 'number') return { shape: [], data: Float64Array.of(v) };
  return toTensor(v as never);
}

function optimizerOf(o: Record<string, any>): OptimizerConfig {
  if (o.type === 'SGD') {
    return { type: 'SGD', lr: o.lr, momentum: o.momentum ?? 0, dampening: o.dampening ?? 0, weightDecay: o.weight_decay ?? 0, nesterov: o.nesterov ?? false };
  }
  return {
    type: o.type, lr: o.lr ?? 1e-3, betas: o.betas ?? [0.9, 0.999], eps: o.eps ?? 1e-8,
    weightDecay: o.weight_decay ?? (o.type === 'AdamW' ? 1e-2 : 0), amsgrad: o.amsgrad ?? false,
  };
}

/**
 * The engine spec of a case from PyTorch's own initial values (initial_state_dict, input, target
 * as PyTorch drew them), so the engine's training is checked apart from the reader and the seed.
 */
export function engineSpecOf(c: TrainGolden): TrainSpec {
  const r = c.raw;
  const e = c.expected;
  const stateDict: StateDict = toStateDict((e.initial_state_dict ?? r.state_dict) as never);
  const head = r.head ? { ...toHeadConfig(r.head), on: (r.head.on ?? 'last') as 'last' | 'all' } : undefined;
  return {
    model: toModelConfig(r.model),
    head,
    embedding: r.embedding ? { numEmbeddings: r.embedding.num_embeddings, embeddingDim: r.embedding.embedding_dim } : undefined,
    stateDict,
    input: anyTensor(e.input ?? r.input),
    h0: r.h0 ? anyTensor(r.h0) : undefined,
    c0: r.c0 ? anyTensor(r.c0) : undefined,
    target: anyTensor(e.target ?? r.train.target),
    train: { loss: r.train.loss, optimizer: optimizerOf(r.train.optimizer), steps: r.train.steps, clipGradNorm: r.train.clip_grad_norm },
  };
}

/** max over i of |a_i - e_i| / max(1, |e_i|). */
export function scaledError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
    if (!(err <= worst)) worst = err;
  }
  return worst;
}
