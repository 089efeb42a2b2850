/*
 * Nested arrays <-> tensors, and PyTorch's ways of printing shapes.
 * Layer: document. Imports engine types only; no vscode, no DOM, no Node.
 *
 * Every walk over nested arrays here is iterative (an explicit stack), so an input nested
 * a hundred thousand levels deep cannot overflow the call stack.
 */
import type { Tensor } from '../engine/types';
import { english, type Translate } from './messages';

/** `(1, 3, 20)`: a shape as PyTorch prints the tuple it expected. */
export function pyTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** `[1, 3, 21]`: a shape as PyTorch prints the list it got. */
export function pyList(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** `torch.Size([80, 7])`. */
export function torchSize(shape: readonly number[]): string {
  return `torch.Size([${shape.join(', ')}])`;
}

/** 64,000,000: big numbers a learner can read. */
export function groupDigits(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1e21) return n.toExponential(2);
  return Math.round(n).toLocaleString('en-US');
}

/** Product of the dimensions (1 for a scalar shape). */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Why a plain nested array could not become a tensor. */
export interface NestedProblem {
  kind: 'ragged' | 'wrong-type' | 'non-finite' | 'empty' | 'too-deep';
  message: string;
}

/** Deepest nesting accepted for a tensor given as plain JS arrays (the reader has its own limit). */
export const MAX_TENSOR_RANK = 32;

/**
 * A plain nested JS array (as JSON.parse gives) -> a tensor, or the first problem found.
 * `float32` rounds every value as torch.tensor(..., dtype=float32) would; `translate`
 * localises the problem's message (English by default).
 */
export function nestedToTensor(value: unknown, float32 = true, translate: Translate = english): Tensor | NestedProblem {
  const tr = translate;
  const shape: number[] = [];
  let probe: unknown = value;
  while (Array.isArray(probe)) {
    if (shape.length >= MAX_TENSOR_RANK) {
      return { kind: 'too-deep', message: tr('nested more than {0} levels deep: a tensor here has 2 or 3 dimensions', MAX_TENSOR_RANK) };
    }
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0];
  }
  if (shape.length === 0) return { kind: 'wrong-type', message: tr('expected a nested array of numbers, got {0}', describeJs(value, tr)) };
  if (shape.includes(0)) return { kind: 'empty', message: tr('empty tensor: {0} has no elements', torchSize(shape)) };
  const data: number[] = [];
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 0 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (depth === shape.length) {
      if (typeof v !== 'number') {
        return Array.isArray(v)
          ? { kind: 'ragged', message: tr('ragged array: expected a number at dim {0}, got a list', depth - 1) }
          : { kind: 'wrong-type', message: tr('expected a number, got {0}', describeJs(v, tr)) };
      }
      const x = float32 ? Math.fround(v) : v;
      if (!Number.isFinite(x)) return { kind: 'non-finite', message: tr('{0} is not a finite float32 number', v) };
      data.push(x);
      continue;
    }
    if (!Array.isArray(v)) {
      return { kind: 'ragged', message: tr('ragged array: expected a sequence at dim {0}, got {1}', depth, describeJs(v, tr)) };
    }
    if (v.length !== shape[depth]) {
      return { kind: 'ragged', message: tr('ragged array: expected sequence of length {0} at dim {1} (got {2})', shape[depth], depth, v.length) };
    }
    for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], depth: depth + 1 });
  }
  return { shape, data: Float64Array.from(data) };
}

/** True when `x` is a problem rather than a tensor. */
export function isProblem(x: Tensor | NestedProblem): x is NestedProblem {
  return (x as NestedProblem).kind !== undefined;
}

/** A tensor -> nested JS arrays in its shape (non-finite values become null, as JSON would). */
export function tensorToNested(t: Tensor): unknown {
  if (t.shape.length === 0) return t.data[0];
  // Build bottom-up: rows of the last dimension, then group them, one dimension at a time.
  let level: unknown[] = [];
  const last = t.shape[t.shape.length - 1];
  for (let i = 0; i < t.data.length; i += last) {
    const row: (number | null)[] = [];
    for (let j = 0; j < last; j++) {
      const x = t.data[i + j];
      row.push(Number.isFinite(x) ? x : null);
    }
    level.push(row);
  }
  for (let d = t.shape.length - 2; d >= 0; d--) {
    const size = t.shape[d];
    const next: unknown[] = [];
    for (let i = 0; i < level.length; i += size) next.push(level.slice(i, i + size));
    level = next;
  }
  return level[0];
}

function describeJs(v: unknown, tr: Translate): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return tr('a list');
  if (typeof v === 'object') return tr('an object');
  if (typeof v === 'string') return tr('a string');
  if (typeof v === 'boolean') return `${v}`;
  return typeof v;
}
