/*
 * Hover text (hoverMarkdown.ts, hoverContent.ts) and templates (templates.ts), on Node.
 * Counts, shapes and gate rows are derived by hand from PyTorch's documented layout; the
 * origin template's head output is compared with PyTorch's printed numbers (golden case).
 * Layer: test (Node). Reads only files inside the repository.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { ShapeReport } from '../../src/engine/types';
import { forward } from '../../src/engine/index';
import { readDocument } from '../../src/document/reader';
import { resolveRun } from '../../src/document/resolve';
import { escapeMarkdown, formatBytes, shapeMarkdown, type Localize } from '../../src/extension/hoverMarkdown';
import { hoverAt, safeTree } from '../../src/extension/hoverContent';
import { TEMPLATES, templateById, templateCursorOffset } from '../../src/extension/templates';

const t: Localize = (s, ...args) => s.replace(/\{(\d+)\}/g, (_, i) => String(args[Number(i)]));

/** A hand-written report: RNN 10 -> 20, batch_first, Linear 20 -> 2, input (3, 5, 10). */
const originReport: ShapeReport = {
  input: [3, 5, 10],
  output: [3, 5, 20],
  hN: [1, 3, 20],
  head: [3, 2],
  h0: [1, 3, 20],
  params: [
    { name: 'weight_ih_l0', shape: [20, 10], layer: 0, direction: 0, kind: 'weight_ih', gates: [{ gate: '', label: '', rowStart: 0, rowEnd: 20 }] },
    { name: 'head.weight', shape: [2, 20], layer: -1, direction: 0, kind: 'head.weight', gates: [] },
  ],
  paramCount: 682,
  weightBytes: 2728,
  flopsPerStep: 3600,
  flopsPerSequence: 18000,
};

describe('extension/hoverMarkdown', () => {
  it('shapeMarkdown: a table row per tensor with PyTorch-style tuples', () => {
    const md = shapeMarkdown(originReport, t);
    assert.ok(md.includes('| output | `(3, 5, 20)` |'), md);
    assert.ok(md.includes('| h_n | `(1, 3, 20)` |'), md);
    assert.ok(md.includes('| head | `(3, 2)` |'), md);
    assert.ok(md.includes('| weight\\_ih\\_l0 | `(20, 10)` | — |'), md);
    assert.ok(md.includes('682'), md);
    assert.ok(md.includes('2.7 kB'), md);
    assert.ok(md.includes('3,600 per time step · 18,000 per sequence'), md);
    assert.ok(!md.includes('c_n'), 'no c_n for an RNN');
  });

  it('shapeMarkdown: symbolic N and L are explained', () => {
    const md = shapeMarkdown({ ...originReport, input: ['N', 'L', 10], output: ['N', 'L', 20], flopsPerSequence: undefined }, t);
    assert.ok(md.includes('`(N, L, 20)`'), md);
    assert.ok(md.includes('N = batch size'), md);
  });

  it('escapes Markdown and HTML from the document', () => {
    assert.strictEqual(escapeMarkdown('<img src=x>*a*'), '\\<img src=x\\>\\*a\\*');
    assert.strictEqual(formatBytes(999), '999 B');
    assert.strictEqual(formatBytes(1_500_000), '1.5 MB');
  });
});

describe('extension/templates', () => {
  for (const tpl of TEMPLATES) {
    it(`${tpl.id} is a valid RNN document (readDocument: no problems)`, () => {
      const read = readDocument(tpl.text);
      assert.deepStrictEqual(read.diagnostics, []);
      assert.ok(read.document);
      assert.ok(templateCursorOffset(tpl) > 0 && tpl.text[templateCursorOffset(tpl)] !== ' ');
    });
  }

  it('origin-rnn gives PyTorch\'s numbers (golden seed_snippet: torch.manual_seed(0); SampleRNN(10, 20, 2))', () => {
    const golden = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../test/golden/seed_snippet.json'), 'utf8'));
    const read = readDocument(templateById('origin-rnn')!.text);
    assert.ok(read.document);
    const result = forward(resolveRun(read.document).spec);
    const expected: number[][] = golden.expected.head;
    assert.deepStrictEqual(result.head?.shape, [3, 2]);
    expected.flat().forEach((v, i) => assert.ok(Math.abs(result.head!.data[i] - v) <= 1e-6 * Math.max(1, Math.abs(v)), `head[${i}]`));
    // What PyTorch prints for the snippet, to 4 decimals.
    assert.strictEqual(Number(result.head!.data[0].toFixed(4)), 0.093);
  });
});

