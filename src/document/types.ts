/*
 * The RNN document as the reader returns it: typed values, where they stood in the text,
 * and diagnostics with offset ranges. See docs/rnn-document.md for the format.
 * Layer: document. May import engine types; no vscode, no DOM, no Node.
 */
import type { EmbeddingConfig, HeadConfig, ModelConfig, Tensor } from '../engine/types';
import type { LossType, OptimizerConfig } from '../engine/train/types';

/** A half-open range of character offsets in the document text. */
export interface Span {
  start: number;
  end: number;
}

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  severity: Severity;
  message: string;
  /** Where the problem is. Always inside the text (0 <= start <= end <= text.length). */
  span: Span;
  /** A stable code, e.g. 'syntax', 'missing-key', 'wrong-type', 'out-of-range', 'unknown-key',
   * 'ragged', 'non-finite', 'shape', 'budget', 'prefix'. */
  code: string;
}

/** A tensor read from the document, or a request for torch.rand(shape) (torch.randn when `normal`). */
export type TensorSource =
  | { kind: 'literal'; tensor: Tensor; span: Span }
  | { kind: 'rand'; shape: number[]; span: Span; /** {"randn": shape}: drawn as torch.randn. */ normal?: boolean };

export interface StateDictEntry {
  /** Canonical name (`weight_ih_l0`, `head.weight`). */
  name: string;
  /** The key as written (`rnn.weight_ih_l0`, `fc.weight`). */
  writtenKey: string;
  keySpan: Span;
  tensor: Tensor;
  span: Span;
}

export interface BackwardBlock {
  gradOutput?: Tensor;
  gradHN?: Tensor;
  gradCN?: Tensor;
  gradHead?: Tensor;
}

/** The `train` block as read (defaults applied); see docs "Training: the train block". */
export interface TrainBlock {
  loss: LossType;
  /** mse: floats in the prediction's shape; cross_entropy: integer class ids. {"rand"}/{"randn"} are drawn after the input. */
  target: TensorSource;
  optimizer: OptimizerConfig;
  steps: number;
  clipGradNorm?: number;
}

/**
 * A cell document ("type": "RNNCell" | "LSTMCell" | "GRUCell"): what was written, while `model`,
 * `input`, `h0`, `c0` and the state_dict names hold the equivalent one-layer, one-direction,
 * seq-first nn.RNN/LSTM/GRU that the engine runs (see cell.ts).
 */
export interface CellDocument {
  /** PyTorch's class. */
  type: CellModuleType;
  /** True when the input is a sequence the loop `for t in range(L): h = cell(x[t], h)` walks over. */
  loop: boolean;
  /** False for an unbatched cell input ((input_size) per step, hx (hidden_size)). */
  batched: boolean;
}

export type CellModuleType = 'RNNCell' | 'LSTMCell' | 'GRUCell';

/** A document that passed the reader (errors absent); warnings may still exist. */
export interface RnnDocument {
  model: ModelConfig;
  /** Present for a cell document; `model` is then the cell as a one-layer module (see CellDocument). */
  cell?: CellDocument;
  head?: HeadConfig;
  /** Explicit seed, or undefined. */
  seed?: number;
  stateDict: StateDictEntry[];
  input?: TensorSource;
  h0?: TensorSource;
  c0?: TensorSource;
  backward?: BackwardBlock;
  /** `nn.Embedding` in front of the RNN: `input` then holds integer token ids. */
  embedding?: EmbeddingConfig;
  /** The `train` block, when the document has one. */
  train?: TrainBlock;
  /** The document's "description" string, when it has one (free text for people). */
  description?: string;
  /** Where things stood, for hovers and the panel: 'model', 'head', 'input', 'h0', 'c0', 'seed', 'state_dict'. */
  spans: Record<string, Span>;
}

export interface ReadResult {
  /** Undefined when there are errors that make a run impossible. */
  document?: RnnDocument;
  diagnostics: Diagnostic[];
}

/** Limits checked before anything is allocated. */
export interface Budget {
  /** Max number of float elements of all tensors (params, input, states, outputs, trace). */
  maxElements: number;
  /** Max multiply-add FLOPs of one forward pass. */
  maxFlops: number;
  /** Max FLOPs of a whole training run (steps x forward and backward); 50 x maxFlops when absent. */
  maxTrainFlops?: number;
}

export const DEFAULT_BUDGET: Budget = { maxElements: 64_000_000, maxFlops: 20_000_000_000 };
