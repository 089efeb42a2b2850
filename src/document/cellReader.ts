/*
 * The reader's part for cell documents ("type": "RNNCell" | "LSTMCell" | "GRUCell"): the input
 * (one step, or the sequence of a loop over time), hx (h0, c0) and the backward block, each
 * checked in PyTorch's words and handed back in the shapes of the one-layer module the engine
 * runs (see cell.ts). The model block and state_dict names are read in reader.ts.
 * Layer: document. Imports src/engine types and jsonc-parser's Node type; no vscode, no DOM, no Node.
 *
 * Called by reader.ts with the reader itself as `host`.
 */
import type { Node } from 'jsonc-parser';
import type { HeadConfig, ModelConfig, Tensor } from '../engine/types';
import { addLeadingAxis, moduleInputShape } from './cell';
import type { ReaderHost } from './trainReader';
import { pyList, torchSize } from './nested';
import type { BackwardBlock, CellDocument, CellModuleType, TensorSource } from './types';
import { spanOf, typeWords } from './jsonNodes';

interface Prop {
  key: string;
  keyNode: Node;
  value: Node;
}

/** The shapes of a module run, as reader.ts computes them (module shapes: output (L, N, H), h_n (1, N, H)). */
interface ModuleShapes {
  output: number[];
  hN: number[];
  cN?: number[];
  head?: number[];
}

const CELL_BACKWARD_KEYS = ['grad_output', 'grad_h', 'grad_c', 'grad_head', 'expected', 'loss'];

/** What a cell document cannot hold: an embedding, a train block, a state_dict read from a checkpoint. */
export function checkCellDocument(host: ReaderHost, top: Map<string, Prop>, cell: CellModuleType): void {
  const tr = host.tr;
  for (const key of ['embedding', 'train']) {
    const p = top.get(key);
    if (p && p.value.type !== 'null') {
      host.report('error', 'not-for-type', spanOf(p.keyNode), key === 'embedding'
        ? tr('`embedding` is not read for a cell document (nn.{0}): give the input as vectors of input_size numbers', cell)
        : tr('`train` is not read for a cell document (nn.{0}) yet: train the equivalent nn.{1} with num_layers=1 instead', cell, cell.slice(0, -4)));
    }
  }
  const sd = top.get('state_dict');
  if (sd?.value.type === 'object' && (sd.value.children ?? []).some((c) => c.children?.[0]?.value === 'from')) {
    host.report('error', 'not-for-type', spanOf(sd.keyNode), tr('"state_dict": {"from": ...} is not read for a cell document (nn.{0}) yet: write weight_ih, weight_hh, bias_ih, bias_hh as nested arrays', cell));
  }
  const loop = top.get('loop');
  if (loop && loop.value.type !== 'boolean') {
    host.report('error', 'wrong-type', spanOf(loop.value), tr('`loop` must be true (the input is a sequence the loop over time walks over) or false (one call of the cell), got {0}', typeWords(loop.value, tr)));
  }
}

/**
 * The input of a cell document: one step, (N, input_size) or (input_size), or with a loop the
 * sequence (L, N, input_size) or (L, input_size). `loop` defaults to true for a 3-D input only.
 * Returns the input in the module's shape ((1, N, in) for one step), or undefined after reporting.
 */
