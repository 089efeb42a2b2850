/*
 * Loads the engine's WebAssembly kernels (kernels.as, embedded as base64 in kernels.wasm.ts)
 * synchronously and gives each prepared model its own instance and linear memory, so a
 * model's packed weights are freed with the model. Two builds exist: relaxed SIMD (fused
 * multiply-add in the products; chosen when the host validates a tiny relaxed-SIMD module:
 * VS Code desktop, browsers, Node 20 with --experimental-wasm-relaxed-simd) and plain SIMD.
 * Returns null when WebAssembly or its SIMD is missing (or a host refuses synchronous
 * compilation): callers then use the TypeScript path.
 * Layer: engine. Imports only engine files; `WebAssembly` is an ECMAScript global, present in
 * Node, browsers, workers and the VS Code extension host alike.
 */
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_WASM_BASE64 } from './kernels.wasm';

/** The exports of kernels.as; every pointer is a byte offset into the instance's memory. */
export interface KernelExports {
  gemm(rows: number, cols: number, depth: number, a: number, lda: number, wp: number, c: number, ldc: number, bias: number, accumulate: number): void;
  rnnStep(batch: number, H: number, relu: number, ih: number, hh: number, h: number, hStride: number): void;
  lstmStep(batch: number, H: number, ih: number, hh: number, cPrev: number, cOut: number, h: number, hStride: number): void;
  gruStep(batch: number, H: number, ih: number, hh: number, hPrev: number, hPrevStride: number, h: number, hStride: number): void;
  recurrence(
    cell: number, relu: number, L: number, N: number, H: number, P: number, DH: number, reverse: number,
    ih: number, hh: number, h0: number, c0: number, out: number, c: number, m: number,
    wHh: number, bHh: number, wHr: number,
  ): void;
  /** float32 kernels (precision 'float32'): float32 buffers, weights in 8-column panels. */
  gemmF32(rows: number, cols: number, depth: number, a: number, lda: number, wp: number, c: number, ldc: number, bias: number): void;
  rnnStepF32(batch: number, H: number, relu: number, ih: number, hh: number, h: number, hStride: number): void;
  lstmStepF32(batch: number, H: number, ih: number, hh: number, cPrev: number, cOut: number, h: number, hStride: number): void;
  gruStepF32(batch: number, H: number, ih: number, hh: number, hPrev: number, hPrevStride: number, h: number, hStride: number): void;
  recurrenceF32(
    cell: number, relu: number, L: number, N: number, H: number, P: number, DH: number, reverse: number,
    ih: number, hh: number, h0: number, c0: number, out: number, c: number, m: number,
    wHh: number, bHh: number, wHr: number,
  ): void;
  /** Strided row copy between the caller's and the kernels' layouts; mode: 0 f64->f64, 1 f32->f64, 2 f32->f32, 3 f64->f32. */
  copyRows(rows: number, width: number, src: number, srcStride: number, dst: number, dstStride: number, mode: number): void;
}

interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

const PAGE = 65536;
/** The first page stays unused (AssemblyScript's static area; null pointers mean "none"). */
const BASE = PAGE;

/** Which build of the kernels runs. */
export type KernelPath = 'relaxed-simd' | 'simd';
/** 'auto': relaxed SIMD where the host has it, else SIMD; a named path is used only if the host validates it. */
export type KernelPreference = 'auto' | KernelPath;

let compiled: { built: unknown; path: KernelPath } | null | undefined;
let preference: KernelPreference = 'auto';

/**
 * The smallest module using relaxed SIMD: one function returning f32x4.relaxed_madd of three
 * v128 constants (opcode 0xfd 0x105). WebAssembly.validate says whether the host has the feature.
 */
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, // magic, version
  1, 5, 1, 96, 0, 1, 123, // type section: () -> v128
  3, 2, 1, 0, // function section
  10, 61, 1, 59, 0, // code section, one body of 59 bytes, no locals
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // v128.const 0
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  253, 133, 2, 11, // f32x4.relaxed_madd, end
]);

/** True when this host's WebAssembly has relaxed SIMD (fused multiply-add). */
export function relaxedSimdAvailable(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(RELAXED_PROBE);
  } catch {
    return false;
  }
}

/**
 * Chooses the kernels' build for models prepared from now on (tests and benchmarks compare
 * the paths; the extension leaves it at 'auto'). Models already prepared keep theirs.
 */
export function setKernelPreference(next: KernelPreference): void {
  preference = next;
  compiled = undefined;
}

/** The build models prepared now would use, or null for the TypeScript path. */
export function kernelPath(): KernelPath | null {
  return compiledModule()?.path ?? null;
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const value = new Uint8Array(128);
  for (let i = 0; i < alphabet.length; i++) value[alphabet.charCodeAt(i)] = i;
  const clean = text.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    acc = (acc << 6) | value[clean.charCodeAt(i)];
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

function compileBuild(base64: string): unknown | null {
  const bytes = decodeBase64(base64);
  // validate() is false when the host lacks the build's features; new Module() may throw on a
  // browser's main thread for modules over 4 KB. Either way: null.
  if (!WebAssembly.validate(bytes)) return null;
  return new WebAssembly.Module(bytes);
}

function compiledModule(): { built: unknown; path: KernelPath } | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  try {
    if (typeof WebAssembly !== 'object') return null;
    if (preference !== 'simd' && relaxedSimdAvailable()) {
      const relaxed = compileBuild(KERNELS_RELAXED_WASM_BASE64);
      if (relaxed !== null) return (compiled = { built: relaxed, path: 'relaxed-simd' });
    }
    if (preference === 'relaxed-simd') return null;
    const simd = compileBuild(KERNELS_WASM_BASE64);
    if (simd !== null) compiled = { built: simd, path: 'simd' };
  } catch {
    compiled = null;
  }
  return compiled;
}

