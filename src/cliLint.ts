/*
 * `rnn-lens lint FILE.py|FILE.ipynb`: the Python mistakes of python-snippets.md, one line per
 * finding, `FILE:LINE:COL: warning: MESSAGE [rnn-lens/CODE]` (a notebook: `FILE#cellK:LINE:COL`,
 * K the cell's 0-based index among all cells, LINE within the cell). Exit 0 when there is no
 * finding, 1 when there are some, 2 for bad usage (including a file that cannot be read).
 * Layer: cli. No Node imports here: cli.ts hands in the io.
 */
import { formatLintLines, isLintCode, lintCells, lintPython, readIpynb } from './python/lint';

export interface LintIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: () => string;
  readFile: (path: string) => string;
}

/** Runs lint on one file; `disabled` are codes not to report. Returns the exit code. */
export function lintCommand(file: string, io: LintIo, disabled: string[] = []): number {
  for (const d of disabled) {
    if (!isLintCode(d)) {
      io.stderr(`rnn-lens: unknown lint code ${JSON.stringify(d)}\n`);
      return 2;
    }
  }
  const name = file === '-' ? '<stdin>' : file;
  let source: string;
  try {
    source = file === '-' ? io.readStdin() : io.readFile(file);
  } catch (e) {
    const code = (e as { code?: string })?.code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error)?.message;
    io.stderr(`${name}: error: cannot read the file: ${why}\n`);
    return 2;
  }
  if (source.charCodeAt(0) === 0xfeff) source = ' ' + source.slice(1);
  const lines: string[] = [];
  if (/\.ipynb$/i.test(file)) {
    const nb = readIpynb(source);
    if ('error' in nb) {
      io.stderr(`${name}: error: ${nb.error}\n`);
      return 2;
    }
    const code = nb.cells.filter((c) => c.code);
    const sources = new Map(code.map((c) => [c.index, c.source]));
    for (const { cell, finding } of lintCells(code, { disabled })) {
      lines.push(...formatLintLines(name, sources.get(cell) ?? '', [finding], cell));
    }
  } else {
    lines.push(...formatLintLines(name, source, lintPython(source, { disabled })));
  }
  for (const l of lines) io.stdout(l + '\n');
  return lines.length > 0 ? 1 : 0;
}
