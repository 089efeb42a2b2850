// Runs test/integration (mocha) inside the extension host of a real VS Code: code-server 1.100.3
// in headless Chromium, with this repo as extensionDevelopmentPath and out/test/integration/index.js
// as extensionTestsPath (the @vscode/test-web mechanism). Exits with the suite's code.
// Usage: node scripts/run-integration.mjs [--no-build] [--extension PATH] [--tests PATH] [--web]
//   --web runs the extension (its "browser" bundle) in VS Code's web worker extension host, with the
//   suite bundled for the browser (scripts/lib/web-tests.mjs; selection in test/integration-web/).
//   --extension / --tests let the harness itself be tested against a throwaway extension.
// Env: RNN_LENS_INTEGRATION_TIMEOUT (ms, default 1800000: a hang guard for the whole suite, generous
// because a shared machine under load runs it several times slower), RNN_LENS_TEST_GREP, RNN_LENS_DEBUG=1.
// Node-only script.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { format } from 'node:util';
import { join, resolve } from 'node:path';
import { repoRoot } from './setup-vscode.mjs';
import { ensureCodeServer, launchChromium, startCodeServer, webExtensionSettings, workbenchUrl } from './lib/code-server.mjs';
import { buildWebTests } from './lib/web-tests.mjs';

const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const debug = process.env.RNN_LENS_DEBUG === '1';
const timeoutMs = Number(process.env.RNN_LENS_INTEGRATION_TIMEOUT ?? 1800000);
const extensionPath = resolve(opt('--extension') ?? repoRoot);
/** First line test/integration/index.ts prints; what comes before it is the workbench's own log. */
const START_MARKER = 'integration: running';
/** Everything the workbench logged, written to test-results/integration-workbench.log. */
const workbenchLog = [];
let testsPath = resolve(opt('--tests') ?? join(repoRoot, 'out', 'test', 'integration', 'index.js'));
const web = argv.includes('--web');

function npmRun(script) {
  const r = spawnSync('npm', ['run', '--silent', script], { cwd: repoRoot, stdio: 'inherit' });
  return r.status ?? 1;
}

/**
 * A scratch workspace: test/fixtures/workspace/ plus examples/ (under examples/), copied so that
 * tests may edit and save files freely.
 */
export function makeTestWorkspace() {
  const dir = mkdtempSync(join(tmpdir(), 'rnn-lens-ws-'));
  const fixtures = join(repoRoot, 'test', 'fixtures', 'workspace');
  if (existsSync(fixtures)) cpSync(fixtures, dir, { recursive: true });
  const examples = join(repoRoot, 'examples');
  if (existsSync(examples)) {
    mkdirSync(join(dir, 'examples'), { recursive: true });
    cpSync(examples, join(dir, 'examples'), { recursive: true });
  }
  return dir;
}

async function main() {
  const started = Date.now();
  ensureCodeServer();
  if (!argv.includes('--no-build')) {
    if (npmRun('build') !== 0) return fail('npm run build failed');
    // tsc still emits JS when some file has type errors; the suite can run, the errors are shown.
    if (npmRun('compile-tests') !== 0) console.warn('[integration] compile-tests reported type errors (see above); running the emitted JS anyway');
  }
  if (web && !opt('--tests')) testsPath = await buildWebTests(repoRoot, { grep: process.env.RNN_LENS_TEST_GREP, timeoutMs: Number(process.env.RNN_LENS_TEST_TIMEOUT ?? 20000) });
  if (!existsSync(testsPath)) return fail(`no test runner at ${testsPath} (compile the tests first)`);

  const workspace = makeTestWorkspace();
  let server;
  let browser;
  let exitCode = 1;
  let testsStarted = false;
  const saveLog = () => {
    mkdirSync(join(repoRoot, 'test-results'), { recursive: true });
    writeFileSync(join(repoRoot, 'test-results', 'integration-workbench.log'), workbenchLog.join('\n') + '\n');
  };
  const hardTimer = setTimeout(() => {
    console.error(`[integration] hard timeout after ${timeoutMs / 1000}s: stopping everything`);
    if (!testsStarted) console.error(workbenchLog.slice(-30).join('\n'));
    Promise.allSettled([browser?.close(), server?.stop()]).finally(() => {
      rmSync(workspace, { recursive: true, force: true });
      saveLog();
      process.exit(1);
    });
  }, timeoutMs);
  try {
    const settings = web ? webExtensionSettings('rnn-lens.rnn-lens') : undefined;
    server = await startCodeServer({ workspace, settings, log: debug ? (l) => console.log(`[code-server] ${l}`) : undefined });
    browser = await launchChromium();
    const page = await browser.newPage();
    const done = new Promise((resolveExit) => {
      page.exposeFunction('codeAutomationExit', (code) => resolveExit(Number(code)));
    });
    // The workbench forwards its own console and the extension host's (mocha's reporter) here.
    // Lines before the runner's start marker are workbench chatter: kept in the log file only.
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const text = format(...(Array.isArray(args) ? args : [args]));
      workbenchLog.push(`[${type}] ${text}`);
      if (text.startsWith(START_MARKER)) testsStarted = true;
      if (!debug && (!testsStarted || /open-vsx\.org|workbench\.js:\d+/.test(text))) return;
      if (type === 'error') process.stderr.write(text + '\n');
      else process.stdout.write(text + '\n');
    });
    if (debug) page.on('console', (m) => console.log(`[browser ${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => console.error(`[browser] page error: ${e.message}`));
    const url = workbenchUrl({ base: server.base, port: server.port, folder: workspace, extensionDevelopmentPath: extensionPath, extensionTestsPath: testsPath });
    if (debug) console.log(`[integration] ${url}`);
    // A loaded machine (many builds at once) can take longer than playwright's 30 s to load the workbench.
    await page.goto(url, { timeout: 180_000 });
    exitCode = await done;
  } catch (err) {
    console.error(`[integration] ${err instanceof Error ? err.stack : err}`);
    exitCode = 1;
  } finally {
    clearTimeout(hardTimer);
    await browser?.close().catch(() => {});
    await server?.stop();
    rmSync(workspace, { recursive: true, force: true });
    saveLog();
  }
  if (exitCode !== 0 && !testsStarted) {
    console.error('[integration] the tests never started; the workbench said:');
    console.error(workbenchLog.slice(-30).join('\n'));
  }
  console.log(`[integration] exit ${exitCode} after ${((Date.now() - started) / 1000).toFixed(1)}s`);
  process.exit(exitCode);
}

function fail(msg) {
  console.error(`[integration] ${msg}`);
  process.exit(1);
}

await main();
