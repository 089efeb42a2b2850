/*
 * The hostile corpus: hand-written bad documents (test/fixtures/hostile) and a deterministic
 * generated corpus (helpers/hostileCorpus.ts) through the document reader, resolve and the
 * engine. Each must give either diagnostics whose spans lie inside the text (on the offending
 * part, checked to the character for the hand-written ones) with messages a learner can read,
 * or a correct result; always within a time bound, never touching Object.prototype, and
 * refusing oversized work before allocating it.
 * Layer: test (Node).
 */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { estimateCost, readDocument } from '../../src/document/reader';
import { runDocumentJson } from '../../src/document/commands';
import { resolveParameters, ResolveError } from '../../src/document/resolve';
import type { Diagnostic, ReadResult } from '../../src/document/types';
import { findNonFinite, nonFiniteNotes } from '../../src/document/nonFinite';
import { buildRunPayload } from '../../src/run/payload';
import { generatedCorpus, messageProblems, type HostileCase } from './helpers/hostileCorpus';

const root = path.resolve(__dirname, '../../..');
const fixtureDir = path.join(root, 'test/fixtures/hostile');

// No per-document time bound: a hang shows as mocha's timeout (this.timeout below), never as a
// timing assertion that a busy shared machine could fail. The reader's depth and size limits are
// checked by what they report (the diagnostic and its span), not by how fast they answer.

/** Checks every diagnostic of a read result against the corpus rules; returns failures. */
function checkDiagnostics(name: string, text: string, diagnostics: readonly Diagnostic[]): string[] {
  const fails: string[] = [];
  for (const d of diagnostics) {
    const { start, end } = d.span;
    if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= text.length)) {
      fails.push(`${name}: span ${start}..${end} outside 0..${text.length} (${d.message})`);
    }
    for (const p of messageProblems(d.message, text)) fails.push(`${name}: message ${p}: ${d.message.slice(0, 200)}`);
    if (!['error', 'warning', 'info'].includes(d.severity)) fails.push(`${name}: severity ${d.severity}`);
    if (d.code === 'internal') fails.push(`${name}: internal error: ${d.message}`);
  }
  return fails;
}

