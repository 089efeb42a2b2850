/*
 * Turns a model read from a PyTorch snippet into the RNN document (docs/rnn-document.md):
 * the JSON text "Unroll" runs and "Open as JSON" opens. Unresolved fields are left out, so the
 * document reader points at exactly what the user must fill in.
 * Layer: python (pure). May import engine types; no vscode, DOM or Node.
 */
import type { SnippetModel } from './snippet';
import { english, formatMsg, msg, type Msg, type Translate } from './messages';

/** Sequence length and batch used when the snippet has no torch.rand/torch.randn input. */
export const DEFAULT_SEQ_LEN = 5;
export const DEFAULT_BATCH = 1;

/** The input the view will use: the snippet's, or a small default (then `assumed` is a note). */
export function effectiveInput(model: SnippetModel): { kind: 'rand' | 'randn'; shape?: number[]; assumed?: Msg } {
  const emb = documentEmbedding(model);
  if (emb) {
    const shape = [...emb.idsShape, emb.embeddingDim];
    return { kind: 'rand', shape, assumed: msg('The token ids are not read from the snippet; the view feeds ids 0, 1, 2, ... of shape ({0}) to nn.Embedding({1}, {2}).', emb.idsShape.join(', '), emb.numEmbeddings, emb.embeddingDim) };
  }
  if (model.input?.shape) {
    if (model.input.drawn === false) {
      const call = `torch.${model.input.kind}(${model.input.shape.join(', ')})`;
      return { kind: model.input.kind, shape: model.input.shape, assumed: msg('The snippet\'s input is not a torch.rand or torch.randn draw; the view uses {0}, of the same shape.', call) };
    }
    return { kind: model.input.kind, shape: model.input.shape };
  }
  const c = model.config;
  if (c.inputSize === undefined) return { kind: model.input?.kind ?? 'rand' };
  const shape = c.batchFirst ? [DEFAULT_BATCH, DEFAULT_SEQ_LEN, c.inputSize] : [DEFAULT_SEQ_LEN, DEFAULT_BATCH, c.inputSize];
  const kind = model.input?.kind ?? 'rand';
  const call = `torch.${kind}(${shape.join(', ')})`;
  return {
    kind,
    shape,
    assumed: model.input
      ? msg('The input shape could not be read; the view uses {0}.', call)
      : msg('No torch.rand or torch.randn input was found; the view uses {0}.', call),
  };
}

/**
 * The embedding block of the document when the model's input comes from an nn.Embedding whose
 * sizes are known and fit the model (embedding_dim = input_size): its sizes and the shape of the
 * token ids (the model input without its feature axis; a default when the input is unknown).
 */
export function documentEmbedding(model: SnippetModel): { numEmbeddings: number; embeddingDim: number; idsShape: number[]; assumed: boolean } | undefined {
  const e = model.embedding;
  if (!e || model.cell || e.numEmbeddings === undefined || e.embeddingDim === undefined || e.numEmbeddings < 1) return undefined;
  if (model.config.inputSize !== undefined && model.config.inputSize !== e.embeddingDim) return undefined;
  const first = model.calls[0];
  if (first?.input && !first.packed && first.input.length >= 2 && first.input[first.input.length - 1] === e.embeddingDim) {
    return { numEmbeddings: e.numEmbeddings, embeddingDim: e.embeddingDim, idsShape: first.input.slice(0, -1), assumed: false };
  }
  const idsShape = model.config.batchFirst ? [DEFAULT_BATCH, DEFAULT_SEQ_LEN] : [DEFAULT_SEQ_LEN, DEFAULT_BATCH];
  return { numEmbeddings: e.numEmbeddings, embeddingDim: e.embeddingDim, idsShape, assumed: true };
}

/** Token ids 0, 1, 2, ... (modulo the vocabulary) in a nested array of `shape`. */
export function tokenIds(shape: readonly number[], vocab: number): unknown {
  let next = 0;
  const build = (d: number): unknown => {
    if (d === shape.length) {
      const v = next % vocab;
      next++;
      return v;
    }
    return Array.from({ length: shape[d] }, () => build(d + 1));
  };
  return build(0);
}

