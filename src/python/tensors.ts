/*
 * Shape arithmetic for the snippet reader: what PyTorch 1.13 gives for view/reshape (with -1),
 * permute/transpose, unsqueeze/squeeze, indexing, cat/stack and broadcasting, on shapes only.
 * Every function returns undefined when PyTorch would raise or when the answer is not certain:
 * the reader prefers no shape to a wrong one.
 * Layer: python (pure). Imports nothing.
 */

/** A tensor shape (sizes, outermost first). */
export type Shape = readonly number[];

function numel(s: Shape): number {
  return s.reduce((a, b) => a * b, 1);
}

/** Python-style dim normalisation: -1 is the last of `rank` dims; undefined when out of range. */
export function normDim(d: number, rank: number): number | undefined {
  const r = Math.max(rank, 1);
  if (!Number.isInteger(d) || d < -r || d >= r) return undefined;
  return d < 0 ? d + r : d;
}

/** `x.view(sizes)` / `x.reshape(sizes)`: one -1 inferred; undefined when the sizes do not fit. */
export function view(s: Shape, sizes: readonly number[]): number[] | undefined {
  const minus = sizes.filter((x) => x === -1).length;
  if (minus > 1 || sizes.some((x) => x < -1 || !Number.isInteger(x))) return undefined;
  const total = numel(s);
  const known = sizes.filter((x) => x !== -1).reduce((a, b) => a * b, 1);
  if (minus === 0) return known === total ? [...sizes] : undefined;
  if (known === 0 || total % known !== 0) return undefined;
  return sizes.map((x) => (x === -1 ? total / known : x));
}

/** `x.permute(dims)`. */
export function permute(s: Shape, dims: readonly number[]): number[] | undefined {
  if (dims.length !== s.length) return undefined;
  const norm = dims.map((d) => normDim(d, s.length));
  if (norm.some((d) => d === undefined) || new Set(norm).size !== norm.length) return undefined;
  return norm.map((d) => s[d!]);
}

/** `x.transpose(a, b)`. */
export function transpose(s: Shape, a: number, b: number): number[] | undefined {
  const i = normDim(a, s.length);
  const j = normDim(b, s.length);
  if (i === undefined || j === undefined) return undefined;
  const out = [...s];
  [out[i], out[j]] = [out[j], out[i]];
  return out;
}

/** `x.unsqueeze(d)`: d ranges over rank + 1 positions. */
export function unsqueeze(s: Shape, d: number): number[] | undefined {
  const i = normDim(d, s.length + 1);
  if (i === undefined) return undefined;
  const out = [...s];
  out.splice(i, 0, 1);
  return out;
}

/** `x.squeeze()` (every size-1 dim) or `x.squeeze(d)` (that dim when it is 1). */
export function squeeze(s: Shape, d?: number): number[] | undefined {
  if (d === undefined) return s.filter((x) => x !== 1);
  if (s.length === 0) return [];
  const i = normDim(d, s.length);
  if (i === undefined) return undefined;
  return s[i] === 1 ? s.filter((_x, k) => k !== i) : [...s];
}

/** `torch.cat(shapes, dim)`. */
export function cat(shapes: readonly Shape[], dim: number): number[] | undefined {
  if (shapes.length === 0) return undefined;
  const rank = shapes[0].length;
  const i = normDim(dim, rank);
  if (i === undefined || shapes.some((s) => s.length !== rank)) return undefined;
  for (const s of shapes) for (let k = 0; k < rank; k++) if (k !== i && s[k] !== shapes[0][k]) return undefined;
  const out = [...shapes[0]];
  out[i] = shapes.reduce((a, s) => a + s[i], 0);
  return out;
}

/** `torch.stack(shapes, dim)`. */
export function stack(shapes: readonly Shape[], dim: number): number[] | undefined {
  if (shapes.length === 0) return undefined;
  const rank = shapes[0].length;
  if (shapes.some((s) => s.length !== rank || s.some((x, k) => x !== shapes[0][k]))) return undefined;
  return unsqueeze(shapes[0], dim)?.map((x, k, arr) => (k === normDim(dim, rank + 1) ? shapes.length : arr[k]));
}

/** Broadcasting of two shapes (elementwise arithmetic). */
export function broadcast(a: Shape, b: Shape): number[] | undefined {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    const x = a[a.length - n + k] ?? 1;
    const y = b[b.length - n + k] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** One item of a subscript: an integer, a slice with known bounds, None (new axis), ... (ellipsis). */
export type IndexItem =
  | { k: 'int'; v?: number }
  | {
      k: 'slice';
      lo?: number;
      hi?: number;
      step?: number;
      known: boolean;
      /** `x[i:i + len]` with i a loop counter running from minStart to maxStart: len when every window fits. */
      window?: { len: number; minStart: number; maxStart: number };
    }
  | { k: 'none' }
  | { k: 'ellipsis' };

/** Length of `range(n)[lo:hi:step]` as Python slices it. */
function sliceLength(n: number, lo: number | undefined, hi: number | undefined, step: number | undefined): number | undefined {
  const st = step ?? 1;
  if (st <= 0 || !Number.isInteger(st)) return undefined; // PyTorch: step must be greater than zero
  const clamp = (v: number) => (v < 0 ? Math.max(0, v + n) : Math.min(v, n));
  const a = lo === undefined ? 0 : clamp(lo);
  const b = hi === undefined ? n : clamp(hi);
  return b <= a ? 0 : Math.ceil((b - a) / st);
}

/** `x[items]`: basic indexing (integers drop a dim, slices keep it, None adds one). */
export function index(s: Shape, items: readonly IndexItem[]): number[] | undefined {
  const consuming = items.filter((i) => i.k === 'int' || i.k === 'slice').length;
  const ellipses = items.filter((i) => i.k === 'ellipsis').length;
  if (ellipses > 1 || consuming > s.length) return undefined;
  const out: number[] = [];
  let d = 0;
  for (const it of items) {
    if (it.k === 'none') out.push(1);
    else if (it.k === 'ellipsis') {
      const skip = s.length - consuming;
      for (let k = 0; k < skip; k++) out.push(s[d++]);
    } else if (it.k === 'int') {
      if (it.v !== undefined && (it.v >= s[d] || it.v < -s[d])) return undefined; // IndexError
      d++;
    } else {
      if (it.window) {
        const w = it.window;
        // Every window inside the axis: each one has `len` items (one running past the end would be shorter).
        if (w.minStart < 0 || w.len < 0 || w.maxStart + w.len > s[d]) return undefined;
        out.push(w.len);
        d++;
        continue;
      }
      if (!it.known) return undefined;
      const len = sliceLength(s[d], it.lo, it.hi, it.step);
      if (len === undefined) return undefined;
      out.push(len);
      d++;
    }
  }
  while (d < s.length) out.push(s[d++]);
  return out;
}

/** Shape of a nested list literal, or undefined when ragged. `leaf` tells whether an item is a scalar. */
export function nestedShape<T>(v: T, items: (x: T) => T[] | undefined): number[] | undefined {
  const shape: number[] = [];
  let level: T[] = [v];
  for (let guard = 0; guard < 32; guard++) {
    const lists = level.map(items);
    if (lists.every((l) => l === undefined)) return shape;
    if (lists.some((l) => l === undefined)) return undefined;
    const n = lists[0]!.length;
    if (lists.some((l) => l!.length !== n)) return undefined;
    shape.push(n);
    if (n === 0) return shape;
    level = lists.flatMap((l) => l!);
    if (level.length > 1_000_000) return undefined;
  }
  return undefined;
}
