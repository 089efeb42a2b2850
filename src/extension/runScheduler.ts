/*
 * Where and how a run of the Unroll View executes, so the editor stays responsive.
 * - Cheap runs (estimated forward FLOPs up to rnnLens.run.workerFlopThreshold) are built right
 *   here in the extension host: no thread start-up for the origin snippet.
 * - Larger runs, and every run of a document too large to read on the host (RunJob.preferWorker),
 *   go to a worker (src/worker/runWorker.ts): a Node worker_thread in desktop VS Code
 *   and code-server, a Web Worker on vscode.dev. The host only posts the document and receives
 *   progress per phase and the RunPayload, so hovers and keystrokes keep being answered.
 * - Progress: a cancellable notification above rnnLens.run.progressFlopThreshold, otherwise the
 *   status bar. Cancel (the notification's button, the caller's CancellationToken, or a new run,
 *   which supersedes the one in flight) terminates the worker: the CPU really stops and the
 *   worker's memory is released. The last run shown stays as it was.
 * Errors come back as messages (WorkerReply 'error') and become a RunOutcome, never a rejection.
 * Layer: extension (imports vscode; Node's worker_threads only in the Node build).
 */
import * as vscode from 'vscode';
import { estimateCost } from '../document/reader';
import type { RnnDocument } from '../document/types';
import type { Tensor } from '../engine/types';
import type { RunPayload } from '../protocol/messages';
import { type ArrayReadRequest, chooseWhere, type ReadRequest, isWorkerReply, runJob, type RunPhase, type RunRequest, type RunWhere, type WorkerReply } from '../worker/job';
import type { TrainControl, TrainRequest } from '../worker/trainJob';
import { getSettings } from './settings';
import { noteWorkerJob, requestKind, takeWorkStats } from './workStats';

const t = vscode.l10n.t;
const EXTENSION_ID = 'rnn-lens.rnn-lens';
/*
 * The web build (dist/web/extension.js) defines process.env.RNN_LENS_WEB as "1". Each Node-only
 * block below tests that define itself, inline, so esbuild folds the test to false and drops the
 * block (and its require of Node modules) from the web bundle.
 */

/** One run to schedule: the document as read, and what buildRunPayload needs besides. */
export interface RunJob {
  doc: RnnDocument;
  title: string;
  source?: string;
  /** Run on this input instead of the document's. */
  input?: Tensor;
  /**
   * Run in a worker whatever the FLOPs (when one can be started): the document was too large to
   * read on the host, and a long input costs host time per step (trace, rows) beyond its FLOPs.
   */
  preferWorker?: boolean;
}

/** How a scheduled run ended. `cancelled` runs leave the last shown run unchanged. */
export type RunOutcome =
  | { kind: 'done'; payload: RunPayload; where: RunWhere }
  | { kind: 'cancelled'; reason: 'user' | 'superseded' }
  | { kind: 'error'; message: string };

/** What the scheduler knows about the latest run (tests and bench/vscode.mjs read it). */
export interface RunInfo {
  id: number;
  title: string;
  where: RunWhere;
  /** Estimated forward FLOPs (the reader's estimateCost). */
  flops: number;
  /** Progress notification ('notification'), status bar ('window') or none. */
  progress: 'notification' | 'window' | 'none';
  state: 'running' | 'done' | 'cancelled' | 'error';
  /** Phases as the engine reached them, ms after the start. */
  phases: { phase: RunPhase; fraction: number; ms: number }[];
  /** Date.now() when the run started, and its duration once it ended. */
  startedAt: number;
  ms?: number;
  /** Threads the finished run's forward used (rnnLens.run.threads caps them; the worker reports it). */
  threads?: number;
  /** Cancelled runs: ms from the cancel request until the worker was gone. */
  terminatedMs?: number;
  /**
   * Worker runs: the worker thread has exited (Node's 'exit' event, with its exit code; a Web
   * Worker: terminate() returned, code undefined). Tests prove Cancel by this, not by CPU share.
   */
  workerExited?: { code?: number };
  /** Worker runs: the run was served by the worker kept from the run before (warm). */
  warmWorker?: boolean;
  /** Worker runs: messages the worker sent after the run had ended (cancelled or done); ignored. */
  repliesAfterEnd?: number;
  /** Date.now() when the Unroll View reported its first paint of this run, and the paint's own ms. */
  paintedAt?: number;
  paintMs?: number;
  /** Date.now() when the Unroll View was sent the run (its forward, when that came first). */
  shownAt?: number;
  /** ms after the start when the forward's payload came, before the gradients (worker runs that compute gradients). */
  forwardAt?: number;
  /** Date.now() when the Unroll View reported painting the gradients that followed the forward. */
  gradientsPaintedAt?: number;
}

