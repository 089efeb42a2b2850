// Runs the end-to-end tests: mocha on Node over out/test/e2e/**/*.e2e.js; each suite starts its own
// code-server + headless Chromium through test/e2e/harness.ts and drives VS Code like a person.
// Usage: node scripts/run-e2e.mjs [--no-build] [--grep TEXT]
// Env: RNN_LENS_E2E_TIMEOUT (ms, whole run, default 1500000: a hang guard; the suite takes 6-12 min depending on the load), RNN_LENS_DEBUG=1. Node-only script.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import { repoRoot } from './setup-vscode.mjs';
import { ensureCodeServer } from './lib/code-server.mjs';

const argv = process.argv.slice(2);
const grepIndex = argv.indexOf('--grep');
const timeoutMs = Number(process.env.RNN_LENS_E2E_TIMEOUT ?? 1500000);

function npmRun(script) {
  return spawnSync('npm', ['run', '--silent', script], { cwd: repoRoot, stdio: 'inherit' }).status ?? 1;
}

const started = Date.now();
ensureCodeServer();
if (!argv.includes('--no-build')) {
  if (npmRun('build') !== 0) {
    console.error('[e2e] npm run build failed');
    process.exit(1);
  }
  if (npmRun('compile-tests') !== 0) console.warn('[e2e] compile-tests reported type errors (see above); running the emitted JS anyway');
}

const dir = join(repoRoot, 'out', 'test', 'e2e');
const files = existsSync(dir)
  ? readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.e2e.js')).map((f) => join(dir, f)).sort()
  : [];
if (files.length === 0) {
  console.error('[e2e] no compiled tests in out/test/e2e (run npm run compile-tests)');
  process.exit(1);
}

// A hung browser or server must not hang CI: stop everything (the harness's exit hook kills the
// code-server process groups).
const hardTimer = setTimeout(() => {
  console.error(`[e2e] hard timeout after ${timeoutMs / 1000}s`);
  process.exit(1);
}, timeoutMs);
hardTimer.unref();

const mocha = new Mocha({
  ui: 'bdd',
  reporter: 'spec',
  timeout: 120000,
  slow: 20000,
  grep: grepIndex >= 0 ? argv[grepIndex + 1] : undefined,
});
for (const f of files) mocha.addFile(f);
await mocha.loadFilesAsync();
const runner = mocha.run((failures) => {
  const { passes = 0, failures: failed = failures } = runner.stats ?? {};
  console.log(`e2e: ${passes} passed, ${failed} failed`);
  console.log(`[e2e] done in ${((Date.now() - started) / 1000).toFixed(1)}s; screenshots in test-results/screenshots/`);
  process.exit(failed > 0 || passes === 0 ? 1 : 0);
});
