/*
 * The part of the ECMAScript-adjacent `WebAssembly` global that src/engine/wasm/backend.ts uses,
 * for the engine-only type check (src/engine/tsconfig.json: lib ES2022, no DOM, no Node typings,
 * which is where TypeScript keeps WebAssembly's declarations). The main build gets the full
 * declarations from lib.dom / @types/node instead; this file is not part of it.
 */
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports: object);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number });
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
  function validate(bytes: Uint8Array): boolean;
}
