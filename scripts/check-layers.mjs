// The layer check at compile time: `tsc -p` over every layer's own tsconfig (src/*/tsconfig.json:
// engine, document, run, worker), each with its own lib/types (no DOM, no vscode), so an import
// that runs up the house fails to compile. test/unit/engine.layering.test.ts checks the imports
// themselves. Prints one line "layers: N tsconfigs, M type errors". Usage: node scripts/check-layers.mjs
// Node-only script (needs node_modules: typescript).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './setup-vscode.mjs';

const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
const configs = readdirSync(join(repoRoot, 'src'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(repoRoot, 'src', d.name, 'tsconfig.json')))
  .map((d) => `src/${d.name}/tsconfig.json`);
let errors = 0;
for (const config of configs) {
  const r = spawnSync(process.execPath, [tsc, '-p', config], { cwd: repoRoot, encoding: 'utf8' });
  const out = (r.stdout ?? '') + (r.stderr ?? '');
  const n = (out.match(/error TS\d+/g) ?? []).length;
  errors += n || (r.status === 0 ? 0 : 1);
  if (r.status !== 0) process.stdout.write(`${config}:\n${out}`);
}
console.log(`layers: ${configs.length} tsconfigs (src/{${configs.map((c) => c.split('/')[1]).join(',')}}), ${errors} type errors`);
process.exit(errors ? 1 : 0);
