// Checkpoint benchmark (issue #14), not a test: run it on a quiet machine and read the numbers.
//   node bench/checkpoint.mjs [--large]
// 1. `rnn-lens inspect` on a 100 MB torch.save checkpoint (LSTM(1024, 2048) +
//    Linear): the whole command as a user runs it (node start-up included), and openCheckpoint
//    alone in this process. Target: under 1 s; listing reads the zip directory and data.pkl only.
// 2. Running a module from a checkpoint vs from the equivalent JSON document (state_dict inline):
//    `rnn-lens run` on both, and readDocument + run in this process.
// 3. --large: a 500 MB checkpoint: inspect's time and peak RSS (the CLI reads ranges, never the
//    whole file).
// Checkpoints are generated with Debian's PyTorch (/usr/bin/python3) and cached in bench/.cache.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cache = path.join(root, 'bench/.cache');
mkdirSync(cache, { recursive: true });
const cli = path.join(root, 'dist/cli.js');
if (!existsSync(cli)) execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
const require = createRequire(import.meta.url);

function torch(script) {
  execFileSync('/usr/bin/python3', ['-c', script], { stdio: 'inherit' });
}

function make(file, script) {
  const p = path.join(cache, file);
  if (!existsSync(p)) { console.log(`generating ${file} ...`); torch(script.replaceAll('OUT', JSON.stringify(p))); }
  return p;
}

const big = make('lstm_100mb.pt', `
import torch
torch.manual_seed(0)
class M(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = torch.nn.LSTM(1024, 2048)
        self.fc = torch.nn.Linear(2048, 10)
torch.save(M().state_dict(), OUT)`);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function timeCommand(args, n = 5) {
  const ms = [];
  let rss = 0;
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 0) throw new Error(r.stderr);
    rss = Math.max(rss, Number(r.stderr.trim().split('\n').pop()) / 1024);
  }
  return { ms: median(ms), rss };
}

const { openCheckpoint } = require(path.join(root, 'out/src/checkpoint/index.js'));
const { fileSource } = require(path.join(root, 'out/src/cli.js'));
function timeOpen(p, n = 5) {
  const ms = [];
  for (let i = 0; i < n; i++) {
    const src = fileSource(p);
    const t = process.hrtime.bigint();
    const c = openCheckpoint(src);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (c.tensors.length === 0) throw new Error('no tensors');
    src.close();
  }
  return median(ms);
}

const size = (p) => (statSync(p).size / 1e6).toFixed(1);
console.log(`\n1. inspect ${path.basename(big)} (${size(big)} MB)`);
const ins = timeCommand(['inspect', big]);
console.log(`   rnn-lens inspect (whole command, node start-up included): ${ins.ms.toFixed(0)} ms median of 5, peak RSS ${ins.rss.toFixed(0)} MB`);
console.log(`   openCheckpoint alone (directory + data.pkl): ${timeOpen(big).toFixed(2)} ms median of 5`);
const startup = timeCommand(['--version']);
console.log(`   (node start-up + rnn-lens --version: ${startup.ms.toFixed(0)} ms)`);

// 2. the same module from a checkpoint and from JSON
const small = make('rnn_run.pt', `
import torch
torch.manual_seed(0)
class M(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = torch.nn.LSTM(64, 256, num_layers=2, batch_first=True)
        self.fc = torch.nn.Linear(256, 4)
torch.save(M().state_dict(), OUT)`);
const docFrom = path.join(cache, 'rnn_run.from.rnn.json');
const docJson = path.join(cache, 'rnn_run.json.rnn.json');
const model = { type: 'LSTM', input_size: 64, hidden_size: 256, num_layers: 2, batch_first: true };
const base = { model, head: { type: 'Linear', out_features: 4 }, seed: 1, input: { rand: [8, 50, 64] } };
writeFileSync(docFrom, JSON.stringify({ ...base, state_dict: { from: './rnn_run.pt', prefix: 'rnn.', head_prefix: 'fc.' } }));
if (!existsSync(docJson)) {
  const init = JSON.parse(execFileSync(process.execPath, [cli, 'init', docFrom], { encoding: 'utf8', maxBuffer: 1 << 28 }));
  const sd = {};
  for (const [k, v] of Object.entries(init.state_dict)) sd[k.startsWith('head.') ? `fc.${k.slice(5)}` : `rnn.${k}`] = v;
  writeFileSync(docJson, JSON.stringify({ ...base, state_dict: sd }));
}
console.log(`\n2. run LSTM(64, 256, num_layers=2) + Linear on rand(8, 50, 64): checkpoint (${size(small)} MB) vs JSON document (${size(docJson)} MB)`);
const a = timeCommand(['run', docFrom]);
const b = timeCommand(['run', docJson]);
console.log(`   rnn-lens run, state_dict from the checkpoint: ${a.ms.toFixed(0)} ms, peak RSS ${a.rss.toFixed(0)} MB`);
console.log(`   rnn-lens run, state_dict inline in JSON:      ${b.ms.toFixed(0)} ms, peak RSS ${b.rss.toFixed(0)} MB`);
const same = execFileSync(process.execPath, [cli, 'run', docFrom], { encoding: 'utf8', maxBuffer: 1 << 28 }) === execFileSync(process.execPath, [cli, 'run', docJson], { encoding: 'utf8', maxBuffer: 1 << 28 });
console.log(`   same output: ${same}`);
const { readDocument } = require(path.join(root, 'out/src/document/reader.js'));
const textFrom = readFileSync(docFrom, 'utf8');
const textJson = readFileSync(docJson, 'utf8');
const resolver = (from) => openCheckpoint(new Uint8Array(readFileSync(path.resolve(cache, from))));
const readMs = (f) => { const xs = []; for (let i = 0; i < 5; i++) { const t = process.hrtime.bigint(); const r = f(); xs.push(Number(process.hrtime.bigint() - t) / 1e6); if (!r.document) throw new Error(JSON.stringify(r.diagnostics[0])); } return median(xs); };
console.log(`   readDocument in process: from checkpoint ${readMs(() => readDocument(textFrom, { checkpoint: resolver })).toFixed(1)} ms (file read + open + decode), inline JSON ${readMs(() => readDocument(textJson)).toFixed(1)} ms`);

if (process.argv.includes('--large')) {
  const large = make('lstm_500mb.pt', `
import torch
torch.manual_seed(0)
m = torch.nn.LSTM(3072, 4096)
torch.save({'model': m.state_dict(), 'epoch': 1}, OUT)`);
  console.log(`\n3. inspect ${path.basename(large)} (${size(large)} MB)`);
  const l = timeCommand(['inspect', large], 3);
  console.log(`   rnn-lens inspect: ${l.ms.toFixed(0)} ms median of 3, peak RSS ${l.rss.toFixed(0)} MB (the file is never read whole)`);
  console.log(`   openCheckpoint alone: ${timeOpen(large, 3).toFixed(2)} ms`);
}