/** True when the WebAssembly kernels can run here. */
export function wasmAvailable(): boolean {
  return compiledModule() !== null;
}

/**
 * One instance of the kernels with its own memory and a bump allocator: `reserve` the
 * persistent part (packed weights) first, then per run `mark`/`alloc` scratch above it and
 * read/write through `heap` (re-read it after alloc: growing the memory replaces the buffer).
 */
export class WasmKernels {
  readonly k: KernelExports;
  private readonly memory: WasmMemory;
  heap: Float64Array;
  /** The same memory as float32 (precision 'float32'); re-read after alloc like `heap`. */
  heap32: Float32Array;
  private top = BASE;
  private runBase = BASE;
  /** memory.buffer.byteLength, kept here: the buffer getter is a slow host call. */
  private capacity: number;

  private constructor(compiledKernels: unknown) {
    const memory = new WebAssembly.Memory({ initial: 2 }) as unknown as WasmMemory;
    const instance = new WebAssembly.Instance(compiledKernels as WebAssembly.Module, { env: { memory } });
    this.k = instance.exports as unknown as KernelExports;
    this.memory = memory;
    this.heap = new Float64Array(memory.buffer);
    this.heap32 = new Float32Array(memory.buffer);
    this.capacity = memory.buffer.byteLength;
  }

  /** A fresh instance, or null when WebAssembly SIMD is unavailable. */
  static create(): WasmKernels | null {
    const kernels = compiledModule();
    if (kernels === null) return null;
    try {
      return new WasmKernels(kernels.built);
    } catch {
      return null;
    }
  }

  /** Allocate `count` float64 values (32-byte aligned); returns a byte pointer. */
  alloc(count: number): number {
    return this.allocBytes(count * 8);
  }

  /** Allocate `count` float32 values (32-byte aligned); returns a byte pointer. */
  allocF32(count: number): number {
    return this.allocBytes(count * 4);
  }

  private allocBytes(bytes: number): number {
    const ptr = this.top;
    this.top += Math.ceil(bytes / 32) * 32 || 32;
    if (this.top > this.capacity) {
      this.memory.grow(Math.ceil((this.top - this.capacity) / PAGE));
      this.heap = new Float64Array(this.memory.buffer);
      this.heap32 = new Float32Array(this.memory.buffer);
      this.capacity = this.memory.buffer.byteLength;
    }
    return ptr;
  }

  /** Everything allocated so far stays (weights); `release` frees what comes after. */
  keep(): void {
    this.runBase = this.top;
  }

  /** Free the scratch of the previous run (the memory itself is kept for the next one). */
  release(): void {
    this.top = this.runBase;
  }

  /**
   * Free everything, weights too: the instance starts over as a new one would, keeping its
   * memory (already grown and touched: a fresh instance pays page faults on every first use).
   */
  reset(): void {
    this.top = this.runBase = BASE;
  }

  /** Bytes of linear memory this instance holds. */
  get bytes(): number {
    return this.capacity;
  }

  /**
   * Pack W (cols x depth, row-major) for gemm: transposed panels of 4 columns, zero-padded.
   * Returns the byte pointer.
   */
  packWeights(w: Float64Array, cols: number, depth: number): number {
    const panels = Math.ceil(cols / 4);
    const ptr = this.alloc(panels * 4 * depth);
    const heap = this.heap;
    let o = ptr / 8;
    for (let p = 0; p < panels; p++) {
      for (let k = 0; k < depth; k++) {
        for (let j = 0; j < 4; j++) {
          const n = p * 4 + j;
          heap[o++] = n < cols ? w[n * depth + k] : 0;
        }
      }
    }
    return ptr;
  }

  /** Copy a bias (padded to a multiple of 4 with zeros); 0 for none. */
  packBias(b: Float64Array | null): number {
    if (!b) return 0;
    const ptr = this.alloc(Math.ceil(b.length / 4) * 4);
    this.heap.fill(0, ptr / 8, ptr / 8 + Math.ceil(b.length / 4) * 4);
    this.heap.set(b, ptr / 8);
    return ptr;
  }

  /**
   * Pack W (cols x depth, row-major) for gemmF32: transposed panels of 8 columns as float32
   * (PyTorch's float32 weights are exact here), zero-padded. Returns the byte pointer.
   */
  packWeightsF32(w: Float64Array, cols: number, depth: number): number {
    const panels = Math.ceil(cols / 8);
    const ptr = this.allocF32(panels * 8 * depth);
    const heap = this.heap32;
    let o = ptr / 4;
    for (let p = 0; p < panels; p++) {
      for (let k = 0; k < depth; k++) {
        for (let j = 0; j < 8; j++) {
          const n = p * 8 + j;
          heap[o++] = n < cols ? w[n * depth + k] : 0;
        }
      }
    }
    return ptr;
  }

  /** Copy a bias as float32 (padded to a multiple of 8 with zeros); 0 for none. */
  packBiasF32(b: Float64Array | null): number {
    if (!b) return 0;
    const padded = Math.ceil(b.length / 8) * 8;
    const ptr = this.allocF32(padded);
    this.heap32.fill(0, ptr / 4, ptr / 4 + padded);
    this.heap32.set(b, ptr / 4);
    return ptr;
  }
}
