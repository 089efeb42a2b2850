/*
 * Text from a character-level language model (embedding -> RNN/LSTM/GRU -> Linear on every
 * step): greedy (argmax) and with a temperature, one character at a time, carrying h (and c)
 * from step to step as `model(x, (h, c))` does in PyTorch.
 * Layer: lab (pure). Imports src/engine only; no vscode, no DOM, no Node.
 *
 * Greedy is PyTorch's `logits.argmax(-1)` (the first index of the maximum) on the engine's
 * float64 forward: test/unit/lab.sample.test.ts checks it against PyTorch's own.
 * PyTorch: torch.multinomial draws are hard to match bit for bit (its CPU kernel draws through
 * the generator in its own pattern), so temperature sampling does not call it. Instead, one
 * `torch.rand(1, generator=g)` per character and the inverse of the cumulative softmax:
 *   p = softmax(logits / T) (float64); u = torch.rand(1, generator=g).item()
 *   next = the first i with p[0] + ... + p[i] > u   (the last index if rounding leaves none)
 * which a PyTorch script reproduces with the same lines (scripts/lab/char_lm.py does).
 */
import { createGenerator, torchRand } from '../engine/random';
import { prepareModel, type PreparedModel } from '../engine/unroll';
import type { HeadConfig, ModelConfig, StateDict, Tensor } from '../engine/types';

/** A trained language model: the model, its head on every step, parameters including `embedding.weight`. */
export interface LanguageModel {
  model: ModelConfig;
  head: HeadConfig;
  stateDict: StateDict;
}

/** A model prepared for many small forward calls. */
export interface Sampler {
  /** Greedy continuation of `prompt` (token ids): `count` new ids. */
  greedy(prompt: number[], count: number): number[];
  /** Continuation drawn with `temperature` (> 0) from a generator seeded with `seed`. */
  sample(prompt: number[], count: number, temperature: number, seed: number): number[];
}

/** Prepares `lm` once (weights packed) for sampling. */
export function createSampler(lm: LanguageModel): Sampler {
  const emb = lm.stateDict['embedding.weight'];
  if (!emb) throw new Error('the language model has no embedding.weight');
  const [vocab, dim] = emb.shape;
  const sd: StateDict = {};
  for (const [k, v] of Object.entries(lm.stateDict)) if (k !== 'embedding.weight') sd[k] = v;
  const head: HeadConfig = { ...lm.head, on: 'all' };
  const model: ModelConfig = { ...lm.model, batchFirst: true };
  const prepared = prepareModel(model, head, sd);
  const embed = (ids: number[]): Tensor => {
    const data = new Float64Array(ids.length * dim);
    ids.forEach((id, i) => {
      if (!(id >= 0 && id < vocab)) throw new Error(`index ${id} is out of range for the embedding of ${vocab} tokens`);
      data.set(emb.data.subarray(id * dim, id * dim + dim), i * dim);
    });
    return { shape: [1, ids.length, dim], data };
  };
  const run = (choose: (logits: Float64Array) => number, prompt: number[], count: number): number[] => {
    if (prompt.length === 0) throw new Error('the prompt needs at least one character');
    return continueFrom(prepared, embed, prompt, count, choose);
  };
  return {
    greedy: (prompt, count) => run(argmax, prompt, count),
    sample: (prompt, count, temperature, seed) => {
      if (!(temperature > 0)) throw new Error(`temperature must be > 0, got ${temperature}`);
      const g = createGenerator(seed);
      return run((logits) => drawFromSoftmax(logits, temperature, torchRand(g, [1]).data[0]), prompt, count);
    },
  };
}

function continueFrom(prepared: PreparedModel, embed: (ids: number[]) => Tensor, prompt: number[], count: number, choose: (logits: Float64Array) => number): number[] {
  let r = prepared.forward(embed(prompt));
  const out: number[] = [];
  for (let k = 0; k < count; k++) {
    const head = r.head!;
    const v = head.shape[head.shape.length - 1];
    const last = head.data.subarray(head.data.length - v);
    const next = choose(last);
    out.push(next);
    if (k + 1 < count) r = prepared.forward(embed([next]), r.hN, r.cN);
  }
  return out;
}

/** The first index of the largest value, as torch.argmax returns it. */
export function argmax(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
  return best;
}

/** Softmax(logits / temperature) in float64, numerically stable. */
export function softmax(logits: ArrayLike<number>, temperature = 1): Float64Array {
  const p = new Float64Array(logits.length);
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i] / temperature);
  let z = 0;
  for (let i = 0; i < logits.length; i++) z += p[i] = Math.exp(logits[i] / temperature - max);
  for (let i = 0; i < p.length; i++) p[i] /= z;
  return p;
}

/** The first i with p[0] + ... + p[i] > u (the last index when rounding leaves none). */
export function drawFromSoftmax(logits: ArrayLike<number>, temperature: number, u: number): number {
  const p = softmax(logits, temperature);
  let c = 0;
  for (let i = 0; i < p.length; i++) {
    c += p[i];
    if (c > u) return i;
  }
  return p.length - 1;
}
