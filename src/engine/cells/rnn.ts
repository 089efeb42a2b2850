/*
 * One time step of torch.nn.RNN (Elman RNN), forward and backward, for a whole batch.
 * Layer: engine. Imports nothing outside the engine.
 *
 * PyTorch's equation:
 *
 *   h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)      nonlinearity='tanh' (default)
 *   h_t = relu(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)      nonlinearity='relu'
 *
 * The matrix products `ih = W_ih x + b_ih` and `hh = W_hh h + b_hh` are computed by the
 * caller (unroll.ts); this file does the element-wise part.
 */

/** Forward step: h = act(ih + hh), written at `hOff + b * hStride + j`. */
export function rnnStep(
  batch: number,
  hiddenSize: number,
  relu: boolean,
  ih: Float64Array, ihOff: number,
  hh: Float64Array, hhOff: number,
  hOut: Float64Array, hOff: number, hStride: number,
): void {
  const H = hiddenSize;
  for (let b = 0; b < batch; b++) {
    const x = ihOff + b * H;
    const y = hhOff + b * H;
    const o = hOff + b * hStride;
    for (let j = 0; j < H; j++) {
      const preActivation = ih[x + j] + hh[y + j];
      hOut[o + j] = relu ? (preActivation > 0 ? preActivation : 0) : Math.tanh(preActivation);
    }
  }
}

/**
 * Backward step: dPre = dL/d(ih + hh) from dH = dL/dh_t (N x H) and the step's output h_t.
 * PyTorch: relu's gradient is 0 where the pre-activation is <= 0 (h_t = 0 exactly there).
 */
export function rnnStepBackward(
  batch: number,
  hiddenSize: number,
  relu: boolean,
  h: Float64Array, hOff: number, hStride: number,
  dH: Float64Array,
  dPre: Float64Array, dPreOff: number,
): void {
  const H = hiddenSize;
  for (let b = 0; b < batch; b++) {
    const o = hOff + b * hStride;
    for (let j = 0; j < H; j++) {
      const hj = h[o + j];
      const dh = dH[b * H + j];
      dPre[dPreOff + b * H + j] = relu ? (hj > 0 ? dh : 0) : dh * (1 - hj * hj);
    }
  }
}
