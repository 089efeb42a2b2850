/*
 * Pure validators for the messages that cross the webview boundary.
 * Layer: protocol. Imports protocol types only; no vscode, no DOM, no Node.
 *
 * The webview is untrusted from the host's point of view (it renders document strings), and the
 * host's messages or a restored webview state may be stale or malformed from the webview's point
 * of view. Both sides check before they act.
 *
 * Numbers are wire numbers (src/protocol/wire.ts): finite, or null for nan; ±inf arrive as
 * ±Number.MAX_VALUE (finite, so valid) and old saved state with null for every non-finite
 * value is still valid (it reads as nan).
 */
import type { HostMessage, RunPayload, ViewMessage } from './messages';

/** Largest export the host accepts from the webview (characters of data). */
export const MAX_EXPORT_CHARS = 32 * 1024 * 1024;
/** Largest text the host copies to the clipboard on the webview's request. */
export const MAX_COPY_CHARS = 8 * 1024 * 1024;

const EXPORT_FORMATS = new Set(['svg', 'png', 'json']);

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Only these keys (and `type`) may appear: anything else is a malformed message. */
function hasOnlyKeys(o: Record<string, unknown>, keys: string[]): boolean {
  return Object.keys(o).every((k) => k === 'type' || keys.includes(k));
}

