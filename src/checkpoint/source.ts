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
