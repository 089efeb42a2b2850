/*
 * From a read document to a run: seeded initialisation, {"rand": shape} inputs, state_dict
 * entries loaded over the drawn parameters, in exactly PyTorch's order.
 * Layer: document. Imports src/engine; no vscode, no DOM, no Node.
 *
 * PyTorch's order, which decides which random numbers land where:
 *   torch.manual_seed(seed); model = nn.LSTM(...); head = nn.Linear(...)   <- parameters drawn
 *   x = torch.rand(*shape)                                                <- input drawn next
 *   model.load_state_dict(...)                                            <- given entries replace drawn ones
 */
import { createGenerator, torchRand, torchRandn } from '../engine/random';
import { initStateDict, parameterInfos } from '../engine/params';
import { embeddingForward } from '../engine/train/embedding';
import type { RunSpec, StateDict, Tensor } from '../engine/types';
import { checkInputShape, readTensorText, runShapes } from './reader';
import { english, type Translate } from './messages';
import { pyList, pyTuple } from './nested';
import type { Diagnostic, RnnDocument } from './types';

export interface ResolveOptions {
  /** Run on this input instead of the document's (e.g. "run on a selected array"). Check it first with resolveInputOverride. */
  input?: Tensor;
  /** Localises notes and errors (vscode.l10n.t in the extension); English when absent. */
  translate?: Translate;
  /** Also draw the `train` block's {"rand"}/{"randn"} target (after the input), or take its literal. */
  drawTarget?: boolean;
}

export interface Resolved {
  spec: RunSpec;
  /** Plain-language notes (seed defaulted to 0, random input drawn, ...). */
  notes: string[];
  /** The seed used for every draw (the document's, or 0). */
  seed: number;
  /** Canonical names of the parameters that were drawn from the seed rather than given. */
  drawn: string[];
}

/** Thrown when a document cannot be run as it stands (e.g. it has no input). */
export class ResolveError extends Error {}

/** Parameters and input of a document, before a run: what `rnn-lens init` prints. */
export interface ResolvedParameters {
  /** Complete state_dict, canonical names, in registration order. */
  stateDict: StateDict;
  /** The document's input (drawn when {"rand": shape}), or the override; undefined when there is none. */
  input?: Tensor;
  notes: string[];
  seed: number;
  drawn: string[];
  /** The train block's target, when options.drawTarget (drawn after the input, from the same generator). */
  target?: Tensor;
}

/**
 * Draw what the document leaves to the seed and load what it gives, in PyTorch's order.
 * Never throws for a document that passed the reader.
 */
export function resolveParameters(doc: RnnDocument, options: ResolveOptions = {}): ResolvedParameters {
  const tr = options.translate ?? english;
  const notes: string[] = [];
  const given: StateDict = Object.create(null);
  for (const e of doc.stateDict) given[e.name] = e.tensor;
  const seed = doc.seed ?? 0;
  const useRandInput = !options.input && doc.input?.kind === 'rand';
  const targetSrc = options.drawTarget ? doc.train?.target : undefined;
  const useRandTarget = targetSrc?.kind === 'rand';
  let target = targetSrc?.kind === 'literal' ? targetSrc.tensor : undefined;
  const stateDict: StateDict = Object.create(null);
  const drawn: string[] = [];
  let input = options.input ?? (doc.input?.kind === 'literal' ? doc.input.tensor : undefined);
  if (!isComplete(doc, given) || useRandInput || useRandTarget) {
    // PyTorch: constructing the modules draws every parameter, even those load_state_dict
    // replaces later, so the input's draws always come after all parameter draws.
    const gen = createGenerator(seed);
    const init: StateDict = Object.create(null);
    // nn.Embedding is built first (normal_(0, 1), the bits of torch.randn), then the RNN and the head.
    if (doc.embedding) init['embedding.weight'] = torchRandn(gen, [doc.embedding.numEmbeddings, doc.embedding.embeddingDim]);
    Object.assign(init, initStateDict(doc.model, doc.head, gen));
    for (const name of Object.keys(init)) {
      if (given[name]) stateDict[name] = given[name];
      else { stateDict[name] = init[name]; drawn.push(name); }
    }
    if (doc.seed === undefined && drawn.length > 0) {
      notes.push(doc.stateDict.length > 0
        ? tr('no seed and an incomplete state_dict: parameters drawn as torch.manual_seed(0) would')
        : tr('no seed and no state_dict: parameters drawn as torch.manual_seed(0) would'));
    }
    if (useRandInput && doc.input?.kind === 'rand') {
      const shape = doc.input.shape;
      const fn = doc.input.normal ? 'torch.randn' : 'torch.rand';
      if (doc.seed === undefined) notes.push(tr('no seed: the input is {0}({1}) after torch.manual_seed(0)', fn, shape.join(', ')));
      input = doc.input.normal ? torchRandn(gen, shape) : torchRand(gen, shape);
    }
    if (useRandTarget && targetSrc?.kind === 'rand') target = targetSrc.normal ? torchRandn(gen, targetSrc.shape) : torchRand(gen, targetSrc.shape);
  } else {
    if (doc.embedding) stateDict['embedding.weight'] = given['embedding.weight'];
    for (const info of parameterInfos(doc.model, doc.head)) stateDict[info.name] = given[info.name];
  }
  if (doc.model.dropout > 0) notes.push(tr('dropout={0} is ignored: dropout only acts in training (model.train()); this is model.eval()', doc.model.dropout));
  return { stateDict, input, notes, seed, drawn, target };
}

