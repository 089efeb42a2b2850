/*
 * Property tests (fast-check) of the two readers of user text: the RNN document reader, and the
 * Python snippet reader. On arbitrary input they never throw, every range lies inside the text,
 * messages stay readable, and each call returns within a time bound; a document that passes the
 * reader also resolves and runs without throwing.
 * Fixed numRuns and seed: FC_SEED=<n> replays another seed (fast-check prints the seed and the
 * path of a failure; pass both back with FC_SEED and FC_PATH to replay exactly that case).
 * Layer: test (Node).
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { estimateCost, readDocument } from '../../src/document/reader';
import { runDocumentJson } from '../../src/document/commands';
import { ResolveError } from '../../src/document/resolve';
import { readSnippet, snippetReport, toRnnDocument } from '../../src/python';
import { messageProblems } from './helpers/hostileCorpus';

const root = path.resolve(__dirname, '../../..');
const SEED = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : 0x2f6e;
const PATH = process.env.FC_PATH;
const RUNS = 300;
// No time bound per call: a hang or a blow-up (deep recursion, quadratic scans) shows as a thrown
// RangeError or as mocha's timeout for the whole property (this.timeout below), never as a
// timing assertion that a busy shared machine could fail.

function params(offset: number): fc.Parameters<unknown> {
  return PATH ? { seed: SEED + offset, path: PATH, numRuns: RUNS, endOnFailure: true } : { seed: SEED + offset, numRuns: RUNS };
}

/** Calls `fn` (formerly timed per call; see above why not any more). */
function timed<T>(fn: () => T): T {
  return fn();
}

/** The document reader's contract on any text. */
function checkDocument(text: string): void {
  const read = timed(() => readDocument(text));
  assert.ok(Array.isArray(read.diagnostics));
  for (const d of read.diagnostics) {
    assert.ok(d.span.start >= 0 && d.span.start <= d.span.end && d.span.end <= text.length, `span ${d.span.start}..${d.span.end} of ${text.length}`);
    assert.deepEqual(messageProblems(d.message, text), [], d.message);
    assert.notEqual(d.code, 'internal', d.message);
  }
  const errors = read.diagnostics.filter((d) => d.severity === 'error').length;
  assert.equal(read.document === undefined, errors > 0, 'a document exactly when there is no error');
  const doc = read.document;
  if (!doc) return;
  const shape = doc.input ? (doc.input.kind === 'literal' ? doc.input.tensor.shape : doc.input.shape) : undefined;
  if (estimateCost(doc.model, doc.head, shape).flops > 2e6) return;
  try {
    timed(() => runDocumentJson(doc));
  } catch (e) {
    assert.ok(e instanceof ResolveError && !doc.input, `run threw: ${(e as Error)?.message}`);
  }
}

// --- documents shaped like RNN documents -----------------------------------------------------

const anyJson = fc.jsonValue({ maxDepth: 3 });
const smallInt = fc.oneof(fc.integer({ min: -2, max: 4 }), fc.constantFrom(0, 1, 2, 3, 1e9, 2.5, -1));
const weird = fc.oneof(anyJson, fc.constantFrom('__proto__', 'constructor', '<script>x</script>', '\u202e', '\u0000', 'NaN'));
const maybe = <T>(a: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: a }, { weight: 1, arbitrary: weird });

const modelArb = fc.record(
  {
    type: maybe(fc.constantFrom('RNN', 'LSTM', 'GRU', 'rnn', 'Transformer')),
    input_size: maybe(smallInt),
    hidden_size: maybe(smallInt),
    num_layers: maybe(smallInt),
    nonlinearity: maybe(fc.constantFrom('tanh', 'relu', 'sigmoid')),
    bias: maybe(fc.boolean()),
    batch_first: maybe(fc.boolean()),
    dropout: maybe(fc.constantFrom(0, 0.5, 1, -0.1)),
    bidirectional: maybe(fc.boolean()),
    proj_size: maybe(smallInt),
  },
  { requiredKeys: [] },
);

/** A nested array of small numbers with a random (possibly ragged) shape. */
const tensorArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  leaf: fc.oneof(fc.double({ min: -3, max: 3, noNaN: true }), fc.integer({ min: -3, max: 3 })),
  row: fc.array(tie('leaf'), { minLength: 0, maxLength: 4 }),
  mat: fc.array(tie('row'), { minLength: 0, maxLength: 3 }),
  cube: fc.array(tie('mat'), { minLength: 0, maxLength: 3 }),
  any: fc.oneof(tie('row'), tie('mat'), tie('cube'), tie('leaf')),
})).any;

const stateDictArb = fc.dictionary(
  fc.constantFrom('weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_hr_l0', 'weight_ih_l0_reverse', 'rnn.weight_ih_l0', 'head.weight', 'fc.bias', '__proto__', 'x'),
  fc.oneof(tensorArb, weird),
  { maxKeys: 4 },
);

const documentArb = fc.record(
  {
    model: maybe(modelArb),
    head: maybe(fc.record({ type: maybe(fc.constant('Linear')), out_features: maybe(smallInt), bias: maybe(fc.boolean()) }, { requiredKeys: [] })),
    seed: maybe(fc.integer({ min: -1, max: 5 })),
    state_dict: maybe(stateDictArb),
    input: maybe(fc.oneof(tensorArb, fc.record({ rand: fc.array(smallInt, { maxLength: 4 }) }))),
    h0: maybe(tensorArb),
    c0: maybe(tensorArb),
    description: fc.string(),
  },
  { requiredKeys: [] },
);

