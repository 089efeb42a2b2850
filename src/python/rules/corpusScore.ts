/*
 * Scores the lint on a corpus whose files mark their expected findings with a comment on the
 * finding's line: `# expect: bidirectional-last-step` (several: comma-separated). A finding
 * counts when its code is expected on its line (notebooks: in the same cell). Used by the unit
 * test (thresholds) and scripts/lint-corpus.mjs (prints the numbers).
 * Layer: python (pure): the caller hands in the files' texts.
 */
import { lineCol, lintCells, lintPython, readIpynb } from '../lint';

export interface CorpusFile {
  name: string;
  text: string;
}

export interface CorpusScore {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  /** Files without expectations that got a finding. */
  falseAlarmsOnCorrectFiles: string[];
  /** `file cell:line:code` of each wrong or missed finding. */
  wrong: string[];
  missed: string[];
  files: number;
  correctFiles: number;
}

const EXPECT = /#\s*expect:\s*([\w-]+(?:\s*,\s*[\w-]+)*)/;

function expectations(text: string, cell?: number): string[] {
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    const m = EXPECT.exec(line);
    if (m) for (const c of m[1].split(/\s*,\s*/)) out.push(`${cell ?? ''}:${i + 1}:${c}`);
  });
  return out;
}

export function scoreCorpus(files: CorpusFile[]): CorpusScore {
  let tp = 0;
  const wrong: string[] = [];
  const missed: string[] = [];
  const falseAlarms: string[] = [];
  let correctFiles = 0;
  for (const f of files) {
    const got: string[] = [];
    const want: string[] = [];
    if (f.name.endsWith('.ipynb')) {
      const nb = readIpynb(f.text);
      if ('error' in nb) continue;
      const code = nb.cells.filter((c) => c.code);
      for (const c of code) want.push(...expectations(c.source, c.index));
      const src = new Map(code.map((c) => [c.index, c.source]));
      for (const { cell, finding } of lintCells(code)) got.push(`${cell}:${lineCol(src.get(cell) ?? '', finding.start).line}:${finding.code}`);
    } else {
      want.push(...expectations(f.text));
      for (const x of lintPython(f.text)) got.push(`:${lineCol(f.text, x.start).line}:${x.code}`);
    }
    if (want.length === 0) {
      correctFiles++;
      if (got.length > 0) falseAlarms.push(f.name);
    }
    for (const g of got) {
      if (want.includes(g)) tp++;
      else wrong.push(`${f.name} ${g}`);
    }
    for (const w of want) if (!got.includes(w)) missed.push(`${f.name} ${w}`);
  }
  const fp = wrong.length;
  const fn = missed.length;
  return {
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    recall: tp + fn === 0 ? 1 : tp / (tp + fn),
    falseAlarmsOnCorrectFiles: falseAlarms,
    wrong,
    missed,
    files: files.length,
    correctFiles,
  };
}
