/*
 * How numbers travel between the extension host and the RNN Unroll View (and sit in the
 * webview's saved state): JSON has no NaN or Infinity, so
 *   nan          -> null
 *   inf, -inf    -> +Number.MAX_VALUE, -Number.MAX_VALUE (1.7976931348623157e308 round-trips)
 *   finite       -> itself
 * and a reader takes any |v| > float32's largest value as inf: PyTorch computes in float32,
 * where such a value is inf, while the engine computes in float64 (a 1e39 there is inf here).
 * Old saved panel state (inf and nan both as null) still reads: null is nan.
 * Layer: protocol. PURE: no imports; no vscode, no DOM, no Node.
 */

/** Largest float32 value (2 - 2^-23) * 2^127; beyond it PyTorch's float32 tensors hold inf. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** What +inf travels as (its negation is -inf). */
export const WIRE_INF = Number.MAX_VALUE;

/** One number on the wire: a finite number (|v| > FLOAT32_MAX meaning ±inf) or null (nan). */
export type WireNumber = number | null;

/** What PyTorch's float32 would hold there when it is not a finite number. */
export type NonFiniteKind = 'nan' | 'inf' | '-inf';

/**
 * A computed value (float64, possibly NaN or ±Infinity) as it travels: null for NaN,
 * ±WIRE_INF for anything beyond float32's range (PyTorch: inf), else the value itself.
 */
export function toWireNumber(x: number): WireNumber {
  if (Number.isNaN(x)) return null;
  if (x > FLOAT32_MAX) return WIRE_INF;
  if (x < -FLOAT32_MAX) return -WIRE_INF;
  return x;
}

/**
 * 'nan', 'inf' or '-inf' when a value (on the wire, or already a JS number: null, NaN,
 * ±Infinity, or beyond float32's range) is not a finite float32; undefined when it is.
 */
export function wireKind(v: number | null | undefined): NonFiniteKind | undefined {
  if (v === null || v === undefined || Number.isNaN(v)) return 'nan';
  if (v > FLOAT32_MAX) return 'inf';
  if (v < -FLOAT32_MAX) return '-inf';
  return undefined;
}

/** A wire value as the JS number PyTorch's float32 would hold: NaN, ±Infinity or the value. */
export function fromWireNumber(v: number | null | undefined): number {
  const k = wireKind(v);
  if (k === 'nan') return NaN;
  if (k === 'inf') return Infinity;
  if (k === '-inf') return -Infinity;
  return v as number;
}