/**
 * Turn a document that passed the reader into a RunSpec. Throws ResolveError when the
 * document has no input (and none is given in options).
 */
export function resolveRun(doc: RnnDocument, options: ResolveOptions = {}): Resolved {
  const p = resolveParameters(doc, options);
  const tr = options.translate ?? english;
  if (!p.input) throw new ResolveError(tr('the document has no "input": add "input": [[...]] or "input": {"rand": [L, N, input_size]}'));
  // With an embedding the input holds token ids: the RNN sees embedding(input).
  const input = doc.embedding ? embeddingForward(p.stateDict['embedding.weight'], p.input) : p.input;
  const spec: RunSpec = { model: doc.model, head: doc.head, stateDict: p.stateDict, input };
  if (doc.h0?.kind === 'literal') spec.h0 = doc.h0.tensor;
  if (doc.c0?.kind === 'literal') spec.c0 = doc.c0.tensor;
  return { spec, notes: p.notes, seed: p.seed, drawn: p.drawn };
}

function isComplete(doc: RnnDocument, given: StateDict): boolean {
  // The reader has already reported unknown and missing keys; here only completeness matters.
  if (doc.embedding && !given['embedding.weight']) return false;
  return parameterInfos(doc.model, doc.head).every((info) => given[info.name] !== undefined);
}

/**
 * Read and check another input for the same document (e.g. the array the user selected).
 * Problems come back as diagnostics with offsets into `text`; h0/c0 of the document must
 * still fit the new batch size.
 */
export function resolveInputOverride(doc: RnnDocument, text: string, translate: Translate = english): { input?: Tensor; diagnostics: Diagnostic[] } {
  const tr = translate;
  const read = readTensorText(text, tr);
  if (!read.tensor) return { diagnostics: read.diagnostics };
  const whole = { start: 0, end: text.length };
  const problem = checkInputShape(doc.model, read.tensor.shape, tr);
  if (problem) return { diagnostics: [...read.diagnostics, { severity: 'error', code: 'shape', span: whole, message: problem }] };
  const shapes = runShapes(doc.model, doc.head, read.tensor.shape);
  for (const [which, src, want] of [['h0', doc.h0, shapes.hN], ['c0', doc.c0, shapes.cN]] as const) {
    if (src?.kind === 'literal' && want && pyList(src.tensor.shape) !== pyList(want)) {
      return {
        diagnostics: [...read.diagnostics, {
          severity: 'error', code: 'shape', span: whole,
          message: tr("the document's {0} has shape {1}, but this input needs {2} (its batch size differs)", which, pyList(src.tensor.shape), pyTuple(want)),
        }],
      };
    }
  }
  return { input: read.tensor, diagnostics: read.diagnostics };
}
