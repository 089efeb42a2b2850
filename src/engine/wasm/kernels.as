// AssemblyScript source of the engine's WebAssembly kernels (f64x2 SIMD), compiled by
// scripts/build-wasm.mjs into kernels.wasm.ts (base64 bytes). Not TypeScript: the .as
// extension keeps tsc and the layering scan off it.
//
// Everything is addressed by byte pointers into the one linear memory the loader
// (backend.ts) owns; nothing is allocated here. Numbers are float64 throughout: weights are
// float32 values stored as float64, so every product is exact and only the sums round
// (in a different order than PyTorch's, well inside the golden bar of 1e-6).
//
// Packed weights: W (cols x depth, PyTorch's row-major layout) is stored transposed in
// panels of 4 output columns: panel p holds, for k = 0..depth-1, W[4p..4p+3, k] (32 bytes),
// zero-padded past `cols`. The product walks a panel with two f64x2 accumulators per row.

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

/**
 * C[m, n] (=|+=) sum_k A[m, k] * W[n, k] (+ bias[n]) for m < rows, n < cols, k < depth.
 * a: A's first row, lda its row stride (elements); wp: packed W; c: C's first row, ldc its
 * row stride; bias: 0 for none, else a pointer to cols values (padded to a multiple of 4).
 */
export function gemm(rows: i32, cols: i32, depth: i32, a: usize, lda: i32, wp: usize, c: usize, ldc: i32, bias: usize, accumulate: bool): void {
  const panels = (cols + 3) >> 2;
  const panelBytes = <usize>depth << 5;
  const aStride = <usize>lda << 3;
  const cStride = <usize>ldc << 3;
  let m = 0;
  for (; m + 3 < rows; m += 4) {
    const a0 = a + <usize>m * aStride;
    const a1 = a0 + aStride, a2 = a1 + aStride, a3 = a2 + aStride;
    const c0 = c + <usize>m * cStride;
    for (let p = 0; p < panels; p++) {
      let w = wp + <usize>p * panelBytes;
      let s0l = f64x2.splat(0), s0h = f64x2.splat(0), s1l = f64x2.splat(0), s1h = f64x2.splat(0);
      let s2l = f64x2.splat(0), s2h = f64x2.splat(0), s3l = f64x2.splat(0), s3h = f64x2.splat(0);
      for (let k = 0; k < depth; k++) {
        const wl = v128.load(w), wh = v128.load(w, 16);
        const kb = <usize>k << 3;
        let x = v128.load64_splat(a0 + kb);
        s0l = f64x2.add(s0l, f64x2.mul(x, wl)); s0h = f64x2.add(s0h, f64x2.mul(x, wh));
        x = v128.load64_splat(a1 + kb);
        s1l = f64x2.add(s1l, f64x2.mul(x, wl)); s1h = f64x2.add(s1h, f64x2.mul(x, wh));
        x = v128.load64_splat(a2 + kb);
        s2l = f64x2.add(s2l, f64x2.mul(x, wl)); s2h = f64x2.add(s2h, f64x2.mul(x, wh));
        x = v128.load64_splat(a3 + kb);
        s3l = f64x2.add(s3l, f64x2.mul(x, wl)); s3h = f64x2.add(s3h, f64x2.mul(x, wh));
        w += 32;
      }
      if (bias != 0) {
        const bl = v128.load(bias + (<usize>p << 5)), bh = v128.load(bias + (<usize>p << 5), 16);
        s0l = f64x2.add(s0l, bl); s0h = f64x2.add(s0h, bh);
        s1l = f64x2.add(s1l, bl); s1h = f64x2.add(s1h, bh);
        s2l = f64x2.add(s2l, bl); s2h = f64x2.add(s2h, bh);
        s3l = f64x2.add(s3l, bl); s3h = f64x2.add(s3h, bh);
      }
      const count = min(4, cols - (p << 2));
      const cp = c0 + (<usize>p << 5);
      store4(cp, s0l, s0h, count, accumulate);
      store4(cp + cStride, s1l, s1h, count, accumulate);
      store4(cp + 2 * cStride, s2l, s2h, count, accumulate);
      store4(cp + 3 * cStride, s3l, s3h, count, accumulate);
    }
  }
  for (; m < rows; m++) {
    const a0 = a + <usize>m * aStride;
    const c0 = c + <usize>m * cStride;
    let p = 0;
    // One row (a matrix-vector product): two panels at a time, four accumulators.
    for (; p + 1 < panels; p += 2) {
      let w = wp + <usize>p * panelBytes;
      let v = w + panelBytes;
      let s0l = f64x2.splat(0), s0h = f64x2.splat(0), s1l = f64x2.splat(0), s1h = f64x2.splat(0);
      for (let k = 0; k < depth; k++) {
        const x = v128.load64_splat(a0 + (<usize>k << 3));
        s0l = f64x2.add(s0l, f64x2.mul(x, v128.load(w))); s0h = f64x2.add(s0h, f64x2.mul(x, v128.load(w, 16)));
        s1l = f64x2.add(s1l, f64x2.mul(x, v128.load(v))); s1h = f64x2.add(s1h, f64x2.mul(x, v128.load(v, 16)));
        w += 32;
        v += 32;
      }
      if (bias != 0) {
        const b = bias + (<usize>p << 5);
        s0l = f64x2.add(s0l, v128.load(b)); s0h = f64x2.add(s0h, v128.load(b, 16));
        s1l = f64x2.add(s1l, v128.load(b, 32)); s1h = f64x2.add(s1h, v128.load(b, 48));
      }
      store4(c0 + (<usize>p << 5), s0l, s0h, 4, accumulate);
      store4(c0 + (<usize>(p + 1) << 5), s1l, s1h, min(4, cols - ((p + 1) << 2)), accumulate);
    }
    if (p < panels) {
      let w = wp + <usize>p * panelBytes;
      let s0l = f64x2.splat(0), s0h = f64x2.splat(0);
      for (let k = 0; k < depth; k++) {
        const x = v128.load64_splat(a0 + (<usize>k << 3));
        s0l = f64x2.add(s0l, f64x2.mul(x, v128.load(w))); s0h = f64x2.add(s0h, f64x2.mul(x, v128.load(w, 16)));
        w += 32;
      }
      if (bias != 0) {
        const b = bias + (<usize>p << 5);
        s0l = f64x2.add(s0l, v128.load(b)); s0h = f64x2.add(s0h, v128.load(b, 16));
      }
      store4(c0 + (<usize>p << 5), s0l, s0h, min(4, cols - (p << 2)), accumulate);
    }
  }
}

