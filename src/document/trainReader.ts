/*
 * The reader's part for training documents: the `embedding` block, token-id inputs and the
 * `train` block (loss, target, optimizer, steps, clip_grad_norm), each problem reported at its
 * key or value, in PyTorch's words where PyTorch has words. See docs "Token ids: the embedding
 * block" and "Training: the train block".
 * Layer: document. Imports src/engine types and jsonc-parser's Node type; no vscode, no DOM, no Node.
 *
 * Called by reader.ts with the reader itself as `host` (its JSON helpers and report()).
 */
import type { Node } from 'jsonc-parser';
import type { EmbeddingConfig, HeadConfig, ModelConfig, Tensor } from '../engine/types';
import type { LossType, OptimizerConfig } from '../engine/train/types';
import type { Translate } from './messages';
import { groupDigits, numel, pyList } from './nested';
import type { Budget, Severity, Span, TensorSource, TrainBlock } from './types';
import { spanOf, typeWords } from './jsonNodes';

interface Prop {
  key: string;
  keyNode: Node;
  value: Node;
}

/** What the reader lends this file. */
export interface ReaderHost {
  readonly tr: Translate;
  report(severity: Severity, code: string, span: Span, message: string): void;
  props(obj: Node): Map<string, Prop>;
  unknownKey(p: Prop, where: string, known: readonly string[]): void;
  int(p: Prop, min: number, what: string): number | undefined;
  bool(p: Prop): boolean | undefined;
  tensor(node: Node, what: string, float32: boolean): Tensor | undefined;
}

export const EMBEDDING_KEYS = ['num_embeddings', 'embedding_dim'];
export const TRAIN_KEYS = ['loss', 'target', 'optimizer', 'steps', 'clip_grad_norm'];
const SGD_KEYS = ['type', 'lr', 'momentum', 'dampening', 'weight_decay', 'nesterov'];
const ADAM_KEYS = ['type', 'lr', 'betas', 'eps', 'weight_decay', 'amsgrad'];

/** The node holding element `index` (row-major) of a nested array node with `shape`. */
function elementNode(node: Node, shape: readonly number[], index: number): Node {
  let n = node;
  let rest = index;
  for (let d = 0; d < shape.length; d++) {
    const stride = numel(shape.slice(d + 1));
    const i = Math.floor(rest / stride);
    rest -= i * stride;
    n = n.children?.[i] ?? n;
  }
  return n;
}

/** `embedding`: {"num_embeddings": V, "embedding_dim": E}, as nn.Embedding(V, E). */
export function readEmbedding(host: ReaderHost, prop: Prop): EmbeddingConfig | undefined {
  const tr = host.tr;
  if (prop.value.type !== 'object') {
    host.report('error', 'wrong-type', spanOf(prop.value), tr('`embedding` must be an object such as {"num_embeddings": 65, "embedding_dim": 16}, got {0}', typeWords(prop.value, tr)));
    return undefined;
  }
  const m = host.props(prop.value);
  for (const p of m.values()) if (!EMBEDDING_KEYS.includes(p.key)) host.unknownKey(p, 'embedding', EMBEDDING_KEYS);
  const need = (key: string, what: string): number | undefined => {
    const p = m.get(key);
    if (!p) {
      host.report('error', 'missing-key', spanOf(prop.keyNode), tr('missing required key `{0}` in embedding ({1})', key, what));
      return undefined;
    }
    return host.int(p, 1, what);
  };
  const numEmbeddings = need('num_embeddings', tr('the number of token ids, the size of the vocabulary'));
  const embeddingDim = need('embedding_dim', tr('the size of each embedding vector, the RNN\'s input_size'));
  if (numEmbeddings === undefined || embeddingDim === undefined) return undefined;
  return { numEmbeddings, embeddingDim };
}

/**
 * Token ids for the embedding: integers 0 <= id < num_embeddings, shaped like the model's input
 * without its feature axis. Returns the shape the RNN sees (ids' shape + embedding_dim), or
 * undefined after reporting.
 */
