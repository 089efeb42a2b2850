/*
 * The protocol of the RNN Lab panel (experiments that train many models): one union per
 * direction between the extension host and the lab webview, and the requests the host sends
 * the lab worker (whose replies are LabEvents, forwarded to the webview as they come).
 * Layer: protocol. Types only (plus pure validators); imports engine types only.
 * Everything is JSON-serialisable (plain arrays), so the webview can keep it in its state.
 */
import type { CellType } from '../engine/types';

export type LabVariant = 'regression' | 'classification';

/** What decides a long-memory experiment (src/lab/longMemory.ts LongMemoryConfig). */
export interface LabLongMemoryConfig {
  variant: LabVariant;
  lengths: number[];
  cells: CellType[];
  seeds: number[];
  nTrain: number;
  /** Sequences per step (minibatches from the training set; 0: full batch). */
  batchSize: number;
  nTest: number;
  hidden: number;
  classes: number;
  embeddingDim: number;
  lr: number;
  steps: number;
  /** LSTM only: added to the forget / input gate's bias_ih_l0 after the seeded draw (0: PyTorch's init). */
  forgetBias: number;
  inputBias: number;
}

/** One trained model of the long-memory experiment. */
export interface LabRun {
  cell: CellType;
  length: number;
  seed: number;
  /** Loss per training step and gradient norm per step (before clipping). */
  trainLoss: number[];
  gradNorm: number[];
  train: { loss: number; accuracy?: number };
  test: { loss: number; accuracy?: number };
  /** ||dLoss/dx_t|| per time step, at initialisation and after training. */
  inputGradInit: number[];
  inputGradFinal: number[];
  ms: number;
}

/** What the character-level language model trains (src/lab/charLm.ts). */
export interface LabCharLmInfo {
  cell: CellType;
  /** Distinct characters (Unicode code points) of the text. */
  vocab: string[];
  /** Characters of the text used for training. */
  textLength: number;
  batch: number;
  seqLen: number;
  hidden: number;
  embeddingDim: number;
  lr: number;
  steps: number;
}

/** Sampled text at one point of training. */
export interface LabSample {
  step: number;
  loss: number;
  prompt: string;
  greedy: string;
  temperature: number;
  seed: number;
  sampled: string;
}

/** Events of a lab job, from the worker (and forwarded to the webview unchanged). */
export type LabEvent =
  /** A long-memory experiment begins: its configuration and the models it will train, in order. */
  | { type: 'lm/start'; config: LabLongMemoryConfig; plan: { cell: CellType; length: number; seed: number }[] }
  /** Model `index` of the plan starts training. */
  | { type: 'lm/model'; index: number }
  /** Some steps of model `index` (every few steps, and the last). */
  | { type: 'lm/step'; index: number; step: number; loss: number; gradNorm: number }
  /** Model `index` is trained and judged. */
  | { type: 'lm/run'; index: number; run: LabRun }
  /** A language model begins. */
  | { type: 'cl/start'; info: LabCharLmInfo }
  /** Steps of the language model (every few steps). */
  | { type: 'cl/step'; step: number; loss: number; gradNorm: number }
  /** Text sampled from the model as it is now. */
  | { type: 'cl/sample'; sample: LabSample }
  /** The job ended: all done, or stopped by the user (the results so far stay). */
  | { type: 'done'; stopped: boolean }
  /** The job failed (the engine's or the document layer's message). */
  | { type: 'error'; message: string };

/** Host -> lab worker: one job per worker; Stop terminates the worker. */
export type LabRequest =
  | { kind: 'longMemory'; config: LabLongMemoryConfig }
  | { kind: 'charLm'; text: string; cell: CellType; steps: number; sampleEvery: number; seed: number; maxTrainFlops?: number };

/** Host -> webview. */
export type LabToWebview =
  /** Sent after 'ready': the UI strings in the user's language and the events so far (a reopened panel). */
  | { type: 'init'; strings: Record<string, string>; events: LabEvent[]; running: boolean }
  /** One event of the running job. */
  | { type: 'event'; event: LabEvent }
  /** A new job replaces what is shown. */
  | { type: 'reset'; running: boolean };

/** Webview -> host. */
export type LabFromWebview =
  /** The webview is ready for 'init'. */
  | { type: 'ready' }
  /** The Stop button: end the job, keep the results so far. */
  | { type: 'stop' }
  /** "Run again" with the same settings. */
  | { type: 'rerun' };

/** Is `x` a message the lab webview could send? (The host checks before acting.) */
export function isLabFromWebview(x: unknown): x is LabFromWebview {
  if (!x || typeof x !== 'object') return false;
  const t = (x as { type?: unknown }).type;
  return t === 'ready' || t === 'stop' || t === 'rerun';
}

/** Is `x` an event the lab worker could have sent? */
export function isLabEvent(x: unknown): x is LabEvent {
  if (!x || typeof x !== 'object') return false;
  const m = x as Record<string, unknown>;
  switch (m.type) {
    case 'lm/start':
      return !!m.config && Array.isArray(m.plan);
    case 'lm/model':
      return typeof m.index === 'number';
    case 'lm/step':
    case 'cl/step':
      return typeof m.step === 'number' && typeof m.loss === 'number';
    case 'lm/run':
      return typeof m.index === 'number' && !!m.run && typeof m.run === 'object';
    case 'cl/start':
      return !!m.info && typeof m.info === 'object';
    case 'cl/sample':
      return !!m.sample && typeof m.sample === 'object';
    case 'done':
      return typeof m.stopped === 'boolean';
    case 'error':
      return typeof m.message === 'string';
    default:
      return false;
  }
}
