/*
 * torch's CPU random numbers against values real PyTorch 1.13 returned
 * (test/golden/randn/randn.json, made by scripts/make_golden.py on an AVX2 CPU), compared bit
 * for bit, plus facts derived by hand (mt19937's published outputs, an fma tie).
 * Layer: test (Node). Reads only files inside the repository.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { createGenerator, fmaF32, torchRand, torchRandn, uniform_, TorchGenerator } from '../../src/engine/random';
import { initStateDict } from '../../src/engine/params';
import { toHeadConfig, toModelConfig, repoRoot } from './helpers/golden';

/** test/golden in the repository. */
function goldenDir(): string {
  return path.join(repoRoot(), 'test', 'golden');
}

interface Op {
  op: 'randn' | 'rand' | 'init';
  shape?: number[];
  model?: Record<string, unknown>;
  head?: Record<string, unknown>;
}
interface RandnCase {
  description: string;
  seed: number | string;
  ops: Op[];
  results: (number[] | Record<string, number[]>)[];
}

const reference = JSON.parse(
  fs.readFileSync(path.join(goldenDir(), 'randn', 'randn.json'), 'utf8'),
) as { cases: RandnCase[]; checksums: { seed: number | string; shape: number[]; fnv1a32: number }[] };

/** FNV-1a (32-bit) over the little-endian bytes of the values as float32, as make_golden.py computes it. */
function fnv1a32(values: Float64Array): number {
  const bytes = new Uint8Array(Float32Array.from(values).buffer);
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

function seedOf(s: number | string): number | bigint {
  return typeof s === 'string' ? BigInt(s) : s;
}

/** Index of the first value that differs bit for bit (as float32), or -1. */
function firstDifference(actual: ArrayLike<number>, expected: number[]): number {
  if (actual.length !== expected.length) return Math.min(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (Math.fround(actual[i]) !== expected[i] || Object.is(actual[i], -0) !== Object.is(expected[i], -0)) return i;
  }
  return -1;
}

function runOps(gen: TorchGenerator, c: RandnCase): void {
  c.ops.forEach((op, k) => {
    const label = `${c.description} (seed ${c.seed}), op ${k} ${op.op}`;
    const expected = c.results[k];
    if (op.op === 'randn' || op.op === 'rand') {
      const t = op.op === 'randn' ? torchRandn(gen, op.shape!) : torchRand(gen, op.shape!);
      assert.deepStrictEqual(t.shape, op.shape);
      const i = firstDifference(t.data, expected as number[]);
      assert.strictEqual(i, -1, `${label}: value ${i} is ${t.data[i]}, torch gives ${(expected as number[])[i]}`);
    } else {
      const sd = initStateDict(toModelConfig(op.model!), op.head ? toHeadConfig(op.head) : undefined, gen);
      const want = expected as Record<string, number[]>;
      assert.deepStrictEqual(Object.keys(sd), Object.keys(want), `${label}: parameter names/order`);
      for (const name of Object.keys(want)) {
        const i = firstDifference(sd[name].data, want[name]);
        assert.strictEqual(i, -1, `${label}: ${name}[${i}]`);
      }
    }
  });
}

describe('random: torch.manual_seed / rand / randn (PyTorch 1.13, CPU)', () => {
  it('has the reference cases', () => {
    assert.ok(reference.cases.length >= 40);
  });

  for (const c of reference.cases) {
    it(`${c.description} [seed ${c.seed}]`, () => runOps(createGenerator(seedOf(c.seed)), c));
  }

  for (const c of reference.checksums) {
    it(`randn(${c.shape}) after manual_seed(${c.seed}): every value, by checksum`, () => {
      const t = torchRandn(createGenerator(seedOf(c.seed)), c.shape);
      assert.strictEqual(fnv1a32(t.data), c.fnv1a32);
    });
  }

  it('covers both randn paths: sizes below 16 (double Box-Muller) and from 16 (normal_fill)', () => {
    const sizes = new Set(reference.cases.flatMap((c) => c.ops.filter((o) => o.op === 'randn').map((o) => o.shape!.reduce((a, b) => a * b, 1))));
    for (const n of [1, 2, 3, 15, 16, 17, 31, 100]) assert.ok(sizes.has(n), `size ${n}`);
  });

  it('reproduces std::mt19937 for the default seed 5489 (C++ standard: 10000th output 4123659995)', () => {
    const g = createGenerator(5489);
    assert.strictEqual(g.random(), 3499211612);
    for (let i = 1; i < 9999; i++) g.random();
    assert.strictEqual(g.random(), 4123659995);
  });

  it('keeps only the low 32 bits of the seed, and wraps negative seeds modulo 2^64', () => {
    const a = createGenerator(5);
    const b = createGenerator(2n ** 32n + 5n);
    const c = createGenerator(2 ** 32 + 5);
    for (let i = 0; i < 5; i++) {
      const x = a.random();
      assert.strictEqual(b.random(), x);
      assert.strictEqual(c.random(), x);
    }
    assert.strictEqual(createGenerator(-1).initialSeed, 2n ** 64n - 1n);
    assert.strictEqual(createGenerator(-1).random(), createGenerator(2n ** 64n - 1n).random());
    assert.throws(() => createGenerator(2n ** 64n), RangeError);
    assert.throws(() => createGenerator(0.5), RangeError);
  });

  it('rand: one 32-bit output per value, (u & 0xFFFFFF) * 2^-24', () => {
    const g = createGenerator(5489);
    const t = torchRand(g, [2]);
    assert.strictEqual(t.data[0], (3499211612 & 0xffffff) / 2 ** 24);
    assert.ok(t.data[1] >= 0 && t.data[1] < 1);
  });

  it('uniform_ stays in [lo, hi) and is float32', () => {
    const v = uniform_(createGenerator(3), 1000, -0.25, 0.25);
    for (const x of v) {
      assert.ok(x >= -0.25 && x < 0.25);
      assert.strictEqual(Math.fround(x), x);
    }
  });

  it('fmaF32 rounds once: a tie in double is resolved by the lost low bits', () => {
    const a = 1 + 2 ** -12; // a*a = 1 + 2^-11 + 2^-24, halfway between two float32 values
    assert.strictEqual(fmaF32(a, a, 2 ** -80), 1 + 2 ** -11 + 2 ** -23);
    assert.strictEqual(fmaF32(a, a, -(2 ** -80)), 1 + 2 ** -11);
    assert.strictEqual(fmaF32(a, a, 0), 1 + 2 ** -11); // exact tie: to even
    assert.strictEqual(Math.fround(a * a + 2 ** -80), 1 + 2 ** -11); // why the naive way is wrong
  });

  it("randn's cache of the second Box-Muller value is cleared by a new generator (manual_seed)", () => {
    const g = createGenerator(0);
    const first = torchRandn(g, [1]).data[0];
    const again = torchRandn(createGenerator(0), [1]).data[0];
    assert.strictEqual(first, again);
    assert.notStrictEqual(torchRandn(g, [1]).data[0], first);
  });

  it("the scalar (non-AVX2) normal_fill recipe stays within a few ulp of torch's AVX2 values", () => {
    const c = reference.cases.find((k) => k.seed === 0 && k.ops.length === 1 && k.ops[0].shape![0] === 100)!;
    const got = torchRandn(createGenerator(0), [100], { path: 'scalar' }).data;
    const want = c.results[0] as number[];
    want.forEach((w, i) => assert.ok(Math.abs(got[i] - w) <= 1e-6 * Math.max(1, Math.abs(w)), `value ${i}: ${got[i]} vs ${w}`));
  });

  it('randn of an empty shape draws nothing', () => {
    const g = createGenerator(1);
    assert.strictEqual(torchRandn(g, [0, 3]).data.length, 0);
    assert.strictEqual(g.random(), createGenerator(1).random());
  });
});