export function checkTokenIds(host: ReaderHost, node: Node, source: TensorSource, embedding: EmbeddingConfig, model: ModelConfig | undefined, budget: Budget): number[] | undefined {
  const tr = host.tr;
  if (source.kind === 'rand') {
    host.report('error', 'wrong-type', spanOf(node), tr('with an embedding the input holds integer token ids, which cannot be drawn with rand/randn: write them, e.g. [[3, 1, 4], [1, 5, 9]]'));
    return undefined;
  }
  const t = source.tensor;
  if (t.shape.length !== 1 && t.shape.length !== 2) {
    host.report('error', 'shape', spanOf(node), model?.batchFirst
      ? tr('with an embedding the input holds token ids shaped (N, L) with batch_first=true, or (L) for one unbatched sequence, got {0} dimensions', t.shape.length)
      : tr('with an embedding the input holds token ids shaped (L, N), or (L) for one unbatched sequence, got {0} dimensions', t.shape.length));
    return undefined;
  }
  for (let i = 0; i < t.data.length; i++) {
    const v = t.data[i];
    if (!Number.isInteger(v)) {
      host.report('error', 'wrong-type', spanOf(elementNode(node, t.shape, i)), tr('token ids must be whole numbers (torch.long), got {0}', v));
      return undefined;
    }
    if (v < 0 || v >= embedding.numEmbeddings) {
      // PyTorch: IndexError: index out of range in self
      host.report('error', 'out-of-range', spanOf(elementNode(node, t.shape, i)),
        tr('index out of range in self: token id {0} is not in 0..{1} (num_embeddings={2})', v, embedding.numEmbeddings - 1, embedding.numEmbeddings));
      return undefined;
    }
  }
  const shape = [...t.shape, embedding.embeddingDim];
  if (numel(shape) > budget.maxElements) return undefined;
  return shape;
}

/** What the train block is checked against. */
export interface TrainContext {
  model?: ModelConfig;
  head?: HeadConfig;
  /** The prediction's shape (head output, or the RNN output without a head), when the input is known. */
  prediction?: number[];
  /** FLOPs of one forward pass, when the input is known. */
  forwardFlops?: number;
  budget: Budget;
  /** Where `model.dropout` stands, for the dropout-in-training error. */
  dropoutSpan?: Span;
}

/** `train`: loss, target, optimizer, steps, clip_grad_norm. */
export function readTrain(host: ReaderHost, prop: Prop, ctx: TrainContext): TrainBlock | undefined {
  const tr = host.tr;
  if (prop.value.type !== 'object') {
    host.report('error', 'wrong-type', spanOf(prop.value), tr('`train` must be an object such as {"loss": "mse", "target": [...], "optimizer": {"type": "Adam", "lr": 0.01}, "steps": 100}, got {0}', typeWords(prop.value, tr)));
    return undefined;
  }
  let ok = true;
  const fail = (severity: Severity, code: string, span: Span, message: string): void => {
    host.report(severity, code, span, message);
    if (severity === 'error') ok = false;
  };
  const m = host.props(prop.value);
  for (const p of m.values()) if (!TRAIN_KEYS.includes(p.key)) host.unknownKey(p, 'train', TRAIN_KEYS);
  const keySpan = spanOf(prop.keyNode);
  const { model, head } = ctx;

  // PyTorch: model.train() turns dropout on between layers, with random masks.
  if (model && model.dropout > 0 && model.numLayers > 1) {
    fail('error', 'dropout-training', ctx.dropoutSpan ?? keySpan,
      tr('dropout={0} with num_layers={1} is active in training (model.train()): PyTorch zeroes random elements between layers, and RNN Lens does not reproduce those random masks. Set "dropout": 0 to train here.', model.dropout, model.numLayers));
  }

  // loss
  let loss: LossType | undefined;
  const lp = m.get('loss');
  if (!lp) {
    fail('error', 'missing-key', keySpan, tr('missing required key `loss` in train: "mse" (nn.MSELoss()) or "cross_entropy" (nn.CrossEntropyLoss())'));
  } else if (lp.value.type !== 'string' || (lp.value.value !== 'mse' && lp.value.value !== 'cross_entropy')) {
    const written = String(lp.value.value ?? '');
    const guess = /mse|l2|mean.?squared/i.test(written) ? 'mse' : /cross|entropy|ce|nll/i.test(written) ? 'cross_entropy' : undefined;
    fail('error', 'out-of-range', spanOf(lp.value), guess
      ? tr('`loss` must be "mse" or "cross_entropy", got {0}. Did you mean "{1}"?', typeWords(lp.value, tr), guess)
      : tr('`loss` must be "mse" or "cross_entropy", got {0}', typeWords(lp.value, tr)));
  } else {
    loss = lp.value.value as LossType;
    if (loss === 'cross_entropy' && model && !head) {
      fail('error', 'not-for-type', spanOf(lp.value), tr('cross_entropy needs a head: its logits are the outputs of a Linear layer with one output per class. Add "head": {"type": "Linear", "out_features": C}.'));
      loss = undefined;
    }
  }

  // target
  let target: TensorSource | undefined;
  const tp = m.get('target');
  if (!tp) {
    fail('error', 'missing-key', keySpan, tr('missing required key `target` in train: a nested array in the shape of the prediction, or {"rand": shape}'));
  } else {
    target = readTarget(host, tp, loss, ctx, fail);
  }

  // optimizer
  let optimizer: OptimizerConfig | undefined;
  const op = m.get('optimizer');
  if (!op) {
    fail('error', 'missing-key', keySpan, tr('missing required key `optimizer` in train, e.g. {"type": "Adam", "lr": 0.01} or {"type": "SGD", "lr": 0.1}'));
  } else {
    optimizer = readOptimizer(host, op, fail);
  }

  // steps
  let steps: number | undefined;
  const sp = m.get('steps');
  if (!sp) fail('error', 'missing-key', keySpan, tr('missing required key `steps` in train (how many optimizer steps, e.g. 100)'));
  else {
    steps = host.int(sp, 1, tr('how many optimizer steps'));
    if (steps === undefined) ok = false;
  }

  // clip_grad_norm
  let clipGradNorm: number | undefined;
  const cp = m.get('clip_grad_norm');
  if (cp && cp.value.type !== 'null') {
    if (cp.value.type !== 'number' || !Number.isFinite(cp.value.value)) {
      fail('error', 'wrong-type', spanOf(cp.value), tr('`clip_grad_norm` must be a number (max_norm of clip_grad_norm_), got {0}', typeWords(cp.value, tr)));
    } else if (cp.value.value <= 0) {
      fail('error', 'out-of-range', spanOf(cp.value), tr('`clip_grad_norm` must be > 0 (the largest total gradient norm kept), got {0}', cp.value.value));
    } else {
      clipGradNorm = cp.value.value;
    }
  }

  // budget: steps x (forward + backward), before anything runs
  if (steps !== undefined && ctx.forwardFlops !== undefined && sp) {
    const perStep = 3 * ctx.forwardFlops;
    const total = steps * perStep;
    const limit = ctx.budget.maxTrainFlops ?? ctx.budget.maxFlops * 50;
    if (total > limit) {
      fail('error', 'budget', spanOf(sp.value),
        tr('training would take about {0} floating-point operations ({1} steps x {2} per step, forward and backward), more than the limit of {3}: nothing was run. Use fewer steps, a shorter sequence, a smaller batch or smaller sizes (or raise the budget).', groupDigits(total), groupDigits(steps), groupDigits(perStep), groupDigits(limit)));
    }
  }

  if (!ok || !loss || !target || !optimizer || steps === undefined) return undefined;
  const block: TrainBlock = { loss, target, optimizer, steps };
  if (clipGradNorm !== undefined) block.clipGradNorm = clipGradNorm;
  return block;
}

