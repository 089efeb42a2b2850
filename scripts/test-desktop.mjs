// `npm run test:desktop`: the integration suite in desktop VS Code, VS Code's own way
// (`npx vscode-test`, configured by .vscode-test.mjs), after building the extension and the tests.
// @vscode/test-electron downloads VS Code from update.code.visualstudio.com on first use; where
// that cannot be reached (this project's machines, CI) this says so in one line and exits 1:
// there, `npm run test:integration` runs the same suite in code-server.
// Usage: node scripts/test-desktop.mjs [--no-build] [vscode-test options, e.g. --label stable]
// Node-only script.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './setup-vscode.mjs';

const args = process.argv.slice(2).filter((a) => a !== '--no-build');
if (!process.argv.includes('--no-build') && !args.includes('--list-configuration')) {
  for (const script of ['build', 'compile-tests']) {
    const r = spawnSync('npm', ['run', '--silent', script], { cwd: repoRoot, stdio: 'inherit' });
    if (r.status !== 0 && script === 'build') process.exit(r.status ?? 1);
  }
}

/** Errors of a download that never reached Microsoft's servers (DNS, refused, timed out). */
const OFFLINE = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH)\b/;

// RNN_LENS_VSCODE_TEST_BIN: another runner in its place (the unit test's stand-in for an offline run).
const bin = process.env.RNN_LENS_VSCODE_TEST_BIN || join(repoRoot, 'node_modules', '@vscode', 'test-cli', 'out', 'bin.mjs');
const child = spawn(process.execPath, [bin, ...args], { cwd: repoRoot, stdio: ['inherit', 'pipe', 'pipe'] });
let output = '';
child.stdout.on('data', (d) => {
  output += d;
  process.stdout.write(d);
});
child.stderr.on('data', (d) => {
  output += d;
  process.stderr.write(d);
});
child.on('close', (code) => {
  if (code !== 0 && OFFLINE.test(output)) {
    const host = /update\.code\.visualstudio\.com|[\w.-]+\.visualstudio\.com|[\w.-]+\.azureedge\.net/.exec(output)?.[0] ?? 'update.code.visualstudio.com';
    console.error(`test:desktop: VS Code could not be downloaded from ${host} (no network to it): desktop tests need a machine that can reach it; here, npm run test:integration runs the same suite in code-server.`);
  }
  process.exit(code ?? 1);
});
