/*
 * What `rnn-lens run|grad|init|shapes` and the library's run()/grad()/init()/shapes() compute,
 * on a document that passed the reader, as plain JSON (nested arrays in PyTorch's shapes).
 * Layer: document. Imports src/engine; no vscode, no DOM, no Node.
 */
import { backward, forward, prepareModel, type PreparedModel } from '../engine/unroll';
import { shapeReport } from '../engine/shapes';
import type { Dim, ShapeReport, Tensor, Upstream } from '../engine/types';
import { tensorToNested } from './nested';
import { embeddingBackwardAccumulate } from '../engine/train/embedding';
import { nonFiniteNotes } from './nonFinite';
import { resolveParameters, resolveRun, type ResolveOptions } from './resolve';
import type { CellDocument, RnnDocument } from './types';
import { cellCall, cellInput, cellParamName, cellShapeReport, dropLeadingAxis } from './cell';

/**
 * `rnn-lens run`: the module's outputs, PyTorch's names and shapes. A cell document (cell.ts)
 * gives instead `h` (and `c`): the last h (c) of the loop, h' (c') of one call, and `output`
 * only for a loop: torch.stack of every step's h.
 */
export interface RunJson {
  output?: unknown;
  h_n?: unknown;
  c_n?: unknown;
  h?: unknown;
  c?: unknown;
  head?: unknown;
}

/** `rnn-lens grad`: gradients of the document's backward loss; state_dict keys are canonical names. */
export interface GradJson {
  input: unknown;
  h0?: unknown;
  c0?: unknown;
  state_dict: Record<string, unknown>;
}

/** `rnn-lens init`: the parameters and input a run would use. */
export interface InitJson {
  state_dict: Record<string, unknown>;
  input?: unknown;
  /** The train block's target (drawn after the input when {"rand"}/{"randn"}), for documents with `train`. */
  target?: unknown;
}

/** A result and the plain-language notes about how it was obtained. */
export interface WithNotes<T> {
  result: T;
  notes: string[];
}

/** Forward pass of the document (or of `options.input`). */
export function runDocumentJson(doc: RnnDocument, options?: ResolveOptions): WithNotes<RunJson> {
  const r = resolveRun(doc, options);
  const f = forward(r.spec);
  const overflow = nonFiniteNotes([
    { name: 'output', tensor: f.output }, { name: 'h_n', tensor: f.hN }, { name: 'c_n', tensor: f.cN }, { name: 'head', tensor: f.head },
  ]);
  return { result: forwardJson(f, doc.cell), notes: [...r.notes, ...f.notes, ...overflow] };
}

/** Outputs of a forward pass as JSON, PyTorch's names (a cell's: output of a loop only, h, c). */
export function forwardJson(f: { output: Tensor; hN: Tensor; cN?: Tensor; head?: Tensor }, cell?: CellDocument): RunJson {
  if (cell) {
    const c: RunJson = {};
    if (cell.loop) c.output = tensorToNested(f.output);
    c.h = tensorToNested(dropLeadingAxis(f.hN));
    if (f.cN) c.c = tensorToNested(dropLeadingAxis(f.cN));
    if (f.head) c.head = tensorToNested(f.head);
    return c;
  }
  const out: RunJson = { output: tensorToNested(f.output), h_n: tensorToNested(f.hN) };
  if (f.cN) out.c_n = tensorToNested(f.cN);
  if (f.head) out.head = tensorToNested(f.head);
  return out;
}

