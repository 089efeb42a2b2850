/*
 * Reads the golden cases in test/golden/*.json (computed by real PyTorch, see
 * /work/shared/golden/README.md for the format) into engine types, for any unit test.
 * Layer: test (Node). Reads only files inside the repository.
 *
 * Nested arrays become Tensors, the snake_case `model` becomes a ModelConfig with PyTorch's
 * defaults. Seeded cases (`"seed"`, `"input": {"rand": ...}`) carry the weights and input that
 * torch drew in `expected.state_dict` / `expected.input`; `stateDict` and `input` hold those.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { HeadConfig, ModelConfig, StateDict, Tensor, Upstream } from '../../../src/engine/types';
import { kernelPath, setKernelPreference, type KernelPreference } from '../../../src/engine/wasm/backend';

// RNN_LENS_KERNEL_PATH=relaxed-simd|simd forces one build of the WebAssembly kernels for every
// golden test in this process (kernels.paths.test.ts runs them so, with and without Node's
// --experimental-wasm-relaxed-simd). The line it prints is how that test knows the path ran.
const forcedPath = process.env.RNN_LENS_KERNEL_PATH as KernelPreference | undefined;
if (forcedPath) {
  setKernelPreference(forcedPath);
  console.log(`kernel path: ${kernelPath() ?? 'typescript'}`);
}

/** A nested JSON array of numbers (any depth). */
export type Nested = number | Nested[];

export interface GoldenCase {
  /** File name without `.json`, e.g. `lstm_proj_bi_h0`. */
  name: string;
  description: string;
  model: ModelConfig;
  head?: HeadConfig;
  seed?: number;
  /** Shape of `{"rand": shape}` when the input was drawn. */
  randShape?: number[];
  stateDict: StateDict;
  input: Tensor;
  h0?: Tensor;
  c0?: Tensor;
  expected: {
    output: Tensor;
    hN: Tensor;
    cN?: Tensor;
    head?: Tensor;
    /** Seeded cases only: the parameters torch.manual_seed(seed) produced. */
    stateDict?: StateDict;
    /** Seeded cases only: the torch.rand input. */
    input?: Tensor;
  };
  backward?: {
    upstream: Upstream;
    loss: string;
    expected: { input: Tensor; h0?: Tensor; c0?: Tensor; stateDict: StateDict };
  };
  /** The parsed JSON as it is, for keys this helper does not map. */
  raw: Record<string, unknown>;
}

/**
 * The repository root: the nearest folder above this file holding both package.json and
 * tsconfig.json (out/ may hold a copy of package.json when a test imports it).
 */
export function repoRoot(): string {
  let dir = __dirname;
  const isRoot = (d: string) => fs.existsSync(path.join(d, 'package.json')) && fs.existsSync(path.join(d, 'tsconfig.json'));
  while (!isRoot(dir)) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('repository root not found above ' + __dirname);
    dir = parent;
  }
  return dir;
}

/** Shape of a rectangular nested array; throws on ragged input. */
export function nestedShape(value: Nested): number[] {
  if (typeof value === 'number') return [];
  if (value.length === 0) return [0];
  const inner = nestedShape(value[0]);
  for (const v of value) {
    const s = nestedShape(v);
    if (s.length !== inner.length || s.some((d, i) => d !== inner[i])) throw new Error('ragged nested array');
  }
  return [value.length, ...inner];
}

/** Nested array -> Tensor (row-major). */
export function toTensor(value: Nested): Tensor {
  const shape = nestedShape(value);
  const flat: number[] = [];
  const walk = (v: Nested): void => {
    if (typeof v === 'number') flat.push(v);
    else v.forEach(walk);
  };
  walk(value);
  return { shape, data: Float64Array.from(flat) };
}

