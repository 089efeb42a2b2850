/*
 * The few hot loops of the engine: dense matrix products on Float64Array with explicit
 * offsets and row strides, so callers can read and write slices of larger buffers (one time
 * step of a sequence, one direction of a bidirectional output) without allocating views.
 * Layer: engine. Imports nothing (no vscode, no DOM, no Node).
 *
 * Layout: weights stay as PyTorch stores them, row-major (outFeatures x inFeatures), so
 * `y = x W^T + b` is a dot product of two contiguous rows. The product is register-blocked:
 * 4 rows x 4 outputs (16 accumulators), then 2 x 4 and 1 x 4 for the leftover rows (a batch
 * of 1 is a matrix-vector product). Measured on V8 (CPU time, x64): 4x4 ~1.9 GFLOP/s,
 * 2x4 ~1.4-1.8, 1x4 ~1.1, axpy over a transposed W ~0.8; Float32Array weights were slower
 * (conversion on every load), so weights stay Float64Array.
 *
 * These loops are the TypeScript path: traces, backward, and forward where WebAssembly SIMD is
 * missing (or prepareModel(..., { backend: 'typescript' })). Untraced forward normally runs on
 * the f64x2 kernels of wasm/kernels.as (same products, packed weights, whole recurrence in one
 * call): 2-6x faster in CPU time on the bench workloads, equal to these within 1e-15.
 */

/**
 * C[m, n] (=|+=) sum_k A[m, k] * W[n, k] + bias[n]   for m < rows, n < cols, k < depth.
 *
 * A is read at `a[aOff + m * lda + k]`, W at `w[wOff + n * depth + k]` (contiguous rows),
 * C written at `c[cOff + m * ldc + n]`. With `accumulate`, the product is added to C.
 * `bias` (length cols, read from `biasOff`) is optional.
 */
export function gemmNT(
  rows: number,
  cols: number,
  depth: number,
  a: Float64Array,
  aOff: number,
  lda: number,
  w: Float64Array,
  wOff: number,
  c: Float64Array,
  cOff: number,
  ldc: number,
  bias: Float64Array | null,
  biasOff: number,
  accumulate: boolean,
): void {
  let m = 0;
  for (; m + 3 < rows; m += 4) {
    rows4(cols, depth, a, aOff + m * lda, lda, w, wOff, c, cOff + m * ldc, ldc, bias, biasOff, accumulate);
  }
  for (; m + 1 < rows; m += 2) {
    rows2(cols, depth, a, aOff + m * lda, lda, w, wOff, c, cOff + m * ldc, ldc, bias, biasOff, accumulate);
  }
  if (m < rows) rows1(0, cols, depth, a, aOff + m * lda, w, wOff, c, cOff + m * ldc, bias, biasOff, accumulate);
}