export function cellInputShape(host: ReaderHost, prop: Prop, input: TensorSource, model: ModelConfig | undefined, cell: CellModuleType, loopProp: Prop | undefined): { input?: TensorSource; loop: boolean; batched: boolean } | undefined {
  const tr = host.tr;
  const shape = input.kind === 'literal' ? input.tensor.shape : input.shape;
  const rank = shape.length;
  const written = loopProp?.value.type === 'boolean' ? (loopProp.value.value as boolean) : undefined;
  if (loopProp && written === undefined) return undefined; // reported by checkCellDocument
  const loop = written ?? rank === 3;
  if (!loop && rank !== 1 && rank !== 2) {
    host.report('error', 'shape', spanOf(prop.value), rank === 3
      ? tr('{0}: Expected input to be 1-D or 2-D but received {1}-D tensor. One call of the cell takes one time step, (N, input_size) or (input_size); for the loop over time (for t in range(L): h = cell(x[t], h)) leave out "loop": false.', cell, rank)
      : tr('{0}: Expected input to be 1-D or 2-D but received {1}-D tensor. One call of the cell takes one time step, (N, input_size) or (input_size).', cell, rank));
    return undefined;
  }
  if (loop && rank !== 2 && rank !== 3) {
    host.report('error', 'shape', spanOf(prop.value),
      tr('with "loop": true the input is the sequence the loop walks over, x[t] for t in range(L): (L, N, input_size), or (L, input_size) unbatched; got a {0}-D tensor {1}', rank, torchSize(shape)));
    return undefined;
  }
  const batched = loop ? rank === 3 : rank === 2;
  if (model && shape[rank - 1] !== model.inputSize) {
    host.report('error', 'shape', spanOf(prop.value),
      tr('input has inconsistent input_size: got {0} expected {1}. The last dimension holds the features of one time step, and nn.{2} was built with input_size={1}.', shape[rank - 1], model.inputSize, cell));
    return { loop, batched };
  }
  const moduleShape = moduleInputShape(shape, loop);
  const moduleInput: TensorSource = input.kind === 'literal'
    ? { kind: 'literal', tensor: { shape: moduleShape, data: input.tensor.data }, span: input.span }
    : { ...input, shape: moduleShape }; // torch.rand(N, in) and torch.rand(1, N, in) draw the same numbers
  return { input: moduleInput, loop, batched };
}

/**
 * hx of a cell: h0 (and c0 for LSTMCell), (N, hidden_size) for a batched input, (hidden_size)
 * unbatched, as the cell's hx; returned with the module's leading axis, (1, N, H) / (1, H).
 */
export function cellState(host: ReaderHost, prop: Prop, which: 'h0' | 'c0', model: ModelConfig | undefined, cell: CellModuleType, doc: CellDocument | undefined): TensorSource | undefined {
  const tr = host.tr;
  const v = prop.value;
  if (v.type !== 'array') {
    host.report('error', 'wrong-type', spanOf(v), tr('`{0}` must be a nested array of numbers (leave it out for zeros), got {1}', which, typeWords(v, tr)));
    return undefined;
  }
  const tensor = host.tensor(v, which, true);
  if (!tensor) return undefined;
  const rank = tensor.shape.length;
  // PyTorch names the states of hx hidden0 (h) and hidden1 (c, LSTMCell).
  const label = which === 'h0' ? 'hidden0' : 'hidden1';
  const words = tr('{0} is the cell\'s hx{1}: (N, hidden_size) for a batched input, (hidden_size) for an unbatched one', which, cell === 'LSTMCell' ? (which === 'h0' ? '[0]' : '[1]') : '');
  const wantRank = doc ? (doc.batched ? 2 : 1) : undefined;
  if ((wantRank !== undefined && rank !== wantRank) || (rank !== 1 && rank !== 2)) {
    host.report('error', 'shape', spanOf(v), doc
      ? tr('{0}: for {1} input, {2} should be {3}-D but got {4}-D tensor {5}. {6}.', cell, doc.batched ? tr('a batched 2-D') : tr('an unbatched 1-D'), which, wantRank ?? 2, rank, pyList(tensor.shape), words)
      : tr('{0}: {1} should be 1-D or 2-D but got {2}-D tensor {3}. {4}.', cell, which, rank, pyList(tensor.shape), words));
    return undefined;
  }
  if (model && tensor.shape[rank - 1] !== model.hiddenSize) {
    host.report('error', 'shape', spanOf(v), tr('{0} has inconsistent hidden_size: got {1}, expected {2}. {3}.', label, tensor.shape[rank - 1], model.hiddenSize, words));
    return undefined;
  }
  return { kind: 'literal', tensor: addLeadingAxis(tensor), span: spanOf(v) };
}

