/*
 * torch.optim.Adam (PyTorch 1.13, _single_tensor_adam, maximize=False, capturable=False), per
 * parameter p with gradient g, step t = 1, 2, ...:
 *   if weight_decay != 0:  g = g + weight_decay * p
 *   m = beta1 * m + (1 - beta1) * g
 *   v = beta2 * v + (1 - beta2) * g * g
 *   bias_correction1 = 1 - beta1^t;  bias_correction2 = 1 - beta2^t
 *   step_size = lr / bias_correction1
 *   if amsgrad:  v_max = max(v_max, v);  denom = sqrt(v_max) / sqrt(bias_correction2) + eps
 *   else:        denom = sqrt(v) / sqrt(bias_correction2) + eps       (eps AFTER the division)
 *   p = p - step_size * m / denom
 * AdamW (./adamw.ts) differs only in the weight decay: p = p * (1 - lr * weight_decay) first.
 * Layer: engine. Imports engine files only.
 */
import type { AdamConfig } from '../types';
import type { Optimizer, ParamSlot } from './optimizer';

export class Adam implements Optimizer {
  private t = 0;
  private m: Float64Array[] = [];
  private v: Float64Array[] = [];
  private vMax: Float64Array[] = [];

  /** `decoupled`: AdamW's weight decay (p *= 1 - lr * wd before the moments) instead of Adam's (g += wd * p). */
  constructor(private readonly config: AdamConfig, private readonly decoupled = false) {}

  step(params: readonly ParamSlot[]): void {
    const { lr, betas, eps, weightDecay, amsgrad } = this.config;
    const [beta1, beta2] = betas;
    this.t += 1;
    const t = this.t;
    const bc1 = 1 - Math.pow(beta1, t);
    const bc2 = 1 - Math.pow(beta2, t);
    const stepSize = lr / bc1;
    const bc2Sqrt = Math.sqrt(bc2);
    const decay = this.decoupled ? 1 - lr * weightDecay : 1;
    params.forEach((p, k) => {
      const { data, grad } = p;
      const n = data.length;
      const m = (this.m[k] ??= new Float64Array(n));
      const v = (this.v[k] ??= new Float64Array(n));
      const vMax = amsgrad ? (this.vMax[k] ??= new Float64Array(n)) : null;
      if (!vMax && weightDecay === 0) {
        // The common case without branches in the loop (same arithmetic as below).
        for (let i = 0; i < n; i++) {
          const g = grad[i];
          const mi = beta1 * m[i] + (1 - beta1) * g;
          const vi = beta2 * v[i] + (1 - beta2) * g * g;
          m[i] = mi;
          v[i] = vi;
          data[i] -= stepSize * (mi / (Math.sqrt(vi) / bc2Sqrt + eps));
        }
        return;
      }
      for (let i = 0; i < n; i++) {
        let g = grad[i];
        if (this.decoupled) {
          if (weightDecay !== 0) data[i] *= decay;
        } else if (weightDecay !== 0) {
          g += weightDecay * data[i];
        }
        const mi = beta1 * m[i] + (1 - beta1) * g;
        const vi = beta2 * v[i] + (1 - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        let denomV = vi;
        if (vMax) {
          if (vi > vMax[i] || Number.isNaN(vi)) vMax[i] = vi;
          denomV = vMax[i];
        }
        const denom = Math.sqrt(denomV) / bc2Sqrt + eps;
        data[i] -= stepSize * (mi / denom);
      }
    });
  }
}