/** PNG data is sent as plain base64 (no data: prefix). */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** The first 11 base64 characters of every PNG file (its 8-byte signature and IHDR's length). */
export const PNG_BASE64_SIGNATURE = 'iVBORw0KGgo';

/**
 * Is `x` a well-formed message from the webview? Checks the type, the fields and their types,
 * the export format and the size limits; rejects extra keys. PNG data must be base64 of a PNG; SVG data
 * must start like an SVG document.
 */
export function isViewMessage(x: unknown): x is ViewMessage {
  if (!isObject(x) || typeof x.type !== 'string') return false;
  switch (x.type) {
    case 'ready':
    case 'compare':
    case 'reveal':
    case 'trainStart':
    case 'trainPause':
    case 'trainResume':
    case 'trainStop':
      return hasOnlyKeys(x, []);
    case 'trainSave':
      return hasOnlyKeys(x, ['to']) && (x.to === 'document' || x.to === 'newDocument');
    case 'painted':
      return hasOnlyKeys(x, ['ms', 'gradients']) && typeof x.ms === 'number' && Number.isFinite(x.ms) && x.ms >= 0 && (x.gradients === undefined || x.gradients === true);
    case 'copy':
      return hasOnlyKeys(x, ['text']) && typeof x.text === 'string' && x.text.length <= MAX_COPY_CHARS;
    case 'export': {
      if (!hasOnlyKeys(x, ['format', 'data'])) return false;
      if (typeof x.format !== 'string' || !EXPORT_FORMATS.has(x.format)) return false;
      if (typeof x.data !== 'string' || x.data.length === 0 || x.data.length > MAX_EXPORT_CHARS) return false;
      // PNG: base64 of a file that starts with the PNG signature 89 50 4E 47 0D 0A 1A 0A
      if (x.format === 'png') return x.data.length % 4 === 0 && x.data.startsWith(PNG_BASE64_SIGNATURE) && BASE64.test(x.data);
      if (x.format === 'svg') return /^\s*(<\?xml[^>]*\?>\s*)?<svg[\s>]/.test(x.data);
      return true;
    }
    default:
      return false;
  }
}

/**
 * An array of wire numbers (src/protocol/wire.ts): finite numbers, and null when allowed (nan).
 * ±inf travel as ±Number.MAX_VALUE, which is finite, so they pass; a raw NaN or Infinity
 * never comes out of JSON and is refused.
 */
function isNumberArray(x: unknown, allowNull: boolean): boolean {
  if (!Array.isArray(x)) return false;
  for (const v of x) {
    if (typeof v === 'number' ? !Number.isFinite(v) : !(allowNull && v === null)) return false;
  }
  return true;
}

/** Largest tensor rank the view draws (PyTorch's RNN tensors are at most 3-D). */
const MAX_RANK = 8;

function isWireTensor(x: unknown): boolean {
  if (!isObject(x) || !Array.isArray(x.shape) || !isNumberArray(x.data, true)) return false;
  const shape = x.shape as unknown[];
  if (shape.length > MAX_RANK || !shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) return false;
  // the data is the whole tensor, row-major: the view slices it by the shape
  return (shape as number[]).reduce((a, b) => a * b, 1) === (x.data as unknown[]).length;
}

/** steps[layer][direction][k]: each a WireStep whose vectors are wire numbers. */
function isSteps(x: unknown): boolean {
  if (!Array.isArray(x)) return false;
  for (const perLayer of x) {
    if (!Array.isArray(perLayer)) return false;
    for (const perDir of perLayer) {
      if (!Array.isArray(perDir)) return false;
      for (const step of perDir) {
        if (!isObject(step) || !Number.isInteger(step.layer) || (step.direction !== 0 && step.direction !== 1) || !Number.isInteger(step.t)) return false;
        if (!isObject(step.vectors) || !Object.values(step.vectors).every((v) => isNumberArray(v, true))) return false;
      }
    }
  }
  return true;
}

/** The gradients block: wire numbers per step (nan as null), hiddenNorms[layer][direction][t]. */
function isGradients(x: unknown): boolean {
  if (!isObject(x) || typeof x.loss !== 'string' || !isNumberArray(x.inputNorms, true)) return false;
  return Array.isArray(x.hiddenNorms) && x.hiddenNorms.every((l) => Array.isArray(l) && l.every((d) => isNumberArray(d, true)));
}

/** A ComparePayload: three rows of wire numbers, or an error. */
function isComparePayload(x: unknown): boolean {
  if (!isObject(x) || !Array.isArray(x.rows)) return false;
  if (x.seed !== undefined && typeof x.seed !== 'number') return false;
  if (x.loss !== undefined && typeof x.loss !== 'string') return false;
  if (x.error !== undefined && typeof x.error !== 'string') return false;
  return x.rows.every((r) => isObject(r) && (r.type === 'RNN' || r.type === 'LSTM' || r.type === 'GRU') && isNumberArray(r.inputNorms, true));
}

/**
 * Is `x` shaped like a RunPayload (enough for the webview to draw it safely)? Used by the
 * webview on host messages and on restored state, and by the host's serializer.
 * Checks the fields the drawing depends on; the strings inside are still treated as text only.
 */
export function isRunPayload(x: unknown): x is RunPayload {
  if (!isObject(x)) return false;
  if (typeof x.title !== 'string') return false;
  if (x.description !== undefined && typeof x.description !== 'string') return false;
  if (!isObject(x.model)) return false;
  const m = x.model;
  if (m.type !== 'RNN' && m.type !== 'LSTM' && m.type !== 'GRU') return false;
  for (const k of ['inputSize', 'hiddenSize', 'numLayers'] as const) {
    if (!Number.isInteger(m[k]) || (m[k] as number) < 1) return false;
  }
  if (typeof m.bidirectional !== 'boolean') return false;
  if (!Number.isInteger(x.batch) || (x.batch as number) < 1) return false;
  if (!Number.isInteger(x.seqLen) || (x.seqLen as number) < 1) return false;
  if (typeof x.unbatched !== 'boolean') return false;
  if (!isWireTensor(x.input) || !isWireTensor(x.output) || !isWireTensor(x.hN)) return false;
  if (x.cN !== undefined && !isWireTensor(x.cN)) return false;
  if (x.headOutput !== undefined && !isWireTensor(x.headOutput)) return false;
  if (!isObject(x.stateDict) || !Object.values(x.stateDict).every(isWireTensor)) return false;
  if (x.steps !== undefined && !isSteps(x.steps)) return false;
  if (x.gradients !== undefined && !isGradients(x.gradients)) return false;
  if (x.gradientsPending !== undefined && typeof x.gradientsPending !== 'boolean') return false;
  if (x.times !== undefined && !isNumberArray(x.times, false)) return false;
  if (!isObject(x.shapes)) return false;
  if (!Array.isArray(x.notes) || !x.notes.every((n) => typeof n === 'string')) return false;
  if (x.train !== undefined && !isTrainSummary(x.train)) return false;
  if (x.cell !== undefined && x.cell !== 'RNNCell' && x.cell !== 'LSTMCell' && x.cell !== 'GRUCell') return false;
  if (x.cellStep !== undefined && typeof x.cellStep !== 'boolean') return false;
  return true;
}

/** A TrainSummary: loss and optimizer as text, steps >= 1, an optional positive max_norm. */
function isTrainSummary(x: unknown): boolean {
  if (!isObject(x) || typeof x.loss !== 'string' || typeof x.optimizer !== 'string') return false;
  if (!Number.isInteger(x.steps) || (x.steps as number) < 1) return false;
  return x.clipGradNorm === undefined || (typeof x.clipGradNorm === 'number' && Number.isFinite(x.clipGradNorm) && x.clipGradNorm > 0);
}

const TRAIN_STATUSES = new Set(['running', 'paused', 'stopped', 'done', 'failed']);

/** A TrainSession (see messages.ts): consistent step counts, wire numbers per step, optional tensors. */
export function isTrainSession(x: unknown): boolean {
  if (!isObject(x) || typeof x.title !== 'string' || !isTrainSummary(x.summary)) return false;
  if (x.source !== undefined && typeof x.source !== 'string') return false;
  if (x.message !== undefined && typeof x.message !== 'string') return false;
  if (typeof x.status !== 'string' || !TRAIN_STATUSES.has(x.status)) return false;
  if (!Number.isInteger(x.stepsTotal) || (x.stepsTotal as number) < 1) return false;
  if (!isNumberArray(x.loss, true) || !isNumberArray(x.gradNorm, true)) return false;
  const kept = (x.loss as unknown[]).length;
  if ((x.gradNorm as unknown[]).length !== kept) return false;
  let done = kept;
  if (x.steps !== undefined) {
    // a thinned history: ascending 0-based steps, one per kept point
    const steps = x.steps;
    if (!Array.isArray(steps) || steps.length !== kept) return false;
    for (let i = 0; i < steps.length; i++) if (!Number.isInteger(steps[i]) || steps[i] < 0 || (i > 0 && steps[i] <= steps[i - 1])) return false;
    done = kept ? (steps[kept - 1] as number) + 1 : 0;
  }
  if (done > (x.stepsTotal as number)) return false;
  if (!Number.isInteger(x.shownStep) || (x.shownStep as number) < 0 || (x.shownStep as number) > done) return false;
  for (const k of ['before', 'target', 'after'] as const) if (x[k] !== undefined && !isWireTensor(x[k])) return false;
  return true;
}

/** Is `x` a well-formed message from the host? (The webview checks before drawing.) */
export function isHostMessage(x: unknown): x is HostMessage {
  if (!isObject(x) || typeof x.type !== 'string') return false;
  switch (x.type) {
    case 'run':
      return isRunPayload(x.payload) && isObject(x.strings) && Object.values(x.strings).every((v) => typeof v === 'string');
    case 'error':
      return typeof x.message === 'string';
    case 'gradients':
      return isGradients(x.gradients);
    case 'gradientsFailed':
      return typeof x.message === 'string';
    case 'compare':
      return isComparePayload(x.payload);
    case 'idle':
      return isObject(x.strings) && Object.values(x.strings).every((v) => typeof v === 'string');
    case 'progress':
      return typeof x.fraction === 'number' && x.fraction >= 0 && x.fraction <= 1;
    case 'trainSession':
      return x.session === null || isTrainSession(x.session);
    case 'trainSteps':
      return (
        Number.isInteger(x.from) && (x.from as number) >= 0 &&
        isNumberArray(x.loss, true) && isNumberArray(x.gradNorm, true) &&
        (x.loss as unknown[]).length === (x.gradNorm as unknown[]).length
      );
    case 'trainStatus':
      return (
        typeof x.status === 'string' && TRAIN_STATUSES.has(x.status) &&
        Number.isInteger(x.stepsDone) && (x.stepsDone as number) >= 0 &&
        (x.message === undefined || typeof x.message === 'string')
      );
    case 'trainSnapshot':
      return Number.isInteger(x.step) && (x.step as number) >= 0 && isRunPayload(x.payload) && (x.prediction === undefined || isWireTensor(x.prediction));
    default:
      return false;
  }
}
