/*
 * One run of the Unroll View as a job: the messages between the extension host and the run
 * worker, the pure decision "in-process or worker?", progress fractions per phase, and the job
 * itself (buildRunPayload with a translator built from VS Code's l10n bundle); and the reads of
 * large documents ('read') and large selected arrays ('readArray') off the extension host.
 * Layer: worker, PURE: imports document types, engine types, protocol types, the pure payload
 * builder and the pure selection reader (src/run); never src/extension; no vscode, no Node, no
 * DOM. The same code runs in a Node worker_thread, a browser Web Worker and (for small runs) the
 * extension host itself. Checked by src/worker/tsconfig.json and test/unit/engine.layering.test.ts.
 */
import { readDocument } from '../document/reader';
import type { Budget, ReadResult, RnnDocument, Span } from '../document/types';
import type { Tensor } from '../engine/types';
import { buildRunPayload, GRADIENT_FLOP_BUDGET, WORKER_GRADIENT_FLOP_BUDGET, type BuildOptions } from '../run/payload';
import { readNestedArray, type ArrayReadResult } from '../run/selection';
import type { RunPayload } from '../protocol/messages';

/** What the host sends the worker: everything is structured-clone safe (typed arrays travel). */
export interface RunRequest {
  /** The document as read (budget already checked by the reader). */
  doc: RnnDocument;
  title: string;
  source?: string;
  /** Run on this input instead of the document's (a selected array). */
  input?: Tensor;
  /** vscode.l10n.bundle of the host: English -> the user's language. Absent in English. */
  bundle?: Record<string, string>;
  /**
   * The most threads the run's forward may use (rnnLens.run.threads, capped by `cores`); absent
   * or 1: one. Only the Node run worker has helper threads (runThreads.ts).
   */
  threads?: number;
  /** The machine's cores, as the host reads them (this layer has no os module). */
  cores?: number;
  /** BuildOptions.gradientFlopBudget: the scheduler raises it for worker runs (their forward is painted first). */
  gradientFlopBudget?: number;
}

/** The phases of a run, in order; 'gradients' is skipped over the gradient budget. */
export type RunPhase = 'forward' | 'gradients' | 'view';

/** Worker -> host. Errors travel as messages, never as exceptions across the boundary. */
export type WorkerReply =
  /** A phase has started; `fraction` (0..1) of the estimated work is done. */
  | { type: 'progress'; phase: RunPhase; fraction: number }
  /** The forward results, before the gradients are computed (payload.gradientsPending); 'done' follows with the whole payload. */
  | { type: 'forward'; payload: RunPayload }
  /** The run finished; `threads`: how many its forward used (runThreads.ts; absent: one). */
  | { type: 'done'; payload: RunPayload; threads?: number }
  /** The run failed: the message of the engine's or the document layer's error (localised). */
  | { type: 'error'; message: string };

/** A forward for runs too long to trace (BuildOptions.forwardUntraced), and the threads it used. */
export interface ThreadedForward {
  forward: NonNullable<BuildOptions['forwardUntraced']>;
  /** Threads the last forward used (1 before any). */
  used(): number;
}

/** Where a run executes. */
export type RunWhere = 'inProcess' | 'worker';

/**
 * In-process for cheap runs (no thread start-up), in a worker above `workerFlopThreshold`
 * forward FLOPs so the extension host keeps answering hovers and keystrokes. `workerAvailable`
 * is false where no worker can be started (then everything runs in-process). A threshold of 0
 * sends every run to a worker.
 */
export function chooseWhere(flops: number, workerFlopThreshold: number, workerAvailable: boolean): RunWhere {
  return workerAvailable && (workerFlopThreshold <= 0 || flops > workerFlopThreshold) ? 'worker' : 'inProcess';
}

/** Will buildRunPayload compute gradients for a run of this many forward FLOPs (in-process by default; a worker's budget is larger)? */
export function computesGradients(flops: number, where: RunWhere = 'inProcess'): boolean {
  return flops <= (where === 'worker' ? WORKER_GRADIENT_FLOP_BUDGET : GRADIENT_FLOP_BUDGET);
}

