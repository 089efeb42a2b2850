/*
 * The part of Node's `assert` the integration tests use, for the web worker extension host
 * (no Node built-ins there). scripts/lib/web-tests.mjs aliases 'assert' and 'node:assert/strict'
 * to this file when it bundles the suite for the browser; on Node the real module is used.
 * Strict semantics throughout (equal is strictEqual, deepEqual is deepStrictEqual), as the
 * suite's strict imports expect. Layer: test (no vscode, no Node).
 */

export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssertionError';
  }
}

function show(v: unknown): string {
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 400 ? s.slice(0, 400) + '...' : s;
  } catch {
    return String(v);
  }
}

function failWith(message: string | Error | undefined, fallback: string): never {
  if (message instanceof Error) throw message;
  throw new AssertionError(message ?? fallback);
}

function deepEq(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (ArrayBuffer.isView(a) || Array.isArray(a)) {
    const x = a as unknown as ArrayLike<unknown>;
    const y = b as unknown as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!deepEq(x[i], y[i])) return false;
    return true;
  }
  if (a instanceof Date) return a.getTime() === (b as Date).getTime();
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEq((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

export function ok(value: unknown, message?: string | Error): asserts value {
  if (!value) failWith(message, `expected a truthy value, got ${show(value)}`);
}

export function strictEqual<T>(actual: unknown, expected: T, message?: string | Error): asserts actual is T {
  if (!Object.is(actual, expected)) failWith(message, `expected ${show(actual)} to be ${show(expected)}`);
}

export function notStrictEqual(actual: unknown, expected: unknown, message?: string | Error): void {
  if (Object.is(actual, expected)) failWith(message, `expected ${show(actual)} not to be ${show(expected)}`);
}

export function deepStrictEqual<T>(actual: unknown, expected: T, message?: string | Error): asserts actual is T {
  if (!deepEq(actual, expected)) failWith(message, `expected ${show(actual)} to deeply equal ${show(expected)}`);
}

export function match(value: string, re: RegExp, message?: string | Error): void {
  if (!re.test(value)) failWith(message, `expected ${show(value)} to match ${re}`);
}

export function fail(message?: string | Error): never {
  failWith(message, 'failed');
}

export const equal = strictEqual;
export const deepEqual = deepStrictEqual;
export const strict = { ok, equal, strictEqual, notStrictEqual, deepEqual, deepStrictEqual, match, fail, AssertionError };
export default Object.assign(ok, strict);
