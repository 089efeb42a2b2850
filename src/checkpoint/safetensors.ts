/*
 * safetensors: an 8-byte little-endian header length, a JSON header
 * {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}, then the data.
 * The header's order is the file's order (the library writes names sorted).
 * Layer: checkpoint. Imports jsonc-parser's scanner (for key order and a depth guard); no vscode, no DOM, no Node.
 *
 * The header is untrusted JSON: its depth is checked before JSON.parse, its entries are read
 * into a Map (so `__proto__` or `constructor` can never reach an object's prototype; such
 * names are refused outright), and every offset is checked against the data that follows.
 */
import { createScanner, SyntaxKind } from 'jsonc-parser';
import { FLOAT_DTYPES, decodeFloat, numelOf } from './decode';
import { CheckpointError, utf8Decode, type ByteSource } from './source';
import type { LazyTensor, RawCheckpoint } from './types';

/** Largest header read. The library caps headers at 100 MB. */
export const MAX_HEADER_BYTES = 100_000_000;

const DTYPES: Record<string, [string, number]> = {
  F32: ['float32', 4], F64: ['float64', 8], F16: ['float16', 2], BF16: ['bfloat16', 2],
  I64: ['int64', 8], I32: ['int32', 4], I16: ['int16', 2], I8: ['int8', 1], U8: ['uint8', 1], BOOL: ['bool', 1],
  U16: ['uint16', 2], U32: ['uint32', 4], U64: ['uint64', 8], F8_E4M3: ['float8_e4m3fn', 1], F8_E5M2: ['float8_e5m2', 1],
};

const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/** True when the first bytes look like a safetensors header (length, then `{`). */
export function looksLikeSafetensors(first: Uint8Array, size: number): boolean {
  if (first.length < 9) return false;
  const dv = new DataView(first.buffer, first.byteOffset, first.byteLength);
  const n = dv.getUint32(4, true) * 2 ** 32 + dv.getUint32(0, true);
  // A length, then '{': a lying length is still reported as a safetensors problem.
  return n >= 2 && first[8] === 0x7b; // '{'
}

export function readSafetensors(src: ByteSource, options: { maxElements: number }): RawCheckpoint {
  if (src.size < 8) throw new CheckpointError('the safetensors file is truncated: no header length');
  const dv = new DataView(src.read(0, 8).slice().buffer);
  const n = dv.getUint32(4, true) * 2 ** 32 + dv.getUint32(0, true);
  if (n > MAX_HEADER_BYTES) throw new CheckpointError(`the safetensors header claims ${n} bytes, more than the limit of ${MAX_HEADER_BYTES}: refused`);
  if (n + 8 > src.size) throw new CheckpointError(`the safetensors header claims ${n} bytes but the file holds ${src.size - 8} after the length: the file is truncated`);
  const text = utf8Decode(src.read(8, n));
  // Key order and depth, from a scan (JSON.parse puts integer-like keys first).
  const order: string[] = [];
  const scanner = createScanner(text, true);
  let depth = 0;
  let expectKey = false;
  for (let kind = scanner.scan(); kind !== SyntaxKind.EOF; kind = scanner.scan()) {
    if (kind === SyntaxKind.OpenBraceToken || kind === SyntaxKind.OpenBracketToken) {
      depth++;
      if (depth > 8) throw new CheckpointError('the safetensors header nests deeper than a header can: the file is corrupt');
      expectKey = kind === SyntaxKind.OpenBraceToken && depth === 1;
    } else if (kind === SyntaxKind.CloseBraceToken || kind === SyntaxKind.CloseBracketToken) {
      depth--;
    } else if (depth === 1 && kind === SyntaxKind.CommaToken) {
      expectKey = true;
    } else if (depth === 1 && expectKey && kind === SyntaxKind.StringLiteral) {
      order.push(scanner.getTokenValue());
      expectKey = false;
    }
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(`the safetensors header is not valid JSON: ${(e as Error).message}`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw new CheckpointError('the safetensors header is not a JSON object');
  const entries = new Map<string, unknown>(Object.entries(header as Record<string, unknown>));
  const dataStart = 8 + n;
  const dataLen = src.size - dataStart;
  const notes: string[] = [];
  const tensors: LazyTensor[] = [];
  const seen = new Set<string>();
  for (const name of order) {
    if (seen.has(name)) throw new CheckpointError(`the safetensors header names ${JSON.stringify(name)} twice: the file is corrupt`);
    seen.add(name);
    if (name === '__metadata__') continue;
    if (FORBIDDEN_NAMES.has(name)) throw new CheckpointError(`the safetensors header has a tensor named ${JSON.stringify(name)}: refused`);
    const e = entries.get(name) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | undefined;
    const what = `tensor ${JSON.stringify(name)}`;
    if (!e || typeof e !== 'object' || Array.isArray(e)) throw new CheckpointError(`the safetensors header's ${what} is not an object`);
    const dt = typeof e.dtype === 'string' && Object.prototype.hasOwnProperty.call(DTYPES, e.dtype) ? DTYPES[e.dtype] : undefined;
    if (!dt) throw new CheckpointError(`the safetensors header's ${what} has an unknown dtype ${JSON.stringify(e.dtype)}`);
    const shape = e.shape;
    if (!Array.isArray(shape) || shape.length > 64 || !shape.every((s) => Number.isSafeInteger(s) && s >= 0)) {
      throw new CheckpointError(`the safetensors header's ${what} has an invalid shape`);
    }
    const offs = e.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((s) => Number.isSafeInteger(s) && s >= 0) || offs[0] > offs[1]) {
      throw new CheckpointError(`the safetensors header's ${what} has invalid data_offsets`);
    }
    const [begin, end] = offs as number[];
    if (end > dataLen) throw new CheckpointError(`the safetensors header's ${what} has data_offsets [${begin}, ${end}] past the end of the data (${dataLen} bytes): the file is truncated or corrupt`);
    const numel = numelOf(shape as number[]);
    const [dtype, size] = dt;
    if (!Number.isSafeInteger(numel * size) || numel * size !== end - begin) {
      throw new CheckpointError(`the safetensors header's ${what}: shape [${(shape as number[]).join(', ')}] of ${dtype} needs ${numel * size} bytes but data_offsets hold ${end - begin}`);
    }
    const dims = [...shape as number[]];
    const stride = dims.map((_, i) => numelOf(dims.slice(i + 1)));
    tensors.push({
      name, dtype, shape: dims,
      load(): Float64Array {
        if (!FLOAT_DTYPES.has(dtype)) throw new CheckpointError(`${name} is a ${dtype} tensor: it cannot be used as weights`);
        if (numel > options.maxElements) throw new CheckpointError(`${name} holds ${numel} elements, more than the limit of ${options.maxElements}: nothing was read`);
        return decodeFloat(src.read(dataStart + begin, end - begin), 0, dtype, true, 0, dims, stride);
      },
    });
  }
  const meta = entries.get('__metadata__');
  if (meta !== undefined && (meta === null || typeof meta !== 'object' || Array.isArray(meta))) {
    notes.push('the safetensors __metadata__ is not an object of strings: ignored');
  }
  return { format: 'safetensors', tensors, notes, moduleAttributes: new Map() };
}