/** Backward pass with the document's `backward` block; absent upstream gradients are zeros. */
export function gradDocumentJson(doc: RnnDocument, options?: ResolveOptions): WithNotes<GradJson> {
  const r = resolveRun(doc, options);
  const notes = [...r.notes];
  const b = doc.backward;
  if (!b || (!b.gradOutput && !b.gradHN && !b.gradCN && !b.gradHead)) {
    notes.push('no "backward" block with grad_output, grad_h_n, grad_c_n or grad_head: every upstream gradient is zero, so every gradient is zero');
  }
  const upstream: Upstream = {};
  if (b?.gradOutput) upstream.gradOutput = b.gradOutput;
  if (b?.gradHN) upstream.gradHN = b.gradHN;
  if (b?.gradCN) upstream.gradCN = b.gradCN;
  if (b?.gradHead) upstream.gradHead = b.gradHead;
  const g = backward(r.spec, upstream);
  const cell = doc.cell;
  const result: GradJson = { input: tensorToNested(cell ? cellInput(g.input, cell) : g.input), state_dict: {} };
  if (doc.embedding) {
    // PyTorch: token ids have no gradient; embedding.weight gets the scatter-add of dL/d(embedding(input)).
    const ids = resolveParameters(doc, options).input!;
    const w = r.spec.stateDict['embedding.weight'];
    const gw = new Float64Array(w.data.length);
    embeddingBackwardAccumulate(ids.data, g.input.data, w.shape[1], gw);
    g.stateDict['embedding.weight'] = { shape: [...w.shape], data: gw };
    notes.push('with an embedding, "input" is the gradient with respect to embedding(input); the token ids themselves have no gradient');
  }
  // A cell's hx is (N, H): the module's (1, N, H) without its leading axis.
  if (g.h0) result.h0 = tensorToNested(cell ? dropLeadingAxis(g.h0) : g.h0);
  if (g.c0) result.c0 = tensorToNested(cell ? dropLeadingAxis(g.c0) : g.c0);
  // Registration order, as the run's state_dict (PyTorch's named_parameters order).
  for (const name of Object.keys(r.spec.stateDict)) {
    if (g.stateDict[name]) result.state_dict[cell ? cellParamName(name) : name] = tensorToNested(g.stateDict[name]);
  }
  return { result, notes };
}

/** Parameters (drawn and given) and the input, as a run would use them. */
export function initDocumentJson(doc: RnnDocument, options?: ResolveOptions): WithNotes<InitJson> {
  const p = resolveParameters(doc, { ...options, drawTarget: doc.train !== undefined });
  const result: InitJson = { state_dict: {} };
  const cell = doc.cell;
  for (const [name, t] of Object.entries(p.stateDict)) result.state_dict[cell ? cellParamName(name) : name] = tensorToNested(t);
  if (p.input) result.input = tensorToNested(cell ? cellInput(p.input, cell) : p.input);
  if (p.target) result.target = tensorToNested(p.target);
  const notes = [...p.notes];
  if (p.drawn.length > 0 && doc.seed !== undefined) notes.push(`drawn from seed ${doc.seed}: ${p.drawn.map((n) => (cell ? cellParamName(n) : n)).join(', ')}`);
  return { result, notes };
}

/** Shapes, parameter count and FLOPs, from sizes alone (the input's shape when known). */
export function shapesDocument(doc: RnnDocument): ShapeReport {
  let inputShape = doc.input ? (doc.input.kind === 'literal' ? doc.input.tensor.shape : doc.input.shape) : undefined;
  // Token ids: the RNN sees ids' shape + (embedding_dim).
  if (inputShape && doc.embedding) inputShape = [...inputShape, doc.embedding.embeddingDim];
  const report = shapeReport(doc.model, doc.head, inputShape);
  return doc.cell ? cellShapeReport(report, doc.cell) : report;
}

