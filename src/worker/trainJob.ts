/*
 * One training run of a document as a job that a worker (or, where no worker can start, the
 * extension host) runs step by step: the messages between the host and the job, and the job
 * itself. The job trains in slices of a few milliseconds and yields between them, so it hears
 * Pause / Resume / Stop between any two optimizer steps; it streams each slice's losses and
 * gradient norms, and every few steps or at least every SNAPSHOT_MS while it runs (and on pause,
 * stop and at the end) a snapshot: the state_dict and the Unroll View payload of the model as it
 * is after that step.
 * A NaN or inf loss or gradient norm stops training at that step, the last finite model kept.
 * "inf" as PyTorch's float32 sees it: the engine computes in float64, where a loss of 1e41 is
 * still finite, but the panel (src/protocol/wire.ts) shows anything beyond float32's range as
 * inf; so the job also stops there, and shows the parameters from before that step's update
 * (it keeps a copy of them before each step: one state_dict, memory stays flat).
 * Layer: worker, PURE: imports document, engine and protocol types, src/run; no vscode, no Node,
 * no DOM (setTimeout and Date exist in every host it runs in).
 */
import { createDocumentTrainer } from '../document/train';
import type { RnnDocument } from '../document/types';
import type { StateDict, Tensor } from '../engine/types';
import type { Trainer, TrainStop } from '../engine/train/types';
import type { RunPayload } from '../protocol/messages';
import { buildRunPayload } from '../run/payload';
import { documentWithStateDict } from '../run/train';
import { FLOAT32_MAX } from '../protocol/wire';
import { makeTranslator } from './job';

/** Host -> worker: train this document (its `train` block). Answered by a stream of TrainReply. */
export interface TrainRequest {
  kind: 'train';
  /** The document as read (it has a `train` block). */
  doc: RnnDocument;
  title: string;
  source?: string;
  /** vscode.l10n.bundle of the host (English -> the user's language), as for runs. */
  bundle?: Record<string, string>;
  /** Pause by itself once this many steps are done (scripts and tests: "train to step k"). */
  pauseAt?: number;
  /** A snapshot every this many steps (default: about 40 over the run). */
  snapshotEvery?: number;
}

/** Host -> worker while a TrainRequest runs. */
export interface TrainControl {
  kind: 'trainControl';
  action: 'pause' | 'resume' | 'stop';
}

/** Where the job is; 'stopped' also covers a NaN/inf loss (then `stop.reason` is 'non-finite'). */
export type TrainJobStatus = 'running' | 'paused' | 'stopped' | 'done';

/** Worker -> host. Errors travel as messages, never as exceptions across the boundary. */
export type TrainReply =
  /** Training could start: its length, the prediction before any step, the target, the notes of resolving the document. */
  | { type: 'trainBegin'; stepsTotal: number; before: Tensor; target: Tensor; notes: string[] }
  /** Loss and gradient norm of steps from, from+1, ... (0-based). */
  | { type: 'trainSteps'; from: number; loss: number[]; gradNorm: number[] }
  /** The model after `step` completed steps: its parameters, its prediction, and the payload the Unroll View draws. */
  | { type: 'trainSnapshot'; step: number; stateDict: StateDict; prediction: Tensor; payload: RunPayload }
  /** The job runs, paused, stopped (by Stop or a non-finite loss) or is done. After 'stopped'/'done' it posts nothing more. */
  | { type: 'trainStatus'; status: TrainJobStatus; stepsDone: number; stop?: TrainStop }
  /** The document could not be trained (or a step threw): the message, localised where the engine localises. */
  | { type: 'error'; message: string };

/** Is `x` a TrainRequest? */
export function isTrainRequest(x: unknown): x is TrainRequest {
  if (!x || typeof x !== 'object') return false;
  const m = x as Record<string, unknown>;
  return m.kind === 'train' && !!m.doc && typeof m.doc === 'object' && typeof m.title === 'string';
}

/** Is `x` a TrainControl? */
export function isTrainControl(x: unknown): x is TrainControl {
  if (!x || typeof x !== 'object') return false;
  const m = x as Record<string, unknown>;
  return m.kind === 'trainControl' && (m.action === 'pause' || m.action === 'resume' || m.action === 'stop');
}

