/*
 * One time step of torch.nn.LSTM, forward and backward, for a whole batch.
 * Layer: engine. Imports only engine files.
 *
 * PyTorch's equations (gate blocks of W_ih, W_hh, b_ih, b_hh stacked in the order i, f, g, o):
 *
 *   i_t = sigmoid(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)      input gate
 *   f_t = sigmoid(W_if x_t + b_if + W_hf h_{t-1} + b_hf)      forget gate
 *   g_t = tanh   (W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)      cell candidate
 *   o_t = sigmoid(W_io x_t + b_io + W_ho h_{t-1} + b_ho)      output gate
 *   c_t = f_t * c_{t-1} + i_t * g_t
 *   h_t = o_t * tanh(c_t)                 (proj_size = 0)
 *   h_t = W_hr (o_t * tanh(c_t))          (proj_size > 0; the projection is done by the caller)
 *
 * The matrix products `ih = W_ih x + b_ih` and `hh = W_hh h + b_hh` are computed by the
 * caller (unroll.ts) with the kernels; these functions do the element-wise part. Every array
 * is addressed by an offset so that no view is allocated per step.
 */
import { sigmoid } from '../kernels';

/**
 * Forward step. Reads `ih`, `hh` (N x 4H rows), `cPrev` (N x H); writes the activated gates
 * (N x 4H, order i f g o) into `gates`, the new cell state into `cOut` (may alias `cPrev`),
 * and `o * tanh(c)` into `hOut` at `hOff + b * hStride + j`.
 */
export function lstmStep(
  batch: number,
  hiddenSize: number,
  ih: Float64Array, ihOff: number,
  hh: Float64Array, hhOff: number,
  gates: Float64Array, gatesOff: number,
  cPrev: Float64Array, cPrevOff: number,
  cOut: Float64Array, cOutOff: number,
  hOut: Float64Array, hOff: number, hStride: number,
): void {
  const H = hiddenSize;
  const G = 4 * H;
  for (let b = 0; b < batch; b++) {
    const x = ihOff + b * G;
    const y = hhOff + b * G;
    const q = gatesOff + b * G;
    const cp = cPrevOff + b * H;
    const co = cOutOff + b * H;
    const ho = hOff + b * hStride;
    for (let j = 0; j < H; j++) {
      const inputGate = sigmoid(ih[x + j] + hh[y + j]);
      const forgetGate = sigmoid(ih[x + H + j] + hh[y + H + j]);
      const cellCandidate = Math.tanh(ih[x + 2 * H + j] + hh[y + 2 * H + j]);
      const outputGate = sigmoid(ih[x + 3 * H + j] + hh[y + 3 * H + j]);
      const c = forgetGate * cPrev[cp + j] + inputGate * cellCandidate;
      gates[q + j] = inputGate;
      gates[q + H + j] = forgetGate;
      gates[q + 2 * H + j] = cellCandidate;
      gates[q + 3 * H + j] = outputGate;
      cOut[co + j] = c;
      hOut[ho + j] = outputGate * Math.tanh(c);
    }
  }
}

/**
 * Backward step. Given `dM` = dL/d(o * tanh(c_t)) (N x H) and `dC` = dL/dc_t from later steps
 * (N x H, updated in place to dL/dc_{t-1}), writes dL/d(pre-activation gates) into `dPre`
 * (N x 4H at `dPreOff`, order i f g o). Since the pre-activation is `ih + hh`, dPre is the gradient of both.
 */
export function lstmStepBackward(
  batch: number,
  hiddenSize: number,
  gates: Float64Array, gatesOff: number,
  cPrev: Float64Array, cPrevOff: number,
  cNow: Float64Array, cNowOff: number,
  dM: Float64Array,
  dC: Float64Array,
  dPre: Float64Array, dPreOff: number,
): void {
  const H = hiddenSize;
  const G = 4 * H;
  for (let b = 0; b < batch; b++) {
    const q = gatesOff + b * G;
    const p = dPreOff + b * G;
    for (let j = 0; j < H; j++) {
      const inputGate = gates[q + j];
      const forgetGate = gates[q + H + j];
      const cellCandidate = gates[q + 2 * H + j];
      const outputGate = gates[q + 3 * H + j];
      const tanhC = Math.tanh(cNow[cNowOff + b * H + j]);
      const dm = dM[b * H + j];
      const dc = dC[b * H + j] + dm * outputGate * (1 - tanhC * tanhC);
      dPre[p + j] = dc * cellCandidate * inputGate * (1 - inputGate);
      dPre[p + H + j] = dc * cPrev[cPrevOff + b * H + j] * forgetGate * (1 - forgetGate);
      dPre[p + 2 * H + j] = dc * inputGate * (1 - cellCandidate * cellCandidate);
      dPre[p + 3 * H + j] = dm * tanhC * outputGate * (1 - outputGate);
      dC[b * H + j] = dc * forgetGate;
    }
  }
}
