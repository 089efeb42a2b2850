#!/usr/bin/env node
// Prints the lint's precision and recall on a corpus of snippets marked with `# expect: CODE`
// (default: test/fixtures/python/lint). Usage: node scripts/lint-corpus.mjs [DIR...]
// Bundles src/python/rules/corpusScore.ts with esbuild in memory; nothing is written.
import { build } from 'esbuild';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dirs = process.argv.slice(2).length > 0 ? process.argv.slice(2) : [path.join(root, 'test/fixtures/python/lint')];
const out = await build({ entryPoints: [path.join(root, 'src/python/rules/corpusScore.ts')], bundle: true, platform: 'node', format: 'cjs', write: false, logLevel: 'error' });
const mod = { exports: {} };
new Function('module', 'exports', 'require', out.outputFiles[0].text)(mod, mod.exports, createRequire(import.meta.url));
const files = dirs.flatMap((d) => readdirSync(d).filter((f) => /\.(py|ipynb)$/.test(f)).sort().map((f) => ({ name: f, text: readFileSync(path.join(d, f), 'utf8') })));
const s = mod.exports.scoreCorpus(files);
for (const w of s.wrong) console.log(`false alarm: ${w}`);
for (const m of s.missed) console.log(`missed:      ${m}`);
console.log(`${s.files} files (${s.correctFiles} correct, ${s.files - s.correctFiles} with mistakes)`);
console.log(`findings: ${s.truePositives} right, ${s.falsePositives} wrong, ${s.falseNegatives} missed`);
console.log(`precision ${(100 * s.precision).toFixed(1)}%  recall ${(100 * s.recall).toFixed(1)}%  false alarms on correct files: ${s.falseAlarmsOnCorrectFiles.length}`);
