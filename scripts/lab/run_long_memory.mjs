// Runs the long-memory experiment with RNN Lens's own engine (float64) in Node, as the RNN Lab
// panel runs it, and writes every run to a JSON file as it ends (progress on stdout).
// Usage: node scripts/lab/run_long_memory.mjs OUT.json [lengths=5,10,20,50,100] [seeds=0,1,2] [variant=classification]
// (the panel's defaults: LONG_MEMORY_DEFAULTS; `ms` is wall-clock training time, the machine is shared)
// Bundles src/lab/longMemory.ts with esbuild into a temporary file first. Node-only script.
import * as esbuild from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const [out, lengths = '5,10,20,50,100', seeds = '0,1,2', variant = 'classification'] = process.argv.slice(2);
if (!out) {
  console.error('usage: node scripts/lab/run_long_memory.mjs OUT.json [lengths] [seeds] [variant]');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'rnn-lab-'));
const bundle = join(dir, 'longMemory.cjs');
await esbuild.build({ entryPoints: [resolve('src/lab/longMemory.ts')], bundle: true, platform: 'node', format: 'cjs', mainFields: ['module', 'main'], outfile: bundle, logLevel: 'warning' });
const { LONG_MEMORY_DEFAULTS, runLongMemory } = createRequire(import.meta.url)(bundle);
rmSync(dir, { recursive: true, force: true });
const cfg = { ...LONG_MEMORY_DEFAULTS[variant], lengths: lengths.split(',').map(Number), seeds: seeds.split(',').map(Number) };
const runs = [];
runLongMemory(cfg, {
  onEvent: (e) => {
    if (e.type !== 'run') return;
    const r = e.run;
    runs.push({ cell: r.cell, L: r.length, seed: r.seed, test: r.test, train_final: r.train, ms: r.ms, input_grad_init: r.inputGradInit, train_loss: r.trainLoss, grad_norm: r.gradNorm });
    console.log(`${r.cell.padEnd(5)} L=${String(r.length).padStart(3)} seed=${r.seed} test ${JSON.stringify(r.test)} train ${JSON.stringify(r.train)} ${(r.ms / 1000).toFixed(1)} s`);
    const config = { n_train: cfg.nTrain, n_test: cfg.nTest, H: cfg.hidden, K: cfg.classes, E: cfg.embeddingDim, lr: cfg.lr, steps: cfg.steps, batch: cfg.batchSize, forget_bias: cfg.forgetBias, input_bias: cfg.inputBias };
    writeFileSync(out, JSON.stringify({ engine: 'rnn-lens float64 (src/lab/longMemory.ts)', variant, config, runs }) + '\n');
  },
});
