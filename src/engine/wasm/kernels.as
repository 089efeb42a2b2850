// AssemblyScript source of the engine's WebAssembly kernels (f64x2 SIMD, and f32x4 SIMD for
// the float32 option at the end of the file), compiled by
// scripts/build-wasm.mjs into kernels.wasm.ts (base64 bytes). Not TypeScript: the .as
// extension keeps tsc and the layering scan off it.
//
// Everything is addressed by byte pointers into the one linear memory the loader
// (backend.ts) owns; nothing is allocated here. The default kernels are float64: weights are
// float32 values stored as float64, so every product is exact and only the sums round
// (in a different order than PyTorch's, well inside the golden bar of 1e-6).
//
// Packed weights: W (cols x depth, PyTorch's row-major layout) is stored transposed in
// panels of 4 output columns: panel p holds, for k = 0..depth-1, W[4p..4p+3, k] (32 bytes),
// zero-padded past `cols`. The product walks a panel with two f64x2 accumulators per row.

// Multiply-add of the products' accumulators. Compiled twice by scripts/build-wasm.mjs: with
// relaxed SIMD enabled, `relaxed_madd` (a fused multiply-add where the host has one: vfmadd on
// x86 with FMA3, as PyTorch's BLAS uses); without it, a separate multiply and add. The loader
// (backend.ts) picks the relaxed build when WebAssembly.validate accepts it.
@inline function madd64(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(f64x2.mul(a, b), c);
}
@inline function madd32(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Store the first `count` (1..4) lanes of lo|hi at p (row of C). */
@inline function store4(p: usize, lo: v128, hi: v128, count: i32, accumulate: bool): void {
  if (accumulate) {
    if (count == 4) {
      v128.store(p, f64x2.add(v128.load(p), lo));
      v128.store(p, f64x2.add(v128.load(p, 16), hi), 16);
      return;
    }
    store<f64>(p, load<f64>(p) + f64x2.extract_lane(lo, 0));
    if (count > 1) store<f64>(p, load<f64>(p, 8) + f64x2.extract_lane(lo, 1), 8);
    if (count > 2) store<f64>(p, load<f64>(p, 16) + f64x2.extract_lane(hi, 0), 16);
    return;
  }
  if (count == 4) {
    v128.store(p, lo);
    v128.store(p, hi, 16);
    return;
  }
  store<f64>(p, f64x2.extract_lane(lo, 0));
  if (count > 1) store<f64>(p, f64x2.extract_lane(lo, 1), 8);
  if (count > 2) store<f64>(p, f64x2.extract_lane(hi, 0), 16);
}

/** Four rows of A (a0, stride aStride bytes) against one panel w: C rows at c0. */
@inline function block4(depth: i32, a0: usize, aStride: usize, w: usize, c0: usize, cStride: usize, bias: usize, count: i32, accumulate: bool): void {
  const a1 = a0 + aStride, a2 = a1 + aStride, a3 = a2 + aStride;
  let s0l = f64x2.splat(0), s0h = f64x2.splat(0), s1l = f64x2.splat(0), s1h = f64x2.splat(0);
  let s2l = f64x2.splat(0), s2h = f64x2.splat(0), s3l = f64x2.splat(0), s3h = f64x2.splat(0);
  for (let k = 0; k < depth; k++) {
    const wl = v128.load(w), wh = v128.load(w, 16);
    const kb = <usize>k << 3;
    let x = v128.load64_splat(a0 + kb);
    s0l = madd64(x, wl, s0l); s0h = madd64(x, wh, s0h);
    x = v128.load64_splat(a1 + kb);
    s1l = madd64(x, wl, s1l); s1h = madd64(x, wh, s1h);
    x = v128.load64_splat(a2 + kb);
    s2l = madd64(x, wl, s2l); s2h = madd64(x, wh, s2h);
    x = v128.load64_splat(a3 + kb);
    s3l = madd64(x, wl, s3l); s3h = madd64(x, wh, s3h);
    w += 32;
  }
  if (bias != 0) {
    const bl = v128.load(bias), bh = v128.load(bias, 16);
    s0l = f64x2.add(s0l, bl); s0h = f64x2.add(s0h, bh);
    s1l = f64x2.add(s1l, bl); s1h = f64x2.add(s1h, bh);
    s2l = f64x2.add(s2l, bl); s2h = f64x2.add(s2h, bh);
    s3l = f64x2.add(s3l, bl); s3h = f64x2.add(s3h, bh);
  }
  store4(c0, s0l, s0h, count, accumulate);
  store4(c0 + cStride, s1l, s1h, count, accumulate);
  store4(c0 + 2 * cStride, s2l, s2h, count, accumulate);
  store4(c0 + 3 * cStride, s3l, s3h, count, accumulate);
}

/** One row of A against one panel. */
@inline function block1(depth: i32, a0: usize, w: usize, c0: usize, bias: usize, count: i32, accumulate: bool): void {
  let s0l = f64x2.splat(0), s0h = f64x2.splat(0), s1l = f64x2.splat(0), s1h = f64x2.splat(0);
  let k = 0;
  // two interleaved chains per lane pair (even / odd k) to hide the add latency
  for (; k + 1 < depth; k += 2) {
    const kb = <usize>k << 3;
    const x0 = v128.load64_splat(a0 + kb), x1 = v128.load64_splat(a0 + kb, 8);
    s0l = madd64(x0, v128.load(w), s0l); s0h = madd64(x0, v128.load(w, 16), s0h);
    s1l = madd64(x1, v128.load(w, 32), s1l); s1h = madd64(x1, v128.load(w, 48), s1h);
    w += 64;
  }
  if (k < depth) {
    const x0 = v128.load64_splat(a0 + (<usize>k << 3));
    s0l = madd64(x0, v128.load(w), s0l); s0h = madd64(x0, v128.load(w, 16), s0h);
  }
  s0l = f64x2.add(s0l, s1l); s0h = f64x2.add(s0h, s1h);
  if (bias != 0) {
    s0l = f64x2.add(s0l, v128.load(bias)); s0h = f64x2.add(s0h, v128.load(bias, 16));
  }
  store4(c0, s0l, s0h, count, accumulate);
}

/** Rows of A per cache block: a block of A (ROWS_PER_BLOCK x depth) stays in L2 while every panel passes over it. */
const ROWS_PER_BLOCK = 64;

/**
 * C[m, n] (=|+=) sum_k A[m, k] * W[n, k] (+ bias[n]) for m < rows, n < cols, k < depth.
 * a: A's first row, lda its row stride (elements); wp: packed W; c: C's first row, ldc its
 * row stride; bias: 0 for none, else a pointer to cols values (padded to a multiple of 4).
 * Loop order: row blocks of 64, then panels (a panel, depth x 4, stays in L1 while the
 * block's rows pass over it), then 4 rows at a time.
 */
export function gemm(rows: i32, cols: i32, depth: i32, a: usize, lda: i32, wp: usize, c: usize, ldc: i32, bias: usize, accumulate: bool): void {
  const panels = (cols + 3) >> 2;
  const panelBytes = <usize>depth << 5;
  const aStride = <usize>lda << 3;
  const cStride = <usize>ldc << 3;
  for (let m0 = 0; m0 < rows; m0 += ROWS_PER_BLOCK) {
    const mEnd = min(rows, m0 + ROWS_PER_BLOCK);
    for (let p = 0; p < panels; p++) {
      const w = wp + <usize>p * panelBytes;
      const b = bias != 0 ? bias + (<usize>p << 5) : 0;
      const count = min(4, cols - (p << 2));
      const cp = c + (<usize>p << 5);
      let m = m0;
      for (; m + 3 < mEnd; m += 4) {
        block4(depth, a + <usize>m * aStride, aStride, w, cp + <usize>m * cStride, cStride, b, count, accumulate);
      }
      for (; m < mEnd; m++) {
        block1(depth, a + <usize>m * aStride, w, cp + <usize>m * cStride, b, count, accumulate);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Element-wise math, two lanes at a time. exp: x = n ln2 + r with |r| <= ln2/2, e^r by its
// Taylor series to r^13/13! (truncation < 2e-16 relative), times 2^n built from the exponent
// bits. x is clamped to [-708, 709] (e^x stays a normal double; sigmoid and tanh saturate long
// before), NaN stays NaN. tanh(x) = sign(x) (1 - 2 / (e^{2|x|} + 1)): absolute error ~1e-16.

const LOG2E: f64 = 1.4426950408889634;
const LN2_HI: f64 = 0.6931471803691238;
const LN2_LO: f64 = 1.9082149292705877e-10;
/** 1.5 * 2^52: adding it rounds a double of magnitude < 2^51 to an integer (ties to even). */
const ROUND64: f64 = 6755399441055744.0;
const ROUND64_BITS: i64 = 0x4338000000000000;

@inline function expV(x: v128): v128 {
  // pmin/pmax: one instruction each (min/max carry NaN rules V8 spells out in several); a NaN
  // x passes through both and stays NaN.
  x = f64x2.pmax(f64x2.pmin(x, f64x2.splat(709.0)), f64x2.splat(-708.0));
  // n = round(x log2 e) by the 1.5 * 2^52 trick: the sum's low bits are n as an integer, which
  // spares the float -> int conversion (a long sequence in V8).
  const k = f64x2.add(f64x2.mul(x, f64x2.splat(LOG2E)), f64x2.splat(ROUND64));
  const n = f64x2.sub(k, f64x2.splat(ROUND64));
  let r = f64x2.sub(x, f64x2.mul(n, f64x2.splat(LN2_HI)));
  r = f64x2.sub(r, f64x2.mul(n, f64x2.splat(LN2_LO)));
  let p = f64x2.splat(1.0 / 6227020800.0);
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 479001600.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 39916800.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 3628800.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 362880.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 40320.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 5040.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 720.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 120.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 24.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 6.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(0.5));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  // 2^n: (n + 1023) << 52 as the bits of a double (n in [-1022, 1023] after the clamp);
  // k's bits are those of 1.5 * 2^52 plus n.
  const scale = i64x2.shl(i64x2.sub(k, i64x2.splat(ROUND64_BITS - 1023)), 52);
  return f64x2.mul(p, scale);
}

@inline function sigmoidV(x: v128): v128 {
  const one = f64x2.splat(1.0);
  return f64x2.div(one, f64x2.add(one, expV(f64x2.neg(x))));
}

@inline function tanhV(x: v128): v128 {
  const one = f64x2.splat(1.0);
  const e = expV(f64x2.add(f64x2.abs(x), f64x2.abs(x)));
  const t = f64x2.sub(one, f64x2.div(f64x2.splat(2.0), f64x2.add(e, one)));
  // copy the sign of x onto t (t >= 0)
  const signBit = i64x2.splat(0x8000000000000000);
  return v128.or(t, v128.and(x, signBit));
}

@inline function sigmoid(x: f64): f64 {
  return f64x2.extract_lane(sigmoidV(f64x2.splat(x)), 0);
}

@inline function tanh(x: f64): f64 {
  return f64x2.extract_lane(tanhV(f64x2.splat(x)), 0);
}

/** torch.nn.RNN step: h = act(ih + hh); rows of ih/hh have stride H, h has stride hStride. */
export function rnnStep(batch: i32, H: i32, relu: bool, ih: usize, hh: usize, h: usize, hStride: i32): void {
  for (let b = 0; b < batch; b++) {
    const x = ih + (<usize>(b * H) << 3), y = hh + (<usize>(b * H) << 3), o = h + (<usize>(b * hStride) << 3);
    let j = 0;
    if (!relu) {
      for (; j + 1 < H; j += 2) {
        const jb = <usize>j << 3;
        v128.store(o + jb, tanhV(f64x2.add(v128.load(x + jb), v128.load(y + jb))));
      }
    }
    for (; j < H; j++) {
      const jb = <usize>j << 3;
      const pre = load<f64>(x + jb) + load<f64>(y + jb);
      store<f64>(o + jb, relu ? (pre > 0 ? pre : 0) : tanh(pre));
    }
  }
}

/**
 * torch.nn.LSTM step (gates i f g o): c = f*cPrev + i*g, h = o*tanh(c). Rows: ih/hh stride 4H,
 * cPrev/cOut stride H (cOut may alias cPrev), h stride hStride.
 */
export function lstmStep(batch: i32, H: i32, ih: usize, hh: usize, cPrev: usize, cOut: usize, h: usize, hStride: i32): void {
  const G = 4 * H;
  const hb = <usize>H << 3;
  for (let b = 0; b < batch; b++) {
    const x = ih + (<usize>(b * G) << 3), y = hh + (<usize>(b * G) << 3);
    const cp = cPrev + (<usize>(b * H) << 3), co = cOut + (<usize>(b * H) << 3), o = h + (<usize>(b * hStride) << 3);
    let j = 0;
    for (; j + 1 < H; j += 2) {
      const jb = <usize>j << 3;
      const inputGate = sigmoidV(f64x2.add(v128.load(x + jb), v128.load(y + jb)));
      const forgetGate = sigmoidV(f64x2.add(v128.load(x + hb + jb), v128.load(y + hb + jb)));
      const cellCandidate = tanhV(f64x2.add(v128.load(x + 2 * hb + jb), v128.load(y + 2 * hb + jb)));
      const outputGate = sigmoidV(f64x2.add(v128.load(x + 3 * hb + jb), v128.load(y + 3 * hb + jb)));
      const c = f64x2.add(f64x2.mul(forgetGate, v128.load(cp + jb)), f64x2.mul(inputGate, cellCandidate));
      v128.store(co + jb, c);
      v128.store(o + jb, f64x2.mul(outputGate, tanhV(c)));
    }
    for (; j < H; j++) {
      const jb = <usize>j << 3;
      const inputGate = sigmoid(load<f64>(x + jb) + load<f64>(y + jb));
      const forgetGate = sigmoid(load<f64>(x + hb + jb) + load<f64>(y + hb + jb));
      const cellCandidate = tanh(load<f64>(x + 2 * hb + jb) + load<f64>(y + 2 * hb + jb));
      const outputGate = sigmoid(load<f64>(x + 3 * hb + jb) + load<f64>(y + 3 * hb + jb));
      const c = forgetGate * load<f64>(cp + jb) + inputGate * cellCandidate;
      store<f64>(co + jb, c);
      store<f64>(o + jb, outputGate * tanh(c));
    }
  }
}

/** torch.nn.GRU step (gates r z n; b_hn inside r * (...) as PyTorch). hPrev rows stride hPrevStride. */
export function gruStep(batch: i32, H: i32, ih: usize, hh: usize, hPrev: usize, hPrevStride: i32, h: usize, hStride: i32): void {
  const G = 3 * H;
  const hb = <usize>H << 3;
  for (let b = 0; b < batch; b++) {
    const x = ih + (<usize>(b * G) << 3), y = hh + (<usize>(b * G) << 3);
    const hp = hPrev + (<usize>(b * hPrevStride) << 3), o = h + (<usize>(b * hStride) << 3);
    let j = 0;
    for (; j + 1 < H; j += 2) {
      const jb = <usize>j << 3;
      const resetGate = sigmoidV(f64x2.add(v128.load(x + jb), v128.load(y + jb)));
      const updateGate = sigmoidV(f64x2.add(v128.load(x + hb + jb), v128.load(y + hb + jb)));
      const newGate = tanhV(f64x2.add(v128.load(x + 2 * hb + jb), f64x2.mul(resetGate, v128.load(y + 2 * hb + jb))));
      const one = f64x2.splat(1.0);
      v128.store(o + jb, f64x2.add(f64x2.mul(f64x2.sub(one, updateGate), newGate), f64x2.mul(updateGate, v128.load(hp + jb))));
    }
    for (; j < H; j++) {
      const jb = <usize>j << 3;
      const resetGate = sigmoid(load<f64>(x + jb) + load<f64>(y + jb));
      const updateGate = sigmoid(load<f64>(x + hb + jb) + load<f64>(y + hb + jb));
      const newGate = tanh(load<f64>(x + 2 * hb + jb) + resetGate * load<f64>(y + 2 * hb + jb));
      store<f64>(o + jb, (1 - updateGate) * newGate + updateGate * load<f64>(hp + jb));
    }
  }
}

/**
 * The whole recurrence of one layer and direction (the loop of unroll.ts, in one call):
 * for each step, hh = h_{t-1} W_hh^T + b_hh, then the cell. cell: 0 RNN, 1 LSTM, 2 GRU.
 * ih: (L, N, G) input projections; out: this direction's first element of the (L, N, DH)
 * output; h0 (N x Hout rows, stride Hout), c0 (N x H): initial states; c: the running cell
 * state (N x H, ends as c_n); m: o * tanh(c) scratch when P > 0 (then h_t = m W_hr^T).
 */
export function recurrence(
  cell: i32, relu: bool, L: i32, N: i32, H: i32, P: i32, DH: i32, reverse: bool,
  ih: usize, hh: usize, h0: usize, c0: usize, out: usize, c: usize, m: usize,
  wHh: usize, bHh: usize, wHr: usize,
): void {
  const G = cell == 1 ? 4 * H : cell == 2 ? 3 * H : H;
  const Hout = P > 0 ? P : H;
  const stepOut = <usize>(N * DH) << 3;
  for (let s = 0; s < L; s++) {
    const t = reverse ? L - 1 - s : s;
    const first = s == 0;
    const hp = first ? h0 : out + <usize>(reverse ? t + 1 : t - 1) * stepOut;
    const hpStride = first ? Hout : DH;
    const ihT = ih + (<usize>(t * N * G) << 3);
    const hOut = out + <usize>t * stepOut;
    gemm(N, G, Hout, hp, hpStride, wHh, hh, G, bHh, false);
    if (cell == 1) {
      const cp = first ? c0 : c;
      if (P > 0) {
        lstmStep(N, H, ihT, hh, cp, c, m, H);
        gemm(N, P, H, m, H, wHr, hOut, DH, 0, false);
      } else {
        lstmStep(N, H, ihT, hh, cp, c, hOut, DH);
      }
    } else if (cell == 2) {
      gruStep(N, H, ihT, hh, hp, hpStride, hOut, DH);
    } else {
      rnnStep(N, H, relu, ihT, hh, hOut, DH);
    }
  }
}

// =============================================================================================
// Training tape (float64): the recorded forward and backward through time of unroll.ts's
// WebAssembly path (tape.ts drives them). The forward keeps, per step, what backward needs
// (activated gates, cell states, GRU's hh, o * tanh(c) before a projection); backward walks
// the steps in reverse with the recurrent product dh = dHh W_hh on packed W_hh^T, and leaves
// the weight gradients to single products over all steps (packed with packPanelsT, the other
// operand transposed with `transpose`). Every buffer is float64, seq-first, in this memory.

/**
 * Pack W (cols x depth) for gemm, W[n, k] = src[n * ld + k] (PyTorch's row-major weights):
 * panels of 4 columns, zero-padded past cols (same layout as backend.ts packWeights).
 */
export function packPanels(cols: i32, depth: i32, src: usize, ld: i32, dst: usize): void {
  const panels = (cols + 3) >> 2;
  let o = dst;
  for (let p = 0; p < panels; p++) {
    const n0 = p << 2;
    const count = min(4, cols - n0);
    const r0 = src + (<usize>(n0 * ld) << 3);
    const stride = <usize>ld << 3;
    for (let k = 0; k < depth; k++) {
      const kb = <usize>k << 3;
      store<f64>(o, load<f64>(r0 + kb));
      store<f64>(o, count > 1 ? load<f64>(r0 + stride + kb) : 0, 8);
      store<f64>(o, count > 2 ? load<f64>(r0 + 2 * stride + kb) : 0, 16);
      store<f64>(o, count > 3 ? load<f64>(r0 + 3 * stride + kb) : 0, 24);
      o += 32;
    }
  }
}

/**
 * Pack W (cols x depth) for gemm from its transpose: W[n, k] = src[(k - k0) * ld + n], for the
 * depth positions k0 .. k0 + count - 1 only (a tape whose rows come from two places is packed
 * in two calls). A row of src gives 4 contiguous values per panel.
 */
export function packPanelsT(cols: i32, depth: i32, k0: i32, count: i32, src: usize, ld: i32, dst: usize): void {
  const panels = (cols + 3) >> 2;
  const panelBytes = <usize>depth << 5;
  const stride = <usize>ld << 3;
  for (let p = 0; p < panels; p++) {
    const n0 = p << 2;
    const full = n0 + 4 <= cols;
    let o = dst + <usize>p * panelBytes + (<usize>k0 << 5);
    let s = src + (<usize>n0 << 3);
    for (let k = 0; k < count; k++) {
      if (full) {
        v128.store(o, v128.load(s));
        v128.store(o, v128.load(s, 16), 16);
      } else {
        for (let j = 0; j < 4; j++) store<f64>(o + (<usize>j << 3), n0 + j < cols ? load<f64>(s + (<usize>j << 3)) : 0);
      }
      o += 32;
      s += stride;
    }
  }
}

/** dst[j * ldd + i] = src[i * lds + j] for i < rows, j < cols (blocks of 8 rows). */
export function transpose(rows: i32, cols: i32, src: usize, lds: i32, dst: usize, ldd: i32): void {
  for (let i0 = 0; i0 < rows; i0 += 8) {
    const iEnd = min(rows, i0 + 8);
    for (let j = 0; j < cols; j++) {
      const d = dst + (<usize>(j * ldd) << 3);
      for (let i = i0; i < iEnd; i++) store<f64>(d + (<usize>i << 3), load<f64>(src + (<usize>(i * lds + j) << 3)));
    }
  }
}

/** out[j] (=|+=) sum over r < rows of src[r * ld + j], j < cols. */
export function columnSums(rows: i32, cols: i32, src: usize, ld: i32, out: usize, accumulate: bool): void {
  if (!accumulate) memory.fill(out, 0, <usize>cols << 3);
  for (let r = 0; r < rows; r++) {
    const s = src + (<usize>(r * ld) << 3);
    let j = 0;
    for (; j + 1 < cols; j += 2) {
      const jb = <usize>j << 3;
      v128.store(out + jb, f64x2.add(v128.load(out + jb), v128.load(s + jb)));
    }
    for (; j < cols; j++) store<f64>(out + (<usize>j << 3), load<f64>(out + (<usize>j << 3)) + load<f64>(s + (<usize>j << 3)));
  }
}

/** lstmStep that also stores the activated gates (i f g o, N x 4H) at `gates`. */
function lstmStepTape(batch: i32, H: i32, ih: usize, hh: usize, cPrev: usize, cOut: usize, h: usize, hStride: i32, gates: usize): void {
  const G = 4 * H;
  const hb = <usize>H << 3;
  for (let b = 0; b < batch; b++) {
    const x = ih + (<usize>(b * G) << 3), y = hh + (<usize>(b * G) << 3), q = gates + (<usize>(b * G) << 3);
    const cp = cPrev + (<usize>(b * H) << 3), co = cOut + (<usize>(b * H) << 3), o = h + (<usize>(b * hStride) << 3);
    let j = 0;
    for (; j + 1 < H; j += 2) {
      const jb = <usize>j << 3;
      const inputGate = sigmoidV(f64x2.add(v128.load(x + jb), v128.load(y + jb)));
      const forgetGate = sigmoidV(f64x2.add(v128.load(x + hb + jb), v128.load(y + hb + jb)));
      const cellCandidate = tanhV(f64x2.add(v128.load(x + 2 * hb + jb), v128.load(y + 2 * hb + jb)));
      const outputGate = sigmoidV(f64x2.add(v128.load(x + 3 * hb + jb), v128.load(y + 3 * hb + jb)));
      v128.store(q + jb, inputGate);
      v128.store(q + hb + jb, forgetGate);
      v128.store(q + 2 * hb + jb, cellCandidate);
      v128.store(q + 3 * hb + jb, outputGate);
      const c = f64x2.add(f64x2.mul(forgetGate, v128.load(cp + jb)), f64x2.mul(inputGate, cellCandidate));
      v128.store(co + jb, c);
      v128.store(o + jb, f64x2.mul(outputGate, tanhV(c)));
    }
    for (; j < H; j++) {
      const jb = <usize>j << 3;
      const inputGate = sigmoid(load<f64>(x + jb) + load<f64>(y + jb));
      const forgetGate = sigmoid(load<f64>(x + hb + jb) + load<f64>(y + hb + jb));
      const cellCandidate = tanh(load<f64>(x + 2 * hb + jb) + load<f64>(y + 2 * hb + jb));
      const outputGate = sigmoid(load<f64>(x + 3 * hb + jb) + load<f64>(y + 3 * hb + jb));
      store<f64>(q + jb, inputGate);
      store<f64>(q + hb + jb, forgetGate);
      store<f64>(q + 2 * hb + jb, cellCandidate);
      store<f64>(q + 3 * hb + jb, outputGate);
      const c = forgetGate * load<f64>(cp + jb) + inputGate * cellCandidate;
      store<f64>(co + jb, c);
      store<f64>(o + jb, outputGate * tanh(c));
    }
  }
}

/** gruStep that also stores the activated gates (r z n, N x 3H) at `gates`. */
function gruStepTape(batch: i32, H: i32, ih: usize, hh: usize, hPrev: usize, hPrevStride: i32, h: usize, hStride: i32, gates: usize): void {
  const G = 3 * H;
  const hb = <usize>H << 3;
  for (let b = 0; b < batch; b++) {
    const x = ih + (<usize>(b * G) << 3), y = hh + (<usize>(b * G) << 3), q = gates + (<usize>(b * G) << 3);
    const hp = hPrev + (<usize>(b * hPrevStride) << 3), o = h + (<usize>(b * hStride) << 3);
    let j = 0;
    for (; j + 1 < H; j += 2) {
      const jb = <usize>j << 3;
      const resetGate = sigmoidV(f64x2.add(v128.load(x + jb), v128.load(y + jb)));
      const updateGate = sigmoidV(f64x2.add(v128.load(x + hb + jb), v128.load(y + hb + jb)));
      const newGate = tanhV(f64x2.add(v128.load(x + 2 * hb + jb), f64x2.mul(resetGate, v128.load(y + 2 * hb + jb))));
      v128.store(q + jb, resetGate);
      v128.store(q + hb + jb, updateGate);
      v128.store(q + 2 * hb + jb, newGate);
      const one = f64x2.splat(1.0);
      v128.store(o + jb, f64x2.add(f64x2.mul(f64x2.sub(one, updateGate), newGate), f64x2.mul(updateGate, v128.load(hp + jb))));
    }
    for (; j < H; j++) {
      const jb = <usize>j << 3;
      const resetGate = sigmoid(load<f64>(x + jb) + load<f64>(y + jb));
      const updateGate = sigmoid(load<f64>(x + hb + jb) + load<f64>(y + hb + jb));
      const newGate = tanh(load<f64>(x + 2 * hb + jb) + resetGate * load<f64>(y + 2 * hb + jb));
      store<f64>(q + jb, resetGate);
      store<f64>(q + hb + jb, updateGate);
      store<f64>(q + 2 * hb + jb, newGate);
      store<f64>(o + jb, (1 - updateGate) * newGate + updateGate * load<f64>(hp + jb));
    }
  }
}

/**
 * `recurrence` keeping a tape for backward (and the trace). hh: (L, N, G) when hhAll (trace,
 * GRU), else N x G scratch; gates: (L, N, G) activated gates (LSTM, GRU); c: (L, N, H) cell
 * states (LSTM); m: (L, N, H) o * tanh(c) (LSTM with P > 0). Other arguments as `recurrence`.
 */
export function recurrenceTape(
  cell: i32, relu: bool, L: i32, N: i32, H: i32, P: i32, DH: i32, reverse: bool,
  ih: usize, hh: usize, hhAll: bool, h0: usize, c0: usize, out: usize, c: usize, m: usize, gates: usize,
  wHh: usize, bHh: usize, wHr: usize,
): void {
  const G = cell == 1 ? 4 * H : cell == 2 ? 3 * H : H;
  const Hout = P > 0 ? P : H;
  const stepOut = <usize>(N * DH) << 3;
  const stepG = <usize>(N * G) << 3;
  const stepH = <usize>(N * H) << 3;
  for (let s = 0; s < L; s++) {
    const t = reverse ? L - 1 - s : s;
    const prevT = reverse ? t + 1 : t - 1;
    const first = s == 0;
    const hp = first ? h0 : out + <usize>prevT * stepOut;
    const hpStride = first ? Hout : DH;
    const ihT = ih + <usize>t * stepG;
    const hhT = hhAll ? hh + <usize>t * stepG : hh;
    const hOut = out + <usize>t * stepOut;
    gemm(N, G, Hout, hp, hpStride, wHh, hhT, G, bHh, false);
    if (cell == 1) {
      const cp = first ? c0 : c + <usize>prevT * stepH;
      const cT = c + <usize>t * stepH;
      if (P > 0) {
        const mT = m + <usize>t * stepH;
        lstmStepTape(N, H, ihT, hhT, cp, cT, mT, H, gates + <usize>t * stepG);
        gemm(N, P, H, mT, H, wHr, hOut, DH, 0, false);
      } else {
        lstmStepTape(N, H, ihT, hhT, cp, cT, hOut, DH, gates + <usize>t * stepG);
      }
    } else if (cell == 2) {
      gruStepTape(N, H, ihT, hhT, hp, hpStride, hOut, DH, gates + <usize>t * stepG);
    } else {
      rnnStep(N, H, relu, ihT, hhT, hOut, DH);
    }
  }
}

/**
 * Backward through time of one layer and direction, from a `recurrenceTape` run.
 * dOut: dL/d(this direction's output) (rows stride DH, first element of the direction);
 * out, h0, c0, c, gates, hh: the tape; dh (N x Hout) holds dL/dh_n on entry and dL/dh_0 on
 * return, dC (N x H) likewise dL/dc_n -> dL/dc_0 (LSTM). Writes dPre (L, N, G) = dL/d(ih)
 * and, for a GRU, dHh (L, N, G) = dL/d(hh) (dHh == dPre otherwise); dhTape (L, N, P):
 * dL/dh_t for dW_hr (P > 0); norms (L): |dL/dh_t| per step (the view's gradient norms).
 * Scratch: dhTotal (N x Hout), dM (N x H), dHPrev (N x H). wHhT: W_hh^T packed (Hout
 * columns, depth G); wHrT: W_hr^T packed (H columns, depth P).
 */
export function recurrenceBackward(
  cell: i32, relu: bool, L: i32, N: i32, H: i32, P: i32, DH: i32, reverse: bool,
  dOut: usize, out: usize, h0: usize, c0: usize, c: usize, gates: usize, hh: usize,
  dh: usize, dC: usize, dPre: usize, dHh: usize, dhTape: usize, norms: usize,
  dhTotal: usize, dM: usize, dHPrev: usize, wHhT: usize, wHrT: usize,
): void {
  const G = cell == 1 ? 4 * H : cell == 2 ? 3 * H : H;
  const Hout = P > 0 ? P : H;
  const stepOut = <usize>(N * DH) << 3;
  const stepG = <usize>(N * G) << 3;
  const stepH = <usize>(N * H) << 3;
  const hb = <usize>H << 3;
  for (let s = L - 1; s >= 0; s--) {
    const t = reverse ? L - 1 - s : s;
    const prevT = reverse ? t + 1 : t - 1;
    const first = s == 0;
    // dL/dh_t: through the recurrence (dh) and from the output.
    let sq = f64x2.splat(0);
    let sq1: f64 = 0;
    for (let b = 0; b < N; b++) {
      const src = dOut + <usize>t * stepOut + (<usize>(b * DH) << 3);
      const acc = dh + (<usize>(b * Hout) << 3);
      const dst = dhTotal + (<usize>(b * Hout) << 3);
      let j = 0;
      for (; j + 1 < Hout; j += 2) {
        const jb = <usize>j << 3;
        const v = f64x2.add(v128.load(acc + jb), v128.load(src + jb));
        v128.store(dst + jb, v);
        sq = f64x2.add(sq, f64x2.mul(v, v));
      }
      for (; j < Hout; j++) {
        const jb = <usize>j << 3;
        const v = load<f64>(acc + jb) + load<f64>(src + jb);
        store<f64>(dst + jb, v);
        sq1 += v * v;
      }
    }
    store<f64>(norms + (<usize>t << 3), Math.sqrt(f64x2.extract_lane(sq, 0) + f64x2.extract_lane(sq, 1) + sq1));

    const hp = first ? h0 : out + <usize>prevT * stepOut;
    const hpStride = first ? Hout : DH;
    const pre = dPre + <usize>t * stepG;
    const q0 = gates + <usize>t * stepG;
    if (cell == 0) {
      const hT = out + <usize>t * stepOut;
      for (let b = 0; b < N; b++) {
        const hr = hT + (<usize>(b * DH) << 3), dr = dhTotal + (<usize>(b * H) << 3), pr = pre + (<usize>(b * H) << 3);
        for (let j = 0; j < H; j++) {
          const jb = <usize>j << 3;
          const hj = load<f64>(hr + jb);
          const d = load<f64>(dr + jb);
          store<f64>(pr + jb, relu ? (hj > 0 ? d : 0) : d * (1 - hj * hj));
        }
      }
    } else if (cell == 1) {
      let dm = dhTotal;
      if (P > 0) {
        memory.copy(dhTape + (<usize>(t * N * P) << 3), dhTotal, <usize>(N * P) << 3);
        gemm(N, H, P, dhTotal, P, wHrT, dM, H, 0, false);
        dm = dM;
      }
      const cp0 = first ? c0 : c + <usize>prevT * stepH;
      const cn0 = c + <usize>t * stepH;
      const one = f64x2.splat(1.0);
      for (let b = 0; b < N; b++) {
        const q = q0 + (<usize>(b * G) << 3), pr = pre + (<usize>(b * G) << 3);
        const rowH = <usize>(b * H) << 3;
        const cp = cp0 + rowH, cn = cn0 + rowH, dmr = dm + rowH, dcr = dC + rowH;
        let j = 0;
        for (; j + 1 < H; j += 2) {
          const jb = <usize>j << 3;
          const inputGate = v128.load(q + jb);
          const forgetGate = v128.load(q + hb + jb);
          const cellCandidate = v128.load(q + 2 * hb + jb);
          const outputGate = v128.load(q + 3 * hb + jb);
          const tanhC = tanhV(v128.load(cn + jb));
          const d = v128.load(dmr + jb);
          const dc = f64x2.add(v128.load(dcr + jb), f64x2.mul(f64x2.mul(d, outputGate), f64x2.sub(one, f64x2.mul(tanhC, tanhC))));
          v128.store(pr + jb, f64x2.mul(f64x2.mul(f64x2.mul(dc, cellCandidate), inputGate), f64x2.sub(one, inputGate)));
          v128.store(pr + hb + jb, f64x2.mul(f64x2.mul(f64x2.mul(dc, v128.load(cp + jb)), forgetGate), f64x2.sub(one, forgetGate)));
          v128.store(pr + 2 * hb + jb, f64x2.mul(f64x2.mul(dc, inputGate), f64x2.sub(one, f64x2.mul(cellCandidate, cellCandidate))));
          v128.store(pr + 3 * hb + jb, f64x2.mul(f64x2.mul(f64x2.mul(d, tanhC), outputGate), f64x2.sub(one, outputGate)));
          v128.store(dcr + jb, f64x2.mul(dc, forgetGate));
        }
        for (; j < H; j++) {
          const jb = <usize>j << 3;
          const inputGate = load<f64>(q + jb);
          const forgetGate = load<f64>(q + hb + jb);
          const cellCandidate = load<f64>(q + 2 * hb + jb);
          const outputGate = load<f64>(q + 3 * hb + jb);
          const tanhC = tanh(load<f64>(cn + jb));
          const d = load<f64>(dmr + jb);
          const dc = load<f64>(dcr + jb) + d * outputGate * (1 - tanhC * tanhC);
          store<f64>(pr + jb, dc * cellCandidate * inputGate * (1 - inputGate));
          store<f64>(pr + hb + jb, dc * load<f64>(cp + jb) * forgetGate * (1 - forgetGate));
          store<f64>(pr + 2 * hb + jb, dc * inputGate * (1 - cellCandidate * cellCandidate));
          store<f64>(pr + 3 * hb + jb, d * tanhC * outputGate * (1 - outputGate));
          store<f64>(dcr + jb, dc * forgetGate);
        }
      }
    } else {
      const hhT = hh + <usize>t * stepG;
      const dhhT = dHh + <usize>t * stepG;
      for (let b = 0; b < N; b++) {
        const q = q0 + (<usize>(b * G) << 3), y = hhT + (<usize>(b * G) << 3);
        const pr = pre + (<usize>(b * G) << 3), hr = dhhT + (<usize>(b * G) << 3);
        const hpr = hp + (<usize>(b * hpStride) << 3), dr = dhTotal + (<usize>(b * H) << 3), dpr = dHPrev + (<usize>(b * H) << 3);
        for (let j = 0; j < H; j++) {
          const jb = <usize>j << 3;
          const resetGate = load<f64>(q + jb);
          const updateGate = load<f64>(q + hb + jb);
          const newGate = load<f64>(q + 2 * hb + jb);
          const hPrev = load<f64>(hpr + jb);
          const d = load<f64>(dr + jb);
          const dNewPre = d * (1 - updateGate) * (1 - newGate * newGate);
          const dUpdatePre = d * (hPrev - newGate) * updateGate * (1 - updateGate);
          const dResetPre = dNewPre * load<f64>(y + 2 * hb + jb) * resetGate * (1 - resetGate);
          store<f64>(pr + jb, dResetPre);
          store<f64>(pr + hb + jb, dUpdatePre);
          store<f64>(pr + 2 * hb + jb, dNewPre);
          store<f64>(hr + jb, dResetPre);
          store<f64>(hr + hb + jb, dUpdatePre);
          store<f64>(hr + 2 * hb + jb, dNewPre * resetGate);
          store<f64>(dpr + jb, d * updateGate);
        }
      }
    }
    // dL/dh_{t-1} = dHh W_hh (+ the direct path z * h_{t-1} of a GRU).
    gemm(N, Hout, G, cell == 2 ? dHh + <usize>t * stepG : pre, G, wHhT, dh, Hout, 0, false);
    if (cell == 2) {
      for (let i = 0; i < N * H; i++) {
        const ib = <usize>i << 3;
        store<f64>(dh + ib, load<f64>(dh + ib) + load<f64>(dHPrev + ib));
      }
    }
  }
}

// =============================================================================================
// float32 kernels (f32x4), the `precision: 'float32'` option. Same structure as above, with
// PyTorch's CPU arithmetic: weights, activations, gates and sums all in float32 (the sums in
// a different order than PyTorch's BLAS, so results agree within float32 rounding, ~1e-6
// relative, not bit for bit).
//
// Packed weights: panels of 8 output columns: panel p holds, for k = 0..depth-1,
// W[8p..8p+7, k] (32 bytes, as the f64 panels), zero-padded past `cols`. Biases are padded to
// a multiple of 8. Every pointer is a byte pointer; element strides are in float32 elements.

/** Store the first `count` (1..8) lanes of lo|hi at p (row of C). */
@inline function store8F32(p: usize, lo: v128, hi: v128, count: i32): void {
  if (count == 8) {
    v128.store(p, lo);
    v128.store(p, hi, 16);
    return;
  }
  if (count >= 4) {
    v128.store(p, lo);
    if (count > 4) store<f32>(p, f32x4.extract_lane(hi, 0), 16);
    if (count > 5) store<f32>(p, f32x4.extract_lane(hi, 1), 20);
    if (count > 6) store<f32>(p, f32x4.extract_lane(hi, 2), 24);
    return;
  }
  store<f32>(p, f32x4.extract_lane(lo, 0));
  if (count > 1) store<f32>(p, f32x4.extract_lane(lo, 1), 4);
  if (count > 2) store<f32>(p, f32x4.extract_lane(lo, 2), 8);
}

/** Four rows of A against one 8-column panel (float32). */
@inline function block4F32(depth: i32, a0: usize, aStride: usize, w: usize, c0: usize, cStride: usize, bias: usize, count: i32): void {
  const a1 = a0 + aStride, a2 = a1 + aStride, a3 = a2 + aStride;
  let s0l = f32x4.splat(0), s0h = f32x4.splat(0), s1l = f32x4.splat(0), s1h = f32x4.splat(0);
  let s2l = f32x4.splat(0), s2h = f32x4.splat(0), s3l = f32x4.splat(0), s3h = f32x4.splat(0);
  for (let k = 0; k < depth; k++) {
    const wl = v128.load(w), wh = v128.load(w, 16);
    const kb = <usize>k << 2;
    let x = v128.load32_splat(a0 + kb);
    s0l = madd32(x, wl, s0l); s0h = madd32(x, wh, s0h);
    x = v128.load32_splat(a1 + kb);
    s1l = madd32(x, wl, s1l); s1h = madd32(x, wh, s1h);
    x = v128.load32_splat(a2 + kb);
    s2l = madd32(x, wl, s2l); s2h = madd32(x, wh, s2h);
    x = v128.load32_splat(a3 + kb);
    s3l = madd32(x, wl, s3l); s3h = madd32(x, wh, s3h);
    w += 32;
  }
  if (bias != 0) {
    const bl = v128.load(bias), bh = v128.load(bias, 16);
    s0l = f32x4.add(s0l, bl); s0h = f32x4.add(s0h, bh);
    s1l = f32x4.add(s1l, bl); s1h = f32x4.add(s1h, bh);
    s2l = f32x4.add(s2l, bl); s2h = f32x4.add(s2h, bh);
    s3l = f32x4.add(s3l, bl); s3h = f32x4.add(s3h, bh);
  }
  store8F32(c0, s0l, s0h, count);
  store8F32(c0 + cStride, s1l, s1h, count);
  store8F32(c0 + 2 * cStride, s2l, s2h, count);
  store8F32(c0 + 3 * cStride, s3l, s3h, count);
}

/** One row of A against one 8-column panel (float32), two chains (even / odd k). */
@inline function block1F32(depth: i32, a0: usize, w: usize, c0: usize, bias: usize, count: i32): void {
  let s0l = f32x4.splat(0), s0h = f32x4.splat(0), s1l = f32x4.splat(0), s1h = f32x4.splat(0);
  let k = 0;
  for (; k + 1 < depth; k += 2) {
    const kb = <usize>k << 2;
    const x0 = v128.load32_splat(a0 + kb), x1 = v128.load32_splat(a0 + kb, 4);
    s0l = madd32(x0, v128.load(w), s0l); s0h = madd32(x0, v128.load(w, 16), s0h);
    s1l = madd32(x1, v128.load(w, 32), s1l); s1h = madd32(x1, v128.load(w, 48), s1h);
    w += 64;
  }
  if (k < depth) {
    const x0 = v128.load32_splat(a0 + (<usize>k << 2));
    s0l = madd32(x0, v128.load(w), s0l); s0h = madd32(x0, v128.load(w, 16), s0h);
  }
  s0l = f32x4.add(s0l, s1l); s0h = f32x4.add(s0h, s1h);
  if (bias != 0) {
    s0l = f32x4.add(s0l, v128.load(bias)); s0h = f32x4.add(s0h, v128.load(bias, 16));
  }
  store8F32(c0, s0l, s0h, count);
}

/**
 * One row of A against two 8-column panels (w, w + panelBytes): 16 columns, four independent
 * sums (even / odd k) so the recurrent product of a single sequence (N = 1) is not bound by
 * the add latency. Both panels are full (count 8 each).
 */
@inline function block1x2F32(depth: i32, a0: usize, w: usize, panelBytes: usize, c0: usize, bias: usize): void {
  let s0l = f32x4.splat(0), s0h = f32x4.splat(0), s1l = f32x4.splat(0), s1h = f32x4.splat(0);
  let t0l = f32x4.splat(0), t0h = f32x4.splat(0), t1l = f32x4.splat(0), t1h = f32x4.splat(0);
  let v = w + panelBytes;
  let k = 0;
  for (; k + 1 < depth; k += 2) {
    const kb = <usize>k << 2;
    const x0 = v128.load32_splat(a0 + kb), x1 = v128.load32_splat(a0 + kb, 4);
    s0l = madd32(x0, v128.load(w), s0l); s0h = madd32(x0, v128.load(w, 16), s0h);
    t0l = madd32(x0, v128.load(v), t0l); t0h = madd32(x0, v128.load(v, 16), t0h);
    s1l = madd32(x1, v128.load(w, 32), s1l); s1h = madd32(x1, v128.load(w, 48), s1h);
    t1l = madd32(x1, v128.load(v, 32), t1l); t1h = madd32(x1, v128.load(v, 48), t1h);
    w += 64;
    v += 64;
  }
  if (k < depth) {
    const x0 = v128.load32_splat(a0 + (<usize>k << 2));
    s0l = madd32(x0, v128.load(w), s0l); s0h = madd32(x0, v128.load(w, 16), s0h);
    t0l = madd32(x0, v128.load(v), t0l); t0h = madd32(x0, v128.load(v, 16), t0h);
  }
  s0l = f32x4.add(s0l, s1l); s0h = f32x4.add(s0h, s1h);
  t0l = f32x4.add(t0l, t1l); t0h = f32x4.add(t0h, t1h);
  if (bias != 0) {
    s0l = f32x4.add(s0l, v128.load(bias)); s0h = f32x4.add(s0h, v128.load(bias, 16));
    t0l = f32x4.add(t0l, v128.load(bias, 32)); t0h = f32x4.add(t0h, v128.load(bias, 48));
  }
  v128.store(c0, s0l); v128.store(c0, s0h, 16);
  v128.store(c0, t0l, 32); v128.store(c0, t0h, 48);
}

/** Rows of A per cache block (float32 rows are half as wide). */
const ROWS_PER_BLOCK_F32 = 128;

/**
 * float32 C[m, n] = sum_k A[m, k] * W[n, k] (+ bias[n]); wp packed in 8-column panels.
 * lda / ldc in float32 elements.
 */
export function gemmF32(rows: i32, cols: i32, depth: i32, a: usize, lda: i32, wp: usize, c: usize, ldc: i32, bias: usize): void {
  const panels = (cols + 7) >> 3;
  const panelBytes = <usize>depth << 5;
  const aStride = <usize>lda << 2;
  const cStride = <usize>ldc << 2;
  for (let m0 = 0; m0 < rows; m0 += ROWS_PER_BLOCK_F32) {
    const mEnd = min(rows, m0 + ROWS_PER_BLOCK_F32);
    for (let p = 0; p < panels; p++) {
      const w = wp + <usize>p * panelBytes;
      const b = bias != 0 ? bias + (<usize>p << 5) : 0;
      const count = min(8, cols - (p << 3));
      const cp = c + (<usize>p << 5);
      for (let m = m0; m + 3 < mEnd; m += 4) {
        block4F32(depth, a + <usize>m * aStride, aStride, w, cp + <usize>m * cStride, cStride, b, count);
      }
    }
    // The rows left over (all of them when rows < 4): two full panels at a time.
    for (let m = m0 + ((mEnd - m0) & ~3); m < mEnd; m++) {
      const am = a + <usize>m * aStride, cm = c + <usize>m * cStride;
      let p = 0;
      for (; p + 1 < panels && (p + 2) << 3 <= cols; p += 2) {
        block1x2F32(depth, am, wp + <usize>p * panelBytes, panelBytes, cm + (<usize>p << 5), bias != 0 ? bias + (<usize>p << 5) : 0);
      }
      for (; p < panels; p++) {
        block1F32(depth, am, wp + <usize>p * panelBytes, cm + (<usize>p << 5), bias != 0 ? bias + (<usize>p << 5) : 0, min(8, cols - (p << 3)));
      }
    }
  }
}

// Element-wise float32 math, four lanes at a time. exp: x = n ln2 + r, |r| <= ln2/2, e^r by its
// Taylor series to r^7/7! (truncation < 3e-9 relative, below float32's 6e-8), times 2^n from
// the exponent bits; x clamped to [-87, 88] (e^x stays a normal float). The polynomial is
// evaluated in float32: about 1-2 ulp. tanh(x) = sign(x) (1 - 2 / (e^{2|x|} + 1)) for
// |x| >= 0.625, a polynomial below.

const LOG2E_F: f32 = 1.4426950408889634;
const LN2_HI_F: f32 = 0.693359375;
const LN2_LO_F: f32 = -2.12194440e-4;
/** 1.5 * 2^23: adding it rounds a float of magnitude < 2^22 to an integer (ties to even). */
const ROUND32: f32 = 12582912.0;
const ROUND32_BITS: i32 = 0x4b400000;

@inline function expF32V(x: v128): v128 {
  x = f32x4.pmax(f32x4.pmin(x, f32x4.splat(88.0)), f32x4.splat(-87.0));
  // n = round(x log2 e) by the 1.5 * 2^23 trick (see expV).
  const k = f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E_F)), f32x4.splat(ROUND32));
  const n = f32x4.sub(k, f32x4.splat(ROUND32));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI_F)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO_F)));
  let p = f32x4.splat(<f32>(1.0 / 5040.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 720.0)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 120.0)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 24.0)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 6.0)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>0.5));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>1.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>1.0));
  // 2^n: (n + 127) << 23 as the bits of a float (n in [-126, 127] after the clamp).
  const scale = i32x4.shl(i32x4.sub(k, i32x4.splat(ROUND32_BITS - 127)), 23);
  return f32x4.mul(p, scale);
}

