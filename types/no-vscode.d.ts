// What 'vscode' resolves to in the layers below the extension (src/run/tsconfig.json,
// src/worker/tsconfig.json): a module that exports nothing, so any use of the vscode API there,
// directly or through an import of src/extension, fails to compile.
export {};
