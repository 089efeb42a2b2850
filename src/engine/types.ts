/*
 * The engine's shared vocabulary: model configuration, tensors, results.
 * Layer: engine. Imports nothing (no vscode, no DOM, no Node).
 *
 * Names follow PyTorch's constructor arguments in camelCase (`hiddenSize` for `hidden_size`);
 * tensors are named as PyTorch names them (`output`, `h_n` -> `hN`, `c_n` -> `cN`), and
 * state_dict keys are PyTorch's exact strings (`weight_ih_l0_reverse`, `head.weight`).
 */

/** The three recurrent modules, as in `torch.nn.RNN`, `torch.nn.LSTM`, `torch.nn.GRU`. */
export type CellType = 'RNN' | 'LSTM' | 'GRU';

/** Constructor arguments of the recurrent module, with PyTorch's defaults already applied. */
export interface ModelConfig {
  type: CellType;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  /** RNN only; 'tanh' for LSTM/GRU (unused there). */
  nonlinearity: 'tanh' | 'relu';
  bias: boolean;
  batchFirst: boolean;
  /** Training-only in PyTorch; inference ignores it and results carry a note. */
  dropout: number;
  bidirectional: boolean;
  /** LSTM only; 0 means no projection. */
  projSize: number;
}

/**
 * `nn.Linear(D * H_out, outFeatures)` applied to the output at the last time step
 * (`on: 'last'`, the default, as SampleRNN does) or to every time step (`on: 'all'`).
 */
export interface HeadConfig {
  type: 'Linear';
  outFeatures: number;
  bias: boolean;
  /** 'last' (default when absent): output[:, -1, :]; 'all': Linear on every step, (N, L, out) / (L, N, out) / (L, out). */
  on?: 'last' | 'all';
}

/** `nn.Embedding(numEmbeddings, embeddingDim)` in front of the RNN: the input holds integer token ids. */
export interface EmbeddingConfig {
  numEmbeddings: number;
  embeddingDim: number;
}

/**
 * A dense row-major tensor. Values are float32 numbers held in a Float64Array
 * (weights and inputs are float32 in PyTorch; arithmetic is done in double).
 */
export interface Tensor {
  shape: number[];
  data: Float64Array;
}

/** PyTorch state_dict: exact parameter names (`weight_ih_l0`, `head.weight`) -> tensors. */
export type StateDict = Record<string, Tensor>;

/** Everything the engine needs to run, already validated (the document layer validates). */
export interface RunSpec {
  model: ModelConfig;
  head?: HeadConfig;
  /** Complete state_dict for model (and head when present), canonical names, no prefixes. */
  stateDict: StateDict;
  /** (L, N, Hin) / (N, L, Hin) / (L, Hin) as PyTorch takes it. */
  input: Tensor;
  h0?: Tensor;
  c0?: Tensor;
}

/** Upstream gradients of the loss sum(output*grad_output) + sum(h_n*grad_h_n) + ... */
export interface Upstream {
  gradOutput?: Tensor;
  gradHN?: Tensor;
  gradCN?: Tensor;
  gradHead?: Tensor;
}

/** One time step of one layer and direction, for the diagram and the inspector. */
export interface StepTrace {
  layer: number;
  /** 0 forward, 1 reverse. */
  direction: 0 | 1;
  /** Time index in the input sequence (0-based), not the order of processing. */
  t: number;
  /**
   * Named vectors, each of length N * size (batch-major): the cell's input `x`, previous
   * state `h_prev` (and `c_prev`), the input and hidden projections `W_ih x + b_ih`,
   * `W_hh h + b_hh`, gates by PyTorch's names (`i`, `f`, `g`, `o` for LSTM; `r`, `z`, `n` for
   * GRU; none for RNN), `c` (LSTM), `h` (after projection when proj_size > 0).
   */
  vectors: Record<string, Float64Array>;
}

export interface Trace {
  /** steps[layer][direction][t]. */
  steps: StepTrace[][][];
  batch: number;
  seqLen: number;
}

export interface ForwardResult {
  output: Tensor;
  hN: Tensor;
  cN?: Tensor;
  head?: Tensor;
  /** Present only when asked for. */
  trace?: Trace;
  /** Plain-language notes, e.g. that dropout is ignored at inference. */
  notes: string[];
}

export interface GradResult {
  input: Tensor;
  h0?: Tensor;
  c0?: Tensor;
  /** Gradients for every parameter, PyTorch names. */
  stateDict: StateDict;
  /** Per time step (input order), summed over layer 0 directions: ||dL/dx_t|| (batch-wide L2). */
  inputGradNorms: number[];
  /** Per layer, per direction, per time step: ||dL/dh_t|| (batch-wide L2). */
  hiddenGradNorms: number[][][];
}

/** Shape of a tensor where N and L may be unknown (symbolic). */
export type Dim = number | 'N' | 'L';

export interface GateBlock {
  /** PyTorch's gate name: 'i','f','g','o' | 'r','z','n' | '' for a plain RNN. */
  gate: string;
  /** Human label, e.g. 'input gate'. */
  label: string;
  rowStart: number;
  rowEnd: number; // exclusive
}

export interface ParamInfo {
  name: string;
  shape: number[];
  layer: number; // -1 for the head
  direction: 0 | 1;
  kind: 'weight_ih' | 'weight_hh' | 'bias_ih' | 'bias_hh' | 'weight_hr' | 'head.weight' | 'head.bias';
  gates: GateBlock[];
}

export interface ShapeReport {
  input: Dim[];
  output: Dim[];
  hN: Dim[];
  cN?: Dim[];
  head?: Dim[];
  h0: Dim[];
  c0?: Dim[];
  params: ParamInfo[];
  paramCount: number;
  /** Bytes of float32 weights. */
  weightBytes: number;
  /** Multiply-adds counted as 2 FLOPs, per time step for the whole batch when N known (else per sample). */
  flopsPerStep: number;
  /** flopsPerStep * L when L known, else undefined. */
  flopsPerSequence?: number;
  /** FLOPs of the Linear head, applied once per sequence (same batch rule); absent without head. */
  headFlops?: number;
}
