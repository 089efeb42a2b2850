/*
 * PyTorch's CPU random numbers, bit for bit: the generator behind `torch.manual_seed(seed)`
 * (at::mt19937), `torch.rand`, `Tensor.uniform_` (the draws of nn.RNN/LSTM/GRU/Linear init) and
 * `torch.randn`, as PyTorch 1.13 computes them for float32 tensors on CPU.
 * Layer: engine. Imports only ./types (no vscode, no DOM, no Node).
 *
 * What torch does, and what this file reproduces (verified against Debian's PyTorch 1.13.1 on
 * an x86-64 CPU with AVX2, see scripts/make_golden.py and test/unit/random.test.ts):
 *
 * - Seeding. `torch.manual_seed(s)` accepts -2^63 <= s < 2^64 (a negative s is taken modulo 2^64)
 *   and seeds mt19937 with the low 32 bits only: seeds 5 and 2^32 + 5 give the same numbers.
 *   It also clears the cached second Box-Muller sample (see randn below).
 * - One float32 uniform takes one 32-bit output u: x = (u & 0xFFFFFF) * 2^-24, in [0, 1).
 *   `uniform_(lo, hi)` returns float32(x * (hi - lo) + lo) with lo, hi rounded to float32 first
 *   and `hi - lo` a float32 subtraction. PyTorch evaluates that in float (dist_acctype<float> is
 *   float) and the AVX2 build contracts it to one fused multiply-add; we compute the fma exactly
 *   (`fmaF32`). This equals float32(x * (hi - lo) + lo computed in double) except in rare
 *   double-rounding ties.
 * - torch.randn on a contiguous float32 tensor with numel >= 16 (normal_fill): first one uniform
 *   per element, then Box-Muller in place on blocks of 16 (pairs j, j+8: radius from 1 - u[j],
 *   angle from u[j+8]); when numel is not a multiple of 16, 16 NEW uniforms are drawn for the
 *   last 16 elements and that block is recomputed (so the tail overwrites earlier values).
 *   On x86-64 with AVX2 (PyTorch's usual capability) the transform is normal_fill_16_AVX2, which
 *   uses the Cephes-style float polynomials log256_ps and sincos256_ps of avx_mathfun.h (not
 *   libm). The compiled library fuses their multiply-adds (GCC -mfma -ffp-contract=fast); we
 *   replay the same float operations and the same fusions lane by lane (`avxLog`, `avxSinCos`).
 *   Measured: bit-identical to torch on 1,264,123 values (seeds 0, 1, 123, 2^33 + 9; sizes up
 *   to 2^20, with and without a partial last block): 0 values differ.
 *   PyTorch: on CPUs without AVX2 (e.g. arm64, Apple silicon, or ATEN_CPU_CAPABILITY=default)
 *   torch uses the scalar normal_fill_16 with the C library's logf/cosf/sinf instead;
 *   `{ path: 'scalar' }` follows that recipe with correctly rounded float functions. Against
 *   Debian's torch forced to the default capability (glibc's logf/cosf/sinf are not always
 *   correctly rounded) 1.5% of values differ, by at most 3 ulp; other C libraries differ again.
 * - torch.randn with numel < 16 (or a non-contiguous tensor): per element
 *   at::normal_distribution<double>: two double uniforms u1, u2 (each from random64: two 32-bit
 *   outputs, the first is the high word, masked to 53 bits, times 2^-53); r = sqrt(-2 log(1 - u2)),
 *   theta = 2 pi u1; returns r cos(theta) and caches r sin(theta) in the generator for the next
 *   scalar normal draw (this cache survives across calls until the next manual_seed). Each value
 *   is then rounded to float32. Computed here in double with Math.log/cos/sin: V8's fdlibm
 *   results can differ from glibc's in the last bit of the double, which changes the float32
 *   only when the double lies within an ulp of a float32 rounding boundary (about 1 in 10^8).
 *   Measured: 0 of 159,975 values differ (20,000 calls of sizes 1..15 in one stream).
 */
import type { Tensor } from './types';

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const TWO_POW_32 = 4294967296;

/** How torch.randn turns uniforms into normals for numel >= 16 (see the file header). */
export type RandnPath = 'avx2' | 'scalar';

