/*
 * nn.Embedding(num_embeddings, embedding_dim): a lookup table, forward and backward.
 * Layer: engine. Imports engine types only.
 *
 * PyTorch 1.13 (torch.nn.Embedding, padding_idx=None, max_norm=None):
 *   init:     weight ~ N(0, 1) via weight.normal_(0, 1)   (the same bits as torch.randn(V, E))
 *   forward:  out[..., :] = weight[ids[...], :]           (out has ids' shape + (E,))
 *   backward: grad_weight[v, :] = sum over positions p with ids[p] == v of grad_out[p, :]
 *             (embedding_dense_backward: a scatter-add; rows never looked up get 0)
 */
import type { Tensor } from '../types';

/** Check ids: integers in [0, numEmbeddings). Returns PyTorch's message for the first bad one, or undefined. */
export function checkIds(ids: Float64Array, numEmbeddings: number): string | undefined {
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i];
    // PyTorch: IndexError: index out of range in self
    if (!Number.isInteger(v) || v < 0 || v >= numEmbeddings) return `index out of range in self (id ${v} at position ${i}; ids must be integers 0 <= id < ${numEmbeddings})`;
  }
  return undefined;
}

/** out = weight[ids]: ids shaped S -> out shaped S + (E). `out` is reused when given and large enough. */
export function embeddingForward(weight: Tensor, ids: Tensor, out?: Float64Array): Tensor {
  const [V, E] = weight.shape;
  const n = ids.data.length;
  const problem = checkIds(ids.data, V);
  if (problem) throw new Error(problem);
  const data = out && out.length === n * E ? out : new Float64Array(n * E);
  const w = weight.data;
  for (let i = 0; i < n; i++) {
    const row = ids.data[i] * E;
    for (let j = 0; j < E; j++) data[i * E + j] = w[row + j];
  }
  return { shape: [...ids.shape, E], data };
}

/** grad_weight += scatter-add of gradOut (ids' shape + (E)) into the rows the ids name. */
export function embeddingBackwardAccumulate(ids: Float64Array, gradOut: Float64Array, E: number, gradWeight: Float64Array): void {
  for (let i = 0; i < ids.length; i++) {
    const row = ids[i] * E;
    for (let j = 0; j < E; j++) gradWeight[row + j] += gradOut[i * E + j];
  }
}