describe('extension/hoverContent', () => {
  const text = templateById('origin-rnn')!.text;
  const lstm = readDocument(templateById('lstm')!.text);

  it('on "model": the shape table with the actual numbers', () => {
    const h = hoverAt(text, text.indexOf('"model"') + 2, readDocument(text), safeTree(text), t);
    assert.ok(h);
    assert.ok(h.markdown.includes('`(3, 5, 20)`'), h.markdown);
    assert.ok(h.markdown.includes('| h_n | `(1, 3, 20)` |'), h.markdown);
    assert.ok(h.markdown.includes('| head | `(3, 2)` |'), h.markdown);
    // 20*10 + 20*20 + 20 + 20 = 640 for the RNN, 2*20 + 2 = 42 for the head.
    assert.ok(h.markdown.includes('682'), h.markdown);
  });

  it('on "model" without an input: symbolic N and L', () => {
    const noInput = text.replace(/,\n {2}"input": \{"rand": \[3, 5, 10\]\}/, '');
    assert.ok(!noInput.includes('"input"'));
    const h = hoverAt(noInput, noInput.indexOf('"model"') + 2, readDocument(noInput), safeTree(noInput), t);
    assert.ok(h);
    assert.ok(h.markdown.includes('`(N, L, 20)`'), h.markdown);
  });

  it('on a state_dict key: layer, direction, gates with their rows, expected vs written shape', () => {
    const doc = '{"model": {"type": "LSTM", "input_size": 3, "hidden_size": 2, "bidirectional": true},\n' +
      ' "state_dict": {"rnn.weight_hh_l0_reverse": [[1, 2], [3, 4]]}}';
    const h = hoverAt(doc, doc.indexOf('weight_hh') + 1, readDocument(doc), safeTree(doc), t);
    assert.ok(h);
    assert.ok(h.markdown.includes('reverse direction'), h.markdown);
    assert.ok(h.markdown.includes('forget gate'), h.markdown);
    // LSTM gates i, f, g, o of hidden_size 2: rows [0:2], [2:4], [4:6], [6:8]; W_hh is (8, 2).
    assert.ok(h.markdown.includes('`[2:4]`') && h.markdown.includes('`[6:8]`'), h.markdown);
    assert.ok(h.markdown.includes('`(8, 2)`') && h.markdown.includes('`(2, 2)`') && h.markdown.includes('does not match'), h.markdown);
  });

  it('on an input number: the tensor shape, its axes and the number\'s index', () => {
    const doc = '{"model": {"type": "GRU", "input_size": 2, "hidden_size": 4, "batch_first": true},\n "input": [[[1, 2], [3, 4], [5, 6]]]}';
    const h = hoverAt(doc, doc.indexOf('5') , readDocument(doc), safeTree(doc), t);
    assert.ok(h);
    assert.ok(h.markdown.includes('`(1, 3, 2)`'), h.markdown);
    assert.ok(h.markdown.includes('N (batch) = 1 · L (time steps) = 3'), h.markdown);
    assert.ok(h.markdown.includes('`input[0][2][0]`'), h.markdown);
  });

  it('nothing to say on "seed"', () => {
    assert.ok(lstm.document);
    const lt = templateById('lstm')!.text;
    assert.strictEqual(hoverAt(lt, lt.indexOf('"seed"') + 1, lstm, safeTree(lt), t), undefined);
  });
});
