/*
 * What the hover and Show Shapes say about a model read from a snippet: the full ModelConfig
 * when every field is known, the shape report for the snippet's input, a one-line summary
 * (input (3, 5, 10) -> output (3, 5, 20) · h_n (1, 3, 20) · head (3, 2)), and the notes,
 * including whether the view's numbers are the ones the snippet prints.
 * Layer: python (pure). Imports the engine (shapes) and engine types; no vscode, DOM or Node.
 */
import type { Dim, HeadConfig, ModelConfig, ShapeReport } from '../engine/types';
import { shapeReport } from '../engine/shapes';
import type { SnippetModel } from './snippet';
import { effectiveInput } from './toDocument';
import { msg, type Msg } from './messages';

export interface SnippetReport {
  /** Present when every field of the model is known. */
  model?: ModelConfig;
  head?: HeadConfig;
  /** The input the view uses (the snippet's, or a default noted in `notes`). */
  inputShape?: number[];
  report?: ShapeReport;
  /** `input (3, 5, 10) → output (3, 5, 20) · h_n (1, 3, 20) · head (3, 2)`. */
  summary?: string;
  notes: Msg[];
}

/** Gate rows of a cell's (or layer's) weights, in PyTorch's order. */
export function gateNames(type: 'RNN' | 'LSTM' | 'GRU'): string[] {
  return type === 'LSTM' ? ['i', 'f', 'g', 'o'] : type === 'GRU' ? ['r', 'z', 'n'] : [];
}

/** A cell's parameters as PyTorch names them (weight_ih, weight_hh, bias_ih, bias_hh), with shapes. */
export function cellParameters(m: SnippetModel): { name: string; shape: number[]; gates: string[] }[] | undefined {
  const c = m.config;
  if (!m.cell || c.inputSize === undefined || c.hiddenSize === undefined) return undefined;
  const gates = gateNames(m.type);
  const rows = Math.max(1, gates.length) * c.hiddenSize;
  const out = [
    { name: 'weight_ih', shape: [rows, c.inputSize], gates },
    { name: 'weight_hh', shape: [rows, c.hiddenSize], gates },
  ];
  if (c.bias !== false) out.push({ name: 'bias_ih', shape: [rows], gates }, { name: 'bias_hh', shape: [rows], gates });
  return out;
}

/** Shapes of h' (and c') of a cell for its first input: (N, H) batched, (H) unbatched; symbolic N when unknown. */
export function cellShapes(m: SnippetModel): { input: (number | string)[]; h: (number | string)[]; c?: (number | string)[] } | undefined {
  const c = m.config;
  if (!m.cell || c.inputSize === undefined || c.hiddenSize === undefined) return undefined;
  const x = m.calls[0]?.input;
  const fits = x && (x.length === 1 || x.length === 2) && x[x.length - 1] === c.inputSize;
  const input: (number | string)[] = fits ? x : ['N', c.inputSize];
  const h = input.length === 2 ? [input[0], c.hiddenSize] : [c.hiddenSize];
  return { input, h, c: m.moduleType === 'LSTMCell' ? [...h] : undefined };
}

/** The model's ModelConfig when every field is known. */
export function completeConfig(m: SnippetModel): ModelConfig | undefined {
  const c = m.config;
  if (!m.complete || c.inputSize === undefined || c.hiddenSize === undefined) return undefined;
  return {
    type: m.type,
    inputSize: c.inputSize,
    hiddenSize: c.hiddenSize,
    numLayers: c.numLayers ?? 1,
    nonlinearity: c.nonlinearity ?? 'tanh',
    bias: c.bias ?? true,
    batchFirst: c.batchFirst ?? false,
    dropout: c.dropout ?? 0,
    bidirectional: c.bidirectional ?? false,
    projSize: c.projSize ?? 0,
  };
}

function dims(shape: readonly Dim[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** Everything the hover shows for one recognised model. Never throws. */
export function snippetReport(m: SnippetModel): SnippetReport {
  const notes: Msg[] = [...m.notes];
  const model = completeConfig(m);
  const head: HeadConfig | undefined = m.head?.outFeatures !== undefined ? { type: 'Linear', outFeatures: m.head.outFeatures, bias: m.head.bias } : undefined;
  const input = effectiveInput(m);
  if (input.assumed) notes.push(input.assumed);
  const out: SnippetReport = { notes, head };
  if (!model) return out;
  out.model = model;
  let report: ShapeReport | undefined;
  try {
    report = shapeReport(model, head, input.shape);
    out.inputShape = input.shape;
  } catch {
    // The input does not fit the model (already noted); show shapes with N and L instead.
    try {
      report = shapeReport(model, head);
    } catch {
      report = undefined;
    }
  }
  if (report) {
    out.report = report;
    const parts = [`input ${dims(report.input)} → output ${dims(report.output)}`, `h_n ${dims(report.hN)}`];
    if (report.cN) parts.push(`c_n ${dims(report.cN)}`);
    if (report.head) parts.push(`head ${dims(report.head)}`);
    out.summary = parts.join(' · ');
  }
  // Can the view show exactly what the snippet prints?
  const differs = m.notes.some((n) => /differ|not seeded|sets no seed|drops values/.test(n.text));
  if (m.seed && !differs && out.inputShape && m.input?.drawn !== false && !m.embedding) {
    if (input.kind === 'randn') {
      notes.push(msg('torch.randn is reproduced bit for bit as PyTorch draws it on x86-64 CPUs with AVX2; PyTorch on other CPUs (arm64, Apple silicon, no AVX2) draws some values differently in the last bit, so its printed digits can differ slightly.'));
    } else if (!input.assumed) {
      notes.push(msg('With torch.manual_seed({0}), Unroll shows the numbers this snippet prints: weights and input are drawn bit for bit as PyTorch draws them.', m.seed.value));
    }
  }
  return out;
}
