/*
 * torch.optim.SGD (PyTorch 1.13, _single_tensor_sgd, maximize=False), per parameter p with gradient g:
 *   d_p = g
 *   if weight_decay != 0:  d_p = d_p + weight_decay * p
 *   if momentum != 0:
 *     if buf is None:  buf = clone(d_p)                                 (first step: no dampening)
 *     else:            buf = momentum * buf + (1 - dampening) * d_p
 *     if nesterov:     d_p = d_p + momentum * buf
 *     else:            d_p = buf
 *   p = p - lr * d_p
 * Layer: engine. Imports engine files only.
 */
import type { SgdConfig } from '../types';
import type { Optimizer, ParamSlot } from './optimizer';

export class Sgd implements Optimizer {
  private buffers: (Float64Array | null)[] = [];

  constructor(private readonly config: SgdConfig) {}

  step(params: readonly ParamSlot[]): void {
    const { lr, momentum, dampening, weightDecay, nesterov } = this.config;
    params.forEach((p, k) => {
      const { data, grad } = p;
      let buf = this.buffers[k] ?? null;
      const first = buf === null;
      if (momentum !== 0 && buf === null) buf = this.buffers[k] = new Float64Array(data.length);
      for (let i = 0; i < data.length; i++) {
        let d = grad[i];
        if (weightDecay !== 0) d += weightDecay * data[i];
        if (buf) {
          const b = first ? d : momentum * buf[i] + (1 - dampening) * d;
          buf[i] = b;
          d = nesterov ? d + momentum * b : b;
        }
        data[i] -= lr * d;
      }
    });
  }
}
