/*
 * nn.MSELoss() (reduction='mean'): loss and its gradient with respect to the prediction.
 * Layer: engine. Imports nothing.
 *
 * PyTorch 1.13 (torch.nn.functional.mse_loss, same shapes):
 *   loss = mean((input - target)^2)                       over all n elements
 *   d loss / d input = 2 * (input - target) / n
 */

/** Writes d loss / d prediction into `grad` (same length) and returns the loss. */
export function mseLoss(prediction: Float64Array, target: Float64Array, grad: Float64Array): number {
  const n = prediction.length;
  let sum = 0;
  const scale = 2 / n;
  for (let i = 0; i < n; i++) {
    const d = prediction[i] - target[i];
    sum += d * d;
    grad[i] = scale * d;
  }
  return sum / n;
}