/**
 * Checked after every state is read: the batch of h0/c0 must be the input's
 * ("Input batch size 2 doesn't match hidden0 batch size 3").
 */
export function checkCellBatch(host: ReaderHost, which: 'h0' | 'c0', state: TensorSource | undefined, moduleInput: readonly number[] | undefined, node: Node): TensorSource | undefined {
  const tr = host.tr;
  if (!state || state.kind !== 'literal' || !moduleInput || moduleInput.length !== 3 || state.tensor.shape.length !== 3) return state;
  const n = moduleInput[1];
  if (state.tensor.shape[1] !== n) {
    host.report('error', 'shape', spanOf(node), tr("Input batch size {0} doesn't match {1} batch size {2}. hx is (N, hidden_size) with the input's N.", n, which === 'h0' ? 'hidden0' : 'hidden1', state.tensor.shape[1]));
    return undefined;
  }
  return state;
}

/**
 * `backward` of a cell document: grad_output (the loop's stack of h, with a loop only), grad_h
 * (the last h), grad_c (LSTMCell), grad_head. Returned in the module's shapes (grad_h_n etc.).
 */
export function cellBackward(host: ReaderHost, prop: Prop, model: ModelConfig | undefined, head: HeadConfig | undefined, shapes: ModuleShapes | undefined, doc: CellDocument | undefined): BackwardBlock | undefined {
  const tr = host.tr;
  if (prop.value.type !== 'object') {
    host.report('error', 'wrong-type', spanOf(prop.value), tr('`backward` of a cell must be an object with grad_output, grad_h, grad_c, grad_head, got {0}', typeWords(prop.value, tr)));
    return undefined;
  }
  const block: BackwardBlock = {};
  const cellShape = (s: number[] | undefined) => s?.slice(1);
  for (const p of host.props(prop.value).values()) {
    if (!CELL_BACKWARD_KEYS.includes(p.key)) {
      host.unknownKey(p, 'backward', CELL_BACKWARD_KEYS);
      continue;
    }
    if (p.key === 'expected' || p.key === 'loss') continue;
    if (p.key === 'grad_c' && model && model.type !== 'LSTM') {
      host.report('error', 'not-for-type', spanOf(p.keyNode), tr('grad_c is only for LSTMCell: nn.{0} has no cell state', doc?.type ?? model.type));
      continue;
    }
    if (p.key === 'grad_head' && !head) {
      host.report('error', 'not-for-type', spanOf(p.keyNode), tr('grad_head needs a "head" in the document'));
      continue;
    }
    if (p.key === 'grad_output' && doc && !doc.loop) {
      host.report('error', 'not-for-type', spanOf(p.keyNode), tr('grad_output is the gradient of the loop\'s stack of h: one call of the cell has only h (grad_h)'));
      continue;
    }
    const t: Tensor | undefined = host.tensor(p.value, p.key, false);
    if (!t) continue;
    const [want, outName] = p.key === 'grad_output' ? [shapes?.output, 'output']
      : p.key === 'grad_h' ? [cellShape(shapes?.hN), 'h']
        : p.key === 'grad_c' ? [cellShape(shapes?.cN), 'c'] : [shapes?.head, 'head'];
    if (want && (want.length !== t.shape.length || want.some((x, i) => x !== t.shape[i]))) {
      host.report('error', 'shape', spanOf(p.value), tr('Mismatch in shape: {0} has a shape of {1} and {2} has a shape of {3}.', p.key, torchSize(t.shape), outName, torchSize(want)));
      continue;
    }
    if (p.key === 'grad_output') block.gradOutput = t;
    else if (p.key === 'grad_h') block.gradHN = addLeadingAxis(t);
    else if (p.key === 'grad_c') block.gradCN = addLeadingAxis(t);
    else block.gradHead = t;
  }
  return block;
}