/**
 * PyTorch's CPU generator (CPUGeneratorImpl): an mt19937 engine plus the cached second
 * sample of the double Box-Muller transform. Create one with `createGenerator(seed)`; every
 * draw advances it exactly as the same draw advances torch's default generator.
 */
export class TorchGenerator {
  /** The seed as torch.initial_seed() reports it (0 <= seed < 2^64). */
  readonly initialSeed: bigint;
  private readonly state = new Uint32Array(N);
  private index = N;
  /** at::CPUGeneratorImpl::next_double_normal_sample_. */
  private nextDoubleNormal: number | undefined;

  constructor(seed: number | bigint) {
    this.initialSeed = normalizeSeed(seed);
    // PyTorch: at::mt19937(uint64_t seed) keeps only seed & 0xffffffff.
    const s = this.state;
    s[0] = Number(this.initialSeed & 0xffffffffn);
    for (let j = 1; j < N; j++) {
      const prev = s[j - 1];
      s[j] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + j) >>> 0;
    }
    this.index = N;
  }

  /** One 32-bit output of mt19937, as an unsigned integer (CPUGeneratorImpl::random). */
  random(): number {
    if (this.index >= N) this.twist();
    let y = this.state[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /**
   * A double uniform in [0, 1) from random64(): the first 32-bit output is the high word;
   * the 64-bit value is masked to 53 bits and scaled by 2^-53 (uniform_real_distribution<double>).
   */
  uniformDouble(): number {
    const hi = this.random();
    const lo = this.random();
    return ((hi & 0x1fffff) * TWO_POW_32 + lo) * 2 ** -53;
  }

  /** One at::normal_distribution<double>(0, 1) sample, with torch's cache of the second value. */
  normalDouble(): number {
    if (this.nextDoubleNormal !== undefined) {
      const cached = this.nextDoubleNormal;
      this.nextDoubleNormal = undefined;
      return cached;
    }
    const u1 = this.uniformDouble();
    const u2 = this.uniformDouble();
    // PyTorch 1.13: r = sqrt(-2 * log(1 - u2)) (later versions use log1p(-u2)).
    const r = Math.sqrt(-2.0 * Math.log(1.0 - u2));
    const theta = 2.0 * Math.PI * u1;
    this.nextDoubleNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  private twist(): void {
    const s = this.state;
    for (let i = 0; i < N; i++) {
      const y = (s[i] & UPPER_MASK) | (s[(i + 1) % N] & LOWER_MASK);
      let v = y >>> 1;
      if (y & 1) v ^= MATRIX_A;
      s[i] = (s[(i + M) % N] ^ v) >>> 0;
    }
    this.index = 0;
  }
}

/** The seed torch stores for `torch.manual_seed(seed)`: an integer taken modulo 2^64. */
function normalizeSeed(seed: number | bigint): bigint {
  let b: bigint;
  if (typeof seed === 'bigint') b = seed;
  else {
    if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
    b = BigInt(seed);
  }
  // PyTorch: manual_seed accepts [-2^63, 2^64); negative seeds wrap modulo 2^64.
  if (b < -(1n << 63n) || b >= 1n << 64n) {
    throw new RangeError(`seed must be in [-2^63, 2^64), got ${b}`);
  }
  return ((b % (1n << 64n)) + (1n << 64n)) % (1n << 64n);
}

/**
 * A fresh generator in the state `torch.manual_seed(seed)` leaves the default CPU generator in.
 * Seeds above 2^53 must be passed as bigint to be exact (a JSON number loses the low bits).
 */
export function createGenerator(seed: number | bigint = 0): TorchGenerator {
  return new TorchGenerator(seed);
}

// ---------------------------------------------------------------------------------------
// float32 helpers

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const i32 = new Int32Array(f32.buffer);

function bitsOf(x: number): number {
  f32[0] = x;
  return u32[0];
}
function fromBits(b: number): number {
  u32[0] = b >>> 0;
  return f32[0];
}

/** The float32 next to `x` (a float32, finite, non-zero magnitude handled) towards `dir`. */
function nextFloat(x: number, up: boolean): number {
  if (x === 0) return up ? fromBits(1) : -fromBits(1);
  f32[0] = x;
  const positive = x > 0;
  i32[0] += positive === up ? 1 : -1;
  return f32[0];
}

/**
 * fmaf(a, b, c): a * b + c rounded once to float32, for float32 a, b, c (what the AVX2
 * build's vfmadd instructions compute). a * b is exact in double; the sum's rounding error is
 * recovered with TwoSum so that a double result lying exactly halfway between two float32
 * values is resolved by the true value's side.
 */
export function fmaF32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const r = Math.fround(s);
  if (r === s || !Number.isFinite(s)) return r;
  const bb = s - p;
  const err = p - (s - bb) + (c - bb);
  if (err === 0) return r;
  const other = nextFloat(r, s > r);
  const mid = (r + other) / 2;
  if (s !== mid) return r;
  return err > 0 ? Math.max(r, other) : Math.min(r, other);
}

// ---------------------------------------------------------------------------------------
// uniform draws

/** One float32 uniform in [0, 1): (u & 0xFFFFFF) * 2^-24 (uniform_real_distribution<float>). */
export function uniformFloat(gen: TorchGenerator): number {
  return (gen.random() & 0xffffff) * 2 ** -24;
}

/**
 * `n` draws of `Tensor.uniform_(lo, hi)` on a float32 tensor, in order: float32 values in
 * [lo, hi). PyTorch: lo and hi are first rounded to float32, and the value is
 * fma(x, hi - lo, lo) in float (see the file header).
 */
export function uniform_(gen: TorchGenerator, n: number, lo: number, hi: number): Float64Array {
  const from = Math.fround(lo);
  const to = Math.fround(hi);
  const range = Math.fround(to - from);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = fmaF32(uniformFloat(gen), range, from);
  return out;
}

function numelOf(shape: number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`bad dimension ${d} in shape [${shape.join(', ')}]`);
    n *= d;
  }
  return n;
}

