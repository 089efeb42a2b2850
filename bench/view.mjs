// What the Unroll View computes per run, timed: a traced forward (every step's gates and
// states for the diagram) and a backward pass (the per-step gradient norms), for the
// workloads of bench/workloads.json, on the WebAssembly tape (src/engine/tape.ts, the default)
// and on the TypeScript loops (the fallback, and what every view run paid before the tape).
// Medians of CPU and wall time per run, same process, alternating. Only times; correctness is
// test/unit/tape.wasm.test.ts's job.
//
//   npm run compile-tests && node bench/view.mjs            (--only medium, --repeats N)
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const require = createRequire(import.meta.url);
const engine = (f) => require(path.join(root, 'out/src/engine', f));
const { forward, backward } = engine('unroll.js');
const { createGenerator, torchRand } = engine('random.js');
const { initStateDict } = engine('params.js');
const { kernelPath } = engine('wasm/backend.js');

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const repeats = Number(opt('--repeats', 3));
const only = opt('--only', 'seed,small,medium').split(',');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

function specOf(w) {
  const m = w.model;
  const model = {
    type: m.type, inputSize: m.input_size, hiddenSize: m.hidden_size, numLayers: m.num_layers ?? 1, bias: m.bias ?? true,
    batchFirst: m.batch_first ?? false, dropout: 0, bidirectional: m.bidirectional ?? false, projSize: m.proj_size ?? 0, nonlinearity: 'tanh',
  };
  const head = w.head ? { type: 'Linear', outFeatures: w.head.out_features, bias: true, on: 'last' } : undefined;
  const gen = createGenerator(w.seed);
  const stateDict = initStateDict(model, head, gen);
  const input = torchRand(gen, w.input.rand);
  return { model, head, stateDict, input };
}

/** The view's loss: sum of the head's outputs, else of the top layer's output (all ones upstream). */
function upstreamOf(spec, f) {
  if (f.head) return { gradHead: { shape: f.head.shape, data: new Float64Array(f.head.data.length).fill(1) } };
  return { gradOutput: { shape: f.output.shape, data: new Float64Array(f.output.data.length).fill(1) } };
}

function once(spec, backend) {
  const w0 = performance.now();
  const c0 = cpuMs();
  const f = forward(spec, { trace: true, backend });
  const g = backward(spec, upstreamOf(spec, f), { backend });
  if (!g.hiddenGradNorms.length) throw new Error('no gradients');
  return { wall: performance.now() - w0, cpu: cpuMs() - c0 };
}

const workloads = JSON.parse(readFileSync(path.join(here, 'workloads.json'), 'utf8')).filter((w) => only.includes(w.name));
console.log(`kernels: ${kernelPath() ?? 'none (TypeScript)'}; traced forward + backward per view run, median of ${repeats}`);
const rows = [];
for (const w of workloads) {
  const spec = specOf(w);
  const t = { wasm: [], typescript: [] };
  once(spec, 'wasm');
  once(spec, 'typescript');
  for (let r = 0; r < repeats; r++) for (const b of r % 2 ? ['typescript', 'wasm'] : ['wasm', 'typescript']) t[b].push(once(spec, b));
  const row = (b) => `${median(t[b].map((x) => x.cpu)).toFixed(1)} ms CPU (${median(t[b].map((x) => x.wall)).toFixed(1)} wall)`;
  const ratio = median(t.typescript.map((x) => x.cpu)) / median(t.wasm.map((x) => x.cpu));
  console.log(`${w.name.padEnd(7)} wasm tape ${row('wasm')} | TypeScript ${row('typescript')} | ${ratio.toFixed(1)}x faster`);
  const med = (b, k) => median(t[b].map((x) => x[k]));
  rows.push({ workload: w.name, wasmCpuMs: med('wasm', 'cpu'), wasmWallMs: med('wasm', 'wall'), typescriptCpuMs: med('typescript', 'cpu'), typescriptWallMs: med('typescript', 'wall'), speedupCpu: ratio });
}
mkdirSync(path.join(here, 'results'), { recursive: true });
const kernels = kernelPath() ?? 'typescript';
const out = path.join(here, 'results', `view-${new Date().toISOString().slice(0, 10)}${kernels === 'relaxed-simd' ? '-relaxed' : ''}.json`);
writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, kernels, repeats, rows }, null, 2) + '\n');
console.log(`wrote ${path.relative(root, out)}`);
