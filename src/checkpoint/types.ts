/*
 * What a checkpoint holds, as the readers return it: tensors listed in the file's order with
 * their state_dict names (values decoded only on request), recurrent modules, notes.
 * Layer: checkpoint. Imports engine types only; no vscode, no DOM, no Node.
 */

export type CheckpointFormat = 'pytorch-zip' | 'pytorch-legacy' | 'safetensors';

/** One tensor of the file: name as state_dict() gives it, dtype name, shape. */
export interface TensorInfo {
  name: string;
  /** 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' (others listed by their torch name). */
  dtype: string;
  shape: number[];
}

/** A tensor whose values are read from the file when asked for. */
export interface LazyTensor extends TensorInfo {
  /** Values as float32 numbers (as `.float()` gives them), row-major. Decodes on every call. */
  load(): Float64Array;
}

/** Attributes a whole pickled model holds for one of its modules (by prefix). */
export interface ModuleAttributes {
  /** `torch.nn.modules.rnn.LSTM`, `__main__.Net`. */
  className: string;
  batchFirst?: boolean;
  nonlinearity?: string;
}

/** `rnn-lens inspect`'s `head`. */
export interface HeadInfo {
  prefix: string;
  in_features: number;
  out_features: number;
}

/** `rnn-lens inspect`'s module entry (snake_case: it is printed as it is). */
export interface ModuleInfo {
  prefix: string;
  type: 'RNN' | 'LSTM' | 'GRU' | 'RNNCell' | 'LSTMCell' | 'GRUCell';
  input_size: number;
  hidden_size: number;
  num_layers?: number;
  bidirectional?: boolean;
  proj_size?: number;
  bias: boolean;
  head: HeadInfo | null;
  /** Only where the file holds it (a whole pickled model); null otherwise. */
  batch_first?: boolean | null;
  /** RNN / RNNCell only: only where the file holds it; null otherwise. */
  nonlinearity?: string | null;
}

/** What the format readers produce, before modules are recognised. */
export interface RawCheckpoint {
  format: CheckpointFormat;
  tensors: LazyTensor[];
  notes: string[];
  /** Prefix ('lstm.') -> what a whole pickled model says about that module. */
  moduleAttributes: Map<string, ModuleAttributes>;
}
