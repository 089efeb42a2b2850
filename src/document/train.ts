/*
 * From a read document with a `train` block to a training run, and its JSON (what
 * `rnn-lens train` prints and the library's train() returns).
 * Layer: document. Imports src/engine; no vscode, no DOM, no Node.
 *
 * PyTorch's order of draws, which decides which random numbers land where:
 *   torch.manual_seed(seed)
 *   emb = nn.Embedding(V, E)      <- normal_(0, 1): the same bits as torch.randn(V, E)
 *   rnn = nn.LSTM(...); head = nn.Linear(...)
 *   x = torch.rand(...) / torch.randn(...)     (when the input is drawn)
 *   y = torch.rand(...) / torch.randn(...)     (when the target is drawn)
 *   load_state_dict(...)                       <- given entries replace drawn ones
 */
import { createTrainer as createEngineTrainer, trainAll, type Trainer, type TrainOptions, type TrainResult, type TrainSpec } from '../engine/train/index';
import type { StateDict, Tensor } from '../engine/types';
import { english, type Translate } from './messages';
import { tensorToNested } from './nested';
import { resolveParameters, ResolveError } from './resolve';
import type { RnnDocument } from './types';

/** `rnn-lens train`: per-step losses and gradient norms, the trained parameters, notes. */
export interface TrainJson {
  /** One per completed step: the loss before that step's update. */
  loss: number[];
  /** One per completed step: the total L2 norm of all gradients before clipping. */
  grad_norm: number[];
  /** Every parameter after the last completed step, canonical names, nested arrays. */
  state_dict: Record<string, unknown>;
  notes: string[];
  /** Present when the run ended early: 'aborted' (Ctrl+C, a signal) or 'non-finite' (NaN/inf loss). */
  stopped?: { reason: 'aborted' | 'non-finite'; step: number };
}

/** A training spec and the notes about how it was built (seed defaulted, draws). */
export interface ResolvedTrain {
  spec: TrainSpec;
  notes: string[];
}

/**
 * Build the TrainSpec of a document that passed the reader: draw what the seed gives
 * (embedding, RNN, head, then input, then target), load the given entries.
 * Throws ResolveError when the document has no `train` block or no input.
 */
export function resolveTrain(doc: RnnDocument, options: { translate?: Translate } = {}): ResolvedTrain {
  const tr = options.translate ?? english;
  if (!doc.train) throw new ResolveError(tr('the document has no "train" block: add one such as "train": {"loss": "mse", "target": [...], "optimizer": {"type": "Adam", "lr": 0.01}, "steps": 100}'));
  const p = resolveParameters(doc, { translate: tr, drawTarget: true });
  if (!p.input) throw new ResolveError(tr('the document has no "input": add "input": [[...]] or "input": {"rand": [L, N, input_size]}'));
  const target = p.target;
  if (!target) throw new ResolveError(tr('the "train" block has no target'));
  const spec: TrainSpec = {
    model: doc.model,
    head: doc.head,
    embedding: doc.embedding,
    stateDict: p.stateDict,
    input: p.input,
    target,
    train: {
      loss: doc.train.loss,
      optimizer: doc.train.optimizer,
      steps: doc.train.steps,
      clipGradNorm: doc.train.clipGradNorm,
    },
  };
  if (doc.h0?.kind === 'literal') spec.h0 = doc.h0.tensor;
  if (doc.c0?.kind === 'literal') spec.c0 = doc.c0.tensor;
  // Dropout in inference is a note for a run; for training the reader refuses it (masks are not reproduced).
  return { spec, notes: p.notes.filter((n) => !n.startsWith('dropout=')) };
}

/** The JSON of a training result: PyTorch's names, nested arrays. */
export function trainResultJson(r: TrainResult, notes: string[] = []): TrainJson {
  const json: TrainJson = { loss: r.loss, grad_norm: r.gradNorm, state_dict: stateDictJson(r.stateDict), notes: [...notes, ...r.notes] };
  if (r.stopped) json.stopped = { ...r.stopped };
  return json;
}

/** A state_dict as nested arrays, in its own order. */
export function stateDictJson(sd: StateDict): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, t] of Object.entries(sd)) out[name] = tensorToNested(t as Tensor);
  return out;
}

/** Train a document to the end (or until options.signal / a NaN loss stops it). */
export function trainDocumentJson(doc: RnnDocument, options: TrainOptions & { translate?: Translate } = {}): TrainJson {
  const r = resolveTrain(doc, options);
  return trainResultJson(trainAll(r.spec, options), precisionNotes(r.notes, options.precision));
}

/** The note a float32 run carries (the printed JSON's fields are fixed by the spec, so the precision is a note). */
export const FLOAT32_NOTE = 'precision float32: PyTorch\'s float32 arithmetic, parameters rounded to float32 after every update (the default float64 follows PyTorch\'s float64 run)';

function precisionNotes(notes: string[], precision: TrainOptions['precision']): string[] {
  return precision === 'float32' ? [...notes, FLOAT32_NOTE] : notes;
}

/** A stepwise trainer for a document, plus the notes of resolving it. */
export function createDocumentTrainer(doc: RnnDocument, options: { translate?: Translate; precision?: TrainOptions['precision']; keepHistory?: boolean } = {}): { trainer: Trainer; spec: TrainSpec; notes: string[] } {
  const r = resolveTrain(doc, options);
  const trainer = createEngineTrainer(r.spec, { precision: options.precision, keepHistory: options.keepHistory });
  return { trainer, spec: r.spec, notes: precisionNotes(r.notes, options.precision) };
}
