/*
 * The Python reader and lint against PyTorch on two corpora recorded by
 * scripts/verify_heldout.py (each file run with PyTorch 1.13, shapes and mistakes observed):
 * - test/golden/python-heldout-units: one small snippet per reader or lint fix, checked exactly
 *   (every configuration field, the first call's input, output, h_n, c_n, and the lint codes);
 * - test/golden/python-heldout (37 files) and python-heldout-2 (12 files written after the reader
 *   was changed for the first): the held-out corpora of issue #13, checked against the bar: no
 *   invented value, no wrong shape, no false alarm, constructors exact >= 95%, inputs found
 *   >= 80% of those the file determines, lint precision >= 95% and recall >= 80%.
 * Layer: test (Node).
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { notebookShapes, pythonShapes, type ShapesEntry } from '../../src/python';
import { lineCol, lintCells, lintPython, readIpynb } from '../../src/python/lint';

const root = path.resolve(__dirname, '../../..');
const FIELDS = ['type', 'input_size', 'hidden_size', 'num_layers', 'bidirectional', 'batch_first', 'proj_size', 'bias', 'nonlinearity'] as const;

interface Expected {
  file: string;
  correct: boolean;
  models: (Record<string, unknown> & { line: number; cell?: number; unexecuted?: boolean; raised?: boolean; input: { shape: number[]; line: number; packed?: boolean } | null })[];
  lint: { line: number; cell?: number; code: string }[];
}

function load(dir: string): Expected[] {
  return (JSON.parse(readFileSync(path.join(root, dir, 'expected.json'), 'utf8')) as { files: Expected[] }).files;
}

function shapesOf(file: string): ShapesEntry[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  return (file.endsWith('.ipynb') ? notebookShapes(text) : pythonShapes(text)).models;
}

function lintOf(file: string): string[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  if (!file.endsWith('.ipynb')) return lintPython(text).map((f) => `${f.code}@-:${lineCol(text, f.start).line}`);
  const nb = readIpynb(text);
  if ('error' in nb) throw new Error(nb.error);
  const sources = new Map(nb.cells.map((c) => [c.index, c.source]));
  return lintCells(nb.cells.filter((c) => c.code)).map(({ cell, finding }) => `${finding.code}@${cell}:${lineCol(sources.get(cell) ?? '', finding.start).line}`);
}

const where = (x: { cell?: number; line: number }) => `${x.cell ?? '-'}:${x.line}`;

describe('Python reader and lint: one snippet per fix, against PyTorch', () => {
  for (const f of load('test/golden/python-heldout-units')) {
    it(path.basename(f.file), () => {
      const got = shapesOf(f.file);
      for (const e of f.models) {
        const g = got.find((m) => m.line === e.line && m.cell === e.cell);
        assert.ok(g, `no model at ${where(e)}`);
        const rec = g as unknown as Record<string, unknown>;
        for (const k of FIELDS) if (!e.unexecuted || k in e) assert.deepEqual(rec[k] ?? null, e[k] ?? null, `${k} at ${where(e)}`);
        if (e.unexecuted) continue;
        assert.deepEqual(g.input ? { shape: g.input.shape, line: g.input.line, packed: !!g.input.packed } : null, e.input ? { shape: e.input.shape, line: e.input.line, packed: !!e.input.packed } : null, `input at ${where(e)}`);
        // For a packed input the reader may leave the (padded) output unknown: never a wrong one.
        if (e.input && !e.raised) for (const k of ['output', 'h_n', 'c_n'] as const) if (!(e.input.packed && g[k] === null)) assert.deepEqual(g[k] ?? null, e[k] ?? null, `${k} at ${where(e)}`);
      }
      assert.deepEqual(lintOf(f.file).sort(), f.lint.map((l) => `${l.code}@${where(l)}`).sort());
    });
  }
});

for (const corpus of ['test/golden/python-heldout', 'test/golden/python-heldout-2'])
describe(`Python reader and lint on ${corpus} (issue #13 bar)`, () => {
  const files = load(corpus);
  const s = { constructors: 0, exact: 0, invented: [] as string[], determined: 0, found: 0, wrongShapes: [] as string[], right: 0, wrong: [] as string[], expected: 0 };
  before(function () {
    this.timeout(60_000);
    for (const f of files) {
      const name = path.basename(f.file);
      const got = shapesOf(f.file);
      for (const e of f.models) {
        s.constructors++;
        const g = got.find((m) => m.line === e.line && m.cell === e.cell) as unknown as (ShapesEntry & Record<string, unknown>) | undefined;
        if (!g) continue;
        const fields = FIELDS.filter((k) => !e.unexecuted || k in e);
        const diffs = fields.filter((k) => JSON.stringify(g[k] ?? null) !== JSON.stringify(e[k] ?? null));
        if (diffs.length === 0) s.exact++;
        for (const k of diffs) if (g[k] !== null && g[k] !== undefined) s.invented.push(`${name}@${where(e)} ${k}`);
        if (e.unexecuted) continue;
        const gi = g.input?.shape ? g.input : null;
        if (e.input) {
          s.determined++;
          if (gi && JSON.stringify(gi.shape) === JSON.stringify(e.input.shape) && !!gi.packed === !!e.input.packed) s.found++;
          else if (gi) s.wrongShapes.push(`${name}@${where(e)} input`);
          if (!e.raised) for (const k of ['output', 'h_n', 'c_n'] as const) if (g[k] && JSON.stringify(g[k]) !== JSON.stringify(e[k])) s.wrongShapes.push(`${name}@${where(e)} ${k}`);
        } else if (gi) s.wrongShapes.push(`${name}@${where(e)} input where the file gives no single shape`);
      }
      const want = f.lint.map((l) => `${l.code}@${where(l)}`);
      s.expected += want.length;
      for (const h of lintOf(f.file)) {
        if (want.includes(h)) s.right++;
        else s.wrong.push(`${name} ${h}`);
      }
    }
  });
  it('invents no configuration value and gives no wrong shape', () => {
    assert.deepEqual(s.invented, []);
    assert.deepEqual(s.wrongShapes, []);
  });
  it('reads at least 95% of the constructors exactly', () => {
    assert.ok(s.exact >= 0.95 * s.constructors, `${s.exact}/${s.constructors}`);
  });
  it('finds at least 80% of the inputs the files determine', () => {
    assert.ok(s.found >= 0.8 * s.determined, `${s.found}/${s.determined}`);
  });
  it('lint: no false alarm, recall at least 80%', () => {
    assert.deepEqual(s.wrong, []);
    assert.ok(s.right >= 0.8 * s.expected, `${s.right}/${s.expected}`);
  });
});
