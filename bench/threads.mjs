#!/usr/bin/env node
// RNN Lens on one thread and on every core (src/engine/parallel), side by side in one run: for
// each workload of bench/workloads.json and each precision, the median wall time of a forward and
// the CPU time it took (process.cpuUsage: every thread of this process, helpers included), so the
// cost of the split (CPU of the threaded run over CPU of the one-thread run) can be read even on a
// machine shared with other work, where wall times say little. Also checks the threaded results
// are the one-thread results bit for bit. onnxruntime-node (1 thread and its default threads) is
// timed in the same turns when bench/node_modules and bench/.cache have it (npm run bench
// installs and exports them). Besides medians, the fastest turn of each engine is kept: on a
// machine shared with other work it is the closest to what idle cores give. It reports; it never
// fails on timing.
//
//   node bench/threads.mjs [--only medium] [--rounds N]      (add --experimental-wasm-relaxed-simd
//                                                             before bench/ for the relaxed-SIMD kernels)
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const only = opt('--only');
const rounds = Number(opt('--rounds', 7));
const api = require(path.join(root, 'dist', 'engine.js'));
const { nodeThreadHost, machineCores } = require(path.join(root, 'dist', 'threads.js'));
const workloads = JSON.parse(readFileSync(path.join(here, 'workloads.json'), 'utf8')).filter((w) => !only || only.split(',').includes(w.name));
const median = (v) => v.slice().sort((a, b) => a - b)[v.length >> 1];
const flatten = (x) => (Array.isArray(x) ? x.flat(Infinity) : [x]);

let ort;
try {
  ort = require(path.join(here, 'node_modules', 'onnxruntime-node'));
} catch {
  ort = undefined; // npm run bench installs it
}

