#!/usr/bin/env node
// Measures `rnn-lens shapes` and `rnn-lens lint` on the held-out corpus
// (test/golden/python-heldout/files) against what PyTorch did there (expected.json, written by
// scripts/verify_heldout.py). Bundles src/cliShapes.ts and src/cliLint.ts with esbuild in memory
// (nothing is written, dist/ is not used), runs both commands on every file as the CLI does.
// Usage: node scripts/python-heldout-measure.mjs [-v] [--json OUT.json] [--dir CORPUS] (default test/golden/python-heldout)
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const verbose = process.argv.includes('-v');
const jsonAt = process.argv.indexOf('--json');
const jsonOut = jsonAt > 0 ? process.argv[jsonAt + 1] : undefined;

const entry = `export { pythonShapesCommand } from './src/cliShapes'; export { lintCommand } from './src/cliLint';`;
const out = await build({ stdin: { contents: entry, resolveDir: root, loader: 'ts' }, bundle: true, platform: 'node', format: 'cjs', write: false, logLevel: 'error' });
const mod = { exports: {} };
new Function('module', 'exports', 'require', out.outputFiles[0].text)(mod, mod.exports, createRequire(import.meta.url));
const { pythonShapesCommand, lintCommand } = mod.exports;

const dirAt = process.argv.indexOf('--dir');
const corpusDir = dirAt > 0 ? path.resolve(process.argv[dirAt + 1]) : path.join(root, 'test/golden/python-heldout');
const expected = JSON.parse(readFileSync(path.join(corpusDir, 'expected.json'), 'utf8'));
const FIELDS = ['type', 'input_size', 'hidden_size', 'num_layers', 'bidirectional', 'batch_first', 'proj_size', 'bias', 'nonlinearity'];
const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const key = (cell, line) => `${cell ?? '-'}:${line}`;

function run(fn, file) {
  let stdout = '', stderr = '';
  const io = { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), readFile: (p) => readFileSync(p, 'utf8'), readStdin: () => '' };
  const code = fn(file, io);
  return { code, stdout, stderr };
}

const s = {
  files: 0, correctFiles: 0,
  constructors: 0, constructorsExact: 0, inventedValues: [], constructorMisses: [], missingConstructors: [], extraConstructors: [],
  inputsDetermined: 0, inputsFound: 0, inputMisses: [], wrongInputs: [], inputLineDiffers: [], wrongOutputs: [],
  lintExpected: 0, truePositives: 0, falsePositives: [], falseNegatives: [], falseAlarmsOnCorrectFiles: [], errors: [],
};