@inline function sigmoid(x: f64): f64 {
  return 1.0 / (1.0 + Math.exp(-x));
}

/** torch.nn.RNN step: h = act(ih + hh); rows of ih/hh have stride H, h has stride hStride. */
export function rnnStep(batch: i32, H: i32, relu: bool, ih: usize, hh: usize, h: usize, hStride: i32): void {
  for (let b = 0; b < batch; b++) {
    const x = ih + (<usize>(b * H) << 3), y = hh + (<usize>(b * H) << 3), o = h + (<usize>(b * hStride) << 3);
    for (let j = 0; j < H; j++) {
      const jb = <usize>j << 3;
      const pre = load<f64>(x + jb) + load<f64>(y + jb);
      store<f64>(o + jb, relu ? (pre > 0 ? pre : 0) : Math.tanh(pre));
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
    for (let j = 0; j < H; j++) {
      const jb = <usize>j << 3;
      const inputGate = sigmoid(load<f64>(x + jb) + load<f64>(y + jb));
      const forgetGate = sigmoid(load<f64>(x + hb + jb) + load<f64>(y + hb + jb));
      const cellCandidate = Math.tanh(load<f64>(x + 2 * hb + jb) + load<f64>(y + 2 * hb + jb));
      const outputGate = sigmoid(load<f64>(x + 3 * hb + jb) + load<f64>(y + 3 * hb + jb));
      const c = forgetGate * load<f64>(cp + jb) + inputGate * cellCandidate;
      store<f64>(co + jb, c);
      store<f64>(o + jb, outputGate * Math.tanh(c));
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
    for (let j = 0; j < H; j++) {
      const jb = <usize>j << 3;
      const resetGate = sigmoid(load<f64>(x + jb) + load<f64>(y + jb));
      const updateGate = sigmoid(load<f64>(x + hb + jb) + load<f64>(y + hb + jb));
      const newGate = Math.tanh(load<f64>(x + 2 * hb + jb) + resetGate * load<f64>(y + 2 * hb + jb));
      store<f64>(o + jb, (1 - updateGate) * newGate + updateGate * load<f64>(hp + jb));
    }
  }
}
