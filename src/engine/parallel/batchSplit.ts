/*
 * Cutting a run into batch parts and putting the parts' results back together: the pure
 * arithmetic of the parallel forward (parallelModel.ts). Batch rows of an RNN are independent,
 * so each part is a complete forward on fewer sequences.
 *
 * Bit-identical parts: the WebAssembly products (kernels.as `gemm`, `gemmF32`) compute rows four
 * at a time (block4) and the rows left over one at a time (block1, another order of the sums).
 * A row gives the same bits in both runs only if it goes through the same block kind in both, so
 * every part's batch size is a multiple of ROW_GROUP and so is the whole batch: then every
 * product of the whole run and of each part (L*N rows for the input projection, N rows per
 * step, N rows for the head) is made of full groups of four.
 * Layer: engine. Imports only engine types.
 */
import type { Tensor } from '../types';

/** Rows per register block in kernels.as's products (block4 / block4F32). */
export const ROW_GROUP = 4;

/** One part of the batch: sequences [start, start + count). */
export interface BatchPart {
  start: number;
  count: number;
}

/**
 * Splits a batch of `batch` sequences into at most `parts` parts, each a multiple of ROW_GROUP
 * and as even as possible (the first parts get the extra groups). Returns one part (the whole
 * batch) when the batch cannot be split bit-identically (not a multiple of ROW_GROUP, or one
 * group only).
 */
export function splitBatch(batch: number, parts: number): BatchPart[] {
  const groups = batch % ROW_GROUP === 0 ? batch / ROW_GROUP : 0;
  const n = Math.max(1, Math.min(Math.floor(parts), groups));
  if (n <= 1) return [{ start: 0, count: batch }];
  const out: BatchPart[] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const g = Math.floor(groups / n) + (i < groups % n ? 1 : 0);
    out.push({ start, count: g * ROW_GROUP });
    start += g * ROW_GROUP;
  }
  return out;
}

/** Elements before and after the batch axis: shape = [...outer, batch, ...inner]. */
function strides(shape: readonly number[], axis: number): { outer: number; inner: number; batch: number } {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i];
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i];
  return { outer, inner, batch: shape[axis] };
}

/** The sequences [part.start, part.start + part.count) of `t`, whose batch axis is `axis`. */
export function takeBatch(t: Tensor, axis: number, part: BatchPart): Tensor {
  const { outer, inner, batch } = strides(t.shape, axis);
  const data = new Float64Array(outer * part.count * inner);
  const width = part.count * inner;
  for (let o = 0; o < outer; o++) {
    const from = (o * batch + part.start) * inner;
    data.set(t.data.subarray(from, from + width), o * width);
  }
  const shape = t.shape.slice();
  shape[axis] = part.count;
  return { shape, data };
}

/**
 * Writes a part's values (`src`, the part's shape: `fullShape` with `part.count` on `axis`) into
 * `dst` (the whole batch's values, `fullShape`).
 */
export function putBatch(dst: Float64Array, fullShape: readonly number[], axis: number, part: BatchPart, src: Float64Array): void {
  const { outer, inner, batch } = strides(fullShape, axis);
  const width = part.count * inner;
  for (let o = 0; o < outer; o++) {
    dst.set(src.subarray(o * width, (o + 1) * width), (o * batch + part.start) * inner);
  }
}

/** The batch axis of a run's tensors (batched runs only: 3-D input). */
export interface BatchAxes {
  /** input, output and a head on every step: 0 batch-first, 1 seq-first. */
  sequence: number;
  /** h0, c0, h_n, c_n: (layers * directions, N, size). */
  state: 1;
  /** A head on the last step: (N, out_features). */
  lastHead: 0;
}

/** Where the batch axis is for a batched run of a model with `batchFirst`. */
export function batchAxes(batchFirst: boolean): BatchAxes {
  return { sequence: batchFirst ? 0 : 1, state: 1, lastHead: 0 };
}
