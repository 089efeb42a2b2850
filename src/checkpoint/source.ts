/*
 * Where a checkpoint's bytes come from, and the one error type the readers throw.
 * Layer: checkpoint. Imports nothing; no vscode, no DOM, no Node.
 *
 * The readers never touch a file system: the CLI hands them a ByteSource over a file
 * descriptor (reading only the ranges asked for), the extension one over the bytes
 * vscode.workspace.fs gave it. Every read is bounds-checked here, so a lying header can only
 * ever produce a CheckpointError, never a read past the end or a huge allocation.
 */

/** Random access to the bytes of one file. `read` returns exactly `length` bytes or throws. */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
}

/** A problem with the file (not a bug): one line, safe to show as it is. */
export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/** A ByteSource over bytes already in memory (the editor, tests, the browser). Reads are views, not copies. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read(offset: number, length: number): Uint8Array {
      checkRange(offset, length, bytes.length);
      return bytes.subarray(offset, offset + length);
    },
  };
}

/** Throws unless [offset, offset + length) lies inside a file of `size` bytes. */
export function checkRange(offset: number, length: number, size: number, what = 'data'): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new CheckpointError(`the file is truncated or corrupt: ${what} at byte ${offset} (${length} bytes) lies outside the file (${size} bytes)`);
  }
}

/**
 * UTF-8 bytes to a string (invalid sequences become U+FFFD). Written out because TextDecoder
 * is not in lib ES2022, and every layer that imports this one compiles without DOM or Node types.
 */
export function utf8Decode(b: Uint8Array): string {
  const parts: string[] = [];
  const codes: number[] = [];
  const flush = () => { parts.push(String.fromCharCode(...codes)); codes.length = 0; };
  for (let i = 0; i < b.length;) {
    const c = b[i];
    let cp = 0xfffd;
    let len = 1;
    if (c < 0x80) cp = c;
    else if (c >= 0xc2 && c < 0xe0 && i + 1 < b.length && (b[i + 1] & 0xc0) === 0x80) { cp = ((c & 0x1f) << 6) | (b[i + 1] & 0x3f); len = 2; }
    else if (c >= 0xe0 && c < 0xf0 && i + 2 < b.length && (b[i + 1] & 0xc0) === 0x80 && (b[i + 2] & 0xc0) === 0x80) {
      const v = ((c & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f);
      if (v >= 0x800 && (v < 0xd800 || v > 0xdfff)) { cp = v; len = 3; }
    } else if (c >= 0xf0 && c < 0xf5 && i + 3 < b.length && (b[i + 1] & 0xc0) === 0x80 && (b[i + 2] & 0xc0) === 0x80 && (b[i + 3] & 0xc0) === 0x80) {
      const v = ((c & 0x07) << 18) | ((b[i + 1] & 0x3f) << 12) | ((b[i + 2] & 0x3f) << 6) | (b[i + 3] & 0x3f);
      if (v >= 0x10000 && v <= 0x10ffff) { cp = v; len = 4; }
    }
    if (cp > 0xffff) { cp -= 0x10000; codes.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff)); } else codes.push(cp);
    i += len;
    if (codes.length >= 8192) flush();
  }
  flush();
  return parts.join('');
}
