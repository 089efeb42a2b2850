/*
 * One time step of torch.nn.GRU, forward and backward, for a whole batch.
 * Layer: engine. Imports only engine files.
 *
 * PyTorch's equations (gate blocks stacked in the order r, z, n):
 *
 *   r_t = sigmoid(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)           reset gate
 *   z_t = sigmoid(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)           update gate
 *   n_t = tanh(W_in x_t + b_in + r_t * (W_hn h_{t-1} + b_hn))      new gate
 *   h_t = (1 - z_t) * n_t + z_t * h_{t-1}
 *
 * PyTorch: the reset gate multiplies `W_hn h + b_hn` (b_hn inside the product), unlike the
 * original paper; that is why `ih` and `hh` are kept apart here instead of summed.
 */
import { sigmoid } from '../kernels';

/**
 * Forward step. Reads `ih`, `hh` (N x 3H rows) and h_{t-1} at `hPrevOff + b * hPrevStride`;
 * writes the gates r z n (N x 3H) into `gates` and h_t at `hOff + b * hStride`.
 */
export function gruStep(
  batch: number,
  hiddenSize: number,
  ih: Float64Array, ihOff: number,
  hh: Float64Array, hhOff: number,
  gates: Float64Array, gatesOff: number,
  hPrev: Float64Array, hPrevOff: number, hPrevStride: number,
  hOut: Float64Array, hOff: number, hStride: number,
): void {
  const H = hiddenSize;
  const G = 3 * H;
  for (let b = 0; b < batch; b++) {
    const x = ihOff + b * G;
    const y = hhOff + b * G;
    const q = gatesOff + b * G;
    const hp = hPrevOff + b * hPrevStride;
    const ho = hOff + b * hStride;
    for (let j = 0; j < H; j++) {
      const resetGate = sigmoid(ih[x + j] + hh[y + j]);
      const updateGate = sigmoid(ih[x + H + j] + hh[y + H + j]);
      const newGate = Math.tanh(ih[x + 2 * H + j] + resetGate * hh[y + 2 * H + j]);
      gates[q + j] = resetGate;
      gates[q + H + j] = updateGate;
      gates[q + 2 * H + j] = newGate;
      hOut[ho + j] = (1 - updateGate) * newGate + updateGate * hPrev[hp + j];
    }
  }
}

/**
 * Backward step. From dH = dL/dh_t (N x H) writes dL/d(ih) into `dIh` and dL/d(hh) into
 * `dHh` (both N x 3H), and the direct part of dL/dh_{t-1} (through z * h_{t-1}) into
 * `dHPrev` (N x H); the caller adds dHh W_hh to it.
 */
export function gruStepBackward(
  batch: number,
  hiddenSize: number,
  gates: Float64Array, gatesOff: number,
  hh: Float64Array, hhOff: number,
  hPrev: Float64Array, hPrevOff: number, hPrevStride: number,
  dH: Float64Array,
  dIh: Float64Array, dIhOff: number,
  dHh: Float64Array, dHhOff: number,
  dHPrev: Float64Array,
): void {
  const H = hiddenSize;
  const G = 3 * H;
  for (let b = 0; b < batch; b++) {
    const q = gatesOff + b * G;
    const y = hhOff + b * G;
    const p = dIhOff + b * G;
    const hhRow = dHhOff + b * G;
    for (let j = 0; j < H; j++) {
      const resetGate = gates[q + j];
      const updateGate = gates[q + H + j];
      const newGate = gates[q + 2 * H + j];
      const hp = hPrev[hPrevOff + b * hPrevStride + j];
      const dh = dH[b * H + j];
      const dNewPre = dh * (1 - updateGate) * (1 - newGate * newGate);
      const dUpdatePre = dh * (hp - newGate) * updateGate * (1 - updateGate);
      const dResetPre = dNewPre * hh[y + 2 * H + j] * resetGate * (1 - resetGate);
      dIh[p + j] = dResetPre;
      dIh[p + H + j] = dUpdatePre;
      dIh[p + 2 * H + j] = dNewPre;
      dHh[hhRow + j] = dResetPre;
      dHh[hhRow + H + j] = dUpdatePre;
      dHh[hhRow + 2 * H + j] = dNewPre * resetGate;
      dHPrev[b * H + j] = dh * updateGate;
    }
  }
}
