// `npm test`: every test layer in order (setup, build, layers, unit, grammar, integration, e2e),
// each printing its own summary; then one table. 'setup' is scripts/bootstrap.mjs: on a bare clone
// it installs the Debian packages, the npm dependencies (npm ci), esbuild's binary and the VS Code
// host before anything else; on a working copy it checks and installs nothing. Keeps going after a
// failed step so one run shows everything, and exits 1 if any step failed.
// Usage: node scripts/test.mjs [--only unit,grammar,...]
// Node-only script with no dependency (it runs before node_modules exists).
import { spawn } from 'node:child_process';
import { repoRoot } from './setup-vscode.mjs';

const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex >= 0 ? new Set(process.argv[onlyIndex + 1].split(',')) : undefined;

/** [name, command, args, regex picking the summary line(s) out of the output] */
const steps = [
  ['setup', 'node', ['scripts/bootstrap.mjs'], /^bootstrap: .*/],
  ['build', 'npm', ['run', '--silent', 'build'], /$^/],
  ['compile-tests', 'npm', ['run', '--silent', 'compile-tests'], /error TS\d+/],
  ['layers', 'node', ['scripts/check-layers.mjs'], /^layers: .*/],
  ['unit', 'npx', ['mocha', '--config', '.mocharc.json'], /^\s*\d+ (passing|failing|pending).*/],
  ['grammar', 'npm', ['run', '--silent', 'test:grammar'], /^.*(✓|✖|ERROR|\d+ (passed|failed)).*$/],
  ['integration', 'node', ['scripts/run-integration.mjs', '--no-build'], /^integration: \d+ passed, \d+ failed$/],
  ['integration-web', 'node', ['scripts/run-integration.mjs', '--no-build', '--web'], /^integration: \d+ passed, \d+ failed$/],
  ['e2e', 'node', ['scripts/run-e2e.mjs', '--no-build'], /^e2e: \d+ passed, \d+ failed$/],
];

function runStep(cmd, args, pick) {
  return new Promise((resolveStep) => {
    const child = spawn(cmd, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    const picked = [];
    let errorCount = 0;
    let rest = '';
    const scan = (chunk) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (pick.source === 'error TS\\d+') {
          if (pick.test(line)) errorCount++;
        } else if (pick.test(line)) picked.push(line.trim());
      }
    };
    child.stdout.on('data', (d) => { process.stdout.write(d); scan(d.toString()); });
    child.stderr.on('data', (d) => { process.stderr.write(d); scan(d.toString()); });
    child.on('close', (code) => {
      if (rest) scan('\n');
      if (errorCount) picked.push(`${errorCount} type error(s)`);
      resolveStep({ code: code ?? 1, summary: picked.slice(-3).join('; ') });
    });
  });
}

const results = [];
for (const [name, cmd, args, pick] of steps) {
  if (only && !only.has(name)) continue;
  console.log(`\n==== ${name} ====`);
  const t0 = Date.now();
  const { code, summary } = await runStep(cmd, args, pick);
  results.push({ name, ok: code === 0, seconds: (Date.now() - t0) / 1000, summary });
  // Without the dependencies and the VS Code host nothing after it can run meaningfully.
  if (name === 'setup' && code !== 0) break;
}

console.log('\n==== summary ====');
for (const r of results) {
  console.log(`${r.ok ? 'PASS' : 'FAIL'}  ${r.name.padEnd(13)} ${r.seconds.toFixed(1).padStart(6)}s  ${r.summary}`);
}
const failed = results.filter((r) => !r.ok).map((r) => r.name);
console.log(failed.length ? `\nnpm test: FAILED (${failed.join(', ')})` : '\nnpm test: all passed');
process.exit(failed.length ? 1 : 0);
