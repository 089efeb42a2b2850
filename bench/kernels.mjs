#!/usr/bin/env node
// Micro-measurements of the engine's pieces, for tuning the WebAssembly kernels (reports only):
//   1. milliseconds per forward of each workload through createModel(doc).forwardTensors, float64
//      and float32, in a tight loop (no harness, no peers: what the kernels and their JS glue cost);
//   2. GFLOP/s of the float32 and float64 GEMM kernels on the workloads' own shapes
//      (input projections and recurrent products).
// CPU time (process.cpuUsage), best of 5, so another process on the machine inflates it less.
// Each path of the kernels in turn: the SIMD build in this process, then the relaxed-SIMD build
// (fused multiply-add) in a child Node started with --experimental-wasm-relaxed-simd; GFLOP/s
// against this CPU's peak (clock from /proc/cpuinfo x flops per cycle, see peakLine()).
//   npm run bench:kernels            (needs `npm run build` and `npm run compile-tests` first)
//   node bench/kernels.mjs --path simd|relaxed-simd   (one path, this process)
// Node-only script.
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const onlyIndex = process.argv.indexOf('--path');
const onlyPath = onlyIndex >= 0 ? process.argv[onlyIndex + 1] : undefined;
if (!onlyPath) {
  // One run per path, each in its own process (the flag must be given at start-up).
  for (const [flags, kernelPath] of [[[], 'simd'], [['--experimental-wasm-relaxed-simd'], 'relaxed-simd']]) {
    const r = spawnSync(process.execPath, [...flags, fileURLToPath(import.meta.url), '--path', kernelPath], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  process.exit(0);
}

const api = require(path.join(root, 'dist', 'engine.js'));
const backend = require(path.join(root, 'out', 'src', 'engine', 'wasm', 'backend.js'));
const { WasmKernels } = backend;
// dist/engine.js is a bundle with its own copy of the backend: both get the same preference.
for (const b of [backend, api]) b.setKernelPreference?.(onlyPath);
if (backend.kernelPath() !== onlyPath) {
  console.log(`\n## path ${onlyPath}: not available in this Node (${process.version}); skipped`);
  process.exit(0);
}

/**
 * This core's clock, measured: a chain of 8 dependent one-cycle integer operations (add, xor)
 * per iteration, best CPU time of 7 (the nominal clock in /proc/cpuinfo is far below the boost
 * clock these machines run at).
 */
function measuredGHz() {
  const chain = (n) => {
    let x = 0;
    for (let i = 0; i < n; i++) {
      x = (x + i) | 0; x ^= i; x = (x + i) | 0; x ^= i; x = (x + i) | 0; x ^= i; x = (x + i) | 0; x ^= i;
    }
    return x;
  };
  chain(1e6);
  let best = Infinity;
  for (let r = 0; r < 7; r++) {
    const t0 = process.cpuUsage();
    chain(2e7);
    const u = process.cpuUsage(t0);
    best = Math.min(best, u.user + u.system);
  }
  return (8 * 2e7) / (best * 1e3);
}

/**
 * Peak GFLOP/s of one core at the measured clock. WebAssembly's 128-bit vectors: 2 vector
 * multiplies + 2 adds (or 2 FMAs) per cycle = 16 float32 / 8 float64 flops per cycle on the
 * x86 cores these machines have (Zen: two FMA and two FADD pipes). Native code with 256-bit
 * AVX2 FMA doubles that, 512-bit AVX-512 (which onnxruntime's MLAS uses where present) doubles it again.
 */
function peakLine() {
  let model = 'unknown CPU';
  try {
    model = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? model;
  } catch {
    // not Linux
  }
  const ghz = measuredGHz();
  return {
    ghz,
    text: `${model}, ${ghz.toFixed(2)} GHz (measured); one core's peak: WebAssembly 128-bit ` +
      `float32 ${(16 * ghz).toFixed(0)} / float64 ${(8 * ghz).toFixed(0)} GFLOP/s; native AVX2 FMA ${(32 * ghz).toFixed(0)} / ${(16 * ghz).toFixed(0)}, AVX-512 ${(64 * ghz).toFixed(0)} / ${(32 * ghz).toFixed(0)}`,
  };
}
const peak = peakLine();
console.log(`\n## path ${onlyPath} (${process.version}${process.execArgv.length ? ' ' + process.execArgv.join(' ') : ''})\n\n${peak.text}\n`);
const workloads = JSON.parse(readFileSync(path.join(here, 'workloads.json'), 'utf8'));

const flat = (a) => (Array.isArray(a) ? a.flatMap(flat) : [a]);
/** Best-of-5 CPU microseconds per call of fn, each turn `reps` calls. */
function cpuMicros(fn, reps) {
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = process.cpuUsage();
    for (let i = 0; i < reps; i++) fn();
    const u = process.cpuUsage(t0);
    best = Math.min(best, (u.user + u.system) / reps);
  }
  return best;
}

console.log('| workload | float64 ms/forward | float32 ms/forward |\n|---|---:|---:|');
for (const w of workloads) {
  const doc = { model: w.model, seed: w.seed, input: w.input, ...(w.head ? { head: w.head } : {}) };
  const init = api.init(doc);
  const input = { shape: w.input.rand.slice(), data: Float64Array.from(flat(init.input)) };
  const cells = ['float64', 'float32'].map((precision) => {
    const model = api.createModel(doc, { precision });
    const once = cpuMicros(() => model.forwardTensors(input), 1);
    const reps = Math.max(1, Math.min(20000, Math.round(200000 / Math.max(once, 1))));
    return (cpuMicros(() => model.forwardTensors(input), reps) / 1000).toFixed(4);
  });
  console.log(`| ${w.name} | ${cells[0]} | ${cells[1]} |`);
}

// GEMM shapes (rows x cols x depth): input projection (L*N x G x In) and recurrent product (N x G x H).
const shapes = [];
for (const w of workloads) {
  const m = w.model;
  const g = (m.type === 'LSTM' ? 4 : m.type === 'GRU' ? 3 : 1) * m.hidden_size;
  const [n, l] = m.batch_first ? w.input.rand : [w.input.rand[1], w.input.rand[0]];
  shapes.push([`${w.name} input`, l * n, g, m.input_size], [`${w.name} recurrent`, n, g, m.hidden_size]);
}
console.log('\n| GEMM | rows x cols x depth | float64 GFLOP/s (% of Wasm peak) | float32 GFLOP/s (% of Wasm peak) |\n|---|---|---:|---:|');
const pct = (gf, perCycle) => (Number.isFinite(peak.ghz) ? ` (${((100 * gf) / (perCycle * peak.ghz)).toFixed(0)}%)` : '');
const rnd = (count) => Float64Array.from({ length: count }, () => Math.fround(Math.random() * 0.2 - 0.1));
for (const [name, rows, cols, depth] of shapes) {
  const k = WasmKernels.create();
  const macs = rows * cols * depth;
  const reps = Math.max(3, Math.round(2e8 / macs));
  const w64 = k.packWeights(rnd(cols * depth), cols, depth);
  const w32 = k.packWeightsF32(rnd(cols * depth), cols, depth);
  const a64 = k.alloc(rows * depth), c64 = k.alloc(rows * cols);
  const a32 = k.allocF32(rows * depth), c32 = k.allocF32(rows * cols);
  k.heap.set(rnd(rows * depth), a64 / 8);
  k.heap32.set(rnd(rows * depth), a32 / 4);
  const gf64 = (2 * macs) / 1e3 / cpuMicros(() => k.k.gemm(rows, cols, depth, a64, depth, w64, c64, cols, 0, 0), reps);
  const gf32 = (2 * macs) / 1e3 / cpuMicros(() => k.k.gemmF32(rows, cols, depth, a32, depth, w32, c32, cols, 0), reps);
  console.log(`| ${name} | ${rows} x ${cols} x ${depth} | ${gf64.toFixed(1)}${pct(gf64, 8)} | ${gf32.toFixed(1)}${pct(gf32, 16)} |`);
}
