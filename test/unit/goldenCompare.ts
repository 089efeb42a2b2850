/*
 * Comparing nested arrays with PyTorch's golden values: |ours - expected| <= 1e-6 * max(1, |expected|).
 * Layer: test helper (no Node imports needed).
 */
import * as assert from 'node:assert/strict';

/** Flatten nested arrays iteratively, keeping the shape seen along the first elements. */
export function flatten(x: unknown): { shape: number[]; values: (number | null)[] } {
  const shape: number[] = [];
  let p: unknown = x;
  while (Array.isArray(p)) { shape.push(p.length); p = p[0]; }
  const values: (number | null)[] = [];
  const stack: unknown[] = [x];
  while (stack.length) {
    const v = stack.pop();
    if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    else values.push(v as number | null);
  }
  return { shape, values };
}

/** Same shape, every element within the project's bar. */
export function assertClose(ours: unknown, expected: unknown, where: string): void {
  const a = flatten(ours);
  const e = flatten(expected);
  assert.deepEqual(a.shape, e.shape, `${where}: shape`);
  for (let i = 0; i < e.values.length; i++) {
    const x = a.values[i] as number;
    const y = e.values[i] as number;
    assert.ok(typeof x === 'number' && Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(y)), `${where}[${i}]: ${x} vs ${y}`);
  }
}