/** `torch.rand(*shape)`: float32 uniforms in [0, 1), row-major. */
export function torchRand(gen: TorchGenerator, shape: number[]): Tensor {
  const n = numelOf(shape);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = uniformFloat(gen);
  return { shape: [...shape], data };
}

// ---------------------------------------------------------------------------------------
// normal draws: avx_mathfun.h's float polynomials, replayed lane by lane

// Constants exactly as the C source spells them, rounded to float32 as `_PS256_CONST` does.
const F = Math.fround;
const SQRTHF = F(0.707106781186547524);
const LOG_P = [
  7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1,
  -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1,
].map(F);
const LOG_Q1 = F(-2.12194440e-4);
const LOG_Q2 = F(0.693359375);
const MIN_NORM_POS = fromBits(0x00800000);
const DP1 = F(-0.78515625);
const DP2 = F(-2.4187564849853515625e-4);
const DP3 = F(-3.77489497744594108e-8);
const SINCOF = [-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1].map(F);
const COSCOF = [2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2].map(F);
const FOPI = F(1.27323954473516);
/** `_mm256_set1_ps(2.0f * c10::pi<double>)`: 2 pi computed in double, rounded to float. */
const TWO_PI_F = F(2.0 * Math.PI);

/**
 * log256_ps for one lane (x > 0, float32). Every multiply that feeds an add is fused, as the
 * AVX2 build compiles it; the y*z product fuses into the addition of e*q1.
 */
function avxLog(x0: number): number {
  let x = Math.max(x0, MIN_NORM_POS);
  const bits = bitsOf(x);
  let e = F((bits >>> 23) - 0x7f + 1);
  x = fromBits((bits & ~0x7f800000) | 0x3f000000); // mantissa in [0.5, 1)
  const small = x < SQRTHF;
  const tmp = small ? x : 0;
  x = F(x - 1);
  if (small) e = F(e - 1);
  x = F(x + tmp);
  const z = F(x * x);
  let y = LOG_P[0];
  for (let k = 1; k < 9; k++) y = fmaF32(y, x, LOG_P[k]);
  y = F(y * x);
  y = fmaF32(y, z, F(e * LOG_Q1));
  y = F(y - z * 0.5); // z * 0.5 is exact
  x = F(x + y);
  return fmaF32(e, LOG_Q2, x);
}