function readTarget(
  host: ReaderHost, tp: Prop, loss: LossType | undefined, ctx: TrainContext,
  fail: (severity: Severity, code: string, span: Span, message: string) => void,
): TensorSource | undefined {
  const tr = host.tr;
  const v = tp.value;
  const pred = ctx.prediction;
  const C = ctx.head?.outFeatures;
  // Without a usable loss the target's shape cannot be judged (one problem at a time).
  const want = !loss ? undefined : pred && loss === 'cross_entropy' ? pred.slice(0, -1) : pred;
  if (v.type === 'object') {
    const m = host.props(v);
    for (const p of m.values()) if (p.key !== 'rand' && p.key !== 'randn') host.unknownKey(p, 'target', ['rand', 'randn']);
    const r = m.get('rand') ?? m.get('randn');
    if (!r) {
      fail('error', 'missing-key', spanOf(tp.keyNode), tr('`target` must be a nested array, or {"rand": shape} / {"randn": shape}'));
      return undefined;
    }
    if (loss === 'cross_entropy') {
      fail('error', 'wrong-type', spanOf(v), tr('cross_entropy takes integer class ids as its target, which rand/randn cannot draw: write them, e.g. [0, 2, 1]'));
      return undefined;
    }
    if (r.value.type !== 'array' || (r.value.children ?? []).length === 0) {
      fail('error', 'wrong-type', spanOf(r.value), tr('"rand" takes a shape, a list of whole numbers such as [3, 5, 10], got {0}', typeWords(r.value, tr)));
      return undefined;
    }
    const shape: number[] = [];
    for (const c of r.value.children ?? []) {
      if (c.type !== 'number' || !Number.isInteger(c.value) || c.value < 1) {
        fail('error', 'wrong-type', spanOf(c), tr('every size in a shape must be a whole number >= 1, got {0}', typeWords(c, tr)));
        return undefined;
      }
      shape.push(c.value);
    }
    if (numel(shape) > ctx.budget.maxElements) {
      fail('error', 'budget', spanOf(r.value), tr('torch.rand({0}) would hold {1} numbers, more than the limit of {2}: nothing was allocated', shape.join(', '), groupDigits(numel(shape)), groupDigits(ctx.budget.maxElements)));
      return undefined;
    }
    if (want && pyList(shape) !== pyList(want)) {
      fail('error', 'shape', spanOf(r.value), mseShapeMessage(tr, shape, want));
      return undefined;
    }
    const normal = !m.get('rand') && !!m.get('randn');
    return normal ? { kind: 'rand', shape, span: spanOf(v), normal } : { kind: 'rand', shape, span: spanOf(v) };
  }
  let tensor: Tensor | undefined;
  if (v.type === 'number' && loss === 'cross_entropy') {
    // A single class id: the target of one unbatched sequence with head "last".
    tensor = { shape: [], data: Float64Array.of(v.value as number) };
  } else if (v.type === 'array') {
    tensor = host.tensor(v, 'target', loss !== 'cross_entropy');
  } else {
    fail('error', 'wrong-type', spanOf(v), tr('`target` must be a nested array, or {"rand": shape} / {"randn": shape}, got {0}', typeWords(v, tr)));
    return undefined;
  }
  if (!tensor) {
    fail('error', 'wrong-type', spanOf(v), tr('`target` could not be read'));
    return undefined;
  }
  if (loss === 'cross_entropy') {
    for (let i = 0; i < tensor.data.length; i++) {
      const y = tensor.data[i];
      const at = v.type === 'array' ? spanOf(elementNode(v, tensor.shape, i)) : spanOf(v);
      if (!Number.isInteger(y)) {
        fail('error', 'wrong-type', at, tr('cross_entropy takes integer class ids (torch.long) as its target, got {0}. For class probabilities or regression use "mse".', y));
        return undefined;
      }
      if (C !== undefined && (y < 0 || y >= C)) {
        // PyTorch: IndexError: Target 5 is out of bounds.
        fail('error', 'out-of-range', at, tr('Target {0} is out of bounds. Class ids go from 0 to {1} (head out_features={2}).', y, C - 1, C));
        return undefined;
      }
    }
  }
  if (want && pyList(tensor.shape) !== pyList(want)) {
    if (loss === 'cross_entropy') {
      fail('error', 'shape', spanOf(v), tr('Expected target size {0}, got {1}: cross_entropy takes one class id per prediction, the prediction\'s shape {2} without its class axis.', pyList(want), pyList(tensor.shape), pyList(pred!)));
    } else {
      fail('error', 'shape', spanOf(v), mseShapeMessage(tr, tensor.shape, want));
    }
    return undefined;
  }
  return { kind: 'literal', tensor, span: spanOf(v) };
}

