/*
 * Jupyter notebooks (.ipynb) as Python reads them when their code cells run top to bottom: the
 * code cells joined into one program (markdown and raw cells skipped), IPython magics (`%...`)
 * and shell lines (`!...`) blanked with spaces so offsets inside each cell stay the same.
 * Cells whose first line is a non-Python cell magic (`%%bash`, `%%writefile`, ...) are blanked whole.
 * Layer: python (pure). Imports nothing.
 */

/** Where one code cell stands in the joined program. */
export interface ProgramCell {
  /** 0-based index of the cell among all cells of the notebook. */
  index: number;
  /** Offset of the cell's first character in the program text. */
  start: number;
  /** Offset just past the cell's last character. */
  end: number;
  /** 0-based line of the cell's first line in the program text. */
  line: number;
}

/** The code cells of a notebook as one Python program. */
export interface NotebookProgram {
  text: string;
  cells: ProgramCell[];
}

/** Cell magics whose body is still Python. */
const PYTHON_CELL_MAGICS = new Set(['time', 'timeit', 'capture', 'prun', 'debug', 'python', 'python3']);

/** A cell's source with magics and shell lines blanked (same length). */
export function blankMagics(source: string): string {
  const first = /^\s*%%(\w+)/.exec(source);
  if (first && !PYTHON_CELL_MAGICS.has(first[1])) return source.replace(/[^\n\r]/g, ' ');
  return source.replace(/^[ \t]*[%!][^\n\r]*/gm, (m) => ' '.repeat(m.length));
}

/** Joins cells (index, source), in order, into one program. */
export function programFromCells(cells: readonly { index: number; source: string }[]): NotebookProgram {
  let text = '';
  let line = 0;
  const out: ProgramCell[] = [];
  for (const c of cells) {
    if (text.length > 0) {
      text += '\n';
      line++;
    }
    const src = blankMagics(c.source);
    out.push({ index: c.index, start: text.length, end: text.length + src.length, line });
    text += src;
    for (let i = 0; i < src.length; i++) if (src.charCodeAt(i) === 10) line++;
  }
  return { text, cells: out };
}

/**
 * Reads .ipynb JSON text (nbformat 4; `source` a string or a list of strings). Throws an Error
 * with a short message when the text is not a notebook.
 */
export function notebookProgram(json: string): NotebookProgram {
  let nb: unknown;
  try {
    nb = JSON.parse(json);
  } catch (e) {
    throw new Error(`not a notebook: ${(e as Error).message}`);
  }
  const cells = (nb as { cells?: unknown })?.cells;
  if (!Array.isArray(cells)) throw new Error('not a notebook: no "cells" list');
  const code: { index: number; source: string }[] = [];
  cells.forEach((c: unknown, index) => {
    const cell = c as { cell_type?: unknown; source?: unknown };
    if (cell?.cell_type !== 'code') return;
    const src = Array.isArray(cell.source) ? cell.source.filter((x) => typeof x === 'string').join('') : typeof cell.source === 'string' ? cell.source : '';
    code.push({ index, source: src });
  });
  return programFromCells(code);
}

/** The cell holding a 0-based program line, and the 0-based line within that cell. */
export function cellOfLine(p: NotebookProgram, line: number): { cell: number; line: number } | undefined {
  let found: ProgramCell | undefined;
  for (const c of p.cells) if (c.line <= line) found = c;
  return found ? { cell: found.index, line: line - found.line } : undefined;
}

/** The cell holding a program offset. */
export function cellOfOffset(p: NotebookProgram, offset: number): ProgramCell | undefined {
  let found: ProgramCell | undefined;
  for (const c of p.cells) if (c.start <= offset) found = c;
  return found;
}
