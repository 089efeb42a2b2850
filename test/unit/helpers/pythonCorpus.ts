/*
 * The reader measured on its corpus (test/fixtures/python/corpus) against what PyTorch recorded
 * when it executed the same files (test/golden/python-corpus, scripts/make_python_corpus.py):
 * constructors read exactly, values invented, inputs found among those the file determines,
 * wrong input and output shapes. Used by python.corpus.test.ts and scripts/python-corpus-measure.mjs.
 * Layer: test (Node).
 */
import * as fs from 'fs';
import * as path from 'path';
import { notebookShapes, pythonShapes, type ShapesEntry } from '../../../src/python';

export const CONFIG_FIELDS = ['type', 'input_size', 'hidden_size', 'num_layers', 'bidirectional', 'batch_first', 'proj_size', 'bias', 'nonlinearity'] as const;

export interface CorpusMeasure {
  files: number;
  constructors: number;
  constructorsFound: number;
  constructorsExact: number;
  /** Fields with a value that differs from PyTorch's (or where the file determines nothing). */
  invented: string[];
  inputsDeterminable: number;
  inputsFound: number;
  /** An input shape (or line) that differs from PyTorch's, or one given where the file determines none. */
  wrongInputs: string[];
  wrongOutputs: string[];
  /** Models the reader lists that PyTorch never built. */
  extra: string[];
  missed: string[];
  notExact: string[];
  inputsMissed: string[];
}

const eq = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function measureCorpus(root: string): CorpusMeasure {
  const dir = path.join(root, 'test', 'golden', 'python-corpus');
  const m: CorpusMeasure = {
    files: 0, constructors: 0, constructorsFound: 0, constructorsExact: 0, invented: [], inputsDeterminable: 0, inputsFound: 0,
    wrongInputs: [], wrongOutputs: [], extra: [], missed: [], notExact: [], inputsMissed: [],
  };
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
    const want = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { file: string; models: ShapesEntry[] };
    const text = fs.readFileSync(path.join(root, want.file), 'utf8');
    const got = want.file.endsWith('.ipynb') ? notebookShapes(text) : pythonShapes(text);
    m.files++;
    const key = (e: ShapesEntry) => `${e.cell ?? ''}:${e.line}`;
    const gotBy = new Map(got.models.map((e) => [key(e), e]));
    const wantKeys = new Set(want.models.map(key));
    for (const e of got.models) if (!wantKeys.has(key(e))) m.extra.push(`${want.file}:${key(e)}`);
    for (const w of want.models) {
      const at = `${path.basename(want.file)}:${key(w)}`;
      m.constructors++;
      const g = gotBy.get(key(w));
      if (!g) {
        m.missed.push(at);
        continue;
      }
      m.constructorsFound++;
      let exact = true;
      for (const field of CONFIG_FIELDS) {
        if (!eq(g[field], w[field])) {
          exact = false;
          if (g[field] !== null) m.invented.push(`${at} ${field}: ${JSON.stringify(g[field])}, PyTorch ${JSON.stringify(w[field])}`);
        }
      }
      if (exact) m.constructorsExact++;
      else m.notExact.push(`${at} ${CONFIG_FIELDS.filter((f) => !eq(g[f], w[f])).map((f) => `${f}=${JSON.stringify(g[f])} (want ${JSON.stringify(w[f])})`).join(', ')}`);
      if (w.input) m.inputsDeterminable++;
      if (g.input) {
        if (w.input && eq(g.input, w.input)) m.inputsFound++;
        else m.wrongInputs.push(`${at} input ${JSON.stringify(g.input)}, PyTorch ${JSON.stringify(w.input)}`);
      } else if (w.input) m.inputsMissed.push(`${at} ${JSON.stringify(w.input)}`);
      for (const field of ['output', 'h_n', 'c_n'] as const) {
        if (g[field] !== null && !eq(g[field], w[field])) m.wrongOutputs.push(`${at} ${field} ${JSON.stringify(g[field])}, PyTorch ${JSON.stringify(w[field])}`);
      }
    }
  }
  return m;
}

/** The numbers, one per line. */
export function formatMeasure(m: CorpusMeasure, verbose = false): string {
  const pct = (a: number, b: number) => (b === 0 ? '-' : `${((100 * a) / b).toFixed(1)}%`);
  const lines = [
    `files: ${m.files}`,
    `constructors: ${m.constructors}, found ${m.constructorsFound} (${pct(m.constructorsFound, m.constructors)}), exact ${m.constructorsExact} (${pct(m.constructorsExact, m.constructors)})`,
    `invented values: ${m.invented.length}`,
    `inputs the file determines: ${m.inputsDeterminable}, found ${m.inputsFound} (${pct(m.inputsFound, m.inputsDeterminable)})`,
    `wrong input shapes: ${m.wrongInputs.length}`,
    `wrong output shapes: ${m.wrongOutputs.length}`,
    `models PyTorch never built: ${m.extra.length}`,
  ];
  if (verbose) {
    for (const [title, list] of [['invented', m.invented], ['wrong inputs', m.wrongInputs], ['wrong outputs', m.wrongOutputs], ['missed', m.missed], ['not exact', m.notExact], ['inputs missed', m.inputsMissed], ['extra', m.extra]] as const) {
      if (list.length > 0) lines.push('', `${title}:`, ...list.map((x) => `  ${x}`));
    }
  }
  return lines.join('\n') + '\n';
}
