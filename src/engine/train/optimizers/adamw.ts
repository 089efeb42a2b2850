/*
 * torch.optim.AdamW (PyTorch 1.13, _single_tensor_adamw), per parameter p with gradient g, step t:
 *   p = p * (1 - lr * weight_decay)                                     (decoupled decay, FIRST)
 *   m = beta1 * m + (1 - beta1) * g
 *   v = beta2 * v + (1 - beta2) * g * g
 *   step_size = lr / (1 - beta1^t)
 *   denom = sqrt(v or v_max with amsgrad) / sqrt(1 - beta2^t) + eps
 *   p = p - step_size * m / denom
 * Defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 1e-2, amsgrad False.
 * Layer: engine. Imports engine files only.
 */
import type { AdamConfig } from '../types';
import { Adam } from './adam';

/** AdamW: Adam's moments with the decoupled weight decay. */
export class AdamW extends Adam {
  constructor(config: AdamConfig) {
    super(config, true);
  }
}
