/*
 * The engine's public surface: PyTorch-exact RNN, LSTM and GRU (forward, backward through
 * time, traces), torch's seeded initialisation, and shapes without tensors.
 * Layer: engine. No vscode, DOM or Node imports anywhere under src/engine.
 */
export * from './types';
// forward(spec, {trace}), backward(spec, upstream), prepareModel(model, head, stateDict)
export * from './unroll';
// createGenerator(seed), torchRand(gen, shape), torchRandn(gen, shape)
export * from './random';
// parameterInfos(model, head), initStateDict(model, head, generator)
export * from './params';
// shapeReport(model, head, inputShape?)
export * from './shapes';