/** Is `x` a reply the training job could have sent? (The host checks before trusting it.) */
export function isTrainReply(x: unknown): x is TrainReply {
  if (!x || typeof x !== 'object') return false;
  const m = x as Record<string, unknown>;
  switch (m.type) {
    case 'trainBegin':
      return Number.isInteger(m.stepsTotal) && !!m.before && !!m.target && Array.isArray(m.notes);
    case 'trainSteps':
      return Number.isInteger(m.from) && Array.isArray(m.loss) && Array.isArray(m.gradNorm) && m.loss.length === m.gradNorm.length;
    case 'trainSnapshot':
      return Number.isInteger(m.step) && !!m.stateDict && !!m.prediction && !!m.payload;
    case 'trainStatus':
      return (m.status === 'running' || m.status === 'paused' || m.status === 'stopped' || m.status === 'done') && Number.isInteger(m.stepsDone);
    case 'error':
      return typeof m.message === 'string';
    default:
      return false;
  }
}

/** How long one slice of steps runs before the job yields to hear Pause/Stop (ms). */
export const SLICE_MS = 25;
/** About this many snapshots over a run when the request does not say. */
export const SNAPSHOTS_PER_RUN = 40;
/** While training runs, the model the panel shows is at most about this old (ms). */
export const SNAPSHOT_MS = 500;

/** Beyond float32's range (or not a number): what PyTorch's float32 holds as inf or nan. */
function beyondFloat32(x: number): boolean {
  return !(Math.abs(x) <= FLOAT32_MAX);
}

/** The default snapshot interval for a run of `steps` steps. */
export function snapshotInterval(steps: number): number {
  return Math.max(1, Math.ceil(steps / SNAPSHOTS_PER_RUN));
}

/** What the job needs from its host: a way to yield, and a clock (both replaceable in tests). */
export interface TrainJobHost {
  post(reply: TrainReply): void;
  /** Runs `fn` later, after pending messages (setTimeout(fn, 0) by default). */
  schedule?(fn: () => void): void;
  /** Milliseconds (Date.now by default). */
  now?(): number;
}

/** A running training job. Control it with pause/resume/stop (a TrainControl's action). */
export interface TrainJob {
  control(action: TrainControl['action']): void;
  /** 'stopped' / 'done' once ended (or after an error). */
  readonly status: TrainJobStatus | 'failed';
}

/**
 * Starts training `request.doc` and reports through `host.post`: trainBegin, a snapshot of
 * step 0, status 'running', then slices of steps; exactly one final status ('stopped' or
 * 'done') or one 'error'. Never throws.
 */