let sequence = 0;
let inFlight: { id: number; cancel(reason: 'user' | 'superseded'): void } | undefined;
let latest: RunInfo | undefined;

/** A copy of what is known about the latest run. */
export function runInfo(): RunInfo | undefined {
  return latest ? { ...latest, phases: latest.phases.map((p) => ({ ...p })) } : undefined;
}

/** Cancels the run in flight, if any. Returns whether there was one. */
export function cancelRun(): boolean {
  if (!inFlight) return false;
  inFlight.cancel('user');
  return true;
}

/** The Unroll View was just sent the latest run (unrollPanel.showRun). */
export function noteShown(): void {
  if (latest && latest.shownAt === undefined) latest.shownAt = Date.now();
}

/**
 * The Unroll View painted the run it was sent (ViewMessage 'painted'; its forward results, when
 * they came first), or with `gradients` the gradients that followed; `ms` is its drawing time.
 */
export function notePainted(ms: number, gradients = false): void {
  if (!latest) return;
  if (gradients) {
    if (latest.gradientsPaintedAt === undefined) latest.gradientsPaintedAt = Date.now();
  } else if ((latest.state === 'done' || latest.forwardAt !== undefined) && latest.paintedAt === undefined) {
    latest.paintedAt = Date.now();
    latest.paintMs = ms;
  }
}

function documentInputShape(doc: RnnDocument): number[] | undefined {
  const src = doc.input;
  if (!src) return undefined;
  return src.kind === 'rand' ? [...src.shape] : [...src.tensor.shape];
}

function phaseLabel(phase: RunPhase): string {
  switch (phase) {
    case 'forward':
      return t('Forward pass');
    case 'gradients':
      return t('Gradients (backpropagation through time)');
    case 'view':
      return t('Preparing the view');
  }
}

/** Options of scheduleRun. */
export interface ScheduleOptions {
  token?: vscode.CancellationToken;
  /**
   * Worker runs that compute gradients: the payload of the forward results (`gradientsPending`),
   * before the gradients are computed, so the view can paint it at once. The outcome's payload
   * then has the gradients too. (In-process runs give only the outcome: the host is busy anyway.)
   */
  onForward?: (payload: RunPayload) => void;
}

/**
 * Runs a job where it fits best and shows its progress. A new call cancels the run in flight
 * (that one resolves as { kind: 'cancelled', reason: 'superseded' }). Never rejects.
 */
