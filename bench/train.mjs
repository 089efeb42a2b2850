// Training speed: RNN Lens through its public library (dist/engine.js createTrainer: float64 on the
// WebAssembly tape, the default, and the opt-in { precision: 'float32' }) against
// PyTorch 1.13 on one thread (bench/train/torch_train_speed.py, float32: OMP/MKL at 1 thread and
// set_num_threads(1)/set_num_interop_threads(1)), per optimizer step, same machine, same run,
// alternating. Times are CPU time of the process (this machine is shared: wall time swings with
// the load) and wall time, medians over repeats after a warm-up. Correctness is the golden tests'
// job (test/unit/train.golden.test.ts, test/unit/tape.wasm.test.ts); this file only times.
//
//   npm run build && npm run bench:train   (--repeats N, --only origin,char)
//   node --experimental-wasm-relaxed-simd bench/train.mjs           (the relaxed-SIMD build: FMA)
//
// Workloads (bench/train/*.rnn.json): origin = the origin snippet's RNN 10->20 + Linear, N 3, L 5,
// Adam + MSE; char = Embedding(65, 65) -> LSTM(65, 128) -> Linear(128, 65) on every step, N 16,
// L 50, Adam + CrossEntropy. Targets (issue #12): origin >= 20x faster than PyTorch, char <= 1x.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const require = createRequire(import.meta.url);
const api = require(path.join(root, 'dist/engine.js'));

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const repeats = Number(opt('--repeats', 5));
const only = opt('--only', 'origin,char').split(',');
const WORKLOADS = [
  { name: 'origin', file: 'origin_adam.rnn.json', steps: 2000, warmup: 2000, torchSteps: 100, target: 'RNN Lens >= 20x faster' },
  { name: 'char', file: 'char_lstm.rnn.json', steps: 15, warmup: 10, torchSteps: 5, target: 'RNN Lens <= 1x PyTorch time' },
].filter((w) => only.includes(w.name));

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

/**
 * One trainer per workload and precision, as a training run has: `warmup` steps first (the JIT,
 * and the first touch of the WebAssembly memory), then `steps` steps per timeRnnLens call.
 */
function makeTrainer(doc, total, precision) {
  const d = { ...doc, train: { ...doc.train, steps: total } };
  return api.createTrainer(d, { precision });
}

function timeRnnLens(t, steps) {
  const w0 = performance.now();
  const c0 = cpuMs();
  for (let i = 0; i < steps; i++) t.step();
  return { wall: (performance.now() - w0) / steps, cpu: (cpuMs() - c0) / steps };
}

function timeTorch(file, steps) {
  const r = spawnSync('/usr/bin/python3', [path.join(here, 'train/torch_train_speed.py'), file, '--json', '--repeats', '1', '--steps', String(steps)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`torch_train_speed.py failed: ${r.stderr}`);
  const j = JSON.parse(r.stdout.trim().split('\n').pop());
  return { wall: j.ms_per_step, cpu: j.cpu_ms_per_step, torch: j.torch };
}

const rows = [];
console.log(`kernels: ${api.kernelPath ? api.kernelPath() : 'unknown'}; PyTorch on one thread; medians of ${repeats} repeats`);
for (const w of WORKLOADS) {
  const file = path.join(here, 'train', w.file);
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  // Warm-up: the JIT needs a few steps of a large model, many of a small one.
  const total = w.warmup + repeats * w.steps;
  const t64 = makeTrainer(doc, total, 'float64');
  const t32 = makeTrainer(doc, total, 'float32');
  timeRnnLens(t64, w.warmup);
  timeRnnLens(t32, w.warmup);
  const ours = [];
  const ours32 = [];
  const theirs = [];
  let torchVersion = '';
  for (let r = 0; r < repeats; r++) {
    ours.push(timeRnnLens(t64, w.steps));
    ours32.push(timeRnnLens(t32, w.steps));
    const t = timeTorch(file, w.torchSteps);
    torchVersion = t.torch;
    theirs.push(t);
  }
  const row = {
    workload: w.name,
    rnnLensCpuMs: median(ours.map((o) => o.cpu)),
    rnnLensWallMs: median(ours.map((o) => o.wall)),
    torchCpuMs: median(theirs.map((o) => o.cpu)),
    torchWallMs: median(theirs.map((o) => o.wall)),
    torch: torchVersion,
    target: w.target,
  };
  row.speedupCpu = row.torchCpuMs / row.rnnLensCpuMs;
  row.speedupWall = row.torchWallMs / row.rnnLensWallMs;
  if (ours32.length) {
    row.rnnLensFloat32CpuMs = median(ours32.map((o) => o.cpu));
    row.rnnLensFloat32WallMs = median(ours32.map((o) => o.wall));
    row.speedupFloat32Cpu = row.torchCpuMs / row.rnnLensFloat32CpuMs;
  }
  rows.push(row);
  console.log(`${w.name.padEnd(7)} RNN Lens ${row.rnnLensCpuMs.toFixed(3)} ms/step CPU (${row.rnnLensWallMs.toFixed(3)} wall) | PyTorch ${row.torchCpuMs.toFixed(3)} CPU (${row.torchWallMs.toFixed(3)} wall) | RNN Lens is ${row.speedupCpu.toFixed(2)}x PyTorch's speed (CPU; wall ${row.speedupWall.toFixed(2)}x) [target: ${w.target}]`);
  if (ours32.length) console.log(`${''.padEnd(7)} RNN Lens float32 ${row.rnnLensFloat32CpuMs.toFixed(3)} ms/step CPU (${row.rnnLensFloat32WallMs.toFixed(3)} wall) | ${row.speedupFloat32Cpu.toFixed(2)}x PyTorch's speed (CPU)`);
}
mkdirSync(path.join(here, 'results'), { recursive: true });
const kernels = api.kernelPath ? api.kernelPath() : 'unknown';
const out = path.join(here, 'results', `train-${new Date().toISOString().slice(0, 10)}${kernels === 'relaxed-simd' ? '-relaxed' : ''}.json`);
writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, kernels, repeats, rows }, null, 2) + '\n');
console.log(`wrote ${path.relative(root, out)}`);