export function startTrainJob(request: TrainRequest, host: TrainJobHost): TrainJob {
  const post = host.post;
  const schedule = host.schedule ?? ((fn: () => void) => void setTimeout(fn, 0));
  const now = host.now ?? (() => Date.now());
  const tr = makeTranslator(request.bundle);
  let status: TrainJobStatus | 'failed' = 'running';
  let trainer: Trainer;
  let pending: { from: number; loss: number[]; gradNorm: number[] } | undefined;
  let queued = false;
  let lastSnapshot = -1;
  let lastSnapshotAt = 0;

  const fail = (e: unknown) => {
    status = 'failed';
    post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  };

  try {
    // Each step is posted as it is done: the trainer keeps no history, so memory stays flat.
    const created = createDocumentTrainer(request.doc, { translate: tr, keepHistory: false });
    trainer = created.trainer;
    post({ type: 'trainBegin', stepsTotal: trainer.stepsTotal, before: trainer.predict(), target: created.spec.target, notes: created.notes });
  } catch (e) {
    fail(e);
    return { control: () => undefined, get status() { return status; } };
  }
  const every = request.snapshotEvery && request.snapshotEvery >= 1 ? Math.floor(request.snapshotEvery) : snapshotInterval(trainer.stepsTotal);

  const flush = () => {
    if (pending && pending.loss.length) post({ type: 'trainSteps', ...pending });
    pending = undefined;
  };

  /** A snapshot of the trainer's model, or of `rewound` (the parameters after `rewound.step` steps). */
  const snapshot = (rewound?: { step: number; stateDict: StateDict }) => {
    const step = rewound?.step ?? trainer.stepsDone;
    if (step === lastSnapshot && !rewound) return;
    lastSnapshot = step;
    lastSnapshotAt = now();
    const stateDict = rewound?.stateDict ?? trainer.stateDict();
    const doc = documentWithStateDict(request.doc, stateDict);
    const payload = buildRunPayload(doc, { title: request.title, source: request.source, translate: tr });
    payload.notes.unshift(step === 0 ? tr('The model before training (step 0 of {0}).', trainer.stepsTotal) : tr('The model after {0} of {1} training steps.', step, trainer.stepsTotal));
    const prediction = rewound ? createDocumentTrainer(doc, { translate: tr }).trainer.predict() : trainer.predict();
    post({ type: 'trainSnapshot', step, stateDict, prediction, payload });
  };

  const end = (final: 'stopped' | 'done', stop?: TrainStop, rewound?: { step: number; stateDict: StateDict }) => {
    status = final;
    flush();
    snapshot(rewound);
    const stepsDone = rewound?.step ?? trainer.stepsDone;
    post(stop ? { type: 'trainStatus', status: final, stepsDone, stop } : { type: 'trainStatus', status: final, stepsDone });
  };

  const pauseNow = () => {
    status = 'paused';
    flush();
    snapshot();
    post({ type: 'trainStatus', status: 'paused', stepsDone: trainer.stepsDone });
  };

  const slice = () => {
    queued = false;
    if (status !== 'running') return;
    try {
      const started = now();
      do {
        if (trainer.stepsDone >= trainer.stepsTotal) break;
        const before = trainer.stateDict();
        const info = trainer.step();
        if (trainer.stopped) {
          // a NaN/inf loss or gradient: no update was applied; the last finite state stays
          end('stopped', trainer.stopped);
          return;
        }
        if (beyondFloat32(info.loss) || beyondFloat32(info.gradNorm)) {
          // finite in float64 but inf in PyTorch's float32: stop here too, with the model from
          // before this step's update (this step's loss is not kept, as the engine does for nan)
          end('stopped', { reason: 'non-finite', step: info.step }, { step: info.step, stateDict: before });
          return;
        }
        pending ??= { from: info.step, loss: [], gradNorm: [] };
        pending.loss.push(info.loss);
        pending.gradNorm.push(info.gradNorm);
        if (request.pauseAt !== undefined && trainer.stepsDone === request.pauseAt && trainer.stepsDone < trainer.stepsTotal) {
          pauseNow();
          return;
        }
        if (trainer.stepsDone % every === 0 && trainer.stepsDone < trainer.stepsTotal) {
          flush();
          snapshot();
        }
      } while (now() - started < SLICE_MS);
      if (trainer.stepsDone >= trainer.stepsTotal) {
        end('done');
        return;
      }
      flush();
      // a long run of fast steps: the panel still follows the model, about once per SNAPSHOT_MS
      if (now() - lastSnapshotAt >= SNAPSHOT_MS) snapshot();
      queue();
    } catch (e) {
      fail(e);
    }
  };

  const queue = () => {
    if (queued) return;
    queued = true;
    schedule(slice);
  };

  try {
    snapshot();
  } catch (e) {
    fail(e);
    return { control: () => undefined, get status() { return status; } };
  }
  if (request.pauseAt === 0) pauseNow();
  else {
    post({ type: 'trainStatus', status: 'running', stepsDone: 0 });
    queue();
  }

  return {
    get status() {
      return status;
    },
    control(action) {
      if (status === 'stopped' || status === 'done' || status === 'failed') return;
      try {
        if (action === 'pause' && status === 'running') pauseNow();
        else if (action === 'resume' && status === 'paused') {
          status = 'running';
          post({ type: 'trainStatus', status: 'running', stepsDone: trainer.stepsDone });
          queue();
        } else if (action === 'stop') {
          end('stopped', { reason: 'aborted', step: trainer.stepsDone });
        }
      } catch (e) {
        fail(e);
      }
    },
  };
}