/**
 * The fraction of the work done when `phase` starts. Phases: forward, view (packing the forward's
 * payload, which the panel paints at once), then gradients when computed. Backward through time
 * costs about twice the forward pass, so with gradients the forward is 1/3 of the run.
 */
export function phaseFraction(phase: RunPhase, withGradients: boolean): number {
  switch (phase) {
    case 'forward':
      return 0;
    case 'view':
      return withGradients ? 0.3 : 0.85;
    case 'gradients':
      return 0.35;
  }
}

/**
 * A translator like vscode.l10n.t for positional arguments: the bundle's text for `english`
 * (or `english` itself), with {0}, {1}... replaced. Used where vscode is not available (workers).
 */
export function makeTranslator(bundle: Record<string, string> | undefined): (english: string, ...args: (string | number)[]) => string {
  return (english, ...args) => {
    const text = bundle && Object.prototype.hasOwnProperty.call(bundle, english) ? bundle[english] : english;
    return text.replace(/\{(\d+)\}/g, (whole, i) => (Number(i) < args.length ? String(args[Number(i)]) : whole));
  };
}

/**
 * Runs one request and reports through `post`: progress per phase, then exactly one 'done' or
 * 'error'. Never throws. `threads`: the Node run worker's forward on several threads.
 */
export function runJob(request: RunRequest, post: (reply: WorkerReply) => void, threads?: ThreadedForward): void {
  try {
    const payload = buildRunPayload(request.doc, {
      title: request.title,
      source: request.source,
      input: request.input,
      gradientFlopBudget: request.gradientFlopBudget,
      translate: makeTranslator(request.bundle),
      forwardUntraced: threads?.forward,
      onPhase: (phase, withGradients) => post({ type: 'progress', phase, fraction: phaseFraction(phase, withGradients) }),
      onForward: (forwardOnly) => post({ type: 'forward', payload: forwardOnly }),
    });
    post({ type: 'done', payload, threads: threads?.used() ?? 1 });
  } catch (e) {
    post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
}

/** Is `x` a reply the worker could have sent? (The host checks before trusting a message.) */
export function isWorkerReply(x: unknown): x is WorkerReply {
  if (!x || typeof x !== 'object') return false;
  const m = x as Record<string, unknown>;
  switch (m.type) {
    case 'progress':
      return (m.phase === 'forward' || m.phase === 'gradients' || m.phase === 'view') && typeof m.fraction === 'number';
    case 'forward':
    case 'done':
      return !!m.payload && typeof m.payload === 'object';
    case 'error':
      return typeof m.message === 'string';
    default:
      return false;
  }
}

/**
 * Host -> worker: read a large RNN document off the extension host (diagnostics and the last
 * completed read for hovers). Answered by exactly one ReadReply.
 */
export interface ReadRequest {
  kind: 'read';
  text: string;
  budget: Budget;
  /** vscode.l10n.bundle of the host, as for runs. */
  bundle?: Record<string, string>;
}

/** Worker -> host for a ReadRequest: the reader's result (plain data; typed arrays travel). */
export type ReadReply = { type: 'read'; result: ReadResult } | { type: 'error'; message: string };

/** Is `x` a ReadRequest (and not a RunRequest)? */
export function isReadRequest(x: unknown): x is ReadRequest {
  return !!x && typeof x === 'object' && (x as { kind?: unknown }).kind === 'read' && typeof (x as { text?: unknown }).text === 'string';
}

/** Runs readDocument with the host's translator. Never throws. */
export function readJob(request: ReadRequest): ReadReply {
  try {
    return { type: 'read', result: readDocument(request.text, { budget: request.budget, translate: makeTranslator(request.bundle) }) };
  } catch (e) {
    return { type: 'error', message: e instanceof Error ? e.message : String(e) };
  }
}

/** Is `x` a reply to a ReadRequest? */
export function isReadReply(x: unknown): x is ReadReply {
  if (!x || typeof x !== 'object') return false;
  const m = x as Record<string, unknown>;
  if (m.type === 'error') return typeof m.message === 'string';
  if (m.type !== 'read' || !m.result || typeof m.result !== 'object') return false;
  return Array.isArray((m.result as { diagnostics?: unknown }).diagnostics);
}

/** Documents longer than `threshold` characters are read in a worker (0: never). */
export function readsInWorker(length: number, threshold: number, workerAvailable: boolean): boolean {
  return workerAvailable && threshold > 0 && length > threshold;
}

/**
 * Host -> worker: read a selected nested array (a tensor for Run Forward on Selection) off the
 * extension host, for selections over the worker threshold. Only the selected text travels;
 * `offset` is where it starts in the document, so the reply's spans are document offsets.
 * Answered by exactly one ArrayReadReply.
 */
export interface ArrayReadRequest {
  kind: 'readArray';
  /** The selected text. */
  text: string;
  /** Offset of `text` in the document. */
  offset: number;
  /** Refuse arrays with more numbers than this (the budget's maxElements); absent: no limit. */
  maxElements?: number;
  /** vscode.l10n.bundle of the host, as for runs. */
  bundle?: Record<string, string>;
}

/** Worker -> host for an ArrayReadRequest: run/selection.ts's result, spans in document offsets. */
export type ArrayReadReply = { type: 'array'; result: ArrayReadResult } | { type: 'error'; message: string };

/** Is `x` an ArrayReadRequest (and neither a ReadRequest nor a RunRequest)? */
export function isArrayReadRequest(x: unknown): x is ArrayReadRequest {
  if (!x || typeof x !== 'object') return false;
  const m = x as Record<string, unknown>;
  return (
    m.kind === 'readArray' &&
    typeof m.text === 'string' &&
    typeof m.offset === 'number' &&
    Number.isInteger(m.offset) &&
    m.offset >= 0 &&
    (m.maxElements === undefined || (typeof m.maxElements === 'number' && m.maxElements >= 0))
  );
}

function shiftSpan(span: Span, by: number): Span {
  return { start: span.start + by, end: span.end + by };
}

/** Reads the selected text as a nested array (run/selection.ts readNestedArray), localised. Never throws. */
export function arrayReadJob(request: ArrayReadRequest): ArrayReadReply {
  try {
    const read = readNestedArray(request.text, 0, request.text.length, makeTranslator(request.bundle), request.maxElements ?? Infinity);
    if (read.kind === 'notArray') return { type: 'array', result: read };
    return { type: 'array', result: { ...read, span: shiftSpan(read.span, request.offset) } };
  } catch (e) {
    return { type: 'error', message: e instanceof Error ? e.message : String(e) };
  }
}

function isSpan(x: unknown): x is Span {
  if (!x || typeof x !== 'object') return false;
  const s = x as Record<string, unknown>;
  return typeof s.start === 'number' && typeof s.end === 'number' && s.start >= 0 && s.end >= s.start;
}

/**
 * Is `x` a reply to an ArrayReadRequest? A tensor must be consistent (its shape's product is the
 * length of its data) before the host runs it.
 */
export function isArrayReadReply(x: unknown): x is ArrayReadReply {
  if (!x || typeof x !== 'object') return false;
  const m = x as Record<string, unknown>;
  if (m.type === 'error') return typeof m.message === 'string';
  if (m.type !== 'array' || !m.result || typeof m.result !== 'object') return false;
  const r = m.result as Record<string, unknown>;
  switch (r.kind) {
    case 'notArray':
      return true;
    case 'error':
      return typeof r.message === 'string' && isSpan(r.span);
    case 'tensor': {
      const tensor = r.tensor as { shape?: unknown; data?: unknown } | undefined;
      if (!tensor || !isSpan(r.span) || !Array.isArray(tensor.shape) || !(tensor.data instanceof Float64Array)) return false;
      const shape = tensor.shape as unknown[];
      if (!shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) return false;
      return (shape as number[]).reduce((a, b) => a * b, 1) === tensor.data.length;
    }
    default:
      return false;
  }
}