// --- text mutations --------------------------------------------------------------------------

type Edit = { at: number; kind: 'delete' | 'insert' | 'duplicate' | 'swap'; len: number; text: string };
const editArb: fc.Arbitrary<Edit> = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('delete', 'insert', 'duplicate', 'swap'),
  len: fc.integer({ min: 1, max: 20 }),
  text: fc.oneof(fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', '/*', '//', '\n', '1e999', 'NaN', '-', '0', '.', '__proto__', '\u0000', '\u202e', '(', ')', '=', '#', '"""', 'nn.LSTM(', 'self.', 'torch.rand('), fc.string({ maxLength: 5 })),
});

function mutate(base: string, edits: Edit[]): string {
  let s = base;
  for (const e of edits) {
    const at = s.length === 0 ? 0 : e.at % (s.length + 1);
    switch (e.kind) {
      case 'delete': s = s.slice(0, at) + s.slice(at + e.len); break;
      case 'insert': s = s.slice(0, at) + e.text + s.slice(at); break;
      case 'duplicate': s = s.slice(0, at) + s.slice(at, at + e.len) + s.slice(at); break;
      case 'swap': {
        const b = s.length === 0 ? 0 : (at + e.len * 7) % s.length;
        const [lo, hi] = at < b ? [at, b] : [b, at];
        s = s.slice(0, lo) + s.slice(hi, hi + e.len) + s.slice(lo + e.len, hi) + s.slice(lo, lo + e.len) + s.slice(hi + e.len);
        break;
      }
    }
  }
  return s;
}

const validDocs = ['origin.rnn.json', 'lstm-proj.rnn.json', 'gru-explicit-weights.rnn.json', 'lstm-bidirectional-2layer.rnn.json', 'markup-in-strings.rnn.json']
  .map((f) => readFileSync(path.join(root, 'examples', f), 'utf8'));

describe(`hostile fuzz (fast-check, seed ${SEED}${PATH ? `, path ${PATH}` : ''}, ${RUNS} runs each; FC_SEED=<n> to change)`, function () {
  this.timeout(300_000);

  describe('document reader', () => {
    it('documents shaped like RNN documents (JSON values in every slot)', () => {
      fc.assert(fc.property(documentArb, (doc) => { checkDocument(JSON.stringify(doc, null, 1)); }), params(0));
    });

    it('arbitrary strings (any UTF-16 code units)', () => {
      fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => { checkDocument(s); }), params(1));
    });

    it('JSON-ish token soup', () => {
      const tokens = fc.constantFrom('{', '}', '[', ']', ',', ':', '"model"', '"input"', '"type"', '"LSTM"', '"rand"', '1', '-1', '0.5', '1e999', 'NaN', 'true', 'null', '//c\n', '/*', '*/', ' ', '"__proto__"', '"state_dict"', '"weight_ih_l0"');
      fc.assert(fc.property(fc.array(tokens, { maxLength: 120 }), (a) => { checkDocument(a.join('')); }), params(2));
    });

    it('mutations of the valid example documents', () => {
      fc.assert(fc.property(fc.constantFrom(...validDocs), fc.array(editArb, { minLength: 1, maxLength: 6 }), (base, edits) => { checkDocument(mutate(base, edits)); }), params(3));
    });
  });

  describe('Python snippet reader', () => {
    const sample = readFileSync(path.join(root, 'examples', 'sample_rnn.py'), 'utf8');
    const samples = [sample, ...['sample_lstm.py', 'sample_gru_randn.py'].map((f) => readFileSync(path.join(root, 'examples', f), 'utf8'))];

    function checkPython(text: string): void {
      const r = timed(() => readSnippet(text));
      assert.ok(Array.isArray(r.models) && Array.isArray(r.notes));
      const inside = (s: { start: number; end: number }) => s.start >= 0 && s.start <= s.end && s.end <= text.length;
      for (const m of r.models) {
        assert.ok(inside(m.span), 'model span inside the text');
        for (const u of m.unresolved) assert.ok(inside(u.span), 'unresolved span inside the text');
        if (m.head) assert.ok(inside(m.head.span));
        if (m.seed) assert.ok(inside(m.seed.span));
        if (m.input) assert.ok(inside(m.input.span));
        timed(() => toRnnDocument(m));
        timed(() => snippetReport(m));
      }
    }

    it('arbitrary text', () => {
      fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => { checkPython(s); }), params(10));
    });

    it('mutations of examples/sample_rnn.py and the other samples', () => {
      fc.assert(fc.property(fc.constantFrom(...samples), fc.array(editArb, { minLength: 1, maxLength: 8 }), (base, edits) => { checkPython(mutate(base, edits)); }), params(11));
    });

    it('a generated document from a mutated snippet reads back through the document reader', () => {
      fc.assert(fc.property(fc.array(editArb, { minLength: 1, maxLength: 4 }), (edits) => {
        const text = mutate(sample, edits);
        for (const m of readSnippet(text).models) {
          checkDocument(toRnnDocument(m));
        }
      }), params(12));
    });
  });
});
