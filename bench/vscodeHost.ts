/*
 * The extension-host half of bench/vscode.mjs: loaded by scripts/run-integration.mjs as the
 * tests module (--tests out/bench/vscodeHost.js), it measures inside the real VS Code
 *   - hover latency on the origin document (vscode.executeHoverProvider, median of N),
 *   - command-to-painted time: from executing rnnLens.runForward until the Unroll View reports
 *     its first paint of that run (ViewMessage 'painted', recorded by the run scheduler),
 *     for the seed and medium workloads of bench/workloads.json (cold = first, then warm),
 *   - setTimeout(0) delays in the host and hover latency while a long run is in flight,
 * and prints one line `BENCH_JSON <json>` that bench/vscode.mjs reads. Reports; never asserts.
 * Layer: bench (runs in the extension host; imports vscode).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';

interface RunInfoLike {
  id: number;
  where: string;
  state: string;
  flops: number;
  startedAt: number;
  ms?: number;
  paintedAt?: number;
  paintMs?: number;
  forwardAt?: number;
  shownAt?: number;
  gradientsPaintedAt?: number;
  phases: { phase: string; ms: number }[];
}

/** One run, ms after the command was sent: until painted, and where the time went. */
interface RunTimes {
  ms?: number;
  where?: string;
  runMs?: number;
  paintMs?: number;
  /** The scheduler started the run (reading the document before it). */
  startMs?: number;
  /** Each phase as the worker reported it. */
  phases?: Record<string, number>;
  /** The host posted the run to the panel. */
  shownMs?: number;
  /** The forward's payload reached the host (worker runs with gradients). */
  forwardMs?: number;
  /** The gradients were painted in the panel (after the forward). */
  gradientsPaintedMs?: number;
}

const env = (name: string, dflt: number) => Number(process.env[name] ?? dflt);
const HOVER_N = env('RNN_LENS_BENCH_HOVERS', 30);
const SEED_N = env('RNN_LENS_BENCH_SEED_RUNS', 5);
const MEDIUM_N = env('RNN_LENS_BENCH_MEDIUM_RUNS', 4);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function stats(xs: number[]): { n: number; median: number; p90: number; min: number; max: number } | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  const r = (v: number) => Math.round(v * 10) / 10;
  return { n: s.length, median: r(q(0.5)), p90: r(q(0.9)), min: r(s[0]), max: r(s[s.length - 1]) };
}

async function info(): Promise<RunInfoLike | undefined> {
  return vscode.commands.executeCommand<RunInfoLike | undefined>('rnnLens._runInfo');
}

function folder(): vscode.Uri {
  const f = vscode.workspace.workspaceFolders?.[0];
  if (!f) throw new Error('no workspace folder');
  return f.uri;
}

async function writeDoc(name: string, doc: unknown): Promise<vscode.Uri> {
  const uri = vscode.Uri.joinPath(folder(), 'bench', name);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(JSON.stringify(doc, null, 2)));
  return uri;
}

/** Runs the active document; ms from the command until the panel painted it (or undefined). */
async function commandToPainted(uri: vscode.Uri, timeoutMs: number): Promise<RunTimes> {
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), vscode.ViewColumn.One);
  const before = (await info())?.id ?? 0;
  const t0 = Date.now();
  await vscode.commands.executeCommand('rnnLens.runForward');
  const end = Date.now() + timeoutMs;
  for (;;) {
    const i = await info();
    // painted, and (when the forward came first) its gradients painted too
    if (i && i.id > before && i.paintedAt !== undefined && (i.forwardAt === undefined || i.gradientsPaintedAt !== undefined || i.state !== 'done' && i.state !== 'running')) {
      return {
        ms: i.paintedAt - t0, where: i.where, runMs: i.ms, paintMs: i.paintMs,
        startMs: i.startedAt - t0,
        phases: Object.fromEntries(i.phases.map((p) => [p.phase, i.startedAt - t0 + p.ms])),
        forwardMs: i.forwardAt !== undefined ? i.startedAt - t0 + i.forwardAt : undefined,
        shownMs: i.shownAt !== undefined ? i.shownAt - t0 : undefined,
        gradientsPaintedMs: i.gradientsPaintedAt !== undefined ? i.gradientsPaintedAt - t0 : undefined,
      };
    }
    if (i && i.id > before && i.state !== 'running' && i.state !== 'done') return { where: i.where };
    if (Date.now() > end) return { where: i?.where, runMs: i?.ms };
    await sleep(5);
  }
}