@inline function sigmoidF32V(x: v128): v128 {
  const one = f32x4.splat(1.0);
  return f32x4.div(one, f32x4.add(one, expF32V(f32x4.neg(x))));
}

@inline function tanhF32V(x: v128): v128 {
  const one = f32x4.splat(1.0);
  const ax = f32x4.abs(x);
  const e = expF32V(f32x4.add(ax, ax));
  const t = f32x4.sub(one, f32x4.div(f32x4.splat(2.0), f32x4.add(e, one)));
  const big = v128.or(t, v128.and(x, i32x4.splat(0x80000000)));
  // |x| < 0.625: 1 - 2/(e+1) cancels (relative error grows as x -> 0), so Cephes tanhf's odd
  // polynomial instead: x + x^3 P(x^2), about 1 ulp.
  const z = f32x4.mul(x, x);
  let q = f32x4.splat(<f32>-5.70498872745e-3);
  q = f32x4.add(f32x4.mul(q, z), f32x4.splat(<f32>2.06390887954e-2));
  q = f32x4.add(f32x4.mul(q, z), f32x4.splat(<f32>-5.37397155531e-2));
  q = f32x4.add(f32x4.mul(q, z), f32x4.splat(<f32>1.33314422036e-1));
  q = f32x4.add(f32x4.mul(q, z), f32x4.splat(<f32>-3.33332819422e-1));
  const small = f32x4.add(f32x4.mul(f32x4.mul(q, z), x), x);
  return v128.bitselect(small, big, f32x4.lt(ax, f32x4.splat(<f32>0.625)));
}