/** The document as a plain object with PyTorch's key names, in the documented key order. */
export function toRnnDocumentObject(model: SnippetModel, description?: string, t: Translate = english): Record<string, unknown> {
  if (model.cell) return cellDocumentObject(model, description, t);
  const c = model.config;
  const m: Record<string, unknown> = { type: model.type };
  if (c.inputSize !== undefined) m.input_size = c.inputSize;
  if (c.hiddenSize !== undefined) m.hidden_size = c.hiddenSize;
  if (c.numLayers !== undefined) m.num_layers = c.numLayers;
  if (model.type === 'RNN' && c.nonlinearity !== undefined) m.nonlinearity = c.nonlinearity;
  if (c.bias !== undefined) m.bias = c.bias;
  if (c.batchFirst !== undefined) m.batch_first = c.batchFirst;
  if (c.dropout !== undefined) m.dropout = c.dropout;
  if (c.bidirectional !== undefined) m.bidirectional = c.bidirectional;
  if (model.type === 'LSTM' && c.projSize !== undefined) m.proj_size = c.projSize;
  const doc: Record<string, unknown> = {};
  if (description) doc.description = description;
  doc.model = m;
  if (model.head) {
    const h: Record<string, unknown> = { type: 'Linear' };
    if (model.head.outFeatures !== undefined) h.out_features = model.head.outFeatures;
    // PyTorch: Linear(bias=False) has no head.bias; the document format keeps the key only when false.
    if (!model.head.bias) h.bias = false;
    doc.head = h;
  }
  const emb = documentEmbedding(model);
  if (emb) doc.embedding = { num_embeddings: emb.numEmbeddings, embedding_dim: emb.embeddingDim };
  if (model.seed) doc.seed = model.seed.value;
  const input = effectiveInput(model);
  if (emb) doc.input = tokenIds(emb.idsShape, emb.numEmbeddings);
  else if (input.shape) doc.input = { [input.kind]: input.shape };
  const train = documentTrain(model, emb ? emb.idsShape : input.shape?.slice(0, -1));
  if (train) {
    doc.train = train.block;
    if (train.note) doc.description = doc.description ? `${doc.description as string} ${formatMsg(train.note, t)}` : formatMsg(train.note, t);
    if (!description && doc.description !== undefined) {
      // Keep `description` the document's first key.
      const { description: d, ...rest } = doc;
      return { description: d, ...rest };
    }
  }
  return doc;
}

/**
 * The `train` block for a model whose file trains it (docs "Training: the train block"): only
 * when both the loss and the optimizer are known; what the file does not determine is left out.
 * `lead`: the input's shape without its feature axis ((L, N), (N, L) or (L)). The target is never
 * read from the file: it is drawn (mse) or class ids 0, 1, 2, ... (cross_entropy), with a note.
 */
export function documentTrain(model: SnippetModel, lead: readonly number[] | undefined): { block: Record<string, unknown>; note?: Msg } | undefined {
  const tr = model.training;
  if (!tr?.loss || !tr.optimizer || model.cell) return undefined;
  const block: Record<string, unknown> = { loss: tr.loss };
  const c = model.config;
  // The prediction's shape: the head on the last step, or the RNN's output.
  let pred: number[] | undefined;
  if (lead && (lead.length === 1 || lead.length === 2)) {
    const batched = lead.length === 2;
    const n = batched ? (c.batchFirst ? lead[0] : lead[1]) : undefined;
    if (model.head) {
      const out = model.head.outFeatures;
      if (out !== undefined) pred = n !== undefined ? [n, out] : [out];
    } else if (c.hiddenSize !== undefined) {
      const hOut = (c.projSize ?? 0) > 0 ? c.projSize! : c.hiddenSize;
      const f = (c.bidirectional ? 2 : 1) * hOut;
      pred = [...lead, f];
    }
  }
  let note: Msg | undefined;
  if (pred && tr.loss === 'mse') {
    block.target = { rand: pred };
    note = msg('The training target is not read from the snippet: the train block draws one with torch.rand({0}); replace it with your target.', pred.join(', '));
  } else if (pred && tr.loss === 'cross_entropy' && model.head) {
    const shape = pred.slice(0, -1);
    const classes = pred[pred.length - 1];
    block.target = shape.length === 0 ? 0 : tokenIds(shape, classes);
    note = msg('The training target is not read from the snippet: the train block uses class ids 0, 1, 2, ...; replace them with your target.');
  }
  const o: Record<string, unknown> = { type: tr.optimizer.type };
  for (const k of ['lr', 'momentum', 'dampening', 'weight_decay', 'nesterov', 'betas', 'eps', 'amsgrad'] as const) {
    const v = tr.optimizer[k];
    if (v !== undefined) o[k] = v;
  }
  block.optimizer = o;
  if (tr.steps !== undefined) block.steps = tr.steps;
  if (tr.clipGradNorm !== undefined) block.clip_grad_norm = tr.clipGradNorm;
  return { block, note };
}

