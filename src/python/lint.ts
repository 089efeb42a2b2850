/*
 * `rnn-lens lint` and the editor's Python diagnostics: the classic PyTorch RNN mistakes of
 * python-snippets.md, found statically (nothing is executed), in a Python file or in a
 * notebook's code cells read top to bottom as one program. One rule per file under rules/.
 * No false alarms is the rule of rules: where the file does not determine whether a pattern is
 * wrong, nothing is said.
 * Layer: python (pure). No vscode, DOM or Node imports.
 */
import { LintContext, LINT_CODES, type LintCode, type LintFinding } from './rules/context';
import { RULES } from './rules/index';
import { formatMsg } from './messages';

export { LINT_CODES, type LintCode, type LintFinding, type LintFix, type TextEdit } from './rules/context';

export interface LintOptions {
  /** Codes not to report. */
  disabled?: Iterable<string>;
}

/**
 * Files longer than this are not linted (the reading is roughly linear but not cheap: about
 * 0.2 s per 1,000 lines with the snippet reader on a loaded machine); silence, not a guess.
 */
export const MAX_LINT_CHARS = 200_000;

/** Findings of every enabled rule, in text order. Never throws (a rule that fails says nothing). */
export function lintPython(text: string, options: LintOptions = {}): LintFinding[] {
  if (text.length > MAX_LINT_CHARS) return [];
  const disabled = new Set(options.disabled ?? []);
  let ctx: LintContext;
  try {
    ctx = new LintContext(text);
  } catch {
    return [];
  }
  const out: LintFinding[] = [];
  const seen = new Set<string>();
  for (const rule of RULES) {
    if (disabled.has(rule.code)) continue;
    let found: LintFinding[] = [];
    try {
      found = rule.check(ctx);
    } catch {
      found = [];
    }
    for (const f of found) {
      const key = `${f.code}:${f.start}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(f);
    }
  }
  return out.sort((a, b) => a.start - b.start || LINT_CODES.indexOf(a.code) - LINT_CODES.indexOf(b.code));
}

/** 1-based line and column of an offset, as `rnn-lens lint` prints them. */
export function lineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: offset - lineStart + 1 };
}

// ---------------------------------------------------------------------------------------------
// Notebooks

/** One cell of a notebook, as the lint reads it. */
export interface NotebookCellText {
  /** 0-based index among all the notebook's cells. */
  index: number;
  code: boolean;
  source: string;
}

/** The cells of an .ipynb text (nbformat 4), or an error message. */
export function readIpynb(json: string): { cells: NotebookCellText[] } | { error: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (e) {
    return { error: `not a notebook: ${(e as Error).message}` };
  }
  const cells = (doc as { cells?: unknown })?.cells;
  if (!Array.isArray(cells)) return { error: 'not a notebook: no "cells" array' };
  return {
    cells: cells.map((c, index) => {
      const cell = (c ?? {}) as { cell_type?: unknown; source?: unknown };
      const src = Array.isArray(cell.source) ? cell.source.filter((s) => typeof s === 'string').join('') : typeof cell.source === 'string' ? cell.source : '';
      return { index, code: cell.cell_type === 'code', source: src };
    }),
  };
}

/** IPython lines that are not Python (`%magic`, `!shell`, `%%cell magic`), blanked keeping offsets. */
export function blankMagics(source: string): string {
  const first = /^\s*%%(\w+)/.exec(source);
  if (first && !['time', 'timeit', 'capture'].includes(first[1])) return source.replace(/[^\n]/g, ' ');
  return source.replace(/^[ \t]*[%!?][^\n]*/gm, (m) => ' '.repeat(m.length));
}

/** A finding in one cell: offsets relative to the cell's source. */
export interface CellFinding {
  cell: number;
  finding: LintFinding;
}

/**
 * Lints code cells as one program (top to bottom, as Python runs them); each finding is
 * returned in the cell it falls in. Fixes whose edits leave that cell are dropped.
 */
export function lintCells(cells: { index: number; source: string }[], options: LintOptions = {}): CellFinding[] {
  const starts: number[] = [];
  let text = '';
  for (const c of cells) {
    starts.push(text.length);
    text += blankMagics(c.source) + '\n';
  }
  const out: CellFinding[] = [];
  for (const f of lintPython(text, options)) {
    let k = starts.length - 1;
    while (k > 0 && starts[k] > f.start) k--;
    const base = starts[k];
    const end = base + cells[k].source.length;
    const inCell = (o: number) => o >= base && o <= end;
    const fixes = f.fixes?.filter((x) => x.edits.every((e) => inCell(e.start) && inCell(e.end))).map((x) => ({ ...x, edits: x.edits.map((e) => ({ ...e, start: e.start - base, end: e.end - base })) }));
    out.push({ cell: cells[k].index, finding: { ...f, start: f.start - base, end: Math.min(f.end, end) - base, fixes } });
  }
  return out;
}

/** `FILE:LINE:COL: warning: MESSAGE [rnn-lens/CODE]` lines for a Python file. */
export function formatLintLines(file: string, text: string, findings: LintFinding[], cell?: number): string[] {
  return findings.map((f) => {
    const { line, col } = lineCol(text, f.start);
    const where = cell === undefined ? file : `${file}#cell${cell}`;
    return `${where}:${line}:${col}: warning: ${formatMsg(f.message)} [rnn-lens/${f.code}]`;
  });
}

export function isLintCode(s: string): s is LintCode {
  return (LINT_CODES as readonly string[]).includes(s);
}
