/*
 * Finds results that overflowed or turned NaN, and says where, in PyTorch's terms: a relu RNN
 * with weights of 1e30 grows past float32's range within a few steps, where PyTorch stores inf
 * (and inf - inf or 0 * inf give nan). The engine computes in float64, so such a value may
 * still be a (huge) finite number here: anything beyond float32's largest value counts as inf.
 * Layer: document. Imports engine types and the message catalogue; no vscode, no DOM, no Node.
 */
import type { Tensor } from '../engine/types';
import { english, type Translate } from './messages';

/**
 * Largest float32 value; a result beyond it is inf in PyTorch's float32 tensors. The same
 * threshold decides what travels to the Unroll View as inf (src/protocol/wire.ts, which cannot
 * import this layer; a unit test keeps the two equal).
 */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** What PyTorch would hold at one position: 'nan', 'inf' or '-inf'; undefined when finite in float32. */
export function nonFiniteKind(x: number): 'nan' | 'inf' | '-inf' | undefined {
  if (Number.isNaN(x)) return 'nan';
  if (x > FLOAT32_MAX) return 'inf';
  if (x < -FLOAT32_MAX) return '-inf';
  return undefined;
}

/** The first non-finite (in float32) value of a tensor, its index and how many there are. */
export interface NonFiniteReport {
  kind: 'nan' | 'inf' | '-inf';
  /** Index of the first one, e.g. [0, 3, 7]. */
  index: number[];
  count: number;
}

/** Scans a tensor; undefined when every value is finite in float32. */
export function findNonFinite(t: Tensor): NonFiniteReport | undefined {
  let first = -1;
  let count = 0;
  let kind: NonFiniteReport['kind'] = 'inf';
  for (let i = 0; i < t.data.length; i++) {
    const k = nonFiniteKind(t.data[i]);
    if (!k) continue;
    if (first < 0) { first = i; kind = k; }
    count++;
  }
  if (first < 0) return undefined;
  const index: number[] = new Array(t.shape.length).fill(0);
  let rest = first;
  for (let d = t.shape.length - 1; d >= 0; d--) {
    index[d] = rest % t.shape[d];
    rest = Math.floor(rest / t.shape[d]);
  }
  return { kind, index, count };
}

/**
 * Notes for the results of a run that hold inf or nan (PyTorch's float32 view), one per tensor:
 * `output contains inf at [0, 3, 7] (and 5 more values): ...`. Empty when all is finite.
 */
export function nonFiniteNotes(results: { name: string; tensor: Tensor | undefined }[], tr: Translate = english): string[] {
  const notes: string[] = [];
  for (const { name, tensor } of results) {
    if (!tensor) continue;
    const r = findNonFinite(tensor);
    if (!r) continue;
    const at = `[${r.index.join(', ')}]`;
    const more = r.count === 2 ? tr(' (and 1 more value)') : r.count > 2 ? tr(' (and {0} more values)', r.count - 1) : '';
    notes.push(r.kind === 'nan'
      ? tr('{0} contains nan at {1}{2}: the numbers overflowed and then mixed (inf - inf, 0 * inf), as they would in PyTorch. Smaller weights or inputs keep them finite.', name, at, more)
      : tr('{0} contains {1} at {2}{3}: the numbers grew beyond float32\'s range (about ±3.4e38), where PyTorch stores {1}. Smaller weights or inputs, or tanh instead of relu, keep them finite.', name, r.kind, at, more));
  }
  // Past the first overflow, which positions end up inf and which nan depends on the order of
  // the sums and on fused multiply-add (OpenBLAS, MKL and CPUs differ; PyTorch too, between
  // machines). The engine's float64 arithmetic is one more such order: say so once.
  if (notes.length > 0) {
    notes.push(tr("After an overflow, whether a value ends up inf or nan depends on the order of the sums and on fused multiply-add, so it can differ between PyTorch builds and machines. RNN Lens computes in float64 and shows every value beyond float32's range as inf."));
  }
  return notes;
}