/** Four rows of A against every row of W: 4 x 4 blocks, then the column tail. */
function rows4(
  cols: number, depth: number,
  a: Float64Array, a0: number, lda: number,
  w: Float64Array, wOff: number,
  c: Float64Array, c0: number, ldc: number,
  bias: Float64Array | null, biasOff: number, accumulate: boolean,
): void {
  const a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
  const c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
  const colsBlocked = cols - (cols % 4);
  for (let n = 0; n < colsBlocked; n += 4) {
    const w0 = wOff + n * depth, w1 = w0 + depth, w2 = w1 + depth, w3 = w2 + depth;
    let s00 = 0, s01 = 0, s02 = 0, s03 = 0;
    let s10 = 0, s11 = 0, s12 = 0, s13 = 0;
    let s20 = 0, s21 = 0, s22 = 0, s23 = 0;
    let s30 = 0, s31 = 0, s32 = 0, s33 = 0;
    for (let k = 0; k < depth; k++) {
      const v0 = w[w0 + k], v1 = w[w1 + k], v2 = w[w2 + k], v3 = w[w3 + k];
      let x = a[a0 + k];
      s00 += x * v0; s01 += x * v1; s02 += x * v2; s03 += x * v3;
      x = a[a1 + k];
      s10 += x * v0; s11 += x * v1; s12 += x * v2; s13 += x * v3;
      x = a[a2 + k];
      s20 += x * v0; s21 += x * v1; s22 += x * v2; s23 += x * v3;
      x = a[a3 + k];
      s30 += x * v0; s31 += x * v1; s32 += x * v2; s33 += x * v3;
    }
    if (bias !== null) {
      const b0 = bias[biasOff + n], b1 = bias[biasOff + n + 1], b2 = bias[biasOff + n + 2], b3 = bias[biasOff + n + 3];
      s00 += b0; s01 += b1; s02 += b2; s03 += b3;
      s10 += b0; s11 += b1; s12 += b2; s13 += b3;
      s20 += b0; s21 += b1; s22 += b2; s23 += b3;
      s30 += b0; s31 += b1; s32 += b2; s33 += b3;
    }
    if (accumulate) {
      c[c0 + n] += s00; c[c0 + n + 1] += s01; c[c0 + n + 2] += s02; c[c0 + n + 3] += s03;
      c[c1 + n] += s10; c[c1 + n + 1] += s11; c[c1 + n + 2] += s12; c[c1 + n + 3] += s13;
      c[c2 + n] += s20; c[c2 + n + 1] += s21; c[c2 + n + 2] += s22; c[c2 + n + 3] += s23;
      c[c3 + n] += s30; c[c3 + n + 1] += s31; c[c3 + n + 2] += s32; c[c3 + n + 3] += s33;
    } else {
      c[c0 + n] = s00; c[c0 + n + 1] = s01; c[c0 + n + 2] = s02; c[c0 + n + 3] = s03;
      c[c1 + n] = s10; c[c1 + n + 1] = s11; c[c1 + n + 2] = s12; c[c1 + n + 3] = s13;
      c[c2 + n] = s20; c[c2 + n + 1] = s21; c[c2 + n + 2] = s22; c[c2 + n + 3] = s23;
      c[c3 + n] = s30; c[c3 + n + 1] = s31; c[c3 + n + 2] = s32; c[c3 + n + 3] = s33;
    }
  }
  if (colsBlocked < cols) {
    for (let r = 0; r < 4; r++) {
      rows1(colsBlocked, cols, depth, a, a0 + r * lda, w, wOff, c, c0 + r * ldc, bias, biasOff, accumulate);
    }
  }
}

/** Two rows of A against every row of W: 2 x 4 blocks, then the column tail. */
function rows2(
  cols: number, depth: number,
  a: Float64Array, a0: number, lda: number,
  w: Float64Array, wOff: number,
  c: Float64Array, c0: number, ldc: number,
  bias: Float64Array | null, biasOff: number, accumulate: boolean,
): void {
  const a1 = a0 + lda;
  const c1 = c0 + ldc;
  const colsBlocked = cols - (cols % 4);
  for (let n = 0; n < colsBlocked; n += 4) {
    const w0 = wOff + n * depth, w1 = w0 + depth, w2 = w1 + depth, w3 = w2 + depth;
    let s00 = 0, s01 = 0, s02 = 0, s03 = 0;
    let s10 = 0, s11 = 0, s12 = 0, s13 = 0;
    for (let k = 0; k < depth; k++) {
      const x0 = a[a0 + k], x1 = a[a1 + k];
      const v0 = w[w0 + k], v1 = w[w1 + k], v2 = w[w2 + k], v3 = w[w3 + k];
      s00 += x0 * v0; s01 += x0 * v1; s02 += x0 * v2; s03 += x0 * v3;
      s10 += x1 * v0; s11 += x1 * v1; s12 += x1 * v2; s13 += x1 * v3;
    }
    if (bias !== null) {
      const b0 = bias[biasOff + n], b1 = bias[biasOff + n + 1], b2 = bias[biasOff + n + 2], b3 = bias[biasOff + n + 3];
      s00 += b0; s01 += b1; s02 += b2; s03 += b3;
      s10 += b0; s11 += b1; s12 += b2; s13 += b3;
    }
    if (accumulate) {
      c[c0 + n] += s00; c[c0 + n + 1] += s01; c[c0 + n + 2] += s02; c[c0 + n + 3] += s03;
      c[c1 + n] += s10; c[c1 + n + 1] += s11; c[c1 + n + 2] += s12; c[c1 + n + 3] += s13;
    } else {
      c[c0 + n] = s00; c[c0 + n + 1] = s01; c[c0 + n + 2] = s02; c[c0 + n + 3] = s03;
      c[c1 + n] = s10; c[c1 + n + 1] = s11; c[c1 + n + 2] = s12; c[c1 + n + 3] = s13;
    }
  }
  if (colsBlocked < cols) {
    rows1(colsBlocked, cols, depth, a, a0, w, wOff, c, c0, bias, biasOff, accumulate);
    rows1(colsBlocked, cols, depth, a, a1, w, wOff, c, c1, bias, biasOff, accumulate);
  }
}

