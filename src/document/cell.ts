/*
 * Cell documents: nn.RNNCell / nn.LSTMCell / nn.GRUCell, one time step, or the loop over time
 * that calls one. How such a document maps onto the one-layer, one-direction, seq-first module
 * the engine runs, and back to the cell's own names and shapes for every result.
 * Layer: document. Imports src/engine types; no vscode, no DOM, no Node.
 *
 * PyTorch: the loop
 *     h = h0                                   # (N, H), or (H) unbatched; zeros when absent
 *     for t in range(L): h = cell(x[t], h)     # x: (L, N, input_size), or (L, input_size)
 * computes, step by step, what nn.RNN(input_size, H)(x, h0.unsqueeze(0)) computes when the
 * module's weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0 are the cell's weight_ih,
 * weight_hh, bias_ih, bias_hh (LSTMCell: h, c = cell(x[t], (h, c)); GRUCell alike).
 * torch.stack of every h is the module's `output`, and the last h (and c) its h_n[0] (c_n[0]).
 * One call cell(x, hx) is that loop with L = 1.
 * Seeded init: torch.manual_seed(s); nn.LSTMCell(in, H) draws uniform_(-1/sqrt(H), 1/sqrt(H))
 * over weight_ih, weight_hh, bias_ih, bias_hh, the same draws in the same order as
 * nn.LSTM(in, H) (checked bit for bit with PyTorch 1.13 for all three cells, bias on and off).
 */
import type { CellType, ParamInfo, ShapeReport, StateDict, Tensor } from '../engine/types';
import type { CellDocument, CellModuleType } from './types';
import { english, type Translate } from './messages';

export const CELL_TYPES: readonly CellModuleType[] = ['RNNCell', 'LSTMCell', 'GRUCell'];

/** The keys `model` takes for a cell (PyTorch's constructor arguments; no num_layers etc.). */
export const CELL_MODEL_KEYS = ['type', 'input_size', 'hidden_size', 'bias', 'nonlinearity'];

/** The names of a cell's parameters, in registration order. */
export const CELL_PARAMS = ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'];

export function isCellType(t: string): t is CellModuleType {
  return (CELL_TYPES as readonly string[]).includes(t);
}

/** LSTMCell -> LSTM. */
export function cellFamily(t: CellModuleType): CellType {
  return t.slice(0, -4) as CellType;
}

/** The module's name of a cell parameter: weight_ih -> weight_ih_l0 (other names unchanged). */
export function moduleParamName(cellName: string): string {
  return /^(weight|bias)_(ih|hh)$/.test(cellName) ? `${cellName}_l0` : cellName;
}

/** The cell's name of a module parameter: weight_ih_l0 -> weight_ih (other names unchanged). */
export function cellParamName(moduleName: string): string {
  return moduleName.replace(/^((?:weight|bias)_(?:ih|hh))_l0$/, '$1');
}

/** A state_dict with the cell's names, in the same order. */
export function cellStateDict(sd: StateDict): StateDict {
  const out: StateDict = Object.create(null);
  for (const [name, t] of Object.entries(sd)) out[cellParamName(name)] = t;
  return out;
}

/** The module's input shape for a cell input written as `shape`: one step gets L = 1 in front. */
export function moduleInputShape(shape: readonly number[], loop: boolean): number[] {
  return loop ? [...shape] : [1, ...shape];
}

/** A tensor seen without its leading axis of size 1 (h_n (1, N, H) -> h (N, H); a one-step input). */
export function dropLeadingAxis(t: Tensor): Tensor {
  return { shape: t.shape.slice(1), data: t.data };
}

/** A tensor with a leading axis of size 1 (hx (N, H) -> h0 (1, N, H)). */
export function addLeadingAxis(t: Tensor): Tensor {
  return { shape: [1, ...t.shape], data: t.data };
}

/** The cell's input as written, from the module's input (drops L = 1 for one step). */
export function cellInput(t: Tensor, cell: CellDocument): Tensor {
  return cell.loop ? t : dropLeadingAxis(t);
}

/**
 * An array selected to run a cell document on ("run on a selected array"): it must be shaped as
 * the document's input (the loop's sequence, or one step), and comes back in the module's shape.
 */
export function cellInputOverride(cell: CellDocument, input: Tensor, tr: Translate = english): { input?: Tensor; problem?: string } {
  const rank = cell.loop ? (cell.batched ? 3 : 2) : cell.batched ? 2 : 1;
  const shape = cell.loop ? (cell.batched ? '(L, N, input_size)' : '(L, input_size)') : cell.batched ? '(N, input_size)' : '(input_size)';
  if (input.shape.length !== rank) {
    return { problem: tr('this nn.{0} document takes {1} as its input: the selected array must have {2} dimensions, got {3}', cell.type, shape, rank, input.shape.length) };
  }
  return { input: cell.loop ? input : addLeadingAxis(input) };
}

/** `rnn-lens run` of a cell document: the loop's stack of h (a loop only), the last h (and c), the head. */
export interface CellRunJson {
  output?: unknown;
  h: unknown;
  c?: unknown;
  head?: unknown;
}

/** How the cell is constructed, as Python: nn.LSTMCell(10, 20), nn.RNNCell(3, 4, nonlinearity='relu'). */
export function cellCall(cell: CellDocument, model: { inputSize: number; hiddenSize: number; bias: boolean; nonlinearity: string }): string {
  const args = [String(model.inputSize), String(model.hiddenSize)];
  if (!model.bias) args.push('bias=False');
  if (cell.type === 'RNNCell' && model.nonlinearity !== 'tanh') args.push(`nonlinearity='${model.nonlinearity}'`);
  return `nn.${cell.type}(${args.join(', ')})`;
}

/**
 * The shape report of a cell document in the cell's terms: parameters named weight_ih...,
 * hx (N, H) / (H), h' in place of h_n, the input as written; `output` is the loop's stack of
 * h (one step: h' itself, as the cell returns it).
 */
export function cellShapeReport(report: ShapeReport, cell: CellDocument): ShapeReport {
  const drop = <T>(s: T[]): T[] => s.slice(1);
  const params: ParamInfo[] = report.params.map((p) => ({ ...p, name: cellParamName(p.name) }));
  const out: ShapeReport = {
    ...report,
    params,
    input: cell.loop ? report.input : drop(report.input),
    output: cell.loop ? report.output : drop(report.output),
    hN: drop(report.hN),
    h0: drop(report.h0),
  };
  if (report.cN) out.cN = drop(report.cN);
  if (report.c0) out.c0 = drop(report.c0);
  return out;
}