export async function scheduleRun(job: RunJob, options: ScheduleOptions = {}): Promise<RunOutcome> {
  const settings = getSettings();
  const flops = estimateCost(job.doc.model, job.doc.head, job.input?.shape ?? documentInputShape(job.doc)).flops;
  inFlight?.cancel('superseded');
  const id = ++sequence;
  const available = workerAvailable();
  const where = job.preferWorker && available ? 'worker' : chooseWhere(flops, settings.workerFlopThreshold, available);
  const progressKind = flops > settings.progressFlopThreshold ? 'notification' : where === 'worker' ? 'window' : 'none';
  const info: RunInfo = { id, title: job.title, where, flops, progress: progressKind, state: 'running', phases: [], startedAt: Date.now() };
  latest = info;

  const cts = new vscode.CancellationTokenSource();
  let reason: 'user' | 'superseded' = 'user';
  inFlight = {
    id,
    cancel: (why) => {
      reason = why;
      cts.cancel();
    },
  };
  const external = options.token?.onCancellationRequested(() => inFlight?.id === id && inFlight.cancel('user'));
  if (options.token?.isCancellationRequested) cts.cancel();
  const started = performance.now();
  const request: RunRequest = {
    doc: job.doc, title: job.title, source: job.source, input: job.input, bundle: vscode.l10n.bundle, threads: settings.runThreads, cores: machineCores(),
  };

  const execute = (report?: (phase: RunPhase, fraction: number) => void): Promise<RunOutcome> => {
    const onReply = (m: WorkerReply) => {
      if (m.type === 'progress') {
        info.phases.push({ phase: m.phase, fraction: m.fraction, ms: Math.round(performance.now() - started) });
        report?.(m.phase, m.fraction);
      } else if (m.type === 'forward' && info.where === 'worker' && inFlight?.id === id) {
        info.forwardAt = Math.round(performance.now() - started);
        options.onForward?.(m.payload);
      }
    };
    return where === 'worker'
      ? runInWorker({ ...request, gradientFlopBudget: settings.gradientFlopThreshold }, cts.token, onReply, () => reason, info)
      : runInProcess(request, cts.token, onReply, () => reason, progressKind !== 'none');
  };

  let outcome: RunOutcome;
  try {
    if (progressKind === 'none') {
      outcome = await execute();
    } else {
      outcome = await vscode.window.withProgress(
        {
          location: progressKind === 'notification' ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window,
          title: t('Running {0} forward…', job.doc.model.type),
          cancellable: progressKind === 'notification',
        },
        (progress, token) => {
          const sub = token.onCancellationRequested(() => inFlight?.id === id && inFlight.cancel('user'));
          let done = 0;
          const report = (phase: RunPhase, fraction: number) => {
            const increment = Math.max(0, fraction - done) * 100;
            done = Math.max(done, fraction);
            progress.report({ message: phaseLabel(phase), increment });
          };
          return execute(report).finally(() => sub.dispose());
        },
      );
    }
  } catch (e) {
    outcome = { kind: 'error', message: e instanceof Error ? e.message : String(e) };
  } finally {
    external?.dispose();
    cts.dispose();
    if (inFlight?.id === id) inFlight = undefined;
  }
  info.state = outcome.kind;
  if (outcome.kind === 'done') info.threads ??= 1; // in-process runs use this thread only
  info.ms = Math.round(performance.now() - started);
  return outcome;
}

/** Small runs: the same job, here. A run already cancelled is not started. */
async function runInProcess(
  request: RunRequest,
  token: vscode.CancellationToken,
  onReply: (m: WorkerReply) => void,
  reason: () => 'user' | 'superseded',
  yieldFirst: boolean,
): Promise<RunOutcome> {
  // let a progress notification appear before the host is busy
  if (yieldFirst) await new Promise((resolve) => setTimeout(resolve, 0));
  if (token.isCancellationRequested) return { kind: 'cancelled', reason: reason() };
  let outcome: RunOutcome | undefined;
  runJob(request, (m) => {
    if (m.type === 'done') outcome = { kind: 'done', payload: m.payload, where: 'inProcess' };
    else if (m.type === 'error') outcome = { kind: 'error', message: m.message };
    else onReply(m);
  });
  // the host was busy for the whole run: a cancel that came meanwhile still wins
  if (token.isCancellationRequested) return { kind: 'cancelled', reason: reason() };
  return outcome ?? { kind: 'error', message: 'no result' };
}

/** The handful of operations the scheduler needs from a Node worker or a Web Worker. */
export interface WorkerHandle {
  post(request: RunRequest | ReadRequest | ArrayReadRequest | TrainRequest | TrainControl): void;
  /** Messages, errors thrown in the worker, and an exit nobody asked for. */
  listen(onMessage: (m: unknown) => void, onFailure: (message: string) => void): void;
  terminate(): Promise<void>;
  /** `f` is called once the worker thread is gone (Node: its 'exit' event; web: after terminate). */
  onExit?(f: (code?: number) => void): void;
}

/**
 * The run worker of the last run that ended well, kept for the next run: warm, its WebAssembly
 * compiled and optimised by V8 and its memory mapped (a fresh worker spent ~0.5 s of the
 * medium workload's first forward on that). Terminated after IDLE_WORKER_MS without a run, on
 * cancel (then the run's worker goes), or when the extension deactivates; its memory goes with it.
 */
let idleWorker: { handle: WorkerHandle; timer: ReturnType<typeof setTimeout> } | undefined;
export const IDLE_WORKER_MS = 60_000;