function mseShapeMessage(tr: Translate, got: readonly number[], want: readonly number[]): string {
  // PyTorch only warns and broadcasts; a document where they differ is an error.
  return tr('Using a target size (torch.Size({0})) that is different to the input size (torch.Size({1})). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.', pyList(got), pyList(want));
}

function readOptimizer(host: ReaderHost, op: Prop, fail: (severity: Severity, code: string, span: Span, message: string) => void): OptimizerConfig | undefined {
  const tr = host.tr;
  const v = op.value;
  if (v.type !== 'object') {
    fail('error', 'wrong-type', spanOf(v), tr('`optimizer` must be an object such as {"type": "Adam", "lr": 0.01}, got {0}', typeWords(v, tr)));
    return undefined;
  }
  const m = host.props(v);
  const tp = m.get('type');
  if (!tp) {
    fail('error', 'missing-key', spanOf(op.keyNode), tr('missing required key `type` in optimizer: "SGD", "Adam" or "AdamW"'));
    return undefined;
  }
  const written = tp.value.type === 'string' ? String(tp.value.value).replace(/^(torch\.)?optim\./, '') : '';
  const type = written === 'SGD' || written === 'Adam' || written === 'AdamW' ? written : undefined;
  if (!type) {
    const guess = ['SGD', 'Adam', 'AdamW'].find((t) => t.toLowerCase() === written.toLowerCase());
    fail('error', 'out-of-range', spanOf(tp.value), guess
      ? tr('unknown optimizer {0}: it must be "SGD", "Adam" or "AdamW". Did you mean "{1}"?', typeWords(tp.value, tr), guess)
      : tr('unknown optimizer {0}: it must be "SGD", "Adam" or "AdamW"', typeWords(tp.value, tr)));
    return undefined;
  }
  const known = type === 'SGD' ? SGD_KEYS : ADAM_KEYS;
  let ok = true;
  for (const p of m.values()) {
    if (!known.includes(p.key)) {
      // PyTorch: TypeError: __init__() got an unexpected keyword argument 'betas'
      fail('error', 'unknown-key', spanOf(p.keyNode), tr("torch.optim.{0}: __init__() got an unexpected keyword argument '{1}'. Its options are {2}.", type, p.key, known.slice(1).join(', ')));
      ok = false;
    }
  }
  const num = (key: string, dflt: number | undefined): number | undefined => {
    const p = m.get(key);
    if (!p) return dflt;
    if (p.value.type !== 'number' || !Number.isFinite(p.value.value)) {
      fail('error', 'wrong-type', spanOf(p.value), tr('`{0}` must be a number, got {1}', key, typeWords(p.value, tr)));
      ok = false;
      return undefined;
    }
    return p.value.value as number;
  };
  const at = (key: string): Span => spanOf(m.get(key)?.value ?? tp.value);
  const lrProp = m.get('lr');
  const lr = num('lr', type === 'SGD' ? undefined : 1e-3);
  if (type === 'SGD' && !lrProp) {
    // PyTorch 1.13: SGD(params) without lr fails in add_param_group with these words.
    fail('error', 'missing-key', spanOf(op.keyNode), tr("parameter group didn't specify a value of required optimization parameter lr: torch.optim.SGD has no default learning rate. Add \"lr\", e.g. 0.1."));
    ok = false;
  }
  if (lr !== undefined) {
    if (lr < 0) {
      fail('error', 'out-of-range', at('lr'), tr('Invalid learning rate: {0}', lr));
      ok = false;
    } else if (lr === 0) {
      fail('error', 'out-of-range', at('lr'), tr('lr=0: every step would leave the parameters unchanged. Use a learning rate > 0, e.g. 0.01.'));
      ok = false;
    }
  }
  const weightDecay = num('weight_decay', type === 'AdamW' ? 1e-2 : 0);
  if (weightDecay !== undefined && weightDecay < 0) {
    fail('error', 'out-of-range', at('weight_decay'), tr('Invalid weight_decay value: {0}', weightDecay));
    ok = false;
  }
  if (type === 'SGD') {
    const momentum = num('momentum', 0);
    const dampening = num('dampening', 0);
    const np = m.get('nesterov');
    const nesterov = np ? host.bool(np) : false;
    if (momentum !== undefined && momentum < 0) {
      fail('error', 'out-of-range', at('momentum'), tr('Invalid momentum value: {0}', momentum));
      ok = false;
    }
    if (nesterov && momentum !== undefined && dampening !== undefined && (momentum <= 0 || dampening !== 0)) {
      fail('error', 'out-of-range', spanOf(np!.keyNode), tr('Nesterov momentum requires a momentum and zero dampening (got momentum={0}, dampening={1})', momentum, dampening));
      ok = false;
    }
    if (!ok || lr === undefined || momentum === undefined || dampening === undefined || nesterov === undefined || weightDecay === undefined) return undefined;
    return { type, lr, momentum, dampening, weightDecay, nesterov };
  }
  const eps = num('eps', 1e-8);
  if (eps !== undefined && eps < 0) {
    fail('error', 'out-of-range', at('eps'), tr('Invalid epsilon value: {0}', eps));
    ok = false;
  }
  let betas: [number, number] | undefined = [0.9, 0.999];
  const bp = m.get('betas');
  if (bp) {
    const kids = bp.value.children ?? [];
    if (bp.value.type !== 'array' || kids.length !== 2 || kids.some((k) => k.type !== 'number')) {
      fail('error', 'wrong-type', spanOf(bp.value), tr('`betas` must be two numbers [beta1, beta2], e.g. [0.9, 0.999], got {0}', typeWords(bp.value, tr)));
      betas = undefined;
      ok = false;
    } else {
      betas = [kids[0].value as number, kids[1].value as number];
      for (let i = 0; i < 2; i++) {
        if (!(betas[i] >= 0 && betas[i] < 1)) {
          fail('error', 'out-of-range', spanOf(kids[i]), tr('Invalid beta parameter at index {0}: {1}', i, betas[i]));
          ok = false;
        }
      }
    }
  }
  const ap = m.get('amsgrad');
  const amsgrad = ap ? host.bool(ap) : false;
  if (!ok || lr === undefined || betas === undefined || eps === undefined || weightDecay === undefined || amsgrad === undefined) return undefined;
  return { type, lr, betas, eps, weightDecay, amsgrad };
}
