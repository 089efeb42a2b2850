/*
 * `rnn-lens shapes FILE.py|FILE.ipynb`: the models a Python file (or notebook) builds, in the
 * format of python-snippets.md: each constructor with its config (null where the file does not
 * determine it), the tensor its first call receives, and the output, h_n and c_n shapes.
 * Layer: python (pure). Imports the reader and the notebook joiner.
 */
import { readSnippet, type ModuleType, type SnippetModel, type SnippetResult } from './snippet';
import { cellOfLine, notebookProgram, type NotebookProgram } from './notebook';
import { formatMsg } from './messages';

/** One entry of `models`. */
export interface ShapesEntry {
  line: number;
  cell?: number;
  type: ModuleType | null;
  input_size: number | null;
  hidden_size: number | null;
  num_layers: number | null;
  bidirectional: boolean | null;
  batch_first: boolean | null;
  proj_size: number | null;
  bias: boolean | null;
  nonlinearity: 'tanh' | 'relu' | null;
  unresolved: string[];
  input: { shape: number[]; line: number; cell?: number; packed?: true } | null;
  output: number[] | null;
  h_n: number[] | null;
  c_n: number[] | null;
}

export interface ShapesOutput {
  models: ShapesEntry[];
  notes: string[];
}

const UNRESOLVABLE_FIELDS: Record<string, keyof ShapesEntry> = {
  input_size: 'input_size', hidden_size: 'hidden_size', num_layers: 'num_layers', bidirectional: 'bidirectional',
  batch_first: 'batch_first', proj_size: 'proj_size', bias: 'bias', nonlinearity: 'nonlinearity', dropout: 'num_layers',
};

/** Output shapes PyTorch 1.13 gives a module for its first input (null where unknown). */
function outputs(m: SnippetModel, input: number[] | undefined, packed: boolean, packBatchFirst: boolean | undefined): Pick<ShapesEntry, 'output' | 'h_n' | 'c_n'> {
  const none = { output: null, h_n: null, c_n: null };
  const c = m.config;
  if (!m.moduleType || !input || c.inputSize === undefined || c.hiddenSize === undefined) return none;
  const H = c.hiddenSize;
  if (m.cell) {
    if (packed || (input.length !== 1 && input.length !== 2) || input[input.length - 1] !== c.inputSize) return none;
    const h = input.length === 2 ? [input[0], H] : [H];
    return { output: h, h_n: null, c_n: m.moduleType === 'LSTMCell' ? [...h] : null };
  }
  if (c.numLayers === undefined || c.bidirectional === undefined || c.batchFirst === undefined || c.projSize === undefined) return none;
  const D = c.bidirectional ? 2 : 1;
  const Hout = c.projSize > 0 ? c.projSize : H;
  const layers = D * c.numLayers;
  const lstm = m.moduleType === 'LSTM';
  if (packed) {
    if (input.length !== 3 || packBatchFirst === undefined || input[2] !== c.inputSize) return none;
    const N = packBatchFirst ? input[0] : input[1];
    return { output: null, h_n: [layers, N, Hout], c_n: lstm ? [layers, N, H] : null };
  }
  if ((input.length !== 2 && input.length !== 3) || input[input.length - 1] !== c.inputSize) return none;
  if (input.length === 2) return { output: [input[0], D * Hout], h_n: [layers, Hout], c_n: lstm ? [layers, H] : null };
  const [N, L] = c.batchFirst ? [input[0], input[1]] : [input[1], input[0]];
  return { output: c.batchFirst ? [N, L, D * Hout] : [L, N, D * Hout], h_n: [layers, N, Hout], c_n: lstm ? [layers, N, H] : null };
}

/** One model as `rnn-lens shapes` lists it. `where` maps a 0-based program line to (cell, 1-based line). */
export function shapesEntry(m: SnippetModel, where: (line0: number) => { line: number; cell?: number }): ShapesEntry {
  const c = m.config;
  const unresolvedFields = new Set(m.unresolved.map((u) => u.field));
  const known = <T>(field: string, v: T | undefined): T | null => (v === undefined || unresolvedFields.has(field) ? null : v);
  const cell = m.cell;
  const t = m.moduleType;
  const pos = where(m.line);
  const first = m.calls[0];
  let input: ShapesEntry['input'] = null;
  if (first && first.input && first.reached) {
    const at = where(first.line);
    input = { shape: first.input, line: at.line };
    if (at.cell !== undefined) input.cell = at.cell;
    if (first.packed) input.packed = true;
  }
  const e: ShapesEntry = {
    line: pos.line,
    ...(pos.cell !== undefined ? { cell: pos.cell } : {}),
    type: t,
    input_size: known('input_size', c.inputSize),
    hidden_size: known('hidden_size', c.hiddenSize),
    num_layers: cell ? null : known('num_layers', c.numLayers),
    bidirectional: cell ? null : known('bidirectional', c.bidirectional),
    batch_first: cell ? null : known('batch_first', c.batchFirst),
    proj_size: cell ? null : known('proj_size', c.projSize),
    bias: known('bias', c.bias),
    nonlinearity: t === 'RNN' || t === 'RNNCell' ? known('nonlinearity', c.nonlinearity) : null,
    unresolved: [],
    input,
    ...(input ? outputs(m, input.shape, !!input.packed, first?.packBatchFirst) : { output: null, h_n: null, c_n: null }),
  };
  const unresolved = new Set<string>();
  if (t === null) unresolved.add('type');
  for (const f of unresolvedFields) if (UNRESOLVABLE_FIELDS[f] && e[UNRESOLVABLE_FIELDS[f]] === null) unresolved.add(f === 'dropout' ? 'dropout' : f);
  e.unresolved = [...unresolved];
  return e;
}

/** `rnn-lens shapes` of a reader result. */
export function shapesOfResult(r: SnippetResult, where: (line0: number) => { line: number; cell?: number } = (l) => ({ line: l + 1 })): ShapesOutput {
  const all = [...r.models, ...r.dynamic].sort((a, b) => a.span.start - b.span.start);
  return { models: all.map((m) => shapesEntry(m, where)), notes: r.notes.map((n) => formatMsg(n)) };
}

/** `rnn-lens shapes FILE.py`. */
export function pythonShapes(text: string): ShapesOutput {
  return shapesOfResult(readSnippet(text));
}

/** `rnn-lens shapes FILE.ipynb` (throws when the text is not a notebook). */
export function notebookShapes(json: string): ShapesOutput {
  const p: NotebookProgram = notebookProgram(json);
  return shapesOfResult(readSnippet(p.text), (l) => {
    const c = cellOfLine(p, l);
    return c ? { cell: c.cell, line: c.line + 1 } : { line: l + 1 };
  });
}
