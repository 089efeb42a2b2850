#!/usr/bin/env node
// The benchmark: RNN Lens's engine side by side with its peers in one run.
//
// For each workload in bench/workloads.json it first checks that every engine's output agrees
// with PyTorch's (float64 reference from the same float32 weights), then times the engines
// alternately (round-robin, rotating who goes first) and prints medians, GFLOP/s, peak memory
// and the ratios to onnxruntime-node on one thread and on its default threads (RNN Lens runs
// on one thread and, in the -threads rows, on every core: src/engine/parallel), as Markdown, also written as JSON to
// bench/results/. Peers that cannot be had are reported as skipped with the reason, never dropped.
//
//   npm run bench                 all workloads
//   npm run bench -- --only long  one workload (or a list: seed,small); --rounds N; --quick (fewer rounds)
//
// It reports; it never fails on timing. Exit 1 only when an engine disagrees with PyTorch.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const cacheDir = path.join(here, '.cache');
const resultsDir = path.join(here, 'results');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const quick = args.includes('--quick');
const only = opt('--only');
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const workloads = JSON.parse(readFileSync(path.join(here, 'workloads.json'), 'utf8')).filter(
  (w) => !only || only.split(',').includes(w.name),
);

// ---------------------------------------------------------------- memory mode (child process)
if (args[0] === '--mem') {
  await memoryChild(args[1], args[2]);
  process.exit(0);
}

const skipped = {}; // engine -> reason

function log(...a) {
  process.stderr.write(a.join(' ') + '\n');
}

