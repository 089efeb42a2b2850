/*
 * The Python snippet reader's public surface: read a PyTorch snippet without running it, and
 * turn what it builds into an RNN document.
 * Layer: python (pure). No vscode, DOM or Node imports anywhere under src/python.
 */
export * from './messages';
export * from './snippet';
export * from './toDocument';
export * from './cellLoop';
export { tokenize } from './tokenizer';
export * from './report';
export * from './notebook';
export * from './shapes';