/** A read that passed: resolve and run it (when small), which must not throw except "no input". */
function checkRun(name: string, text: string, read: ReadResult): string[] {
  const doc = read.document;
  if (!doc) return [];
  const fails: string[] = [];
  const shape = doc.input ? (doc.input.kind === 'literal' ? doc.input.tensor.shape : doc.input.shape) : undefined;
  if (estimateCost(doc.model, doc.head, shape).flops > 5e6) return fails;
  try {
    const r = runDocumentJson(doc);
    for (const n of r.notes) for (const p of messageProblems(n, text)) fails.push(`${name}: note ${p}: ${n}`);
  } catch (e) {
    if (!(e instanceof ResolveError && !doc.input)) fails.push(`${name}: run threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
    else for (const p of messageProblems((e as Error).message, text)) fails.push(`${name}: resolve message ${p}`);
  }
  return fails;
}

function readOnce(text: string): { read: ReadResult } {
  return { read: readDocument(text) };
}

/** Runs one corpus case; returns the failures (empty when it passes). */
function runCase(c: HostileCase): string[] {
  const { read } = readOnce(c.text);
  const fails = checkDiagnostics(c.name, c.text, read.diagnostics);
  const errors = read.diagnostics.filter((d) => d.severity === 'error');
  if (!read.document && errors.length === 0) fails.push(`${c.name}: no document and no error`);
  if (read.document && errors.length > 0) fails.push(`${c.name}: a document despite errors`);
  if (c.expect === 'error' && read.document) fails.push(`${c.name}: should be refused, was read (${read.diagnostics.map((d) => d.message).join(' | ')})`);
  if (c.code || c.at !== undefined) {
    const hit = read.diagnostics.find((d) => (!c.code || d.code === c.code) && (c.at === undefined || c.text.slice(d.span.start, d.span.end) === c.at));
    if (!hit) {
      const got = read.diagnostics.map((d) => `${d.code}@${JSON.stringify(c.text.slice(d.span.start, d.span.end).slice(0, 40))}`).join(', ');
      fails.push(`${c.name}: expected a diagnostic${c.code ? ` ${c.code}` : ''}${c.at !== undefined ? ` on ${JSON.stringify(c.at)}` : ''}; got ${got || 'none'}`);
    }
  }
  fails.push(...checkRun(c.name, c.text, read));
  return fails;
}

/** Hand-written fixtures: the diagnostic expected and the exact text under its span. */
const HAND_WRITTEN: Record<string, { code: string; at: string; severity?: 'error' | 'warning' | 'info' }> = {
  'proj-equals-hidden.rnn.json': { code: 'out-of-range', at: '4' },
  'proj-on-gru.rnn.jsonc': { code: 'not-for-type', at: '"proj_size"' },
  'nonlinearity-on-lstm.rnn.json': { code: 'not-for-type', at: '"nonlinearity"' },
  'hidden-1e9.rnn.json': { code: 'budget', at: '"model"' },
  'rand-1e8.rnn.json': { code: 'budget', at: '[1, 1e8, 10]' },
  'rand-negative.rnn.json': { code: 'empty', at: '-1' },
  'rand-empty.rnn.json': { code: 'wrong-type', at: '[]' },
  'input-size-zero.rnn.json': { code: 'out-of-range', at: '0' },
  'num-layers-fraction.rnn.json': { code: 'wrong-type', at: '2.5' },
  'nan-in-input.rnn.json': { code: 'non-finite', at: 'NaN' },
  'minus-infinity.rnn.json': { code: 'non-finite', at: '-Infinity' },
  'overflow-1e999.rnn.json': { code: 'non-finite', at: '1e999' },
  'overflow-minus-1e999.rnn.json': { code: 'non-finite', at: '-1e999' },
  'ragged-dim1.rnn.json': { code: 'ragged', at: '[[2, 3], [4, 5]]' },
  'empty-input.rnn.json': { code: 'empty', at: '[[[]]]' },
  'empty-h0.rnn.json': { code: 'empty', at: '[[]]' },
  'lstm-proj-hr-wrong.rnn.json': { code: 'shape', at: '[[0.1, 0.2, 0.3, 0.4, 0.5], [0.1, 0.2, 0.3, 0.4, 0.5]]' },
  'lstm-proj-hh-wrong.rnn.json': { code: 'shape', at: '[[0.1, 0.2, 0.3, 0.4]]' },
  'lstm-proj-unexpected-layer.rnn.json': { code: 'unexpected-key', at: '"weight_ih_l2"' },
  'duplicate-type.rnn.json': { code: 'duplicate-key', at: '"type"', severity: 'warning' },
  'markup-type.rnn.json': { code: 'out-of-range', at: '"<b>RNN</b>"' },
  'markup-key.rnn.json': { code: 'unknown-key', at: '"<img src=x onerror=alert(1)>\\u202egnp.exe"', severity: 'warning' },
  'markup-nonlinearity.rnn.json': { code: 'out-of-range', at: '"<script>relu</script>"' },
  'terminal-escape-key.rnn.json': { code: 'unknown-key', at: '"\\u001b[2J\\u001b[31mred"', severity: 'warning' },
  'prototype-everywhere.rnn.json': { code: 'unknown-key', at: '"constructor"', severity: 'warning' },
  'truncated.rnn.json': { code: 'syntax', at: '' },
  'stray-commas.rnn.jsonc': { code: 'syntax', at: ',' },
  'unclosed-string.rnn.json': { code: 'syntax', at: '"never closed,' },
  'bom-wrong-type.rnn.json': { code: 'wrong-type', at: '"1"' },
  'binary-garbage.rnn.json': { code: 'syntax', at: '\u0000\u0001\u0002\ufffd\ufffd' },
};

/** Fixtures that read without errors (their point is elsewhere: see the overflow tests). */
const READS_FINE = new Set(['relu-overflow.rnn.json']);

function fixtureText(file: string): string {
  return readFileSync(path.join(fixtureDir, file), 'utf8');
}

describe('hostile corpus: the reader on broken, hostile and huge documents', function () {
  this.timeout(120_000);
  const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort().join();
  const arrayProtoBefore = Object.getOwnPropertyNames(Array.prototype).sort().join();
  const files = readdirSync(fixtureDir).filter((f) => /\.jsonc?$/.test(f)).sort();
  const generated = generatedCorpus();

  it('has at least 200 documents, 25 of them hand-written, every name unique', () => {
    assert.ok(files.length >= 25, `${files.length} hand-written`);
    assert.ok(files.length + generated.length >= 200, `${files.length + generated.length} in all`);
    assert.equal(new Set(generated.map((c) => c.name)).size, generated.length);
    // Every hand-written file has its expectation written down, or is known to read fine.
    for (const f of files) assert.ok(HAND_WRITTEN[f] || READS_FINE.has(f), `no expectation for ${f}`);
  });

  for (const file of Object.keys(HAND_WRITTEN)) {
    const want = HAND_WRITTEN[file];
    it(`${file}: ${want.severity ?? 'error'} ${want.code} on ${JSON.stringify(want.at)}`, () => {
      const text = fixtureText(file);
      const { read } = readOnce(text);
      assert.deepEqual(checkDiagnostics(file, text, read.diagnostics), []);
      const hit = read.diagnostics.find((d) => d.code === want.code && text.slice(d.span.start, d.span.end) === want.at);
      assert.ok(hit, `no ${want.code} on ${JSON.stringify(want.at)}; got ${read.diagnostics.map((d) => `${d.code}@${JSON.stringify(text.slice(d.span.start, d.span.end))}: ${d.message}`).join('\n')}`);
      assert.equal(hit.severity, want.severity ?? 'error');
      if ((want.severity ?? 'error') === 'error') assert.equal(read.document, undefined);
      assert.deepEqual(checkRun(file, text, read), []);
    });
  }

  const groups = new Map<string, HostileCase[]>();
  for (const c of generated) {
    const g = c.name.split('/')[0];
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(c);
  }
  for (const [group, cases] of groups) {
    it(`generated ${group}: ${cases.length} documents`, () => {
      const fails = cases.flatMap(runCase);
      assert.deepEqual(fails.slice(0, 30), [], `${fails.length} failures`);
    });
  }

  it('messages quote what the user wrote, escaped: markup stays text, control characters are visible', () => {
    const text = fixtureText('terminal-escape-key.rnn.json');
    const d = readDocument(text).diagnostics.find((x) => x.code === 'unknown-key');
    assert.ok(d);
    assert.ok(!d.message.includes('\u001b'), JSON.stringify(d.message));
    assert.ok(d.message.includes('\\u001b[2J'), `the escape is shown, not sent to the terminal: ${JSON.stringify(d.message)}`);
    const markup = fixtureText('markup-type.rnn.json');
    const m = readDocument(markup).diagnostics.find((x) => x.code === 'out-of-range');
    assert.ok(m && m.message.includes('"<b>RNN</b>"'), 'the type is quoted as written');
  });

  it('reading never touches Object.prototype or Array.prototype', () => {
    for (const f of files) readDocument(fixtureText(f));
    for (const c of generated.filter((x) => x.name.startsWith('proto/'))) {
      const read = readDocument(c.text);
      if (read.document) resolveParameters(read.document);
    }
    assert.equal(Object.getOwnPropertyNames(Object.prototype).sort().join(), protoBefore);
    assert.equal(Object.getOwnPropertyNames(Array.prototype).sort().join(), arrayProtoBefore);
    const probe: Record<string, unknown> = {};
    assert.equal(probe.polluted, undefined);
    assert.equal(Object.getPrototypeOf(probe), Object.prototype);
    assert.equal(typeof probe.toString, 'function');
    assert.equal(typeof probe.hasOwnProperty, 'function');
  });

  describe('results that overflow say so where it appears', () => {
    // relu RNN, input_size 2, hidden_size 2, every weight 1e30, biases 0, input of ones (3 steps):
    // h1 = relu(2e30) = 2e30 (float32 holds it); h2 = relu(2e30 + 2 * 1e30 * 2e30) = 4e60, which
    // float32 cannot hold: PyTorch gives inf from output[1, 0] on (4 values), and in h_n (2 values).
    const text = fixtureText('relu-overflow.rnn.json');
    const read = readDocument(text);

    it('the CLI/library run notes "output contains inf at [1, 0]" and "h_n contains inf at [0, 0]"', () => {
      assert.ok(read.document, read.diagnostics.map((d) => d.message).join('\n'));
      const r = runDocumentJson(read.document);
      const out = r.notes.find((n) => n.startsWith('output contains inf at [1, 0] (and 3 more values)'));
      assert.ok(out, r.notes.join('\n'));
      assert.ok(r.notes.some((n) => n.startsWith('h_n contains inf at [0, 0] (and 1 more value)')), r.notes.join('\n'));
      const first = (r.result.output as number[][])[0];
      assert.ok(first.every((v) => Math.abs(v - 2e30) / 2e30 < 1e-6), 'the first step is still finite in float32');
    });

    it('the Unroll View payload carries the same notes (and the webview marks null cells)', () => {
      assert.ok(read.document);
      const p = buildRunPayload(read.document, { title: 'relu-overflow' });
      assert.ok(p.notes.some((n) => n.startsWith('output contains inf at [1, 0]')), p.notes.join('\n'));
      assert.ok(p.notes.some((n) => n.startsWith('h_n contains inf at [0, 0]')), p.notes.join('\n'));
    });

    it('findNonFinite: nan before inf, PyTorch-style index, float32 range', () => {
      assert.equal(findNonFinite({ shape: [2, 2], data: Float64Array.from([0, 1, 3.4e38, -1]) }), undefined);
      assert.deepEqual(findNonFinite({ shape: [2, 3], data: Float64Array.from([0, 1, 2, 3, NaN, Infinity]) }), { kind: 'nan', index: [1, 1], count: 2 });
      assert.deepEqual(findNonFinite({ shape: [2, 1, 2], data: Float64Array.from([0, 0, 0, -1e39]) }), { kind: '-inf', index: [1, 0, 1], count: 1 });
      assert.deepEqual(nonFiniteNotes([{ name: 'c_n', tensor: { shape: [1, 2], data: Float64Array.from([NaN, 1]) } }]),
        ['c_n contains nan at [0, 0]: the numbers overflowed and then mixed (inf - inf, 0 * inf), as they would in PyTorch. Smaller weights or inputs keep them finite.',
          "After an overflow, whether a value ends up inf or nan depends on the order of the sums and on fused multiply-add, so it can differ between PyTorch builds and machines. RNN Lens computes in float64 and shows every value beyond float32's range as inf."]);
      assert.deepEqual(nonFiniteNotes([{ name: 'h_n', tensor: { shape: [1, 2], data: Float64Array.from([0.5, 1]) } }]), [], 'finite results: no note at all');
    });

    it('tanh saturates instead: weights of 1e38 give finite results and no note', () => {
      const t = text.replace('"relu"', '"tanh"').split('1e30').join('1e38');
      const r = readDocument(t);
      assert.ok(r.document);
      const run = runDocumentJson(r.document);
      assert.ok(!run.notes.some((n) => /contains (inf|nan)/.test(n)), run.notes.join('\n'));
      assert.deepEqual(run.result.h_n, [[1, 1]]);
    });
  });

  describe('oversized work is refused before anything is allocated', () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    /** Grows of the JS heap and of array buffers (typed arrays live there) while `fn` runs. */
    function growth(fn: () => void): { heap: number; buffers: number } {
      gc?.();
      const before = process.memoryUsage();
      fn();
      const after = process.memoryUsage();
      return { heap: after.heapUsed - before.heapUsed, buffers: after.arrayBuffers - before.arrayBuffers };
    }
    const MB = 1024 * 1024;
    const docs: [string, string][] = [
      ['{"rand": [1, 1e8, 10]}', '{"model": {"type": "RNN", "input_size": 10, "hidden_size": 4}, "input": {"rand": [1, 1e8, 10]}}'],
      ['hidden_size 1e9', '{"model": {"type": "LSTM", "input_size": 10, "hidden_size": 1e9}, "input": {"rand": [2, 1, 10]}}'],
      ['num_layers 1e9', '{"model": {"type": "GRU", "input_size": 10, "hidden_size": 8, "num_layers": 1e9}, "seed": 3, "input": [[1,2,3,4,5,6,7,8,9,10]]}'],
      ['input_size 1e9 with rand', '{"model": {"type": "RNN", "input_size": 1000000000, "hidden_size": 1}, "input": {"rand": [1, 1, 1000000000]}}'],
      ['head out_features 1e9', '{"model": {"type": "RNN", "input_size": 1, "hidden_size": 8}, "head": {"type": "Linear", "out_features": 1000000000}, "input": [[1]]}'],
    ];
    for (const [what, text] of docs) {
      it(`${what}: a budget error, and the heap grows by less than 8 MB`, () => {
        let read: ReadResult | undefined;
        const g = growth(() => {
          read = readDocument(text);
          if (read.document) resolveParameters(read.document);
        });
        assert.ok(read && !read.document, 'refused');
        assert.ok(read.diagnostics.some((d) => d.code === 'budget'), read.diagnostics.map((d) => d.message).join('\n'));
        assert.ok(g.heap < 8 * MB, `heap grew by ${(g.heap / MB).toFixed(1)} MB`);
        assert.ok(g.buffers < 8 * MB, `array buffers grew by ${(g.buffers / MB).toFixed(1)} MB`);
      });
    }
  });
});