@inline function sigmoidF32(x: f32): f32 {
  return f32x4.extract_lane(sigmoidF32V(f32x4.splat(x)), 0);
}

@inline function tanhF32(x: f32): f32 {
  return f32x4.extract_lane(tanhF32V(f32x4.splat(x)), 0);
}

/** float32 torch.nn.RNN step (as rnnStep). */
export function rnnStepF32(batch: i32, H: i32, relu: bool, ih: usize, hh: usize, h: usize, hStride: i32): void {
  for (let b = 0; b < batch; b++) {
    const x = ih + (<usize>(b * H) << 2), y = hh + (<usize>(b * H) << 2), o = h + (<usize>(b * hStride) << 2);
    let j = 0;
    for (; j + 3 < H; j += 4) {
      const jb = <usize>j << 2;
      const pre = f32x4.add(v128.load(x + jb), v128.load(y + jb));
      v128.store(o + jb, relu ? f32x4.max(pre, f32x4.splat(0)) : tanhF32V(pre));
    }
    for (; j < H; j++) {
      const jb = <usize>j << 2;
      const pre = load<f32>(x + jb) + load<f32>(y + jb);
      store<f32>(o + jb, relu ? (pre > 0 ? pre : 0) : tanhF32(pre));
    }
  }
}

/** float32 torch.nn.LSTM step (as lstmStep). */
export function lstmStepF32(batch: i32, H: i32, ih: usize, hh: usize, cPrev: usize, cOut: usize, h: usize, hStride: i32): void {
  const G = 4 * H;
  const hb = <usize>H << 2;
  for (let b = 0; b < batch; b++) {
    const x = ih + (<usize>(b * G) << 2), y = hh + (<usize>(b * G) << 2);
    const cp = cPrev + (<usize>(b * H) << 2), co = cOut + (<usize>(b * H) << 2), o = h + (<usize>(b * hStride) << 2);
    let j = 0;
    for (; j + 3 < H; j += 4) {
      const jb = <usize>j << 2;
      const inputGate = sigmoidF32V(f32x4.add(v128.load(x + jb), v128.load(y + jb)));
      const forgetGate = sigmoidF32V(f32x4.add(v128.load(x + hb + jb), v128.load(y + hb + jb)));
      const cellCandidate = tanhF32V(f32x4.add(v128.load(x + 2 * hb + jb), v128.load(y + 2 * hb + jb)));
      const outputGate = sigmoidF32V(f32x4.add(v128.load(x + 3 * hb + jb), v128.load(y + 3 * hb + jb)));
      const c = f32x4.add(f32x4.mul(forgetGate, v128.load(cp + jb)), f32x4.mul(inputGate, cellCandidate));
      v128.store(co + jb, c);
      v128.store(o + jb, f32x4.mul(outputGate, tanhF32V(c)));
    }
    for (; j < H; j++) {
      const jb = <usize>j << 2;
      const inputGate = sigmoidF32(load<f32>(x + jb) + load<f32>(y + jb));
      const forgetGate = sigmoidF32(load<f32>(x + hb + jb) + load<f32>(y + hb + jb));
      const cellCandidate = tanhF32(load<f32>(x + 2 * hb + jb) + load<f32>(y + 2 * hb + jb));
      const outputGate = sigmoidF32(load<f32>(x + 3 * hb + jb) + load<f32>(y + 3 * hb + jb));
      const c = forgetGate * load<f32>(cp + jb) + inputGate * cellCandidate;
      store<f32>(co + jb, c);
      store<f32>(o + jb, outputGate * tanhF32(c));
    }
  }
}