/**
 * The RNN document JSON text for a model read from a snippet (two-space indent, arrays of
 * numbers on one line).
 */
export function toRnnDocument(model: SnippetModel, description?: string, t: Translate = english): string {
  const text = JSON.stringify(toRnnDocumentObject(model, description, t), null, 2);
  // Keep short number arrays on one line: "[\n 3,\n 5\n]" -> "[3, 5]".
  return text.replace(/\[\s*(-?[\d.e+-]+(?:,\s*-?[\d.e+-]+)*)\s*\]/g, (_w, inner: string) => `[${inner.split(/,\s*/).join(', ')}]`) + '\n';
}

/**
 * A cell's document (README "Cells"): the cell's arguments, the seed, and as input the sequence
 * its loop over time walks (time first), or the one step it is called on; hx is left to zeros.
 */
export function cellDocumentObject(model: SnippetModel, description?: string, t: Translate = english): Record<string, unknown> {
  const c = model.config;
  const m: Record<string, unknown> = { type: model.moduleType ?? `${model.type}Cell` };
  if (c.inputSize !== undefined) m.input_size = c.inputSize;
  if (c.hiddenSize !== undefined) m.hidden_size = c.hiddenSize;
  if (c.bias === false) m.bias = false;
  if (model.moduleType === 'RNNCell' && c.nonlinearity !== undefined && c.nonlinearity !== 'tanh') m.nonlinearity = c.nonlinearity;
  const notes: Msg[] = [];
  const loop = model.cellLoop;
  const kind = loop?.draw ?? model.input?.kind ?? 'rand';
  let shape: number[] | undefined;
  if (loop?.sequence) {
    shape = loop.sequence;
    if (loop.timeAxis !== 0) notes.push(msg('The loop walks {0} along dim {1}; the view draws the sequence time first, torch.{2}({3}), so its numbers are not the snippet\'s.', loop.source, loop.timeAxis, kind, shape.join(', ')));
    else if (!loop.draw) notes.push(msg('The snippet\'s input is not a torch.rand or torch.randn draw; the view uses {0}, of the same shape.', `torch.${kind}(${shape.join(', ')})`));
  } else {
    const step = model.calls[0]?.input;
    shape = step && (step.length === 1 || step.length === 2) ? step : undefined;
    if (!shape && c.inputSize !== undefined) {
      shape = [DEFAULT_SEQ_LEN, DEFAULT_BATCH, c.inputSize];
      notes.push(msg('No torch.rand or torch.randn input was found; the view uses {0}.', `torch.${kind}(${shape.join(', ')})`));
    }
  }
  const doc: Record<string, unknown> = {};
  const words = [description, ...notes.map((n) => formatMsg(n, t))].filter((x): x is string => !!x);
  if (words.length > 0) doc.description = words.join(' ');
  doc.model = m;
  if (model.seed) doc.seed = model.seed.value;
  if (shape) {
    doc.input = { [kind]: shape };
    // A 2-D sequence (L, in) is a loop only when said; a 3-D one always is.
    if (loop?.sequence && shape.length === 2) doc.loop = true;
  }
  return doc;
}
