#!/usr/bin/env node
// RNN Lens measured in the real VS Code (code-server 1.100.3 + headless Chromium): reports, never
// asserts. Two sessions:
//   1. the extension host (scripts/run-integration.mjs with bench/vscodeHost.ts as the tests
//      module): hover latency on the origin document, command-to-painted-panel time for the seed
//      and medium workloads (until the webview's 'painted' message), setTimeout(0) delays and
//      hover latency while a long run (LSTM 512, T=2000) is in flight in the worker;
//   2. the browser (test/e2e/harness.ts): the extension's activation time as "Developer: Show
//      Running Extensions" shows it, and typing latency (keydown -> the frame after the editor's
//      DOM changed) in a Markdown file, without and with that long run in flight.
// Prints a Markdown table and writes bench/results/vscode.json.
//
//   npm run bench:vscode                 (builds first; --no-build to skip; --browser-only)
//   env RNN_LENS_BENCH_HOVERS, RNN_LENS_BENCH_SEED_RUNS, RNN_LENS_BENCH_MEDIUM_RUNS, RNN_LENS_BENCH_KEYS
// Node-only script.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const args = process.argv.slice(2);
const KEYS = Number(process.env.RNN_LENS_BENCH_KEYS ?? 40);
const LARGE = { model: { type: 'LSTM', input_size: 512, hidden_size: 512, batch_first: true }, seed: 0, input: { rand: [1, 2000, 512] } };

function npmRun(script) {
  return spawnSync('npm', ['run', '--silent', script], { cwd: root, stdio: 'inherit' }).status ?? 1;
}

function stats(xs) {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  const r = (v) => Math.round(v * 10) / 10;
  return { n: s.length, median: r(q(0.5)), p90: r(q(0.9)), min: r(s[0]), max: r(s[s.length - 1]) };
}

