// Bundles the extension (Node and web), the webview script, the CLI and the engine library
// entry with esbuild. Usage: node scripts/build.mjs [--watch] [--minify]
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const minify = process.argv.includes('--minify');
// mainFields: jsonc-parser's UMD build requires './impl/*' dynamically, which esbuild cannot
// bundle; its ESM build ('module') bundles cleanly on every platform.
const common = { bundle: true, sourcemap: true, minify, logLevel: 'warning', target: 'es2022', mainFields: ['module', 'main'] };

/** Only entries whose source exists are built, so the tree can grow piece by piece. */
const targets = [
  { entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', external: ['vscode'] },
  { entryPoints: ['src/extension/extension.ts'], outfile: 'dist/web/extension.js', platform: 'browser', format: 'cjs', external: ['vscode'], define: { 'process.env.RNN_LENS_WEB': '"1"' } },
  { entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife' },
  { entryPoints: ['src/worker/runWorker.ts'], outfile: 'dist/runWorker.js', platform: 'node', format: 'cjs' },
  { entryPoints: ['src/worker/runWorker.ts'], outfile: 'dist/web/runWorker.js', platform: 'browser', format: 'iife', external: ['node:worker_threads'], define: { 'process.env.RNN_LENS_WEB': '"1"' } },
  { entryPoints: ['src/webview/lab/main.ts'], outfile: 'dist/lab.js', platform: 'browser', format: 'iife' },
  { entryPoints: ['src/worker/labWorker.ts'], outfile: 'dist/labWorker.js', platform: 'node', format: 'cjs' },
  { entryPoints: ['src/worker/labWorker.ts'], outfile: 'dist/web/labWorker.js', platform: 'browser', format: 'iife', external: ['node:worker_threads'], define: { 'process.env.RNN_LENS_WEB': '"1"' } },
  // Helper threads of the parallel forward (src/engine/parallel), started by the run worker and the CLI.
  { entryPoints: ['src/worker/forwardThread.ts'], outfile: 'dist/forwardThread.js', platform: 'node', format: 'cjs' },
  { entryPoints: ['src/threads.ts'], outfile: 'dist/threads.js', platform: 'node', format: 'cjs' },
  { entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: ['src/api.ts'], outfile: 'dist/engine.js', platform: 'neutral', format: 'cjs', mainFields: ['module', 'main'] },
].filter((t) => existsSync(t.entryPoints[0]));

if (watch) {
  for (const t of targets) (await esbuild.context({ ...common, ...t })).watch();
} else {
  await Promise.all(targets.map((t) => esbuild.build({ ...common, ...t })));
}
