/*
 * Tensor values from raw storage bytes: dtype conversion to float32 values (as `.float()`
 * gives them) and strided views (offset, stride) honoured.
 * Layer: checkpoint. Imports nothing; no vscode, no DOM, no Node.
 */
import { CheckpointError } from './source';

/** dtypes whose values can be weights (read as float32 numbers). */
export const FLOAT_DTYPES = new Set(['float32', 'float64', 'float16', 'bfloat16']);

export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/**
 * Element range [first, last] of storage a view touches; throws when it needs more elements
 * than `storageNumel` (a header that lies about its sizes).
 */
export function viewExtent(name: string, offset: number, shape: readonly number[], stride: readonly number[], storageNumel: number): { first: number; last: number } | undefined {
  const n = numelOf(shape);
  if (!Number.isSafeInteger(n)) throw new CheckpointError(`${name}: its shape [${shape.join(', ')}] holds more elements than can be counted`);
  if (n === 0) return undefined;
  let last = offset;
  for (let i = 0; i < shape.length; i++) last += (shape[i] - 1) * stride[i];
  if (!Number.isSafeInteger(last) || last >= storageNumel) {
    throw new CheckpointError(`${name}: the tensor ([${shape.join(', ')}] from element ${offset}) reaches element ${last} of a storage holding ${storageNumel} elements: the file is corrupt`);
  }
  return { first: offset, last };
}

// bfloat16 is the top half of a float32: put the bits there and read the float back.
const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/**
 * Values of a (possibly strided) tensor as float32 numbers in a Float64Array, row-major.
 * `bytes` holds the storage's elements from `base` (an element index) on.
 */
export function decodeFloat(bytes: Uint8Array, base: number, dtype: string, littleEndian: boolean,
  offset: number, shape: readonly number[], stride: readonly number[]): Float64Array {
  const n = numelOf(shape);
  const out = new Float64Array(n);
  if (n === 0) return out;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const get: (i: number) => number =
    dtype === 'float32' ? (i) => dv.getFloat32(i * 4, littleEndian)
      : dtype === 'float64' ? (i) => Math.fround(dv.getFloat64(i * 8, littleEndian))
        : dtype === 'float16' ? (i) => halfToFloat(dv.getUint16(i * 2, littleEndian))
          : dtype === 'bfloat16' ? (i) => {
            scratchU32[0] = dv.getUint16(i * 2, littleEndian) << 16;
            return scratchF32[0];
          }
            : () => { throw new CheckpointError(`a ${dtype} tensor cannot be read as weights`); };
  const rank = shape.length;
  // Contiguous fast path; otherwise walk the index like an odometer.
  let contiguous = true;
  for (let i = rank - 1, expect = 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== expect) { contiguous = false; break; }
    expect *= shape[i];
  }
  if (contiguous) {
    const start = offset - base;
    for (let i = 0; i < n; i++) out[i] = get(start + i);
    return out;
  }
  const idx = new Array<number>(rank).fill(0);
  let at = offset - base;
  for (let k = 0; k < n; k++) {
    out[k] = get(at);
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      at += stride[d];
      if (idx[d] < shape[d]) break;
      at -= stride[d] * shape[d];
      idx[d] = 0;
    }
  }
  return out;
}