/** Session 1: the host-side measurements, through the integration runner. */
async function hostSide() {
  const child = spawn(process.execPath, [path.join(root, 'scripts', 'run-integration.mjs'), '--no-build', '--tests', path.join(root, 'out', 'bench', 'vscodeHost.js')], {
    cwd: root,
    env: { ...process.env, RNN_LENS_INTEGRATION_TIMEOUT: process.env.RNN_LENS_INTEGRATION_TIMEOUT ?? '1200000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b) => (out += b));
  child.stderr.on('data', (b) => process.stderr.write(b));
  await new Promise((r) => child.on('exit', r));
  const line = out.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (!line) return { error: 'the host bench printed no result:\n' + out.slice(-2000) };
  return JSON.parse(line.slice('BENCH_JSON '.length));
}

/** Session 2: activation time and typing latency, through the browser. */
async function browserSide() {
  const h = require(path.join(root, 'out', 'test', 'e2e', 'harness.js'));
  const result = {};
  const vs = await h.openVsCode({ settings: { 'editor.hover.enabled': false, 'editor.quickSuggestions': { other: false, comments: false, strings: false } } });
  try {
    const { page } = vs;
    mkdirSync(path.join(vs.workspace, 'bench'), { recursive: true });
    writeFileSync(path.join(vs.workspace, 'bench', 'large.rnn.json'), JSON.stringify(LARGE, null, 2));
    writeFileSync(path.join(vs.workspace, 'bench', 'typing.md'), '# Typing\n\n');

    // activation: open an RNN document (activates the extension if the workspace had not), then
    // read the Running Extensions editor
    await h.openFile(page, 'golden/seed_snippet.rnn.json');
    await page.waitForTimeout(2000);
    await h.runCommand(page, 'Developer: Show Running Extensions');
    // the list is virtualised: scroll to the end, where extensions activated later are listed
    const list = page.locator('.runtime-extensions-editor .monaco-list').first();
    await list.waitFor({ state: 'visible', timeout: 20000 });
    await page.waitForTimeout(1000);
    await list.focus();
    await page.keyboard.press('End');
    const row = page.locator('.runtime-extensions-editor .monaco-list-row[aria-label="rnn-lens"]').first();
    await row.waitFor({ state: 'visible', timeout: 20000 });
    const activationText = (await row.locator('.activation-time').first().innerText()).trim();
    result.activationText = activationText;
    const m = /(\d+)\s*ms/.exec(activationText);
    result.activationMs = m ? Number(m[1]) : null;
    await page.keyboard.press('Escape');
    await h.runCommand(page, 'View: Close All Editors');

    // typing latency
    await page.evaluate(() => {
      window.__rnnLensLat = [];
      document.addEventListener(
        'keydown',
        (e) => {
          if (e.key.length !== 1) return;
          const t0 = performance.now();
          const lines = document.querySelector('.monaco-editor.focused .view-lines');
          if (!lines) return;
          const obs = new MutationObserver(() => {
            obs.disconnect();
            requestAnimationFrame(() => setTimeout(() => window.__rnnLensLat.push(performance.now() - t0), 0));
          });
          obs.observe(lines, { childList: true, subtree: true, characterData: true });
        },
        true,
      );
    });
    const typeSome = async () => {
      await h.openFile(page, 'bench/typing.md');
      await page.keyboard.press('Control+End');
      await page.evaluate(() => (window.__rnnLensLat = []));
      const text = 'the quick brown fox jumps over the lazy dog '.repeat(4).slice(0, KEYS);
      await page.keyboard.type(text, { delay: 60 });
      await page.keyboard.press('Enter');
      await page.waitForTimeout(300);
      return page.evaluate(() => window.__rnnLensLat.slice());
    };
    await typeSome(); // warm-up: the first keystrokes in a fresh editor are not typical
    result.typingIdle = stats(await typeSome());

    await h.openFile(page, 'bench/large.rnn.json');
    await h.runCommand(page, 'RNN: Run Forward on Selection');
    const runStarted = Date.now();
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: /LSTM/ }).first();
    result.longRunNotification = await toast.waitFor({ state: 'visible', timeout: 30000 }).then(() => true, () => false);
    await page.waitForTimeout(1500); // the worker is in the forward pass by now
    const during = await typeSome();
    // (Quick Open's Escape hides the toast; the run goes on: it takes tens of seconds, see the host session)
    result.typingEndedSecondsAfterRunStart = Math.round((Date.now() - runStarted) / 100) / 10;
    result.typingDuringRun = stats(during);
  } finally {
    await vs.close();
  }
  return result;
}

function fmt(s, unit = 'ms') {
  if (!s) return '-';
  if (typeof s === 'number') return `${s} ${unit}`;
  return `${s.median} ${unit} (p90 ${s.p90}, max ${s.max}, n=${s.n})`;
}

async function main() {
  if (!args.includes('--no-build')) {
    if (npmRun('build') !== 0) throw new Error('npm run build failed');
    if (npmRun('compile-tests') !== 0) console.warn('[bench:vscode] compile-tests reported type errors; using the emitted JS anyway');
  }
  const started = Date.now();
  console.log('[bench:vscode] session 1: extension host (integration runner)…');
  const host = args.includes('--browser-only') ? { skipped: true } : await hostSide();
  console.log('[bench:vscode] session 2: browser (e2e harness)…');
  let browser;
  try {
    browser = await browserSide();
  } catch (e) {
    browser = { error: e instanceof Error ? e.stack ?? e.message : String(e) };
  }
  const result = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), loadavg: os.loadavg().map((x) => Math.round(x * 10) / 10), node: process.version },
    vscode: host.vscode ?? '1.100.3 (code-server)',
    host,
    browser,
    seconds: Math.round((Date.now() - started) / 1000),
  };
  const rows = [
    ['Activation (Show Running Extensions)', browser.activationMs != null ? `${browser.activationMs} ms` : browser.activationText ?? '-', `"${browser.activationText ?? ''}": code loading + activate() call, as VS Code counts it`],
    ['Hover on the origin document, first', host.hoverFirstMs != null ? `${host.hoverFirstMs} ms` : '-', 'vscode.executeHoverProvider'],
    ['Hover on the origin document', fmt(host.hover), 'vscode.executeHoverProvider'],
    ['Run -> painted panel, seed, cold', host.seed?.coldMs != null ? `${host.seed.coldMs} ms` : '-', `${host.seed?.where ?? '?'}; first run opens the panel`],
    ['Run -> painted panel, seed, warm', fmt(host.seed?.warm), `${host.seed?.where ?? '?'}; webview paint ${fmt(host.seed?.paintMs)}`],
    ['Run -> painted panel, medium, cold', host.medium?.coldMs != null ? `${host.medium.coldMs} ms` : '-', `${host.medium?.where ?? '?'}; run alone ${fmt(host.medium?.runMs)}`],
    ['Run -> painted panel, medium, warm', fmt(host.medium?.warm), `webview paint ${fmt(host.medium?.paintMs)}`],
    ['Run -> forward payload at the host, medium', fmt(host.medium?.forwardMs), `the worker's phases, ms after the command: ${(host.medium?.all ?? []).map((r) => JSON.stringify({ start: r.startMs, ...r.phases })).join(' ')}`],
    ['Run -> posted to the panel, medium', fmt(host.medium?.shownMs), 'the host called webview.postMessage (painted minus this minus the paint: the message to the webview)'],
    ['Run -> gradients painted, medium', fmt(host.medium?.gradientsPaintedMs), 'the forward is painted first; the gradients follow in place'],
    ['Host setTimeout(0), idle', fmt(host.timerIdle), ''],
    ['Host setTimeout(0), long run in flight', fmt(host.timerDuringRun), `run in: ${host.longRunWhere ?? '?'}`],
    ['Hover during the long run', fmt(host.hoverDuringRun), ''],
    ['Cancel -> run promise resolved', host.cancelResolvedMs != null ? `${host.cancelResolvedMs} ms` : '-', ''],
    ['Typing, keystroke -> rendered, idle', fmt(browser.typingIdle), `${KEYS} keys, 60 ms apart`],
    ['Typing, keystroke -> rendered, long run in flight', fmt(browser.typingDuringRun), `notification shown: ${browser.longRunNotification ?? '?'}, typing ended ${browser.typingEndedSecondsAfterRunStart ?? '?'} s after the run started (it takes longer)`],
  ];
  const md = [
    `## RNN Lens in VS Code ${result.vscode}, ${result.date.slice(0, 10)}`,
    '',
    `Machine: ${result.machine.cpu}, ${result.machine.cpus} cores, load average ${result.machine.loadavg.join(' / ')}; Node ${result.machine.node}. Medians unless noted.`,
    '',
    '| measurement | value | notes |',
    '|---|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
  if (host.error) md.push('', `Host session error: ${String(host.error).split('\n')[0]}`);
  if (browser.error) md.push('', `Browser session error: ${String(browser.error).split('\n')[0]}`);
  console.log('\n' + md.join('\n') + '\n');
  mkdirSync(path.join(here, 'results'), { recursive: true });
  writeFileSync(path.join(here, 'results', 'vscode.json'), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(path.join(here, 'results', 'vscode.md'), md.join('\n') + '\n');
  console.log(`[bench:vscode] wrote bench/results/vscode.json and vscode.md (${result.seconds}s)`);
  process.exit(0);
}

await main();