async function hoverTimes(uri: vscode.Uri, needle: string, n: number): Promise<number[]> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const pos = doc.positionAt(doc.getText().indexOf(needle) + 1);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, pos);
    times.push(performance.now() - t0);
  }
  return times;
}

async function timerLags(ms: number): Promise<number[]> {
  const lags: number[] = [];
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 0));
    lags.push(performance.now() - t0);
    await sleep(10);
  }
  return lags;
}

/** Entry point called by VS Code (same contract as test/integration/index.ts). */
export async function run(): Promise<void> {
  console.log('integration: running the VS Code bench (host side)');
  const result: Record<string, unknown> = { vscode: vscode.version };
  try {
    const ext = vscode.extensions.getExtension('rnn-lens.rnn-lens');
    if (!ext) throw new Error('rnn-lens.rnn-lens is not installed');
    const t0 = performance.now();
    const wasActive = ext.isActive;
    await ext.activate();
    result.activateCallMs = wasActive ? null : Math.round(performance.now() - t0);
    result.activeAtStart = wasActive;

    // out/bench/vscodeHost.js -> bench/workloads.json of the repository
    const workloads = JSON.parse(readFileSync(join(__dirname, '..', '..', 'bench', 'workloads.json'), 'utf8'));
    const byName = (n: string) => workloads.find((w: { name: string }) => w.name === n);
    const seed = await writeDoc('seed.rnn.json', { ...byName('seed'), name: undefined, description: undefined });
    const medium = await writeDoc('medium.rnn.json', { ...byName('medium'), name: undefined, description: undefined });
    const large = await writeDoc('large.rnn.json', {
      model: { type: 'LSTM', input_size: 512, hidden_size: 512, batch_first: true },
      seed: 0,
      input: { rand: [1, 2000, 512] },
    });
    const origin = vscode.Uri.joinPath(folder(), 'golden', 'seed_snippet.rnn.json');

    // hover on the origin document (first one separately: it reads and caches the document)
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(origin));
    const firstHover = await hoverTimes(origin, 'hidden_size', 1);
    result.hoverFirstMs = Math.round(firstHover[0] * 10) / 10;
    result.hover = stats(await hoverTimes(origin, 'hidden_size', HOVER_N));

    // command -> painted panel
    const seedRuns: RunTimes[] = [];
    for (let i = 0; i < SEED_N; i++) seedRuns.push(await commandToPainted(seed, 30000));
    const mediumRuns: typeof seedRuns = [];
    for (let i = 0; i < MEDIUM_N; i++) mediumRuns.push(await commandToPainted(medium, 240000));
    const summary = (runs: typeof seedRuns) => ({
      where: runs[0]?.where,
      coldMs: runs[0]?.ms ?? null,
      warm: stats(runs.slice(1).flatMap((r) => (r.ms === undefined ? [] : [r.ms]))),
      runMs: stats(runs.flatMap((r) => (r.runMs === undefined ? [] : [r.runMs]))),
      paintMs: stats(runs.flatMap((r) => (r.paintMs === undefined ? [] : [r.paintMs]))),
      forwardMs: stats(runs.flatMap((r) => (r.forwardMs === undefined ? [] : [r.forwardMs]))),
      shownMs: stats(runs.flatMap((r) => (r.shownMs === undefined ? [] : [r.shownMs]))),
      gradientsPaintedMs: stats(runs.flatMap((r) => (r.gradientsPaintedMs === undefined ? [] : [r.gradientsPaintedMs]))),
      all: runs,
    });
    result.seed = summary(seedRuns);
    result.medium = summary(mediumRuns);

    // the host while a long run is in flight (worker) vs idle
    result.timerIdle = stats(await timerLags(1500));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(large));
    const longRun = vscode.commands.executeCommand('rnnLens.runForward');
    const end = Date.now() + 60000;
    while (Date.now() < end) {
      const i = await info();
      if (i && i.state === 'running' && i.phases.length > 0) break;
      await sleep(50);
    }
    result.longRunWhere = (await info())?.where;
    result.timerDuringRun = stats(await timerLags(1500));
    result.hoverDuringRun = stats(await hoverTimes(origin, 'hidden_size', HOVER_N));
    const asked = performance.now();
    await vscode.commands.executeCommand('rnnLens._cancelRun');
    await longRun;
    result.cancelResolvedMs = Math.round(performance.now() - asked);
  } catch (e) {
    result.error = e instanceof Error ? e.stack ?? e.message : String(e);
  }
  console.log('BENCH_JSON ' + JSON.stringify(result));
  console.log('integration: 1 passed, 0 failed');
}
