/*
 * The one protocol between the extension host and the RNN Unroll View webview.
 * Layer: protocol. Types only (plus pure validators); imports engine types only.
 *
 * Everything here is JSON-serialisable (plain arrays, no typed arrays), so the same payload
 * can be posted, persisted by the webview's state for the serializer, and checked in tests.
 */
import type { Dim, HeadConfig, ModelConfig, ParamInfo } from '../engine/types';
import type { WireNumber } from './wire';

export type { WireNumber } from './wire';

/**
 * A tensor flattened row-major, as JSON. Numbers are wire numbers (src/protocol/wire.ts): nan
 * travels as null, inf and -inf as ±Number.MAX_VALUE, and a reader takes any |v| above
 * float32's largest value (3.4028234663852886e38) as ±inf, as PyTorch's float32 would hold it
 * (wireKind / fromWireNumber). Saved state from before this encoding had null for inf too: it
 * reads as nan.
 */
export interface WireTensor {
  shape: number[];
  data: WireNumber[];
}

/** One time step of one layer and direction (see engine Trace), batch-major vectors. */
export interface WireStep {
  layer: number;
  direction: 0 | 1;
  t: number;
  /** Wire numbers (see WireTensor). */
  vectors: Record<string, WireNumber[]>;
}

/** Everything the panel shows about one run. Built by the extension, drawn by the webview. */
export interface RunPayload {
  /** Shown as the panel's subtitle: the document's file name or "Example: ...". */
  title: string;
  /** The URI of the document it came from, when there is one (for "reveal"). */
  source?: string;
  /** The document's "description" (plain text, shown under the title; never HTML). */
  description?: string;
  model: ModelConfig;
  /** A cell document (nn.RNNCell / LSTMCell / GRUCell and its loop over time): `model` is then the cell as one layer, one direction, seq-first. */
  cell?: 'RNNCell' | 'LSTMCell' | 'GRUCell';
  /** With `cell`: one call of the cell (input (N, in) or (in), drawn as one step), not a loop over time. */
  cellStep?: boolean;
  head?: HeadConfig;
  batch: number;
  seqLen: number;
  /** Was the input unbatched (2-D)? Then batch is 1 and results drop the N axis. */
  unbatched: boolean;
  input: WireTensor;
  output: WireTensor;
  hN: WireTensor;
  cN?: WireTensor;
  headOutput?: WireTensor;
  /**
   * Parameters, PyTorch names (the host's copy, for the API's lastRun and tests); the webview
   * gets it empty: it shows parameters by name and shape (shapes.params).
   */
  stateDict: Record<string, WireTensor>;
  /** steps[layer][direction][t]; may be omitted for very long runs beyond the trace budget. */
  steps?: WireStep[][][];
  /**
   * Present when the run was too long to send every time step: the 0-based time indices that
   * were kept, ascending. Then `steps[layer][direction][k]` is time `times[k]`, and `input` and
   * `output` hold only those time steps (their time axis has length `times.length`; every
   * other axis is unchanged). `seqLen` is still the full length.
   */
  times?: number[];
  /** The seed the parameters (and a {"rand"} input) were drawn with (torch.manual_seed). */
  seed?: number;
  /** Names of parameters left out of `stateDict` because they were too large to send. */
  omittedParams?: string[];
  /**
   * The gradients are being computed: this payload holds the forward results, and a
   * 'gradients' message follows (or 'gradientsFailed' when the run was cancelled or failed).
   */
  gradientsPending?: boolean;
  /** Gradient norms per time step (input order); absent when not computed. */
  gradients?: {
    /** ||dL/dx_t|| for L = sum of the last layer's outputs at the last step (or head); wire numbers (an overflowed gradient is inf or nan). */
    inputNorms: WireNumber[];
    /** ||dh_T/dh_t||-style norms, per layer, per direction, per t; wire numbers. */
    hiddenNorms: WireNumber[][][];
    /** What L is, in words. */
    loss: string;
  };
  shapes: {
    input: Dim[];
    output: Dim[];
    hN: Dim[];
    cN?: Dim[];
    head?: Dim[];
    params: ParamInfo[];
    paramCount: number;
    flopsPerStep: number;
    flopsPerSequence?: number;
  };
  /** Plain-language notes (dropout ignored, seed defaulted to 0, ...). Already localised. */
  notes: string[];
  /** Present when the document has a `train` block: the panel then offers Train. */
  train?: TrainSummary;
}

/** The `train` block in a line, for the Train control (names as PyTorch writes them). */
export interface TrainSummary {
  /** 'MSELoss' or 'CrossEntropyLoss'. */
  loss: string;
  /** e.g. 'SGD(lr=0.1)', 'Adam(lr=0.01)'. */
  optimizer: string;
  steps: number;
  /** max_norm of clip_grad_norm_, when asked for. */
  clipGradNorm?: number;
}