const rows = [];
for (const w of workloads) {
  const doc = { model: w.model, seed: w.seed, input: w.input };
  if (w.head) doc.head = w.head;
  const input = { shape: w.input.rand.slice(), data: Float64Array.from(flatten(api.init(doc).input)) };
  for (const precision of ['float64', 'float32']) {
    const one = api.createModel(doc, { precision });
    const many = api.createModel(doc, { precision, threadHost: nodeThreadHost(), threads: 0 });
    await new Promise((r) => setTimeout(r, 1500)); // the helpers prepare the model; not timed
    const a = one.forwardTensors(input);
    const b = many.forwardTensors(input);
    const same = ['output', 'hN', 'cN', 'head'].every((k) => !a[k] || a[k].data.every((v, i) => Object.is(v, b[k].data[i])));
    const t = { one: { wall: [], cpu: [] }, many: { wall: [], cpu: [] }, ort1: { wall: [], cpu: [] }, ortDefault: { wall: [], cpu: [] } };
    const engines = [['one', (n) => { for (let i = 0; i < n; i++) one.forwardTensors(input); }], ['many', (n) => { for (let i = 0; i < n; i++) many.forwardTensors(input); }]];
    const onnx = path.join(here, '.cache', `${w.name}.onnx`);
    if (ort && precision === 'float32' && existsSync(onnx)) {
      const x = new ort.Tensor('float32', Float32Array.from(input.data), input.shape);
      for (const [name, opts] of [['ort1', { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' }], ['ortDefault', {}]]) {
        const session = await ort.InferenceSession.create(onnx, opts);
        await session.run({ input: x });
        engines.push([name, async (n) => { for (let i = 0; i < n; i++) await session.run({ input: x }); }]);
      }
    }
    const reps = Math.max(1, Math.round(200 / Math.max(0.05, median([1, 2, 3].map(() => { const s = performance.now(); one.forwardTensors(input); return performance.now() - s; })))));
    for (let r = 0; r < rounds; r++) {
      for (const [name, run] of engines.map((_, i) => engines[(i + r) % engines.length])) {
        const c0 = process.cpuUsage();
        const s = performance.now();
        await run(reps);
        const c = process.cpuUsage(c0);
        t[name].wall.push((performance.now() - s) / reps);
        t[name].cpu.push((c.user + c.system) / 1000 / reps);
      }
    }
    many.dispose();
    const row = {
      workload: w.name, precision, kernel: api.kernelPath(), sameBits: same,
      oneWallMs: median(t.one.wall), oneCpuMs: median(t.one.cpu), threadsWallMs: median(t.many.wall), threadsCpuMs: median(t.many.cpu),
      oneFastestMs: Math.min(...t.one.wall), threadsFastestMs: Math.min(...t.many.wall),
      ort1FastestMs: t.ort1.wall.length ? Math.min(...t.ort1.wall) : undefined,
      ortDefaultFastestMs: t.ortDefault.wall.length ? Math.min(...t.ortDefault.wall) : undefined,
    };
    rows.push(row);
    process.stderr.write(`${w.name} ${precision}: one ${row.oneWallMs.toFixed(3)} ms (cpu ${row.oneCpuMs.toFixed(3)}), threads ${row.threadsWallMs.toFixed(3)} ms (cpu ${row.threadsCpuMs.toFixed(3)}), same bits ${same}\n`);
  }
}
const machine = { date: new Date().toISOString(), cpu: os.cpus()[0]?.model, cores: machineCores(), load: os.loadavg().map((x) => x.toFixed(1)).join(' '), node: process.version, kernel: api.kernelPath() };
const lines = [
  `## RNN Lens on one thread and on ${machine.cores} threads, ${machine.date.slice(0, 10)} (${machine.kernel} kernels)`,
  '',
  `Machine: ${machine.cpu}, ${machine.cores} cores, load average ${machine.load} at the end; Node ${machine.node}.`,
  'CPU ms: process CPU time per forward, every thread included.',
  '',
  '| workload | precision | 1 thread ms | 1 thread CPU ms | threads ms | threads CPU ms | CPU threads / 1 thread | same bits |',
  '|---|---|---:|---:|---:|---:|---:|---|',
  ...rows.map((r) => `| ${r.workload} | ${r.precision} | ${r.oneWallMs.toFixed(3)} | ${r.oneCpuMs.toFixed(3)} | ${r.threadsWallMs.toFixed(3)} | ${r.threadsCpuMs.toFixed(3)} | ${(r.threadsCpuMs / r.oneCpuMs).toFixed(2)} | ${r.sameBits ? 'yes' : 'NO'} |`),
  '',
  'Fastest turn (ms per forward; ratios to onnxruntime-node on its default threads, float32 rows):',
  '',
  '| workload | precision | RNN Lens 1 thread | RNN Lens threads | ORT 1 thread | ORT default | 1 thread / ORT default | threads / ORT default |',
  '|---|---|---:|---:|---:|---:|---:|---:|',
  ...rows.map((r) => {
    const f = (x) => (x === undefined ? '-' : x.toFixed(3));
    const q = (x) => (r.ortDefaultFastestMs ? (x / r.ortDefaultFastestMs).toFixed(2) + 'x' : '-');
    return `| ${r.workload} | ${r.precision} | ${f(r.oneFastestMs)} | ${f(r.threadsFastestMs)} | ${f(r.ort1FastestMs)} | ${f(r.ortDefaultFastestMs)} | ${q(r.oneFastestMs)} | ${q(r.threadsFastestMs)} |`;
  }),
  '',
];
process.stdout.write(lines.join('\n'));
mkdirSync(path.join(here, 'results'), { recursive: true });
writeFileSync(path.join(here, 'results', `threads-latest-${machine.kernel}.json`), JSON.stringify({ machine, rows }, null, 2));
writeFileSync(path.join(here, 'results', `threads-latest-${machine.kernel}.md`), lines.join('\n'));
if (rows.some((r) => !r.sameBits)) process.exitCode = 1;
