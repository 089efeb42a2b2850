/*
 * What the Unroll View needs to show training, built from a read document: the `train` block in
 * one line (TrainSummary), and the document as it would read with the trained weights loaded
 * (so the usual payload builder draws the model at any step).
 * Layer: run, PURE: imports engine and document types and protocol types; no vscode, no Node, no DOM.
 */
import type { StateDict } from '../engine/types';
import type { RnnDocument, TrainBlock } from '../document/types';
import type { TrainSummary } from '../protocol/messages';

/** A number as PyTorch's repr of a hyperparameter shows it (0.1, 0.001, 1e-08). */
function pyNumber(x: number): string {
  if (Number.isInteger(x)) return String(x);
  const s = String(x);
  // Python writes 1e-08 where JavaScript writes 1e-8
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** The `train` block in a line: `MSELoss`, `Adam(lr=0.01)`, steps and max_norm. */
export function trainSummary(block: TrainBlock): TrainSummary {
  const o = block.optimizer;
  const args = [`lr=${pyNumber(o.lr)}`];
  if (o.type === 'SGD') {
    if (o.momentum) args.push(`momentum=${pyNumber(o.momentum)}`);
    if (o.dampening) args.push(`dampening=${pyNumber(o.dampening)}`);
    if (o.nesterov) args.push('nesterov=True');
  } else {
    if (o.betas[0] !== 0.9 || o.betas[1] !== 0.999) args.push(`betas=(${pyNumber(o.betas[0])}, ${pyNumber(o.betas[1])})`);
    if (o.eps !== 1e-8) args.push(`eps=${pyNumber(o.eps)}`);
    if (o.amsgrad) args.push('amsgrad=True');
  }
  const defaultDecay = o.type === 'AdamW' ? 0.01 : 0;
  if (o.weightDecay !== defaultDecay) args.push(`weight_decay=${pyNumber(o.weightDecay)}`);
  const summary: TrainSummary = {
    loss: block.loss === 'mse' ? 'MSELoss' : 'CrossEntropyLoss',
    optimizer: `${o.type}(${args.join(', ')})`,
    steps: block.steps,
  };
  if (block.clipGradNorm !== undefined) summary.clipGradNorm = block.clipGradNorm;
  return summary;
}

/**
 * The document with `stateDict` loaded in place of its own state_dict (canonical names, every
 * parameter): what the panel runs to show the model after some training steps. The input (drawn
 * or written) stays the document's: a drawn input is drawn after the parameters, as before.
 * The spans of the new entries are empty (they are not in the text).
 */
export function documentWithStateDict(doc: RnnDocument, stateDict: StateDict): RnnDocument {
  const none = { start: 0, end: 0 };
  return {
    ...doc,
    stateDict: Object.entries(stateDict).map(([name, tensor]) => ({ name, writtenKey: name, keySpan: none, tensor, span: none })),
  };
}