/** One row of A against rows [from, cols) of W: 1 x 4 blocks, then one at a time. */
function rows1(
  from: number, cols: number, depth: number,
  a: Float64Array, a0: number,
  w: Float64Array, wOff: number,
  c: Float64Array, c0: number,
  bias: Float64Array | null, biasOff: number, accumulate: boolean,
): void {
  let n = from;
  for (; n + 3 < cols; n += 4) {
    const w0 = wOff + n * depth, w1 = w0 + depth, w2 = w1 + depth, w3 = w2 + depth;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let k = 0; k < depth; k++) {
      const x = a[a0 + k];
      s0 += x * w[w0 + k]; s1 += x * w[w1 + k]; s2 += x * w[w2 + k]; s3 += x * w[w3 + k];
    }
    if (bias !== null) {
      s0 += bias[biasOff + n]; s1 += bias[biasOff + n + 1]; s2 += bias[biasOff + n + 2]; s3 += bias[biasOff + n + 3];
    }
    if (accumulate) {
      c[c0 + n] += s0; c[c0 + n + 1] += s1; c[c0 + n + 2] += s2; c[c0 + n + 3] += s3;
    } else {
      c[c0 + n] = s0; c[c0 + n + 1] = s1; c[c0 + n + 2] = s2; c[c0 + n + 3] = s3;
    }
  }
  for (; n < cols; n++) {
    const w0 = wOff + n * depth;
    let s = 0;
    for (let k = 0; k < depth; k++) s += a[a0 + k] * w[w0 + k];
    if (bias !== null) s += bias[biasOff + n];
    if (accumulate) c[c0 + n] += s;
    else c[c0 + n] = s;
  }
}

/**
 * Weight gradient: G[n, k] += sum_m D[m, n] * X[m, k]   (G += D^T X), for m < rows.
 *
 * D is read at `d[dOff + m * ldd + n]` (n < cols), X at `x[xOff + m * ldx + k]` (k < depth),
 * G at `g[gOff + n * depth + k]` (PyTorch's weight layout). Used only by backward.
 */
export function gemmTNAccumulate(
  rows: number,
  cols: number,
  depth: number,
  d: Float64Array,
  dOff: number,
  ldd: number,
  x: Float64Array,
  xOff: number,
  ldx: number,
  g: Float64Array,
  gOff: number,
): void {
  for (let m = 0; m < rows; m++) {
    const dRow = dOff + m * ldd;
    const xRow = xOff + m * ldx;
    for (let n = 0; n < cols; n++) {
      const s = d[dRow + n];
      if (s === 0) continue;
      const gRow = gOff + n * depth;
      for (let k = 0; k < depth; k++) g[gRow + k] += s * x[xRow + k];
    }
  }
}

/** sum over rows: out[n] += D[m, n] (bias gradients). */
export function columnSumAccumulate(
  rows: number,
  cols: number,
  d: Float64Array,
  dOff: number,
  ldd: number,
  out: Float64Array,
): void {
  for (let m = 0; m < rows; m++) {
    const row = dOff + m * ldd;
    for (let n = 0; n < cols; n++) out[n] += d[row + n];
  }
}

/** sum over columns: out[m] += S[m, k] for a contiguous (rows x cols) S (bias gradients). */
export function rowSumAccumulate(rows: number, cols: number, s: Float64Array, out: Float64Array): void {
  for (let m = 0; m < rows; m++) {
    let sum = 0;
    for (let k = m * cols; k < (m + 1) * cols; k++) sum += s[k];
    out[m] += sum;
  }
}

/** Transpose the first rows x cols of `src` (row-major) into `dst` as (cols x rows). */
export function transposeInto(src: Float64Array, rows: number, cols: number, dst: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    for (let c = 0; c < cols; c++) dst[c * rows + r] = src[row + c];
  }
}

/** Transpose a row-major (rows x cols) matrix into a new (cols x rows) one. */
export function transpose(src: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = src[r * cols + c];
  }
  return out;
}

/** The logistic sigmoid 1 / (1 + e^-x), as torch.sigmoid. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
