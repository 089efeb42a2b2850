/*
 * nn.CrossEntropyLoss() (reduction='mean', no weights, no label smoothing, ignore_index unused):
 * loss and its gradient with respect to the logits.
 * Layer: engine. Imports nothing.
 *
 * PyTorch 1.13 (cross_entropy = nll_loss(log_softmax(input, 1), target)), over M rows of C logits:
 *   log_softmax(x)_c = x_c - max(x) - log(sum_j exp(x_j - max(x)))     (stable: the max is subtracted first)
 *   loss = -(1 / M) * sum_m log_softmax(x_m)_{y_m}
 *   d loss / d x_{m,c} = (softmax(x_m)_c - [c == y_m]) / M
 * A class id outside [0, C) is PyTorch's "Target {id} is out of bounds." (IndexError).
 */

/**
 * `logits` holds M rows of C values (row-major), `target` M class ids. Writes the gradient into
 * `grad` (M * C) and returns the mean loss.
 */
export function crossEntropyLoss(logits: Float64Array, target: Float64Array, C: number, grad: Float64Array): number {
  const M = target.length;
  let total = 0;
  for (let m = 0; m < M; m++) {
    const y = target[m];
    if (!Number.isInteger(y) || y < 0 || y >= C) throw new Error(`Target ${y} is out of bounds.`);
    const off = m * C;
    let max = -Infinity;
    for (let c = 0; c < C; c++) if (logits[off + c] > max) max = logits[off + c];
    // exp once per logit: kept in grad, then scaled to softmax / M.
    let sum = 0;
    for (let c = 0; c < C; c++) {
      const e = Math.exp(logits[off + c] - max);
      grad[off + c] = e;
      sum += e;
    }
    const logSum = Math.log(sum);
    total -= logits[off + y] - max - logSum;
    const scale = 1 / (sum * M);
    for (let c = 0; c < C; c++) grad[off + c] *= scale;
    grad[off + y] -= 1 / M;
  }
  return total / M;
}
