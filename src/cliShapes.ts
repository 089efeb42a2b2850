/*
 * `rnn-lens shapes FILE.py|FILE.ipynb`: the recurrent modules a PyTorch file (or notebook) builds,
 * as /work/shared/docs/python-snippets.md specifies ({"models": [...], "notes": [...]}), read
 * statically: nothing in the file is executed. Exit 0, or 1 when the file cannot be read or a
 * notebook is not valid JSON.
 * Layer: cli. No Node imports here: cli.ts hands in the io.
 */
import { notebookShapes, pythonShapes } from './python';

export interface ShapesIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readFile: (path: string) => string;
}

/** True for the files `rnn-lens shapes` reads as Python rather than as an RNN document. */
export function isPythonFile(file: string): boolean {
  return /\.(py|pyw|ipynb)$/i.test(file);
}

/** JSON with two-space indent and number arrays on one line (`"shape": [3, 5, 10]`). */
export function compactJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/\[\s*(-?\d+(?:,\s*-?\d+)*)\s*\]/g, (_w, inner: string) => `[${inner.split(/,\s*/).join(', ')}]`);
}

/** Runs `rnn-lens shapes` on a Python file or notebook; returns the exit code. */
export function pythonShapesCommand(file: string, io: ShapesIo): number {
  let source: string;
  try {
    source = io.readFile(file);
  } catch (e) {
    const code = (e as { code?: string })?.code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error)?.message;
    io.stderr(`${file}: error: cannot read the file: ${why}\n`);
    return 1;
  }
  if (source.charCodeAt(0) === 0xfeff) source = source.slice(1);
  let out;
  try {
    out = /\.ipynb$/i.test(file) ? notebookShapes(source) : pythonShapes(source);
  } catch (e) {
    io.stderr(`${file}:1:1: error: ${(e as Error).message}\n`);
    return 1;
  }
  io.stdout(compactJson(out) + '\n');
  return 0;
}