for (const f of expected.files) {
  s.files++;
  if (f.correct) s.correctFiles++;
  const file = path.join(root, f.file);
  const name = path.basename(f.file);
  const sh = run(pythonShapesCommand, file);
  let got = { models: [] };
  try { got = JSON.parse(sh.stdout); } catch { s.errors.push(`${name}: shapes: ${sh.stderr.trim()}`); }
  const byLine = new Map(got.models.map((m) => [key(m.cell, m.line), m]));
  const matched = new Set();
  for (const e of f.models) {
    const k = key(e.cell, e.line);
    const g = byLine.get(k);
    s.constructors++;
    if (!g) { s.missingConstructors.push(`${name}@${k} ${e.type}`); continue; }
    matched.add(k);
    const fields = e.unexecuted ? FIELDS.filter((x) => x in e) : FIELDS;
    const diffs = fields.filter((x) => !same(g[x], e[x]));
    if (diffs.length === 0) s.constructorsExact++;
    else s.constructorMisses.push(`${name}@${k} ${diffs.map((x) => `${x}: got ${JSON.stringify(g[x] ?? null)} want ${JSON.stringify(e[x] ?? null)}`).join(', ')}`);
    for (const x of diffs) if (g[x] !== null && g[x] !== undefined) s.inventedValues.push(`${name}@${k} ${x}: got ${JSON.stringify(g[x])} want ${JSON.stringify(e[x] ?? null)}`);
    if (e.unexecuted) continue;
    const gi = g.input?.shape ? g.input : null;
    if (e.input) {
      s.inputsDetermined++;
      if (gi && same(gi.shape, e.input.shape) && !!gi.packed === !!e.input.packed) {
        s.inputsFound++;
        if (gi.line !== e.input.line) s.inputLineDiffers.push(`${name}@${k} got line ${gi.line} want ${e.input.line}`);
      } else if (gi) s.wrongInputs.push(`${name}@${k} got ${JSON.stringify(gi.shape)}${gi.packed ? ' packed' : ''} want ${JSON.stringify(e.input.shape)}${e.input.packed ? ' packed' : ''}`);
      else s.inputMisses.push(`${name}@${k} want ${JSON.stringify(e.input.shape)} at line ${e.input.line}`);
      if (!e.raised) for (const x of ['output', 'h_n', 'c_n']) {
        if (e[x] && g[x] && !same(g[x], e[x])) s.wrongOutputs.push(`${name}@${k} ${x}: got ${JSON.stringify(g[x])} want ${JSON.stringify(e[x])}`);
        if (!e[x] && g[x]) s.wrongOutputs.push(`${name}@${k} ${x}: got ${JSON.stringify(g[x])} want null`);
      }
    } else if (gi) s.wrongInputs.push(`${name}@${k} got ${JSON.stringify(gi.shape)} where the file gives no single shape`);
  }
  for (const m of got.models) if (!matched.has(key(m.cell, m.line))) s.extraConstructors.push(`${name}@${key(m.cell, m.line)} ${m.type}`);

  const li = run((p, io) => lintCommand(p, io), file);
  const found = li.stdout.split('\n').filter(Boolean).map((l) => {
    const m = /^(.*?)(?:#cell(\d+))?:(\d+):(\d+): warning: .* \[rnn-lens\/([a-z-]+)\]$/.exec(l);
    return m ? { cell: m[2] === undefined ? undefined : Number(m[2]), line: Number(m[3]), code: m[5] } : { bad: l };
  });
  const want = f.lint.map((x) => `${x.code}@${key(x.cell, x.line)}`);
  const have = found.map((x) => (x.bad ? `unparsed:${x.bad}` : `${x.code}@${key(x.cell, x.line)}`));
  s.lintExpected += want.length;
  for (const w of want) {
    if (have.includes(w)) s.truePositives++;
    else s.falseNegatives.push(`${name} ${w}`);
  }
  for (const h of have) {
    if (!want.includes(h)) {
      s.falsePositives.push(`${name} ${h}`);
      if (f.correct) s.falseAlarmsOnCorrectFiles.push(`${name} ${h}`);
    }
  }
}

const pct = (a, b) => (b === 0 ? 100 : (100 * a) / b);
const summary = {
  corpus: path.relative(root, corpusDir),
  files: s.files, correctFiles: s.correctFiles,
  constructors: s.constructors, constructorsExact: s.constructorsExact, constructorsExactPct: +pct(s.constructorsExact, s.constructors).toFixed(1),
  inventedValues: s.inventedValues.length,
  inputsDetermined: s.inputsDetermined, inputsFound: s.inputsFound, inputsFoundPct: +pct(s.inputsFound, s.inputsDetermined).toFixed(1),
  wrongInputs: s.wrongInputs.length, wrongOutputs: s.wrongOutputs.length,
  lintExpected: s.lintExpected, lintRight: s.truePositives, lintWrong: s.falsePositives.length, lintMissed: s.falseNegatives.length,
  lintPrecisionPct: +pct(s.truePositives, s.truePositives + s.falsePositives.length).toFixed(1),
  lintRecallPct: +pct(s.truePositives, s.lintExpected).toFixed(1),
  falseAlarmsOnCorrectFiles: s.falseAlarmsOnCorrectFiles.length,
};
const details = {
  constructorMisses: s.constructorMisses, inventedValues: s.inventedValues, missingConstructors: s.missingConstructors, extraConstructors: s.extraConstructors,
  inputMisses: s.inputMisses, wrongInputs: s.wrongInputs, inputLineDiffers: s.inputLineDiffers, wrongOutputs: s.wrongOutputs,
  lintMissed: s.falseNegatives, lintWrong: s.falsePositives, errors: s.errors,
};
console.log(`${summary.files} files (${summary.correctFiles} correct)`);
console.log(`constructors exact ${summary.constructorsExact}/${summary.constructors} (${summary.constructorsExactPct}%), invented values ${summary.inventedValues}, missing ${s.missingConstructors.length}, extra ${s.extraConstructors.length}`);
console.log(`inputs found ${summary.inputsFound}/${summary.inputsDetermined} determined (${summary.inputsFoundPct}%), wrong inputs ${summary.wrongInputs}, wrong outputs ${summary.wrongOutputs}, found on another line ${s.inputLineDiffers.length}`);
console.log(`lint: ${summary.lintRight} right, ${summary.lintWrong} wrong, ${summary.lintMissed} missed; precision ${summary.lintPrecisionPct}% recall ${summary.lintRecallPct}%; false alarms on correct files ${summary.falseAlarmsOnCorrectFiles}`);
if (verbose) for (const [k, v] of Object.entries(details)) for (const x of v) console.log(`  ${k}: ${x}`);
if (jsonOut) writeFileSync(path.resolve(jsonOut), JSON.stringify({ summary, details }, null, 1) + '\n');
