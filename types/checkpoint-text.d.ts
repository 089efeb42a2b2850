// TextDecoder exists in every host the checkpoint layer runs in (Node, browsers, workers) but
// not in lib ES2022; src/checkpoint/tsconfig.json includes this instead of lib DOM.
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}