/** The shape report as a small readable table (for `rnn-lens shapes --text`). */
export function shapesText(doc: RnnDocument, report: ShapeReport): string {
  const m = doc.model;
  const dims = (s: Dim[] | undefined) => (s ? `(${s.join(', ')})` : '');
  if (doc.cell) return cellShapesText(doc, doc.cell, report);
  const rows: [string, string][] = [
    ['input', dims(report.input)],
    ['h0', dims(report.h0)],
  ];
  if (report.c0) rows.push(['c0', dims(report.c0)]);
  rows.push(['output', dims(report.output)], ['h_n', dims(report.hN)]);
  if (report.cN) rows.push(['c_n', dims(report.cN)]);
  if (report.head) rows.push(['head', dims(report.head)]);
  const lines: string[] = [];
  const opts = [`input_size=${m.inputSize}`, `hidden_size=${m.hiddenSize}`, `num_layers=${m.numLayers}`];
  if (m.type === 'RNN' && m.nonlinearity !== 'tanh') opts.push(`nonlinearity='${m.nonlinearity}'`);
  if (!m.bias) opts.push('bias=False');
  if (m.batchFirst) opts.push('batch_first=True');
  if (m.dropout > 0) opts.push(`dropout=${m.dropout}`);
  if (m.bidirectional) opts.push('bidirectional=True');
  if (m.projSize > 0) opts.push(`proj_size=${m.projSize}`);
  lines.push(`nn.${m.type}(${opts.join(', ')})${doc.head ? ` + nn.Linear(out_features=${doc.head.outFeatures})` : ''}`);
  return tableText(lines, rows, report);
}

/** The shape report of a cell document: hx, and the loop's stack of h and last h (or h' of one call). */
function cellShapesText(doc: RnnDocument, cell: CellDocument, report: ShapeReport): string {
  const dims = (s: Dim[] | undefined) => (s ? `(${s.join(', ')})` : '');
  const pair = cell.type === 'LSTMCell';
  const rows: [string, string][] = [[cell.loop ? 'input (x)' : 'input', dims(report.input)], [pair ? 'h0 (hx[0])' : 'h0 (hx)', dims(report.h0)]];
  if (report.c0) rows.push(['c0 (hx[1])', dims(report.c0)]);
  if (cell.loop) rows.push(['output (stack of h)', dims(report.output)], ['h (last step)', dims(report.hN)]);
  else rows.push(["h'", dims(report.hN)]);
  if (report.cN) rows.push([cell.loop ? 'c (last step)' : "c'", dims(report.cN)]);
  if (report.head) rows.push(['head', dims(report.head)]);
  const call = cellCall(cell, doc.model);
  const lines = [cell.loop ? `${call}, for t in range(L): ${pair ? 'h, c = cell(x[t], (h, c))' : 'h = cell(x[t], h)'}` : call];
  if (doc.head) lines[0] += ` + nn.Linear(out_features=${doc.head.outFeatures})`;
  return tableText(lines, rows, report);
}

function tableText(lines: string[], rows: [string, string][], report: ShapeReport): string {
  lines.push('');
  const w = Math.max(...rows.map((r) => r[0].length), ...report.params.map((p) => p.name.length));
  for (const [k, v] of rows) lines.push(`  ${k.padEnd(w)}  ${v}`);
  lines.push('');
  lines.push('  parameters:');
  for (const p of report.params) lines.push(`  ${p.name.padEnd(w)}  (${p.shape.join(', ')})`);
  lines.push('');
  lines.push(`  total parameters  ${report.paramCount.toLocaleString('en-US')} (${report.weightBytes.toLocaleString('en-US')} bytes as float32)`);
  lines.push(`  FLOPs per step    ${report.flopsPerStep.toLocaleString('en-US')}`);
  if (report.flopsPerSequence !== undefined) lines.push(`  FLOPs per run     ${report.flopsPerSequence.toLocaleString('en-US')}`);
  return lines.join('\n') + '\n';
}

/** A prepared model: weights read and packed once, run as often as needed. */
export function prepareDocumentModel(doc: RnnDocument): { prepared: PreparedModel; notes: string[]; input?: Tensor; h0?: Tensor; c0?: Tensor } {
  const p = resolveParameters(doc);
  return {
    prepared: prepareModel(doc.model, doc.head, p.stateDict),
    notes: p.notes,
    input: p.input,
    h0: doc.h0?.kind === 'literal' ? doc.h0.tensor : undefined,
    c0: doc.c0?.kind === 'literal' ? doc.c0.tensor : undefined,
  };
}