/** sincos256_ps for one lane (float32 theta >= 0 here), with the build's fused multiply-adds. */
function avxSinCos(theta: number): { sin: number; cos: number } {
  let signSin = bitsOf(theta) & 0x80000000;
  let x = Math.abs(theta);
  let j = Math.trunc(F(x * FOPI)) | 0; // cvttps_epi32
  j = (j + 1) & ~1;
  const y = F(j);
  const swapSignSin = (j & 4) << 29;
  const polyMask = (j & 2) === 0;
  const signCos = (~(j - 2) & 4) << 29;
  signSin = (signSin ^ swapSignSin) >>> 0;
  // "Extended precision modular arithmetic": x = ((x - y*DP1) - y*DP2) - y*DP3, fused.
  x = fmaF32(y, DP1, x);
  x = fmaF32(y, DP2, x);
  x = fmaF32(y, DP3, x);
  const z = F(x * x);
  // Cosine polynomial; its last multiply by z fuses into the subtraction of z/2 (fmsub).
  let yc = fmaF32(COSCOF[0], z, COSCOF[1]);
  yc = fmaF32(yc, z, COSCOF[2]);
  yc = F(yc * z);
  yc = fmaF32(yc, z, -F(z * 0.5));
  yc = F(yc + 1);
  // Sine polynomial.
  let ys = fmaF32(SINCOF[0], z, SINCOF[1]);
  ys = fmaF32(ys, z, SINCOF[2]);
  ys = F(ys * z);
  ys = fmaF32(ys, x, x);
  const s = polyMask ? ys : yc;
  const c = polyMask ? yc : ys;
  return {
    sin: signSin ? -s : s,
    cos: signCos ? -c : c,
  };
}

/** normal_fill_16_AVX2 on data[at .. at+16), in place. */
function normalFill16Avx2(data: Float64Array, at: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = F(1 - data[at + j]);
    const u2 = data[at + j + 8];
    const radius = F(Math.sqrt(F(-2 * avxLog(u1))));
    const { sin, cos } = avxSinCos(F(TWO_PI_F * u2));
    data[at + j] = fmaF32(F(radius * cos), std, mean);
    data[at + j + 8] = fmaF32(F(radius * sin), std, mean);
  }
}

/** normal_fill_16 (the scalar template, used without AVX2) on data[at .. at+16). */
function normalFill16Scalar(data: Float64Array, at: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = F(1 - data[at + j]);
    const u2 = data[at + j + 8];
    const radius = F(Math.sqrt(F(-2 * F(Math.log(u1)))));
    // PyTorch: theta = 2.0f * c10::pi<double> * u2 is a double product, stored as float.
    const theta = F(2.0 * Math.PI * u2);
    data[at + j] = F(F(F(radius * F(Math.cos(theta))) * std) + mean);
    data[at + j + 8] = F(F(F(radius * F(Math.sin(theta))) * std) + mean);
  }
}

/**
 * `torch.randn(*shape)` (float32, CPU), drawn from `gen` exactly as torch draws it; also
 * `Tensor.normal_(mean, std)` when mean/std are given. See the file header for the two
 * algorithms (numel >= 16 vs smaller) and the generator state they leave.
 */
export function torchRandn(
  gen: TorchGenerator,
  shape: number[],
  options: { mean?: number; std?: number; path?: RandnPath } = {},
): Tensor {
  const n = numelOf(shape);
  const mean = options.mean ?? 0;
  const std = options.std ?? 1;
  const data = new Float64Array(n);
  if (n >= 16) {
    const meanF = F(mean);
    const stdF = F(std);
    const fill = options.path === 'scalar' ? normalFill16Scalar : normalFill16Avx2;
    for (let i = 0; i < n; i++) data[i] = uniformFloat(gen);
    for (let i = 0; i + 16 <= n; i += 16) fill(data, i, meanF, stdF);
    if (n % 16 !== 0) {
      const at = n - 16;
      for (let i = 0; i < 16; i++) data[at + i] = uniformFloat(gen);
      fill(data, at, meanF, stdF);
    }
  } else {
    // PyTorch: normal_distribution<double>, then transformation::normal = x * std + mean in double.
    for (let i = 0; i < n; i++) data[i] = F(gen.normalDouble() * std + mean);
  }
  return { shape: [...shape], data };
}