/** The document's snake_case model -> ModelConfig, with PyTorch's defaults. */
export function toModelConfig(m: Record<string, unknown>): ModelConfig {
  return {
    type: m.type as ModelConfig['type'],
    inputSize: m.input_size as number,
    hiddenSize: m.hidden_size as number,
    numLayers: (m.num_layers as number | undefined) ?? 1,
    nonlinearity: (m.nonlinearity as 'tanh' | 'relu' | undefined) ?? 'tanh',
    bias: (m.bias as boolean | undefined) ?? true,
    batchFirst: (m.batch_first as boolean | undefined) ?? false,
    dropout: (m.dropout as number | undefined) ?? 0,
    bidirectional: (m.bidirectional as boolean | undefined) ?? false,
    projSize: (m.proj_size as number | undefined) ?? 0,
  };
}

export function toHeadConfig(h: Record<string, unknown>): HeadConfig {
  return { type: 'Linear', outFeatures: h.out_features as number, bias: (h.bias as boolean | undefined) ?? true };
}

export function toStateDict(sd: Record<string, Nested>): StateDict {
  const out: StateDict = {};
  for (const [k, v] of Object.entries(sd)) out[k] = toTensor(v);
  return out;
}

/** Parse one golden JSON object. */
export function parseGolden(name: string, raw: Record<string, unknown>): GoldenCase {
  const expectedRaw = raw.expected as Record<string, unknown>;
  const opt = (v: unknown): Tensor | undefined => (v === undefined ? undefined : toTensor(v as Nested));
  const expected: GoldenCase['expected'] = {
    output: toTensor(expectedRaw.output as Nested),
    hN: toTensor(expectedRaw.h_n as Nested),
    cN: opt(expectedRaw.c_n),
    head: opt(expectedRaw.head),
    stateDict: expectedRaw.state_dict ? toStateDict(expectedRaw.state_dict as Record<string, Nested>) : undefined,
    input: opt(expectedRaw.input),
  };
  const rawInput = raw.input as Nested | { rand: number[] };
  const randShape = !Array.isArray(rawInput) && typeof rawInput === 'object' ? rawInput.rand : undefined;
  const input = randShape ? expected.input : toTensor(rawInput as Nested);
  if (!input) throw new Error(`${name}: seeded input without expected.input`);
  const stateDict = raw.state_dict
    ? toStateDict(raw.state_dict as Record<string, Nested>)
    : expected.stateDict;
  if (!stateDict) throw new Error(`${name}: neither state_dict nor expected.state_dict`);

  const c: GoldenCase = {
    name,
    description: (raw.description as string | undefined) ?? name,
    model: toModelConfig(raw.model as Record<string, unknown>),
    head: raw.head ? toHeadConfig(raw.head as Record<string, unknown>) : undefined,
    seed: raw.seed as number | undefined,
    randShape,
    stateDict,
    input,
    h0: opt(raw.h0),
    c0: opt(raw.c0),
    expected,
    raw,
  };
  const bw = raw.backward as Record<string, unknown> | undefined;
  if (bw) {
    const be = bw.expected as Record<string, unknown>;
    c.backward = {
      upstream: {
        gradOutput: opt(bw.grad_output),
        gradHN: opt(bw.grad_h_n),
        gradCN: opt(bw.grad_c_n),
        gradHead: opt(bw.grad_head),
      },
      loss: (bw.loss as string | undefined) ?? '',
      expected: {
        input: toTensor(be.input as Nested),
        h0: opt(be.h0),
        c0: opt(be.c0),
        stateDict: toStateDict(be.state_dict as Record<string, Nested>),
      },
    };
  }
  return c;
}

/** Every case in test/golden/*.json (or test/golden/<subdir>/*.json), sorted by name. */
export function loadGoldenCases(subdir?: string): GoldenCase[] {
  const dir = path.join(repoRoot(), 'test', 'golden', ...(subdir ? [subdir] : []));
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => parseGolden(f.replace(/\.json$/, ''), JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))));
}

/** The golden bar: |ours - expected| <= tol * max(1, |expected|) per element. */
export function maxRelativeError(actual: Tensor, expected: Tensor): number {
  let worst = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const e = expected.data[i];
    const err = Math.abs(actual.data[i] - e) / Math.max(1, Math.abs(e));
    if (!(err <= worst)) worst = err; // NaN propagates as a failure
  }
  return worst;
}
