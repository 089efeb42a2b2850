/*
 * Deterministic test values that make kernel arithmetic exact: small integers / 8 (|v| <= 1),
 * so products and short sums are exact in float32 and float64 alike, and a kernel must equal
 * the plain triple loop bit for bit. Layer: test helper (no imports).
 */

/** n values from a linear congruential sequence started at `seed`, each in {-1, -7/8, ..., 1}. */
export function exactValues(n: number, seed: number): Float64Array {
  const a = new Float64Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    a[i] = ((s % 17) - 8) / 8;
  }
  return a;
}