/** float32 torch.nn.GRU step (as gruStep). */
export function gruStepF32(batch: i32, H: i32, ih: usize, hh: usize, hPrev: usize, hPrevStride: i32, h: usize, hStride: i32): void {
  const G = 3 * H;
  const hb = <usize>H << 2;
  for (let b = 0; b < batch; b++) {
    const x = ih + (<usize>(b * G) << 2), y = hh + (<usize>(b * G) << 2);
    const hp = hPrev + (<usize>(b * hPrevStride) << 2), o = h + (<usize>(b * hStride) << 2);
    let j = 0;
    for (; j + 3 < H; j += 4) {
      const jb = <usize>j << 2;
      const resetGate = sigmoidF32V(f32x4.add(v128.load(x + jb), v128.load(y + jb)));
      const updateGate = sigmoidF32V(f32x4.add(v128.load(x + hb + jb), v128.load(y + hb + jb)));
      const newGate = tanhF32V(f32x4.add(v128.load(x + 2 * hb + jb), f32x4.mul(resetGate, v128.load(y + 2 * hb + jb))));
      const one = f32x4.splat(1.0);
      v128.store(o + jb, f32x4.add(f32x4.mul(f32x4.sub(one, updateGate), newGate), f32x4.mul(updateGate, v128.load(hp + jb))));
    }
    for (; j < H; j++) {
      const jb = <usize>j << 2;
      const resetGate = sigmoidF32(load<f32>(x + jb) + load<f32>(y + jb));
      const updateGate = sigmoidF32(load<f32>(x + hb + jb) + load<f32>(y + hb + jb));
      const newGate = tanhF32(load<f32>(x + 2 * hb + jb) + resetGate * load<f32>(y + 2 * hb + jb));
      store<f32>(o + jb, (1 - updateGate) * newGate + updateGate * load<f32>(hp + jb));
    }
  }
}

