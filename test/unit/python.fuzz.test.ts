/*
 * Property tests of the Python snippet reader with fast-check: on arbitrary text (random
 * characters, Python-ish token soup, mutated real snippets) it never throws, returns ranges
 * inside the text, and stays fast; plus fixed hostile inputs (deep nesting, huge files).
 * Fixed numRuns and seed; on failure fast-check prints the seed and the shrunk counterexample.
 * Layer: test (Node).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { readSnippet, snippetReport, toRnnDocument } from '../../src/python';

const root = path.resolve(__dirname, '../../..');
const origin = fs.readFileSync(path.join(root, 'examples', 'sample_rnn.py'), 'utf8');
const SEED = 20240607;

/** Reads and checks the result's invariants; returns the time taken. */
function check(text: string): number {
  const t0 = performance.now();
  const r = readSnippet(text);
  const ms = performance.now() - t0;
  assert.ok(Array.isArray(r.models) && Array.isArray(r.notes));
  for (const m of r.models) {
    assert.ok(m.span.start >= 0 && m.span.start <= m.span.end && m.span.end <= text.length, 'span inside the text');
    for (const u of m.unresolved) assert.ok(u.span.start >= 0 && u.span.end <= text.length);
    // Derived products must not throw either.
    toRnnDocument(m);
    snippetReport(m);
  }
  return ms;
}

const pieces = [
  'import torch', 'import torch.nn as nn', 'from torch import nn', 'from torch.nn import RNN, LSTM as L', 'nn.RNN', 'nn.LSTM', 'nn.GRU', 'nn.Linear',
  'torch.manual_seed', 'torch.rand', 'torch.randn', 'L', 'RNN', 'class', 'def', '__init__', 'self', 'self.rnn', 'return', 'for', 'in', 'if', 'else', 'lambda',
  '(', ')', '[', ']', '{', '}', ',', ':', '=', '+=', '*', '**', '//', '-', '+', '.', ';', '\\\n', '\n', '\n    ', '\t', ' ', '#', '"', "'", '"""', "'''",
  'x', 'h', 'hs', '0', '1', '10', '20', '-1', '0.5', 'True', 'False', 'None', 'batch_first=True', 'hidden_size=', 'input_size', 'out[:, -1, :]', 'out[-1]',
];

describe('python snippet reader: fuzz', function () {
  this.timeout(60_000);
  it('never throws on arbitrary unicode text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => { check(s); }), { numRuns: 400, seed: SEED });
  });

  it('never throws on Python-ish token soup', () => {
    const soup = fc.array(fc.constantFrom(...pieces), { maxLength: 200 }).map((a) => a.join(' '));
    fc.assert(fc.property(soup, (s) => { check(s); }), { numRuns: 400, seed: SEED + 1 });
  });

  it('never throws on the origin snippet with random cuts and insertions', () => {
    const mutated = fc
      .tuple(fc.nat(origin.length), fc.nat(origin.length), fc.constantFrom(...pieces), fc.nat(origin.length))
      .map(([a, b, ins, at]) => {
        const cut = origin.slice(0, Math.min(a, b)) + origin.slice(Math.max(a, b));
        const p = Math.min(at, cut.length);
        return cut.slice(0, p) + ins + cut.slice(p);
      });
    fc.assert(fc.property(mutated, (s) => { check(s); }), { numRuns: 300, seed: SEED + 2 });
  });

  it('stays fast and shallow on hostile text', () => {
    const hostile = [
      'nn.RNN(' + '('.repeat(50_000) + '1' + ')'.repeat(50_000) + ', 2)',
      'x = ' + '-'.repeat(100_000) + '1\nr = nn.RNN(x, 2)',
      'a = ' + '['.repeat(30_000),
      'r = nn.RNN(' + 'f('.repeat(20_000),
      Array.from({ length: 3000 }, (_, i) => `v${i} = v${i + 1} + 1`).join('\n') + '\nr = nn.RNN(v0, 2)',
      Array.from({ length: 2000 }, () => 'r = nn.LSTM(H, H)').join('\n'),
      ('    '.repeat(300) + 'def f(x):\n').repeat(1) + 'class A:\n' + Array.from({ length: 400 }, (_, i) => `${' '.repeat(i + 1)}class B${i}:`).join('\n'),
      '"""' + 'nn.RNN(1, 2)\n'.repeat(20_000),
      'x = ' + '1 + '.repeat(40_000) + '1\nr = nn.RNN(x, 2)',
      'nn.RNN(*' + 'a'.repeat(1_000_000) + ')',
    ];
    // No time bound per input (a busy shared machine could fail it): a hang or a blow-up shows as
    // a thrown RangeError (check) or as this test's mocha timeout.
    for (const text of hostile) check(text);
  });

  it('reads the first million characters of a larger file and says so', () => {
    const r = readSnippet('import torch.nn as nn\nr = nn.RNN(2, 3)\n' + '#'.repeat(1_100_000));
    assert.strictEqual(r.models.length, 1);
    assert.ok(r.notes.some((n) => n.text.startsWith('Only the first')));
  });
});
