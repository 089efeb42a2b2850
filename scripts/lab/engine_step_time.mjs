// Engine time per training step of the long-memory design (the panel's defaults), per model and
// length: CPU ms per training step of src/lab/longMemory.ts trainOne (esbuild bundle), a few steps each.
// Usage: node scripts/lab/engine_step_time.mjs [steps=20] [lengths=20,50,100]. Node-only script.
// Prints JSON lines; the sweep estimate multiplies by the design's steps, seeds and lengths.
import * as esbuild from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const [steps = '20', lengths = '20,50,100'] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'rnn-lab-'));
const bundle = join(dir, 'longMemory.cjs');
await esbuild.build({ entryPoints: [resolve('src/lab/longMemory.ts')], bundle: true, platform: 'node', format: 'cjs', mainFields: ['module', 'main'], outfile: bundle, logLevel: 'warning' });
const { LONG_MEMORY_DEFAULTS, makeLongMemoryData, trainOne } = createRequire(import.meta.url)(bundle);
rmSync(dir, { recursive: true, force: true });
const design = LONG_MEMORY_DEFAULTS.classification;
const cfg = { ...design, steps: Number(steps) };
const perStep = {};
for (const L of lengths.split(',').map(Number)) {
  const data = makeLongMemoryData(cfg, L, 0);
  for (const cell of cfg.cells) {
    // trainOne's ms covers the training steps only (not the scores on 4,096 + 512 sequences); CPU clock.
    const cpuNow = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
    const run = trainOne(cfg, cell, L, 0, 0, { now: cpuNow }, data);
    const ms = run.ms / cfg.steps;
    perStep[`${cell}/${L}`] = ms;
    console.log(JSON.stringify({ cell, L, batch: cfg.batchSize, hidden: cfg.hidden, cpuMsPerStep: +ms.toFixed(2) }));
  }
}
// Time per step grows with L: estimate the full sweep from the longest length measured.
const Lmax = Math.max(...lengths.split(',').map(Number));
const sumL = design.lengths.reduce((a, b) => a + b, 0);
const perSeed = design.cells.reduce((a, cell) => a + (perStep[`${cell}/${Lmax}`] / Lmax) * sumL * design.steps, 0) / 1000;
console.log(JSON.stringify({ estimate: 'CPU seconds, linear in L from the longest length', perSeed: +perSeed.toFixed(0), fullSweep: +(perSeed * design.seeds.length).toFixed(0) }));
