#!/usr/bin/env node
// Micro-measurements of the engine's pieces, for tuning the WebAssembly kernels (reports only):
//   1. milliseconds per forward of each workload through createModel(doc).forwardTensors, float64
//      and float32, in a tight loop (no harness, no peers: what the kernels and their JS glue cost);
//   2. GFLOP/s of the float32 and float64 GEMM kernels on the workloads' own shapes
//      (input projections and recurrent products).
// CPU time (process.cpuUsage), best of 5, so another process on the machine inflates it less.
//   npm run bench:kernels            (needs `npm run build` and `npm run compile-tests` first)
// Node-only script.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const api = require(path.join(root, 'dist', 'engine.js'));
const { WasmKernels } = require(path.join(root, 'out', 'src', 'engine', 'wasm', 'backend.js'));
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
console.log('\n| GEMM | rows x cols x depth | float64 GFLOP/s | float32 GFLOP/s |\n|---|---|---:|---:|');
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
  console.log(`| ${name} | ${rows} x ${cols} x ${depth} | ${gf64.toFixed(1)} | ${gf32.toFixed(1)} |`);
}