/** float32 `recurrence` (same arguments; every buffer float32, weights in 8-column panels). */
export function recurrenceF32(
  cell: i32, relu: bool, L: i32, N: i32, H: i32, P: i32, DH: i32, reverse: bool,
  ih: usize, hh: usize, h0: usize, c0: usize, out: usize, c: usize, m: usize,
  wHh: usize, bHh: usize, wHr: usize,
): void {
  const G = cell == 1 ? 4 * H : cell == 2 ? 3 * H : H;
  const Hout = P > 0 ? P : H;
  const stepOut = <usize>(N * DH) << 2;
  for (let s = 0; s < L; s++) {
    const t = reverse ? L - 1 - s : s;
    const first = s == 0;
    const hp = first ? h0 : out + <usize>(reverse ? t + 1 : t - 1) * stepOut;
    const hpStride = first ? Hout : DH;
    const ihT = ih + (<usize>(t * N * G) << 2);
    const hOut = out + <usize>t * stepOut;
    gemmF32(N, G, Hout, hp, hpStride, wHh, hh, G, bHh);
    if (cell == 1) {
      const cp = first ? c0 : c;
      if (P > 0) {
        lstmStepF32(N, H, ihT, hh, cp, c, m, H);
        gemmF32(N, P, H, m, H, wHr, hOut, DH, 0);
      } else {
        lstmStepF32(N, H, ihT, hh, cp, c, hOut, DH);
      }
    } else if (cell == 2) {
      gruStepF32(N, H, ihT, hh, hp, hpStride, hOut, DH);
    } else {
      rnnStepF32(N, H, relu, ihT, hh, hOut, DH);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Training tape in float32 (training precision 'float32'): the same steps as the float64 tape
// above with PyTorch's CPU arithmetic (float32 buffers, f32x4 kernels, weights in the 8-column
// panels of gemmF32). Strides in float32 elements, pointers in bytes.

/** packPanels for gemmF32: 8-column float32 panels from float64 row-major W (cols x depth). */
export function packPanelsF32(cols: i32, depth: i32, src: usize, ld: i32, dst: usize): void {
  const panels = (cols + 7) >> 3;
  let o = dst;
  for (let p = 0; p < panels; p++) {
    const n0 = p << 3;
    for (let k = 0; k < depth; k++) {
      for (let j = 0; j < 8; j++) {
        const n = n0 + j;
        store<f32>(o + (<usize>j << 2), n < cols ? <f32>load<f64>(src + (<usize>(n * ld + k) << 3)) : 0);
      }
      o += 32;
    }
  }
}

/**
 * packPanelsT for gemmF32: W[n, k] = src[(k - k0) * ld + n] into 8-column float32 panels, depth
 * positions k0 .. k0 + count - 1; src float64 (weights) when src64, else float32 (tapes).
 */
export function packPanelsTF32(cols: i32, depth: i32, k0: i32, count: i32, src: usize, ld: i32, dst: usize, src64: bool): void {
  const panels = (cols + 7) >> 3;
  const panelBytes = <usize>depth << 5;
  const es: usize = src64 ? 8 : 4;
  const stride = <usize>ld * es;
  for (let p = 0; p < panels; p++) {
    const n0 = p << 3;
    const full = n0 + 8 <= cols && !src64;
    let o = dst + <usize>p * panelBytes + (<usize>k0 << 5);
    let s = src + <usize>n0 * es;
    for (let k = 0; k < count; k++) {
      if (full) {
        v128.store(o, v128.load(s));
        v128.store(o, v128.load(s, 16), 16);
      } else {
        for (let j = 0; j < 8; j++) {
          const v: f32 = n0 + j < cols ? (src64 ? <f32>load<f64>(s + (<usize>j << 3)) : load<f32>(s + (<usize>j << 2))) : 0;
          store<f32>(o + (<usize>j << 2), v);
        }
      }
      o += 32;
      s += stride;
    }
  }
}

/** float32 transpose (as `transpose`). */
export function transposeF32(rows: i32, cols: i32, src: usize, lds: i32, dst: usize, ldd: i32): void {
  for (let i0 = 0; i0 < rows; i0 += 8) {
    const iEnd = min(rows, i0 + 8);
    for (let j = 0; j < cols; j++) {
      const d = dst + (<usize>(j * ldd) << 2);
      for (let i = i0; i < iEnd; i++) store<f32>(d + (<usize>i << 2), load<f32>(src + (<usize>(i * lds + j) << 2)));
    }
  }
}

/** float32 column sums (as `columnSums`). */
export function columnSumsF32(rows: i32, cols: i32, src: usize, ld: i32, out: usize, accumulate: bool): void {
  if (!accumulate) memory.fill(out, 0, <usize>cols << 2);
  for (let r = 0; r < rows; r++) {
    const s = src + (<usize>(r * ld) << 2);
    let j = 0;
    for (; j + 3 < cols; j += 4) {
      const jb = <usize>j << 2;
      v128.store(out + jb, f32x4.add(v128.load(out + jb), v128.load(s + jb)));
    }
    for (; j < cols; j++) store<f32>(out + (<usize>j << 2), load<f32>(out + (<usize>j << 2)) + load<f32>(s + (<usize>j << 2)));
  }
}

/** dst rows += src rows (float32), `width` elements per row. */
export function addRowsF32(rows: i32, width: i32, src: usize, lds: i32, dst: usize, ldd: i32): void {
  for (let r = 0; r < rows; r++) {
    const s = src + (<usize>(r * lds) << 2), d = dst + (<usize>(r * ldd) << 2);
    let j = 0;
    for (; j + 3 < width; j += 4) {
      const jb = <usize>j << 2;
      v128.store(d + jb, f32x4.add(v128.load(d + jb), v128.load(s + jb)));
    }
    for (; j < width; j++) store<f32>(d + (<usize>j << 2), load<f32>(d + (<usize>j << 2)) + load<f32>(s + (<usize>j << 2)));
  }
}

/** lstmStepF32 that also stores the activated gates. */
function lstmStepTapeF32(batch: i32, H: i32, ih: usize, hh: usize, cPrev: usize, cOut: usize, h: usize, hStride: i32, gates: usize): void {
  const G = 4 * H;
  const hb = <usize>H << 2;
  for (let b = 0; b < batch; b++) {
    const x = ih + (<usize>(b * G) << 2), y = hh + (<usize>(b * G) << 2), q = gates + (<usize>(b * G) << 2);
    const cp = cPrev + (<usize>(b * H) << 2), co = cOut + (<usize>(b * H) << 2), o = h + (<usize>(b * hStride) << 2);
    let j = 0;
    for (; j + 3 < H; j += 4) {
      const jb = <usize>j << 2;
      const inputGate = sigmoidF32V(f32x4.add(v128.load(x + jb), v128.load(y + jb)));
      const forgetGate = sigmoidF32V(f32x4.add(v128.load(x + hb + jb), v128.load(y + hb + jb)));
      const cellCandidate = tanhF32V(f32x4.add(v128.load(x + 2 * hb + jb), v128.load(y + 2 * hb + jb)));
      const outputGate = sigmoidF32V(f32x4.add(v128.load(x + 3 * hb + jb), v128.load(y + 3 * hb + jb)));
      v128.store(q + jb, inputGate);
      v128.store(q + hb + jb, forgetGate);
      v128.store(q + 2 * hb + jb, cellCandidate);
      v128.store(q + 3 * hb + jb, outputGate);
      const c = f32x4.add(f32x4.mul(forgetGate, v128.load(cp + jb)), f32x4.mul(inputGate, cellCandidate));
      v128.store(co + jb, c);
      v128.store(o + jb, f32x4.mul(outputGate, tanhF32V(c)));
    }
    for (; j < H; j++) {
      const jb = <usize>j << 2;
      const inputGate = sigmoidF32(load<f32>(x + jb) + load<f32>(y + jb));
      const forgetGate = sigmoidF32(load<f32>(x + hb + jb) + load<f32>(y + hb + jb));
      const cellCandidate = tanhF32(load<f32>(x + 2 * hb + jb) + load<f32>(y + 2 * hb + jb));
      const outputGate = sigmoidF32(load<f32>(x + 3 * hb + jb) + load<f32>(y + 3 * hb + jb));
      store<f32>(q + jb, inputGate);
      store<f32>(q + hb + jb, forgetGate);
      store<f32>(q + 2 * hb + jb, cellCandidate);
      store<f32>(q + 3 * hb + jb, outputGate);
      const c = forgetGate * load<f32>(cp + jb) + inputGate * cellCandidate;
      store<f32>(co + jb, c);
      store<f32>(o + jb, outputGate * tanhF32(c));
    }
  }
}

/** gruStepF32 that also stores the activated gates. */
function gruStepTapeF32(batch: i32, H: i32, ih: usize, hh: usize, hPrev: usize, hPrevStride: i32, h: usize, hStride: i32, gates: usize): void {
  const G = 3 * H;
  const hb = <usize>H << 2;
  for (let b = 0; b < batch; b++) {
    const x = ih + (<usize>(b * G) << 2), y = hh + (<usize>(b * G) << 2), q = gates + (<usize>(b * G) << 2);
    const hp = hPrev + (<usize>(b * hPrevStride) << 2), o = h + (<usize>(b * hStride) << 2);
    for (let j = 0; j < H; j++) {
      const jb = <usize>j << 2;
      const resetGate = sigmoidF32(load<f32>(x + jb) + load<f32>(y + jb));
      const updateGate = sigmoidF32(load<f32>(x + hb + jb) + load<f32>(y + hb + jb));
      const newGate = tanhF32(load<f32>(x + 2 * hb + jb) + resetGate * load<f32>(y + 2 * hb + jb));
      store<f32>(q + jb, resetGate);
      store<f32>(q + hb + jb, updateGate);
      store<f32>(q + 2 * hb + jb, newGate);
      store<f32>(o + jb, (1 - updateGate) * newGate + updateGate * load<f32>(hp + jb));
    }
  }
}

/** float32 `recurrenceTape` (same arguments; float32 buffers, 8-column panels). */
export function recurrenceTapeF32(
  cell: i32, relu: bool, L: i32, N: i32, H: i32, P: i32, DH: i32, reverse: bool,
  ih: usize, hh: usize, hhAll: bool, h0: usize, c0: usize, out: usize, c: usize, m: usize, gates: usize,
  wHh: usize, bHh: usize, wHr: usize,
): void {
  const G = cell == 1 ? 4 * H : cell == 2 ? 3 * H : H;
  const Hout = P > 0 ? P : H;
  const stepOut = <usize>(N * DH) << 2;
  const stepG = <usize>(N * G) << 2;
  const stepH = <usize>(N * H) << 2;
  for (let s = 0; s < L; s++) {
    const t = reverse ? L - 1 - s : s;
    const prevT = reverse ? t + 1 : t - 1;
    const first = s == 0;
    const hp = first ? h0 : out + <usize>prevT * stepOut;
    const hpStride = first ? Hout : DH;
    const ihT = ih + <usize>t * stepG;
    const hhT = hhAll ? hh + <usize>t * stepG : hh;
    const hOut = out + <usize>t * stepOut;
    gemmF32(N, G, Hout, hp, hpStride, wHh, hhT, G, bHh);
    if (cell == 1) {
      const cp = first ? c0 : c + <usize>prevT * stepH;
      const cT = c + <usize>t * stepH;
      if (P > 0) {
        const mT = m + <usize>t * stepH;
        lstmStepTapeF32(N, H, ihT, hhT, cp, cT, mT, H, gates + <usize>t * stepG);
        gemmF32(N, P, H, mT, H, wHr, hOut, DH, 0);
      } else {
        lstmStepTapeF32(N, H, ihT, hhT, cp, cT, hOut, DH, gates + <usize>t * stepG);
      }
    } else if (cell == 2) {
      gruStepTapeF32(N, H, ihT, hhT, hp, hpStride, hOut, DH, gates + <usize>t * stepG);
    } else {
      rnnStepF32(N, H, relu, ihT, hhT, hOut, DH);
    }
  }
}

/** float32 `recurrenceBackward` (same arguments; float32 buffers, 8-column panels; norms float32). */
export function recurrenceBackwardF32(
  cell: i32, relu: bool, L: i32, N: i32, H: i32, P: i32, DH: i32, reverse: bool,
  dOut: usize, out: usize, h0: usize, c0: usize, c: usize, gates: usize, hh: usize,
  dh: usize, dC: usize, dPre: usize, dHh: usize, dhTape: usize, norms: usize,
  dhTotal: usize, dM: usize, dHPrev: usize, wHhT: usize, wHrT: usize,
): void {
  const G = cell == 1 ? 4 * H : cell == 2 ? 3 * H : H;
  const Hout = P > 0 ? P : H;
  const stepOut = <usize>(N * DH) << 2;
  const stepG = <usize>(N * G) << 2;
  const stepH = <usize>(N * H) << 2;
  const hb = <usize>H << 2;
  for (let s = L - 1; s >= 0; s--) {
    const t = reverse ? L - 1 - s : s;
    const prevT = reverse ? t + 1 : t - 1;
    const first = s == 0;
    let sq: f64 = 0;
    for (let b = 0; b < N; b++) {
      const src = dOut + <usize>t * stepOut + (<usize>(b * DH) << 2);
      const acc = dh + (<usize>(b * Hout) << 2);
      const dst = dhTotal + (<usize>(b * Hout) << 2);
      for (let j = 0; j < Hout; j++) {
        const jb = <usize>j << 2;
        const v = load<f32>(acc + jb) + load<f32>(src + jb);
        store<f32>(dst + jb, v);
        sq += <f64>v * <f64>v;
      }
    }
    store<f32>(norms + (<usize>t << 2), <f32>Math.sqrt(sq));

    const hp = first ? h0 : out + <usize>prevT * stepOut;
    const hpStride = first ? Hout : DH;
    const pre = dPre + <usize>t * stepG;
    const q0 = gates + <usize>t * stepG;
    if (cell == 0) {
      const hT = out + <usize>t * stepOut;
      for (let b = 0; b < N; b++) {
        const hr = hT + (<usize>(b * DH) << 2), dr = dhTotal + (<usize>(b * H) << 2), pr = pre + (<usize>(b * H) << 2);
        for (let j = 0; j < H; j++) {
          const jb = <usize>j << 2;
          const hj = load<f32>(hr + jb);
          const d = load<f32>(dr + jb);
          store<f32>(pr + jb, relu ? (hj > 0 ? d : 0) : d * (1 - hj * hj));
        }
      }
    } else if (cell == 1) {
      let dm = dhTotal;
      if (P > 0) {
        memory.copy(dhTape + (<usize>(t * N * P) << 2), dhTotal, <usize>(N * P) << 2);
        gemmF32(N, H, P, dhTotal, P, wHrT, dM, H, 0);
        dm = dM;
      }
      const cp0 = first ? c0 : c + <usize>prevT * stepH;
      const cn0 = c + <usize>t * stepH;
      const one = f32x4.splat(1.0);
      for (let b = 0; b < N; b++) {
        const q = q0 + (<usize>(b * G) << 2), pr = pre + (<usize>(b * G) << 2);
        const rowH = <usize>(b * H) << 2;
        const cp = cp0 + rowH, cn = cn0 + rowH, dmr = dm + rowH, dcr = dC + rowH;
        let j = 0;
        for (; j + 3 < H; j += 4) {
          const jb = <usize>j << 2;
          const inputGate = v128.load(q + jb);
          const forgetGate = v128.load(q + hb + jb);
          const cellCandidate = v128.load(q + 2 * hb + jb);
          const outputGate = v128.load(q + 3 * hb + jb);
          const tanhC = tanhF32V(v128.load(cn + jb));
          const d = v128.load(dmr + jb);
          const dc = f32x4.add(v128.load(dcr + jb), f32x4.mul(f32x4.mul(d, outputGate), f32x4.sub(one, f32x4.mul(tanhC, tanhC))));
          v128.store(pr + jb, f32x4.mul(f32x4.mul(f32x4.mul(dc, cellCandidate), inputGate), f32x4.sub(one, inputGate)));
          v128.store(pr + hb + jb, f32x4.mul(f32x4.mul(f32x4.mul(dc, v128.load(cp + jb)), forgetGate), f32x4.sub(one, forgetGate)));
          v128.store(pr + 2 * hb + jb, f32x4.mul(f32x4.mul(dc, inputGate), f32x4.sub(one, f32x4.mul(cellCandidate, cellCandidate))));
          v128.store(pr + 3 * hb + jb, f32x4.mul(f32x4.mul(f32x4.mul(d, tanhC), outputGate), f32x4.sub(one, outputGate)));
          v128.store(dcr + jb, f32x4.mul(dc, forgetGate));
        }
        for (; j < H; j++) {
          const jb = <usize>j << 2;
          const inputGate = load<f32>(q + jb);
          const forgetGate = load<f32>(q + hb + jb);
          const cellCandidate = load<f32>(q + 2 * hb + jb);
          const outputGate = load<f32>(q + 3 * hb + jb);
          const tanhC = tanhF32(load<f32>(cn + jb));
          const d = load<f32>(dmr + jb);
          const dc = load<f32>(dcr + jb) + d * outputGate * (1 - tanhC * tanhC);
          store<f32>(pr + jb, dc * cellCandidate * inputGate * (1 - inputGate));
          store<f32>(pr + hb + jb, dc * load<f32>(cp + jb) * forgetGate * (1 - forgetGate));
          store<f32>(pr + 2 * hb + jb, dc * inputGate * (1 - cellCandidate * cellCandidate));
          store<f32>(pr + 3 * hb + jb, d * tanhC * outputGate * (1 - outputGate));
          store<f32>(dcr + jb, dc * forgetGate);
        }
      }
    } else {
      const hhT = hh + <usize>t * stepG;
      const dhhT = dHh + <usize>t * stepG;
      for (let b = 0; b < N; b++) {
        const q = q0 + (<usize>(b * G) << 2), y = hhT + (<usize>(b * G) << 2);
        const pr = pre + (<usize>(b * G) << 2), hr = dhhT + (<usize>(b * G) << 2);
        const hpr = hp + (<usize>(b * hpStride) << 2), dr = dhTotal + (<usize>(b * H) << 2), dpr = dHPrev + (<usize>(b * H) << 2);
        for (let j = 0; j < H; j++) {
          const jb = <usize>j << 2;
          const resetGate = load<f32>(q + jb);
          const updateGate = load<f32>(q + hb + jb);
          const newGate = load<f32>(q + 2 * hb + jb);
          const hPrev = load<f32>(hpr + jb);
          const d = load<f32>(dr + jb);
          const dNewPre = d * (1 - updateGate) * (1 - newGate * newGate);
          const dUpdatePre = d * (hPrev - newGate) * updateGate * (1 - updateGate);
          const dResetPre = dNewPre * load<f32>(y + 2 * hb + jb) * resetGate * (1 - resetGate);
          store<f32>(pr + jb, dResetPre);
          store<f32>(pr + hb + jb, dUpdatePre);
          store<f32>(pr + 2 * hb + jb, dNewPre);
          store<f32>(hr + jb, dResetPre);
          store<f32>(hr + hb + jb, dUpdatePre);
          store<f32>(hr + 2 * hb + jb, dNewPre * resetGate);
          store<f32>(dpr + jb, d * updateGate);
        }
      }
    }
    gemmF32(N, Hout, G, cell == 2 ? dHh + <usize>t * stepG : pre, G, wHhT, dh, Hout, 0);
    if (cell == 2) {
      for (let i = 0; i < N * H; i++) {
        const ib = <usize>i << 2;
        store<f32>(dh + ib, load<f32>(dh + ib) + load<f32>(dHPrev + ib));
      }
    }
  }
}

// =============================================================================================
// Moving tensors in and out: the caller's layout (batch-first, float64) and the kernels' layout
// (seq-first, float32 or float64) differ. Copying here, two or four lanes at a time, keeps the
// JavaScript side to one memcpy in and one out (per-element typed-array loops in JS cost more
// than the whole recurrence of a small model).

/**
 * dst row r (stride dstStride elements) = src row r (stride srcStride elements), `width`
 * elements each, for r < rows. mode 0: float64 -> float64; 1: float32 -> float64;
 * 2: float32 -> float32; 3: float64 -> float32 (rounded to nearest, as torch.tensor does).
 */
export function copyRows(rows: i32, width: i32, src: usize, srcStride: i32, dst: usize, dstStride: i32, mode: i32): void {
  const srcSize: usize = mode == 0 || mode == 3 ? 8 : 4;
  const dstSize: usize = mode <= 1 ? 8 : 4;
  const srcStep = <usize>srcStride * srcSize, dstStep = <usize>dstStride * dstSize;
  for (let r = 0; r < rows; r++) {
    const s = src + <usize>r * srcStep, d = dst + <usize>r * dstStep;
    let i = 0;
    if (mode == 0) {
      for (; i + 1 < width; i += 2) v128.store(d + (<usize>i << 3), v128.load(s + (<usize>i << 3)));
      for (; i < width; i++) store<f64>(d + (<usize>i << 3), load<f64>(s + (<usize>i << 3)));
    } else if (mode == 1) {
      for (; i + 1 < width; i += 2) v128.store(d + (<usize>i << 3), f64x2.promote_low_f32x4(v128.load64_zero(s + (<usize>i << 2))));
      for (; i < width; i++) store<f64>(d + (<usize>i << 3), <f64>load<f32>(s + (<usize>i << 2)));
    } else if (mode == 2) {
      for (; i + 3 < width; i += 4) v128.store(d + (<usize>i << 2), v128.load(s + (<usize>i << 2)));
      for (; i < width; i++) store<f32>(d + (<usize>i << 2), load<f32>(s + (<usize>i << 2)));
    } else {
      for (; i < width; i++) store<f32>(d + (<usize>i << 2), <f32>load<f64>(s + (<usize>i << 3)));
    }
  }
}
