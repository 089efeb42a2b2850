/*
 * Shapes without tensors: what PyTorch's RNN/LSTM/GRU (and the Linear head) take and return,
 * parameter counts, bytes and FLOPs, for hovers and the document's shape table.
 * Layer: engine. Imports ./types and ./params only (no vscode, no DOM, no Node).
 *
 * Shapes (D = 2 if bidirectional else 1, H_out = proj_size or hidden_size):
 *   input   (L, N, input_size) | (N, L, input_size) with batch_first | (L, input_size) unbatched
 *   output  (L, N, D*H_out)    | (N, L, D*H_out)                     | (L, D*H_out)
 *   h0, h_n (D*num_layers, N, H_out)      (batch_first never applies) | (D*num_layers, H_out)
 *   c0, c_n (D*num_layers, N, hidden_size) LSTM only                  | (D*num_layers, hidden_size)
 *   head    (N, out_features)                                          | (out_features)
 */
import type { Dim, HeadConfig, ModelConfig, ShapeReport } from './types';
import { GATES, hiddenOutSize, numDirections, parameterInfos } from './params';

/**
 * Shapes, parameters and cost of `model` (and `head`).
 *
 * `inputShape` is the shape of the input tensor when known: 3-D is batched (N and L read
 * according to batchFirst), 2-D is unbatched (L, input_size). Without it the batched shapes
 * are reported with the symbols 'N' and 'L'. Throws an Error worded like PyTorch's when the
 * input shape cannot be fed to the model (wrong rank or last dimension != input_size).
 *
 * FLOPs: 2 per multiply-add of the matrix products only, that is W_ih x, W_hh h and (LSTM
 * with projection) W_hr h for every layer and direction, and the head's W x. Bias additions,
 * activations (sigmoid, tanh, relu) and the elementwise gate arithmetic are NOT counted
 * (they are O(H) against O(H^2) per step). Per layer and direction one step costs
 * 2 * G * hidden_size * (in + H_out) [+ 2 * proj_size * hidden_size], with in = input_size for
 * layer 0 and D * H_out above it, G = 1/4/3. `flopsPerStep` sums this over layers and
 * directions and multiplies by N when N is known (unbatched counts N = 1; symbolic N reports
 * per sample). `flopsPerSequence` = flopsPerStep * L when L is known. The head runs once per
 * sequence: `headFlops` = 2 * out_features * D * H_out (times N when known), kept separate.
 */
export function shapeReport(model: ModelConfig, head?: HeadConfig, inputShape?: number[]): ShapeReport {
  const D = numDirections(model);
  const hOut = hiddenOutSize(model);
  const H = model.hiddenSize;
  const isLstm = model.type === 'LSTM';
  const stateRows = D * model.numLayers;

  let batch: Dim = 'N';
  let seqLen: Dim = 'L';
  let unbatched = false;
  if (inputShape) {
    if (inputShape.length !== 2 && inputShape.length !== 3) {
      // PyTorch 1.13: an input that is not 3-D is taken as unbatched and unsqueezed before the
      // check, so torch's message counts one dimension more than the user's tensor has.
      throw new Error(`input must have 3 dimensions, got ${inputShape.length + 1}`);
    }
    const last = inputShape[inputShape.length - 1];
    if (last !== model.inputSize) {
      throw new Error(`input.size(-1) must be equal to input_size. Expected ${model.inputSize}, got ${last}`);
    }
    if (inputShape.length === 2) {
      unbatched = true;
      seqLen = inputShape[0];
    } else if (model.batchFirst) {
      batch = inputShape[0];
      seqLen = inputShape[1];
    } else {
      seqLen = inputShape[0];
      batch = inputShape[1];
    }
  }

  const seqAndBatch = (last: number): Dim[] =>
    unbatched ? [seqLen, last] : model.batchFirst ? [batch, seqLen, last] : [seqLen, batch, last];
  const state = (size: number): Dim[] => (unbatched ? [stateRows, size] : [stateRows, batch, size]);

  const params = parameterInfos(model, head);
  const paramCount = params.reduce((sum, p) => sum + p.shape.reduce((a, b) => a * b, 1), 0);

  const G = GATES[model.type].length;
  let perSample = 0;
  for (let layer = 0; layer < model.numLayers; layer++) {
    const inSize = layer === 0 ? model.inputSize : D * hOut;
    let perDirection = 2 * G * H * (inSize + hOut);
    if (isLstm && model.projSize > 0) perDirection += 2 * model.projSize * H;
    perSample += D * perDirection;
  }
  const batchFactor = unbatched ? 1 : typeof batch === 'number' ? batch : 1;
  const flopsPerStep = perSample * batchFactor;

  const report: ShapeReport = {
    input: seqAndBatch(model.inputSize),
    output: seqAndBatch(D * hOut),
    h0: state(hOut),
    hN: state(hOut),
    params,
    paramCount,
    weightBytes: 4 * paramCount,
    flopsPerStep,
  };
  if (typeof seqLen === 'number') report.flopsPerSequence = flopsPerStep * seqLen;
  if (isLstm) {
    report.c0 = state(H);
    report.cN = state(H);
  }
  if (head && head.on === 'all') {
    // Linear on every step: the output's shape with out_features last, L times the FLOPs.
    report.head = seqAndBatch(head.outFeatures);
    report.headFlops = 2 * head.outFeatures * D * hOut * batchFactor * (typeof seqLen === 'number' ? seqLen : 1);
  } else if (head) {
    report.head = unbatched ? [head.outFeatures] : [batch, head.outFeatures];
    report.headFlops = 2 * head.outFeatures * D * hOut * batchFactor;
  }
  return report;
}
