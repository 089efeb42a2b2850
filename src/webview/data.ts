/*
 * Reads vectors out of a RunPayload for one batch element: x_t, h_t, c_t, y_t, h0, h_n, c_n,
 * the head, the output at a step, and the named vectors of a step for the inspector.
 * Handles batch_first, unbatched inputs and payloads that kept only some time steps (`times`).
 * Also the "Copy values as JSON" text (valuesJson), with inf and nan spelled out.
 * Layer: webview, but PURE: imports protocol types and the protocol's wire codec only.
 */
import type { RunPayload, WireStep, WireTensor } from '../protocol/messages';
import { wireKind } from '../protocol/wire';

export type Vec = (number | null)[];

/** Position of time `t` in the payload's time axis, or -1 when the step was not sent. */
export function timeIndex(p: RunPayload, t: number): number {
  if (!p.times) return t >= 0 && t < p.seqLen ? t : -1;
  // times is ascending: binary search
  let lo = 0;
  let hi = p.times.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (p.times[mid] === t) return mid;
    if (p.times[mid] < t) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Number of directions (1 or 2). */
export function numDirections(p: RunPayload): 1 | 2 {
  return p.model.bidirectional ? 2 : 1;
}

/** H_out: proj_size when LSTM projects, else hidden_size. */
export function hOut(p: RunPayload): number {
  return p.model.projSize > 0 ? p.model.projSize : p.model.hiddenSize;
}

/** Row `t` (sequence index) of batch element `b` of an input/output-shaped tensor. */
function seqRow(p: RunPayload, w: WireTensor, t: number, b: number): Vec | undefined {
  const k = timeIndex(p, t);
  if (k < 0) return undefined;
  const width = w.shape[w.shape.length - 1];
  let row: number;
  if (p.unbatched || w.shape.length === 2) row = k;
  else if (p.model.batchFirst) row = b * w.shape[1] + k;
  else row = k * w.shape[1] + b;
  const start = row * width;
  if (start + width > w.data.length) return undefined;
  return w.data.slice(start, start + width);
}

/** x_t for batch element b. */
export function inputAt(p: RunPayload, t: number, b: number): Vec | undefined {
  return seqRow(p, p.input, t, b);
}

/** output[t] (all directions concatenated) for batch element b. */
export function outputAt(p: RunPayload, t: number, b: number): Vec | undefined {
  return seqRow(p, p.output, t, b);
}

/** The traced step, or undefined when it was not sent. */
export function stepAt(p: RunPayload, layer: number, direction: number, t: number): WireStep | undefined {
  const k = timeIndex(p, t);
  if (k < 0) return undefined;
  return p.steps?.[layer]?.[direction]?.[k];
}

/** Batch element b's slice of a batch-major step vector. */
export function batchSlice(v: Vec | undefined, batch: number, b: number): Vec | undefined {
  if (!v) return undefined;
  const size = Math.floor(v.length / Math.max(1, batch));
  return v.slice(b * size, (b + 1) * size);
}

/** A named vector of a step (h, c, i, f, ...), batch element b. */
export function stepVector(p: RunPayload, layer: number, direction: number, t: number, name: string, b: number): Vec | undefined {
  return batchSlice(stepAt(p, layer, direction, t)?.vectors[name], p.batch, b);
}

/** Slice k of a (D*num_layers, N, size) or unbatched (D*num_layers, size) state tensor. */
function stateSlice(p: RunPayload, w: WireTensor | undefined, k: number, b: number): Vec | undefined {
  if (!w) return undefined;
  const size = w.shape[w.shape.length - 1];
  const n = w.shape.length === 3 ? w.shape[1] : 1;
  const start = (k * n + (w.shape.length === 3 ? b : 0)) * size;
  if (start + size > w.data.length) return undefined;
  return w.data.slice(start, start + size);
}

/** h_n[layer * D + direction], batch element b. */
export function hNAt(p: RunPayload, layer: number, direction: number, b: number): Vec | undefined {
  return stateSlice(p, p.hN, layer * numDirections(p) + direction, b);
}

/** c_n[layer * D + direction], batch element b. */
export function cNAt(p: RunPayload, layer: number, direction: number, b: number): Vec | undefined {
  return stateSlice(p, p.cN, layer * numDirections(p) + direction, b);
}

/** The first step each direction processes: t = 0 forward, t = T-1 reverse. */
export function firstStepTime(p: RunPayload, direction: number): number {
  return direction === 0 ? 0 : p.seqLen - 1;
}

/** h0 (or c0 with name 'c_prev') as the first processed step saw it. */
export function initialState(p: RunPayload, layer: number, direction: number, b: number, name: 'h_prev' | 'c_prev'): Vec | undefined {
  return stepVector(p, layer, direction, firstStepTime(p, direction), name, b);
}

/** The head's output for batch element b. */
export function headAt(p: RunPayload, b: number): Vec | undefined {
  const w = p.headOutput;
  if (!w) return undefined;
  const size = w.shape[w.shape.length - 1];
  const row = w.shape.length >= 2 ? b : 0;
  return w.data.slice(row * size, (row + 1) * size);
}

/** The vector a diagram node shows, by node kind. */
export function nodeVector(p: RunPayload, kind: string, layer: number, direction: number, t: number, b: number): Vec | undefined {
  switch (kind) {
    case 'x':
      return inputAt(p, t, b);
    case 'h':
      return stepVector(p, layer, direction, t, 'h', b) ?? (layer === p.model.numLayers - 1 ? outputSlice(p, t, b, direction) : undefined);
    case 'c':
      return stepVector(p, layer, direction, t, 'c', b);
    case 'y': {
      const f = nodeVector(p, 'h', layer, 0, t, b);
      const r = nodeVector(p, 'h', layer, 1, t, b);
      return f && r ? [...f, ...r] : undefined;
    }
    case 'h0':
      return initialState(p, layer, direction, b, 'h_prev');
    case 'c0':
      return initialState(p, layer, direction, b, 'c_prev');
    case 'hn':
      return hNAt(p, layer, direction, b);
    case 'cn':
      return cNAt(p, layer, direction, b);
    case 'head':
      return headAt(p, b);
    default:
      return undefined;
  }
}

/** The last layer's direction `direction` half of output[t]. */
function outputSlice(p: RunPayload, t: number, b: number, direction: number): Vec | undefined {
  const row = outputAt(p, t, b);
  if (!row) return undefined;
  const h = hOut(p);
  return row.slice(direction * h, (direction + 1) * h);
}

/** The subset of a tensor for batch element b, with its shape (for printing like PyTorch). */
export function batchOf(w: WireTensor, b: number, batchAxis: number): WireTensor {
  if (batchAxis < 0 || batchAxis >= w.shape.length) return w;
  const shape = w.shape.filter((_, i) => i !== batchAxis);
  const outer = w.shape.slice(0, batchAxis).reduce((a, c) => a * c, 1);
  const inner = w.shape.slice(batchAxis + 1).reduce((a, c) => a * c, 1);
  const n = w.shape[batchAxis];
  const data: (number | null)[] = [];
  for (let o = 0; o < outer; o++) data.push(...w.data.slice((o * n + b) * inner, (o * n + b + 1) * inner));
  return { shape, data };
}

/** A wire number for an exported JSON file: the number, or "inf" / "-inf" / "nan" (see valuesJson). */
export function exportNumber(v: number | null): number | string {
  return wireKind(v) ?? (v as number);
}

/** A wire tensor for an exported JSON file, inf and nan spelled out (see valuesJson). */
export function exportTensor(w: WireTensor): { shape: number[]; data: (number | string)[] } {
  return { shape: [...w.shape], data: w.data.map(exportNumber) };
}

/**
 * The "Copy values as JSON" text: title, model, head, h_n, c_n, output (and the kept times),
 * the selected time step. JSON has no inf or nan, so a value PyTorch's float32 holds as inf,
 * -inf or nan is written as the string "inf", "-inf" or "nan" (never as the wire's
 * ±1.7976931348623157e308 or null): Python's float("inf") and float("nan") read them back,
 * e.g. torch.tensor([float(v) for v in data]).view(shape).
 */
export function valuesJson(p: RunPayload, selectedT: number): string {
  const o: Record<string, unknown> = { title: p.title, model: p.model };
  if (p.headOutput) o.head = exportTensor(p.headOutput);
  o.h_n = exportTensor(p.hN);
  if (p.cN) o.c_n = exportTensor(p.cN);
  o.output = exportTensor(p.output);
  if (p.times) o.times = p.times;
  o.selected_t = selectedT;
  return JSON.stringify(o, null, 2);
}