function takeIdleWorker(): WorkerHandle | undefined {
  const kept = idleWorker;
  if (!kept) return undefined;
  idleWorker = undefined;
  clearTimeout(kept.timer);
  return kept.handle;
}

function keepIdle(handle: WorkerHandle): void {
  dropIdleWorker();
  const timer = setTimeout(() => dropIdleWorker(), IDLE_WORKER_MS);
  idleWorker = { handle, timer };
  // nothing from it counts until the next run listens; a crash while idle just drops it
  handle.listen(() => undefined, () => {
    if (idleWorker?.handle === handle) dropIdleWorker();
  });
  handle.onExit?.(() => undefined);
}

/** Terminates the kept worker, if any. */
export function dropIdleWorker(): void {
  const kept = takeIdleWorker();
  if (kept) void kept.terminate().catch(() => undefined);
}

/** Counts every job posted (rnnLens._workStats), so tests can see which work went to a worker. */
function counted(handle: WorkerHandle): WorkerHandle {
  const post = handle.post.bind(handle);
  handle.post = (request) => {
    noteWorkerJob(requestKind(request));
    post(request);
  };
  return handle;
}

function extensionUri(): vscode.Uri | undefined {
  return vscode.extensions.getExtension(EXTENSION_ID)?.extensionUri;
}

let nodeWorkerFile: string | null | undefined;
/** The bundled worker script on disk (Node), or null when it is missing. */
function nodeWorkerPath(): string | null {
  if (nodeWorkerFile !== undefined) return nodeWorkerFile;
  nodeWorkerFile = null;
  if (process.env.RNN_LENS_WEB !== '1') {
    const fs = require('node:fs') as typeof import('node:fs');
    const path = require('node:path') as typeof import('node:path');
    const root = extensionUri()?.fsPath;
    const candidates = [root && path.join(root, 'dist', 'runWorker.js'), typeof __dirname === 'string' ? path.join(__dirname, 'runWorker.js') : undefined];
    nodeWorkerFile = candidates.find((c): c is string => !!c && fs.existsSync(c)) ?? null;
  }
  return nodeWorkerFile;
}

/** The machine's cores for the run worker's threads (Node's os; the web runs on one thread). */
function machineCores(): number {
  if (process.env.RNN_LENS_WEB !== '1') {
    const os = require('node:os') as { availableParallelism?: () => number; cpus(): unknown[] };
    return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  }
  return 1;
}

/** Can runs go to a worker here? (Node: the bundle exists; web: Worker exists.) */
export function workerAvailable(): boolean {
  if (process.env.RNN_LENS_WEB === '1') return typeof Worker !== 'undefined' && !!extensionUri();
  try {
    return nodeWorkerPath() !== null;
  } catch {
    return false;
  }
}

let webWorkerUrl: Promise<string> | undefined;

/** Starts one worker for one run (or one large read), or undefined when none can be started. */
export async function startWorker(): Promise<WorkerHandle | undefined> {
  if (process.env.RNN_LENS_WEB !== '1') {
    const file = nodeWorkerPath();
    if (!file) return undefined;
    const { Worker: NodeWorker } = require('node:worker_threads') as typeof import('node:worker_threads');
    const w = new NodeWorker(file);
    let ended = false;
    // One listener of each kind; listen() and onExit() replace what they are given (a kept worker serves several runs).
    let onMessage: (m: unknown) => void = () => undefined;
    let onFailure: (message: string) => void = () => undefined;
    let onExit: (code?: number) => void = () => undefined;
    w.on('message', (m) => onMessage(m));
    w.on('error', (e) => onFailure(e instanceof Error ? e.message : String(e)));
    w.on('exit', (code) => {
      if (!ended) onFailure(t('The run worker stopped unexpectedly (exit code {0}).', code));
      onExit(code);
    });
    return counted({
      post: (request) => w.postMessage(request),
      listen: (message, failure) => {
        onMessage = message;
        onFailure = failure;
      },
      terminate: async () => {
        ended = true;
        await w.terminate();
      },
      onExit: (f) => (onExit = f),
    });
  }
  // vscode.dev: extension files come from another origin, which `new Worker(url)` refuses; a
  // blob: URL of the same script is same-origin.
  const root = extensionUri();
  if (!root) return undefined;
  webWorkerUrl ??= (async () => {
    const script = vscode.Uri.joinPath(root, 'dist', 'web', 'runWorker.js');
    let text: string;
    try {
      const res = await fetch(script.toString(true));
      if (!res.ok) throw new Error(String(res.status));
      text = await res.text();
    } catch {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(script));
    }
    return URL.createObjectURL(new Blob([text], { type: 'text/javascript' }));
  })();
  // a failed fetch is not cached: the next run tries again (and runs in-process meanwhile)
  webWorkerUrl.catch(() => (webWorkerUrl = undefined));
  const w = new Worker(await webWorkerUrl);
  let onExit: (code?: number) => void = () => undefined;
  return counted({
    post: (request) => w.postMessage(request),
    listen: (onMessage, onFailure) => {
      w.onmessage = (e) => onMessage(e.data);
      w.onerror = (e) => {
        e.preventDefault?.();
        onFailure(e.message || 'error in the run worker');
      };
    },
    terminate: async () => {
      w.terminate();
      onExit(undefined);
    },
    onExit: (f) => (onExit = f),
  });
}