/** Where a training run is: 'running' steps, 'paused' (resumable), or ended ('stopped' by the user or a NaN/inf loss, 'done', 'failed'). */
export type TrainStatus = 'running' | 'paused' | 'stopped' | 'done' | 'failed';

/**
 * Everything the Train section of the panel shows about one training run (the host keeps it
 * and sends it whole after 'ready' or a start; then steps, status and snapshots as they come).
 */
export interface TrainSession {
  /** The panel title of the trained document. */
  title: string;
  /** URI of the document being trained, when there is one. */
  source?: string;
  summary: TrainSummary;
  stepsTotal: number;
  status: TrainStatus;
  /**
   * Loss per kept step (before that step's update), wire numbers: every completed step while
   * there are few, then thinned as src/protocol/curves.ts says (memory stays flat).
   */
  loss: WireNumber[];
  /** Total gradient L2 norm per kept step (before clipping), wire numbers. */
  gradNorm: WireNumber[];
  /** The 0-based step of each kept point once older steps were thinned (absent: point i is step i). */
  steps?: number[];
  /** The completed steps whose model the panel shows (0: the initial model). */
  shownStep: number;
  /** The prediction (head output, or output) of the initial model, the target, and the prediction at shownStep. */
  before?: WireTensor;
  target?: WireTensor;
  after?: WireTensor;
  /** Why it stopped or failed, already localised. */
  message?: string;
}

/** Comparison of RNN, LSTM and GRU on the same input (the "why LSTM" view). */
export interface ComparePayload {
  /** inputNorms are wire numbers (see WireTensor). */
  rows: { type: 'RNN' | 'LSTM' | 'GRU'; inputNorms: WireNumber[] }[];
  /** The seed the three models were initialised with (torch.manual_seed). */
  seed?: number;
  /** What the loss is, in words (already localised). */
  loss?: string;
  /** Why the comparison could not be made, when it could not (already localised). */
  error?: string;
}

/** Extension -> webview. */
export type HostMessage =
  /** Sent by the host after 'ready' and after each new run. */
  | { type: 'run'; payload: RunPayload; strings: Record<string, string> }
  /** Sent by the host after a 'run' whose payload had `gradientsPending`: that run's gradients. */
  | { type: 'gradients'; gradients: NonNullable<RunPayload['gradients']> }
  /** Sent by the host when a pending run's gradients will not come (cancelled, failed): why, already localised. */
  | { type: 'gradientsFailed'; message: string }
  /** Sent by the host when a run failed: what is wrong, already localised. */
  | { type: 'error'; message: string }
  /** Sent by the host in answer to 'compare'. */
  | { type: 'compare'; payload: ComparePayload }
  /** Sent by the host while a long run is in flight (0..1). */
  | { type: 'progress'; fraction: number }
  /** Sent by the host after 'ready' when there is no run yet: the UI strings only. */
  | { type: 'idle'; strings: Record<string, string> }
  /** Sent by the host when training starts and after 'ready': the whole training run (null: none). */
  | { type: 'trainSession'; session: TrainSession | null }
  /** Sent by the host as training goes: loss and gradient norm of steps from, from+1, ... (0-based). */
  | { type: 'trainSteps'; from: number; loss: WireNumber[]; gradNorm: WireNumber[] }
  /** Sent by the host when training runs, pauses, stops, ends or fails. */
  | { type: 'trainStatus'; status: TrainStatus; stepsDone: number; message?: string }
  /** Sent by the host every few steps and on pause/stop/end: the model after `step` steps, drawn like a run. */
  | { type: 'trainSnapshot'; step: number; payload: RunPayload; prediction?: WireTensor };

/** Webview -> extension. Untrusted: validate with isViewMessage before use. */
export type ViewMessage =
  /** Sent by the webview once its script has loaded. */
  | { type: 'ready' }
  /** Sent by the webview to ask for the RNN/LSTM/GRU comparison of the current input. */
  | { type: 'compare' }
  /** Sent by the webview to save an exported file (SVG/PNG data or JSON text). */
  | { type: 'export'; format: 'svg' | 'png' | 'json'; data: string }
  /** Sent by the webview to copy text to the clipboard. */
  | { type: 'copy'; text: string }
  /** Sent by the webview to reveal the source document. */
  | { type: 'reveal' }
  /**
   * Sent by the webview after its first paint of a run: `ms` from the 'run' message to that
   * paint; with `gradients`, after painting the gradients that followed ('gradients' message).
   */
  | { type: 'painted'; ms: number; gradients?: boolean }
  /** Sent by the webview's Train button: train the document shown (its `train` block). */
  | { type: 'trainStart' }
  /** Sent by the webview's Pause button while training runs. */
  | { type: 'trainPause' }
  /** Sent by the webview's Resume button while training is paused. */
  | { type: 'trainResume' }
  /** Sent by the webview's Stop button: end training, keeping the steps done. */
  | { type: 'trainStop' }
  /** Sent by the webview's "Save trained weights" buttons: into the document, or a new one. */
  | { type: 'trainSave'; to: 'document' | 'newDocument' };
