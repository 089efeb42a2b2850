/*
 * Every English string the RNN Lab panel shows, in one place. The host translates them with
 * vscode.l10n.t (Japanese in l10n/bundle.l10n.ja.json) and sends them in the 'init' message; the
 * lab webview has no strings of its own. `{0}`-style placeholders are filled in by the webview.
 * Layer: extension, but PURE: no vscode import (the translator is passed in).
 */

/** Key -> English text. Keys are what the webview asks for; the English is the l10n key. */
export const LAB_STRINGS = {
  panelTitle: 'RNN Lab',
  waiting: 'Run "RNN: Long Memory Experiment" or "RNN: Train Language Model on Selection" to fill the lab.',
  stop: 'Stop',
  rerun: 'Run again',
  running: 'Training model {0} of {1}: {2} at L = {3}, seed {4}, step {5} of {6}',
  finished: 'Done: {0} models trained.',
  stopped: 'Stopped: {0} of {1} models trained. The results so far stay.',
  failed: 'The experiment failed: {0}',
  lmTitle: 'Long memory: the answer is the first step',
  lmTaskRegression: 'Each sequence holds up to {0} random numbers; the answer is the first one. Loss: mean squared error on {1} fresh sequences the models never saw (predicting 0 scores about 1).',
  lmTaskClassification: 'Each sequence starts with one of {0} classes, followed by noise tokens; the answer is the first token. Accuracy on {1} fresh sequences the models never saw (guessing scores {2}).',
  lmSetup: 'The same {0} training sequences, {5} per step, {1} steps of Adam (lr {2}), hidden size {3}, seeds {4}: same data, same budget, same initial seed for RNN, LSTM and GRU.',
  lmInitDeviation: 'One deviation from PyTorch\'s initialisation, for the LSTM only: the bias of its forget gate starts {0} higher and that of its input gate {1} lower (at the start the forget gate is about {2} and the input gate about {3}), so it begins by keeping its cell state and letting little in. RNN and GRU start exactly as PyTorch initialises them.',
  lmInitDefault: 'Every model starts exactly as PyTorch initialises it (the LSTM\'s gate biases too).',
  lmChartLoss: 'Test loss against sequence length (mean over seeds; bars: lowest to highest)',
  lmChartAccuracy: 'Test accuracy against sequence length (mean over seeds; bars: lowest to highest)',
  lmChartGrad: 'Gradient norm per training step (L = {0}, seed {1})',
  lmChartFade: 'How much the loss hears each step at initialisation: ||dLoss/dx_t|| (L = {0}, seed {1})',
  lmAxisLength: 'sequence length L',
  lmAxisStep: 'training step',
  lmAxisTime: 'time step t',
  lmChance: 'chance',
  lmBaseline: 'predict 0',
  lmTable: 'Numbers',
  lmTableCaption: 'Test {0} per model and length: mean (lowest – highest) over seeds; train {0} after the last step in the second line.',
  lmColumnLength: 'L',
  lmMetricAccuracy: 'accuracy',
  lmMetricLoss: 'loss',
  lmTrain: 'train',
  lmLengthPick: 'Length shown in the lower charts',
  lmWhyTitle: 'What you see, and why',
  lmWhy1: 'The plain RNN rewrites its whole state h at every step: h_t = tanh(W_ih x_t + W_hh h_{t-1} + b). What the first step wrote is multiplied by W_hh and squashed by tanh again and again, so it fades, and the gradient that should teach the model to keep it fades the same way: the lower right chart shows ||dLoss/dx_1|| many orders of magnitude below the last step\'s.',
  lmWhy2: 'The LSTM adds a second lane, the cell state c_t = f_t * c_{t-1} + i_t * g_t. When the forget gate f_t stays near 1 and the input gate closes for noise, c carries the first step unchanged, and the gradient flows back along it without being squashed. The GRU\'s update gate z_t does the same with h itself.',
  lmWhy3: 'Why the LSTM starts with those biases: with PyTorch\'s own initialisation its forget gate starts near 0.5, so at first it forgets as fast as the RNN, and the signal that would teach it to keep the first step is too faint to learn from in this budget ("LSTM as PyTorch initialises it" in the experiment picker shows it). Starting the forget gate open is the usual remedy (Gers, Schmidhuber and Cummins 2000; Keras starts the forget gate\'s bias at 1). The plain RNN has no such knob: it can keep the first step only by shaping W_hh so that tanh neither fades nor saturates it. The GRU here starts as PyTorch initialises it, with its update gate near 0.5, and has to learn to hold on its own. A training score far above the test score would mean memorising the training sequences instead of learning the rule.',
  lmNumbersNote: 'Every model is an ordinary RNN document with a "train" block, trained in float64 by the same engine as "RNN: Train"; the lab hands it the next minibatch before each step.',
  clTitle: 'Watch it learn text',
  clSetup: '{0}: embedding({1} characters → {2}) → {0}(hidden {3}) → Linear on every step; {4} sequences of {5} characters; Adam lr {6}; {7} steps, in float32 as a PyTorch script trains ("RNN: Train" trains documents in float64).',
  clChartLoss: 'Training loss (cross entropy per character; ln {0} = {1} is a uniform guess)',
  clLogScale: 'Log scale',
  clSamples: 'Samples as training goes',
  clGreedy: 'greedy',
  clSampled: 'temperature {0}, seed {1}',
  clStep: 'step {0}, loss {1}',
  clBefore: 'before training',
  clRunning: 'Step {0} of {1}, loss {2}',
  clDone: 'Done: {0} steps, loss {1}.',
  clStopped: 'Stopped after {0} of {1} steps. The samples so far stay.',
  clWhy: 'The model reads the text one character at a time and learns to predict the next one. Greedy sampling always takes the most likely character, so it repeats itself once it finds a loop; sampling with a temperature draws from the predicted probabilities (a lower temperature sticks to likely characters).',
  clSampling: 'Sampling with a temperature uses one torch.rand draw per character and the inverse of the cumulative softmax, reproducible in PyTorch (not torch.multinomial).',
} as const;

export type LabStringKey = keyof typeof LAB_STRINGS;

/** The strings in the user's language. */
export function labStrings(translate: (english: string) => string): Record<LabStringKey, string> {
  const out = {} as Record<LabStringKey, string>;
  for (const k of Object.keys(LAB_STRINGS) as LabStringKey[]) out[k] = translate(LAB_STRINGS[k]);
  return out;
}