/** Large runs: one worker for this run, terminated when it ends or is cancelled. */
async function runInWorker(
  request: RunRequest,
  token: vscode.CancellationToken,
  onReply: (m: WorkerReply) => void,
  reason: () => 'user' | 'superseded',
  info: RunInfo,
): Promise<RunOutcome> {
  let handle: WorkerHandle | undefined = takeIdleWorker();
  if (handle) info.warmWorker = true;
  else {
    try {
      handle = await startWorker();
    } catch {
      handle = undefined;
    }
  }
  if (!handle) {
    // No worker here after all (e.g. a web host whose CSP refuses blob: workers): run in-process.
    info.where = 'inProcess';
    return runInProcess({ ...request, gradientFlopBudget: undefined }, token, onReply, reason, true);
  }
  const worker = handle;
  worker.onExit?.((code) => (info.workerExited = { code }));
  if (token.isCancellationRequested) {
    void worker.terminate();
    return { kind: 'cancelled', reason: reason() };
  }
  return new Promise<RunOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: RunOutcome) => {
      if (settled) return;
      settled = true;
      cancelSub.dispose();
      if (outcome.kind === 'done') {
        // kept for the next run (the replies after the end are counted until then)
        resolve(outcome);
        keepIdle(worker);
        return;
      }
      const asked = performance.now();
      void worker.terminate().then(
        () => {
          if (outcome.kind === 'cancelled') info.terminatedMs = Math.round(performance.now() - asked);
        },
        () => undefined,
      );
      resolve(outcome);
    };
    const cancelSub = token.onCancellationRequested(() => finish({ kind: 'cancelled', reason: reason() }));
    worker.listen(
      (m) => {
        if (!isWorkerReply(m)) return;
        // after Cancel (or the result) nothing from this worker counts: no progress, no result
        if (settled) {
          info.repliesAfterEnd = (info.repliesAfterEnd ?? 0) + 1;
          return;
        }
        if (m.type === 'progress' || m.type === 'forward') onReply(m);
        else if (m.type === 'done') {
          info.threads = m.threads ?? 1;
          finish({ kind: 'done', payload: m.payload, where: 'worker' });
        }
        else finish({ kind: 'error', message: m.message });
      },
      (message) => finish({ kind: 'error', message }),
    );
    try {
      worker.post(request);
    } catch (e) {
      finish({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  });
}

/**
 * Internal commands (not in the palette): rnnLens._cancelRun, rnnLens._runInfo and
 * rnnLens._workStats (worker jobs and host parses, workStats.ts) for tests and bench.
 */
export function registerRunScheduler(): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand('rnnLens._cancelRun', () => cancelRun()),
    vscode.commands.registerCommand('rnnLens._runInfo', () => runInfo()),
    vscode.commands.registerCommand('rnnLens._workStats', (reset?: unknown) => takeWorkStats(reset === 'reset')),
    { dispose: () => void inFlight?.cancel('user') },
    { dispose: dropIdleWorker },
  );
}