// ---------------------------------------------------------------- peers: find or install
function haveTorch() {
  const r = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function ensureTorch() {
  let v = haveTorch();
  if (!v && process.getuid?.() === 0) {
    log('PyTorch is missing: installing python3-torch and libopenblas0-pthread from Debian...');
    spawnSync('apt-get', ['update', '-q'], { stdio: 'ignore' });
    spawnSync('apt-get', ['install', '-y', '-q', 'python3-torch', 'libopenblas0-pthread'], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    v = haveTorch();
  }
  return v;
}

function tryRequire(name) {
  try {
    return require(name);
  } catch (e) {
    return undefined;
  }
}

/**
 * The Node peers live in bench/package.json (its own lockfile), not in the extension's
 * devDependencies: installed into bench/node_modules on first use, and again when
 * bench/package-lock.json is newer than the install. --ignore-scripts: onnxruntime-node's CPU
 * build ships in its package; its install script would download a GPU build from GitHub.
 * `require` (created from this file) finds them in bench/node_modules.
 */
function ensureBenchPeers() {
  const lock = path.join(here, 'package-lock.json');
  const installed = path.join(here, 'node_modules', '.package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return;
  log('Installing the benchmark peers into bench/node_modules: npm ci --ignore-scripts (bench/package.json)...');
  const r = spawnSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: here, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) log(`npm ci in bench/ failed (${r.status ?? r.signal}): the Node peers will be reported as skipped`);
}

// ---------------------------------------------------------------- reference data from PyTorch
function prepareCache(torchVersion) {
  const stamp = path.join(cacheDir, 'stamp.json');
  const want = JSON.stringify({ torchVersion, workloads: readFileSync(path.join(here, 'workloads.json'), 'utf8') });
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  mkdirSync(cacheDir, { recursive: true });
  log('Exporting the workloads from PyTorch (ONNX models and float64 references)...');
  const r = spawnSync(PYTHON, [path.join(here, 'torch_peer.py'), 'prepare', cacheDir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('torch_peer.py prepare failed:\n' + r.stderr);
  writeFileSync(stamp, want);
}

function readReference(name) {
  const meta = JSON.parse(readFileSync(path.join(cacheDir, name + '.meta.json'), 'utf8'));
  const buf = readFileSync(path.join(cacheDir, name + '.expected.bin'));
  const all = new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
  const tensors = {};
  let at = 0;
  meta.shapes.forEach((shape, i) => {
    const n = shape.reduce((a, b) => a * b, 1);
    tensors[meta.outputs[i]] = all.subarray(at, at + n);
    at += n;
  });
  return tensors;
}

// ---------------------------------------------------------------- helpers
function flatten(nested) {
  const out = [];
  const stack = [nested];
  while (stack.length) {
    const v = stack.pop();
    if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    else out.push(v);
  }
  return out;
}

function flatOf(t) {
  if (!t) return undefined;
  if (t.data) return t.data;
  if (ArrayBuffer.isView(t)) return t;
  return flatten(t);
}

function maxRelErr(ours, expected) {
  if (!ours) return Infinity;
  if (ours.length !== expected.length) return Infinity;
  let m = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.abs(ours[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
    if (!(e <= m)) m = Number.isNaN(e) ? Infinity : e;
  }
  return m;
}

function flopsOf(w) {
  const m = w.model;
  const G = { RNN: 1, LSTM: 4, GRU: 3 }[m.type];
  const D = m.bidirectional ? 2 : 1;
  const [N, L] = m.batch_first ? [w.input.rand[0], w.input.rand[1]] : [w.input.rand[1], w.input.rand[0]];
  let f = 0;
  for (let l = 0; l < (m.num_layers ?? 1); l++) {
    const inSize = l === 0 ? m.input_size : D * m.hidden_size;
    f += D * 2 * G * m.hidden_size * (inSize + m.hidden_size) * N * L;
  }
  if (w.head) f += 2 * D * m.hidden_size * w.head.out_features * N;
  return f;
}

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// ---------------------------------------------------------------- engines
/**
 * Each engine: { name, setup(w, ctx) -> { run(): Promise|void, sync?: true (run is synchronous: timed without await), outputs(): {output, h_n, head?} } }.
 * ctx.input: the workload's input (Float64Array, float32 values, from PyTorch's seeded draw);
 * ctx.init: {state_dict, input} as nested arrays (only the tfjs peer needs it).
 */
function ourEngine(precision = 'float64', threaded = false) {
  const bundle = path.join(root, 'dist', 'engine.js');
  if (!existsSync(bundle) || !existsSync(path.join(root, 'dist', 'threads.js'))) {
    log('Building the engine bundle (npm run build)...');
    spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
  }
  const api = require(bundle);
  const f32 = precision === 'float32';
  // Threads: helpers on every core (src/engine/parallel), used where the batch and the work allow.
  const threads = threaded ? require(path.join(root, 'dist', 'threads.js')) : undefined;
  const cores = threads?.machineCores();
  const base = f32 ? 'rnn-lens-f32' : 'rnn-lens';
  return {
    name: threaded ? `${base}-threads` : base,
    label: `RNN Lens (WebAssembly SIMD, ${precision}${threaded ? `, up to ${cores} threads` : ''})`,
    /** Max relative error to PyTorch's float64 reference this engine is held to. */
    bar: f32 ? 1e-4 : 1e-6,
    async setup(w) {
      const doc = workloadDocument(w);
      const init = api.init(doc);
      const options = f32 ? { precision: 'float32' } : {};
      if (threaded) Object.assign(options, { threadHost: threads.nodeThreadHost(), threads: 0 });
      const model = api.createModel(doc, options);
      if (threaded) await new Promise((r) => setTimeout(r, 1000)); // helpers prepare the model; not timed
      // The tensor-level path (no nested-array conversion), as a program embedding the engine uses it.
      const input = { shape: w.input.rand.slice(), data: Float64Array.from(flatten(init.input)) };
      let last;
      return {
        sync: true,
        run: () => {
          last = model.forwardTensors(input);
        },
        outputs: () => ({ output: flatOf(last.output), h_n: flatOf(last.h_n ?? last.hN), head: flatOf(last.head) }),
        init,
      };
    },
  };
}

function workloadDocument(w) {
  const doc = { model: w.model, seed: w.seed, input: w.input };
  if (w.head) doc.head = w.head;
  return doc;
}

function ortEngine(ort, threads) {
  return {
    name: threads === 1 ? 'ort-1t' : 'ort-default',
    label: threads === 1 ? 'onnxruntime-node 1 thread' : 'onnxruntime-node default threads',
    async setup(w, ctx) {
      const opts = threads === 1 ? { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' } : {};
      const session = await ort.InferenceSession.create(path.join(cacheDir, w.name + '.onnx'), opts);
      const x = new ort.Tensor('float32', Float32Array.from(ctx.input), w.input.rand);
      let last;
      return {
        run: async () => {
          last = await session.run({ input: x });
        },
        outputs: () => ({ output: last.output.data, h_n: last.h_n.data, head: last.head?.data }),
      };
    },
  };
}

function tfjsEngine(tf) {
  return {
    name: 'tfjs-cpu',
    label: 'TensorFlow.js layers, CPU backend',
    async setup(w, ctx) {
      const m = w.model;
      const sd = ctx.init.state_dict;
      const T = (name) => sd[name] ?? sd['rnn.' + name];
      const transpose = (a) => a[0].map((_, j) => a.map((row) => row[j]));
      const addVec = (a, b) => a.map((v, i) => v + b[i]);
      const cellKind = { RNN: 'simpleRNN', LSTM: 'lstm', GRU: 'gru' }[m.type];
      const input = tf.input({ shape: [w.input.rand[1], m.input_size] });
      let x = input;
      let note;
      const layers = [];
      for (let l = 0; l < (m.num_layers ?? 1); l++) {
        const cfg = { units: m.hidden_size, returnSequences: true, recurrentActivation: 'sigmoid', activation: 'tanh', kernelInitializer: 'zeros', recurrentInitializer: 'zeros' };
        if (m.type === 'GRU') note = 'tfjs GRU has no reset_after: it computes a different function than PyTorch (timed at equal size, not compared)';
        const make = () => tf.layers[cellKind]({ ...cfg });
        const layer = m.bidirectional ? tf.layers.bidirectional({ layer: make(), mergeMode: 'concat' }) : make();
        x = layer.apply(x);
        layers.push({ layer, l });
      }
      const model = tf.model({ inputs: input, outputs: x });
      // The head reads the output at the last step, like fc(out[:, -1, :]).
      const fc = w.head ? tf.layers.dense({ units: w.head.out_features, inputShape: [x.shape[2]] }) : undefined;
      if (fc) {
        fc.build([null, x.shape[2]]);
        layers.push({ fc });
      }
      // PyTorch -> Keras weights: kernel = W_ih^T, recurrent kernel = W_hh^T, bias = b_ih + b_hh
      // (gate order i, f, g, o matches Keras's i, f, c, o).
      for (const { layer, l, fc } of layers) {
        if (fc) {
          fc.setWeights([tf.tensor(transpose(sd['head.weight'] ?? sd['fc.weight'])), tf.tensor(sd['head.bias'] ?? sd['fc.bias'])]);
          continue;
        }
        const dirs = m.bidirectional ? ['', '_reverse'] : [''];
        const weights = [];
        for (const d of dirs) {
          weights.push(tf.tensor(transpose(T(`weight_ih_l${l}${d}`))));
          weights.push(tf.tensor(transpose(T(`weight_hh_l${l}${d}`))));
          weights.push(tf.tensor(addVec(T(`bias_ih_l${l}${d}`), T(`bias_hh_l${l}${d}`))));
        }
        if (m.type !== 'GRU') layer.setWeights(weights);
      }
      const xin = tf.tensor(ctx.init.input);
      const [N, L] = [w.input.rand[0], w.input.rand[1]];
      let last;
      return {
        sync: true,
        run: () => {
          if (last) tf.dispose(last);
          last = tf.tidy(() => {
            const seq = model.predict(xin);
            if (!fc) return [seq];
            const F = seq.shape[2];
            return [seq, fc.apply(tf.reshape(tf.slice(seq, [0, L - 1, 0], [N, 1, F]), [N, F]))];
          });
          last.forEach((t) => t.dataSync());
        },
        outputs: () => ({ output: last[0].dataSync(), head: last[1]?.dataSync() }),
        note,
      };
    },
  };
}

function torchEngine(server) {
  return {
    name: 'pytorch-1t',
    label: 'PyTorch CPU (1 thread)',
    async setup(w) {
      return {
        timeMany: async (k) => server.ask(`time ${w.name} ${k}`).then((s) => JSON.parse(s).map((x) => x * 1000)),
        outputs: () => undefined, // the reference itself
      };
    },
  };
}

function startTorchServer() {
  const child = spawn(PYTHON, [path.join(here, 'torch_peer.py'), 'serve'], { stdio: ['pipe', 'pipe', 'ignore'] });
  let buf = '';
  const waiting = [];
  child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      waiting.shift()?.(line);
    }
  });
  const ask = (line) =>
    new Promise((resolve) => {
      waiting.push(resolve);
      child.stdin.write(line + '\n');
    });
  const ready = new Promise((resolve) => waiting.push(resolve));
  return { ask, ready, stop: () => child.stdin.end('quit\n') };
}

// ---------------------------------------------------------------- memory (child process per engine)
async function memoryChild(engineName, workloadName) {
  const w = JSON.parse(readFileSync(path.join(here, 'workloads.json'), 'utf8')).find((x) => x.name === workloadName);
  const base = process.memoryUsage().rss;
  // Only the engine measured is set up: a peer's child reads the input the parent cached
  // (never loading or preparing our model), ours sets itself up as in the timing run.
  let eng;
  if (engineName.startsWith('rnn-lens')) eng = await ourEngine(engineName.includes('f32') ? 'float32' : 'float64', engineName.endsWith('-threads')).setup(w);
  else if (engineName.startsWith('ort')) {
    const ctx = { input: readCachedInput(w) };
    eng = await ortEngine(require('onnxruntime-node'), engineName === 'ort-1t' ? 1 : 0).setup(w, ctx);
  } else if (engineName === 'tfjs-cpu') {
    const ctx = { init: JSON.parse(readFileSync(path.join(cacheDir, w.name + '.init.json'), 'utf8')) };
    const tf = require('@tensorflow/tfjs-layers');
    require('@tensorflow/tfjs-backend-cpu');
    await require('@tensorflow/tfjs-core').setBackend('cpu');
    eng = await tfjsEngine({ ...tf, ...require('@tensorflow/tfjs-core') }).setup(w, ctx);
  }
  const runs = Number(process.argv[4] ?? 3);
  for (let i = 0; i < runs; i++) await eng.run();
  process.stdout.write(JSON.stringify({ base, peak: peakRss() }) + '\n');
}

/**
 * This process's peak RSS in bytes. Linux: VmHWM of /proc/self/status (the high-water mark of
 * this program's own memory map). Not getrusage's maxRSS there: Linux carries the parent's
 * high-water mark across fork + exec, so every child reported the bench's own ~136 MiB.
 */
function peakRss() {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

/** The parent writes each workload's input (and, for tfjs, its nested state_dict) for the memory children. */
function cacheInputs(w, init) {
  const x = Float64Array.from(flatten(init.input));
  writeFileSync(path.join(cacheDir, w.name + '.input.bin'), Buffer.from(x.buffer));
  writeFileSync(path.join(cacheDir, w.name + '.init.json'), JSON.stringify({ state_dict: init.state_dict, input: init.input }));
  return x;
}

function readCachedInput(w) {
  const buf = readFileSync(path.join(cacheDir, w.name + '.input.bin'));
  return new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

function measureMemory(engineName, w, runs = 3) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--mem', engineName, w.name, String(runs)], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- main
async function main() {
  const torchVersion = ensureTorch();
  if (!torchVersion) {
    log('PyTorch (python3-torch) is not available: without it there is no reference to check against.');
    skipped['pytorch-1t'] = 'python3-torch not installed';
    process.exitCode = 1;
    return;
  }
  prepareCache(torchVersion);
  const engines = [ourEngine('float64'), ourEngine('float32'), ourEngine('float64', true), ourEngine('float32', true)];
  ensureBenchPeers();
  const ort = tryRequire('onnxruntime-node');
  if (ort) engines.push(ortEngine(ort, 1), ortEngine(ort, 0));
  else skipped['ort-1t'] = skipped['ort-default'] = 'onnxruntime-node could not be installed (bench/package.json)';
  const tfl = tryRequire('@tensorflow/tfjs-layers');
  const tfc = tryRequire('@tensorflow/tfjs-core');
  if (tfl && tfc && tryRequire('@tensorflow/tfjs-backend-cpu')) {
    await tfc.setBackend('cpu');
    engines.push(tfjsEngine({ ...tfl, ...tfc }));
  } else skipped['tfjs-cpu'] = 'tfjs could not be installed (bench/package.json)';
  const server = startTorchServer();
  await server.ready;
  engines.push(torchEngine(server));

  const results = [];
  let disagreement = false;
  for (const w of workloads) {
    log(`\n${w.name}: ${w.description}`);
    const ref = readReference(w.name);
    const flops = flopsOf(w);
    const ctx = {};
    const prepared = [];
    for (const e of engines) {
      try {
        const s = await e.setup(w, ctx);
        if (e.name === 'rnn-lens') {
          ctx.init = s.init;
          ctx.input = cacheInputs(w, s.init);
        }
        prepared.push({ e, s });
      } catch (err) {
        results.push({ workload: w.name, engine: e.name, skipped: String(err.message ?? err).split('\n')[0] });
      }
    }
    // 1. agreement with PyTorch's float64 reference
    for (const p of prepared) {
      if (p.s.run) {
        await p.s.run();
        const o = p.s.outputs();
        const errs = { output: maxRelErr(o.output, ref.output) };
        if (o.h_n && ref.h_n) errs.h_n = maxRelErr(o.h_n, ref.h_n);
        if (ref.head) errs.head = maxRelErr(o.head, ref.head);
        p.err = Math.max(...Object.values(errs));
        p.agrees = p.err <= (p.e.bar ?? 1e-4);
        if (p.s.note) p.agrees = undefined;
        log(`  ${p.e.name.padEnd(12)} max rel err vs PyTorch ${p.err.toExponential(2)} (bar ${(p.e.bar ?? 1e-4).toExponential(0)})`);
        if (p.agrees === false) {
          log(`  ${p.e.name} DISAGREES with PyTorch: max rel err ${p.err.toExponential(2)}`);
          if (p.e.name.startsWith('rnn-lens')) disagreement = true;
        }
      } else {
        p.err = 0;
        p.agrees = true; // the reference
      }
    }
    // 2. timing: round-robin, rotating the order; each turn runs a batch of iterations
    const single = {};
    for (const p of prepared) {
      const t0 = performance.now();
      if (p.s.run) await p.s.run();
      else await p.s.timeMany(1);
      single[p.e.name] = performance.now() - t0;
    }
    // An engine slower than SLOW_MS per run (tfjs on medium/long takes minutes) is timed by that
    // one run only, so the whole bench stays in minutes; its row says how many samples it has.
    const SLOW_MS = 5000;
    // Warm-up, not timed: every engine runs for WARM_MS first (JIT tiers, caches, allocator
    // pools), so the samples are the steady state a program calling it repeatedly sees.
    const WARM_MS = quick ? 150 : 400;
    for (const p of prepared) {
      if (single[p.e.name] > WARM_MS) continue; // its single run was its warm-up
      const end = performance.now() + WARM_MS;
      while (performance.now() < end) {
        if (p.s.run) await p.s.run();
        else await p.s.timeMany(1);
      }
    }
    const times = Object.fromEntries(prepared.map((p) => [p.e.name, []]));
    for (const p of prepared) {
      if (single[p.e.name] > SLOW_MS) times[p.e.name].push(single[p.e.name]);
    }
    const rounds = Number(opt('--rounds', quick ? 3 : 7));
    for (let r = 0; r < rounds; r++) {
      const order = prepared.map((_, i) => prepared[(i + r) % prepared.length]);
      for (const p of order) {
        if (single[p.e.name] > SLOW_MS) continue;
        const k = Math.max(1, Math.min(200, Math.round(50 / Math.max(single[p.e.name], 0.01))));
        if (p.s.timeMany) {
          times[p.e.name].push(...(await p.s.timeMany(k)));
        } else if (p.s.sync) {
          // A synchronous API (RNN Lens, tfjs) is timed as its callers use it: no `await`, whose
          // microtask turn (~1 µs) would be most of a seed run.
          for (let i = 0; i < k; i++) {
            const t0 = performance.now();
            p.s.run();
            times[p.e.name].push(performance.now() - t0);
          }
        } else {
          for (let i = 0; i < k; i++) {
            const t0 = performance.now();
            await p.s.run();
            times[p.e.name].push(performance.now() - t0);
          }
        }
      }
    }
    const ortMedian = times['ort-1t'] ? median(times['ort-1t']) : undefined;
    const ortDefaultMedian = times['ort-default'] ? median(times['ort-default']) : undefined;
    for (const p of prepared) {
      const ms = median(times[p.e.name]);
      const mem = p.e.name === 'pytorch-1t' ? undefined : measureMemory(p.e.name, w, single[p.e.name] > SLOW_MS ? 1 : 3);
      results.push({
        workload: w.name,
        engine: p.e.name,
        label: p.e.label,
        medianMs: ms,
        samples: times[p.e.name].length,
        gflops: flops / (ms / 1000) / 1e9,
        peakRssMiB: mem ? mem.peak / 2 ** 20 : undefined,
        ratioToOrt1t: ortMedian ? ms / ortMedian : undefined,
        ratioToOrtDefault: ortDefaultMedian ? ms / ortDefaultMedian : undefined,
        maxRelErrVsPyTorch: p.err,
        agrees: p.agrees,
        note: p.s.note,
      });
      log(
        `  ${p.e.name.padEnd(20)} ${ms.toFixed(3).padStart(10)} ms  ${ortMedian ? (ms / ortMedian).toFixed(2) + 'x' : ''}` +
          `${ortDefaultMedian ? `  ${(ms / ortDefaultMedian).toFixed(2)}x ORT default` : ''}`,
      );
    }
  }
  server.stop();

  // 3. L-scaling of our engine: time per step from L = 100 to L = 10,000 (LSTM 128 -> 128, N = 1).
  // CPU time of this process (process.cpuUsage), not wall time: the machine may be shared and
  // this is a single-threaded engine. The lengths take turns (round-robin) so that a busy
  // moment hits all of them; each turn runs ~10,000 steps.
  const scaling = [];
  if (!only || only === 'scaling') {
    const api = require(path.join(root, 'dist', 'engine.js'));
    const lengths = [100, 1000, 10000];
    const runs = lengths.map((L) => {
      const doc = { model: { type: 'LSTM', input_size: 128, hidden_size: 128, batch_first: true }, seed: 3, input: { rand: [1, L, 128] } };
      const model = api.createModel(doc);
      const input = { shape: [1, L, 128], data: Float64Array.from(flatten(api.init(doc).input)) };
      model.forwardTensors(input);
      return { L, model, input, perStep: [] };
    });
    for (let r = 0; r < (quick ? 3 : 7); r++) {
      for (const x of runs) {
        const reps = Math.max(1, Math.round(10000 / x.L));
        const c0 = process.cpuUsage();
        for (let i = 0; i < reps; i++) x.model.forwardTensors(x.input);
        const c = process.cpuUsage(c0);
        x.perStep.push((c.user + c.system) / (reps * x.L)); // µs per step
      }
    }
    for (const x of runs) scaling.push({ L: x.L, usPerStep: median(x.perStep), medianMs: (median(x.perStep) * x.L) / 1000 });
  }

  const machine = {
    date: new Date().toISOString(),
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    pytorch: torchVersion,
    onnxruntime: tryRequire('onnxruntime-node/package.json')?.version,
    tfjs: tryRequire('@tensorflow/tfjs-core/package.json')?.version,
    kernels: require(path.join(root, 'dist', 'engine.js')).kernelPath() ?? 'typescript',
    load: os.loadavg().map((x) => x.toFixed(1)).join(' '),
  };
  const md = renderMarkdown(machine, results, scaling);
  process.stdout.write(md);
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(path.join(resultsDir, 'latest.json'), JSON.stringify({ machine, results, scaling, skipped }, null, 2));
  writeFileSync(path.join(resultsDir, 'latest.md'), md);
  if (disagreement) process.exitCode = 1;
}

function renderMarkdown(machine, results, scaling) {
  const lines = [];
  lines.push(`## RNN Lens benchmark, ${machine.date.slice(0, 10)}`);
  lines.push('');
  lines.push(
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}; Node ${machine.node}, ` +
      `PyTorch ${machine.pytorch}, onnxruntime-node ${machine.onnxruntime ?? '-'}, tfjs ${machine.tfjs ?? '-'}; ` +
      `RNN Lens kernels: ${machine.kernels}; load average at the end: ${machine.load}.`,
  );
  lines.push('');
  lines.push('| workload | engine | median ms | samples | GFLOP/s | peak RSS MiB | vs ORT 1 thread | vs ORT default threads | max rel. error vs PyTorch |');
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|---|');
  for (const r of results) {
    if (r.skipped) {
      lines.push(`| ${r.workload} | ${r.engine} | skipped: ${r.skipped} | | | | | | |`);
      continue;
    }
    const agree = r.agrees === undefined ? `not compared (${r.note})` : `${r.maxRelErrVsPyTorch.toExponential(1)}${r.agrees ? '' : ' DISAGREES'}`;
    lines.push(
      `| ${r.workload} | ${r.engine} | ${r.medianMs.toFixed(3)} | ${r.samples} | ${r.gflops.toFixed(2)} | ${r.peakRssMiB ? r.peakRssMiB.toFixed(0) : '-'} | ` +
        `${r.ratioToOrt1t ? r.ratioToOrt1t.toFixed(2) + 'x' : '-'} | ${r.ratioToOrtDefault ? r.ratioToOrtDefault.toFixed(2) + 'x' : '-'} | ${agree} |`,
    );
  }
  for (const [e, why] of Object.entries(skipped)) lines.push(`| all | ${e} | skipped: ${why} | | | | | | |`);
  if (scaling.length) {
    lines.push('');
    lines.push('Time per step of RNN Lens, LSTM 128 -> 128, N = 1 (CPU time, median of 7 turns of ~10,000 steps):');
    lines.push('');
    lines.push('| L | ms per forward | µs per step |');
    lines.push('|---:|---:|---:|');
    for (const s of scaling) lines.push(`| ${s.L} | ${s.medianMs.toFixed(2)} | ${s.usPerStep.toFixed(2)} |`);
  }
  lines.push('');
  return lines.join('\n');
}

await main();
