/*
 * The RNN document reader: one test per diagnostic kind, each asserting the message AND the
 * exact text the diagnostic's range covers. Documents live in test/fixtures/bad and good.
 * Layer: test (Node). Expected messages are PyTorch's wording (checked against PyTorch 1.13
 * source) or hand-written facts; none is produced by the code under test.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { readDocument, readTensorText, MAX_DEPTH } from '../../src/document/reader';
import type { Diagnostic, ReadResult } from '../../src/document/types';

const root = path.resolve(__dirname, '../../..');
const fixture = (name: string) => readFileSync(path.join(root, 'test/fixtures', name), 'utf8');

interface Expect {
  file: string;
  code: string;
  severity?: 'error' | 'warning' | 'info';
  /** Substrings the message must contain. */
  message: string[];
  /** The exact text the range must cover. */
  at: string;
  /** When the document must still be usable (warnings and infos only). */
  usable?: boolean;
}

const cases: Expect[] = [
  { file: 'syntax-comma', code: 'syntax', message: ['expected `,`'], at: '"input_size"' },
  { file: 'nan', code: 'non-finite', message: ['`NaN` is not a number in JSON'], at: 'NaN' },
  { file: 'overflow', code: 'non-finite', message: ['1e999', 'Infinity'], at: '1e999' },
  { file: 'float32-overflow', code: 'non-finite', message: ['float32', 'inf'], at: '-1e39' },
  { file: 'missing-hidden-size', code: 'missing-key', message: ['missing required key `hidden_size` in model'], at: '"model"' },
  { file: 'missing-model', code: 'missing-key', message: ['missing required key `model`'], at: '{' },
  { file: 'hidden-size-string', code: 'wrong-type', message: ['`hidden_size` must be a whole number', 'Write it without quotes: 20'], at: '"20"' },
  { file: 'batch-first-string', code: 'wrong-type', message: ['`batch_first` must be true or false', 'Write it without quotes: true'], at: '"True"' },
  { file: 'num-layers-zero', code: 'out-of-range', message: ['`num_layers` must be >= 1', 'got 0'], at: '0' },
  { file: 'dropout-one', code: 'out-of-range', message: ['`dropout` must be in [0, 1)', 'got 1'], at: '1' },
  { file: 'proj-too-big', code: 'out-of-range', message: ['proj_size has to be smaller than hidden_size: got proj_size=4, hidden_size=4'], at: '4' },
  { file: 'proj-on-gru', code: 'not-for-type', message: ['proj_size argument is only supported for LSTM, not RNN or GRU'], at: '"proj_size"' },
  { file: 'nonlinearity-on-lstm', code: 'not-for-type', message: ['`nonlinearity` is an option of nn.RNN only', 'nn.LSTM'], at: '"nonlinearity"' },
  { file: 'nonlinearity-sigmoid', code: 'out-of-range', message: ['Unknown nonlinearity "sigmoid"', '"tanh" or "relu"'], at: '"sigmoid"' },
  { file: 'type-lowercase', code: 'out-of-range', message: ['unknown model type "lstm"', 'Did you mean "LSTM"?'], at: '"lstm"' },
  { file: 'c0-on-gru', code: 'not-for-type', message: ['`c0` is only for LSTM', 'nn.GRU has no cell state'], at: '"c0"' },
  { file: 'unknown-key', code: 'unknown-key', severity: 'warning', message: ['unknown key `hiddenSize` in model', 'Did you mean `hidden_size`?'], at: '"hiddenSize"', usable: true },
  { file: 'ragged', code: 'ragged', message: ['expected sequence of length 2 at dim 1 (got 1)'], at: '[0.25]' },
  { file: 'not-a-number', code: 'wrong-type', message: ['must hold only numbers, got a string ("1")'], at: '"1"' },
  { file: 'empty', code: 'empty', message: ['empty tensor', 'torch.Size([1, 0])'], at: '[[]]' },
  { file: 'input-size', code: 'shape', message: ['input.size(-1) must be equal to input_size. Expected 10, got 7'], at: '{"rand": [4, 3, 7]}' },
  { file: 'input-4d', code: 'shape', message: ['GRU: Expected input to be 2-D or 3-D but received 4-D tensor'], at: '[[[[1]]]]' },
  { file: 'h0-size', code: 'shape', message: ['Expected hidden size (1, 3, 2), got [1, 3, 3]'], at: '[[[0, 0, 0], [0, 0, 0], [0, 0, 0]]]' },
  { file: 'c0-size', code: 'shape', message: ['Expected hidden[1] size (1, 3, 2), got [1, 2, 2]'], at: '[[[0, 0], [0, 0]]]' },
  { file: 'h0-rank', code: 'shape', message: ['For batched 3-D input, hx should also be 3-D but got 2-D tensor'], at: '[[0, 0]]' },
  {
    file: 'state-dict-size', code: 'shape',
    message: ['size mismatch for weight_ih_l0: copying a param with shape torch.Size([2, 3]) from checkpoint, the shape in current model is torch.Size([2, 2]).'],
    at: '[[1, 2, 3], [4, 5, 6]]',
  },
  { file: 'state-dict-unexpected', code: 'unexpected-key', message: ['Unexpected key(s) in state_dict: "weight_ih_l1".', 'num_layers=1'], at: '"weight_ih_l1"' },
  { file: 'state-dict-head-without-head', code: 'unexpected-key', message: ['Unexpected key(s) in state_dict: "fc.weight".', 'no "head"'], at: '"fc.weight"' },
  { file: 'state-dict-two-prefixes', code: 'prefix', message: ['has the prefix `lstm.` but an earlier key of the RNN has the prefix `rnn.`', 'use one prefix'], at: '"lstm.weight_hh_l0"' },
  {
    file: 'state-dict-missing-no-seed', code: 'missing-key', severity: 'warning',
    message: ['Missing key(s) in state_dict: "bias_ih_l0", "bias_hh_l0".', 'torch.manual_seed(0)'], at: '"state_dict"', usable: true,
  },
  { file: 'budget-model', code: 'budget', message: ['parameters', 'more than the limit of 64,000,000'], at: '"model"' },
  { file: 'budget-rand', code: 'budget', message: ['torch.rand(1, 100000000, 10) would hold 1,000,000,000 numbers', '64,000,000'], at: '[1, 1e8, 10]' },
  { file: 'budget-flops', code: 'budget', message: ['more than the limit of 64,000,000'], at: '{"rand": [1000, 20, 1000]}' },
  { file: 'duplicate-key', code: 'duplicate-key', severity: 'warning', message: ['`seed` appears more than once', 'last one is used'], at: '"seed"', usable: true },
  { file: 'not-an-object', code: 'wrong-type', message: ['the document must be a JSON object'], at: '[1, 2, 3]' },
  { file: 'grad-shape', code: 'shape', message: ['Mismatch in shape: grad_output has a shape of torch.Size([2, 3]) and output has a shape of torch.Size([2, 2]).'], at: '[[1, 1, 1], [1, 1, 1]]' },
  { file: 'head-in-features', code: 'shape', message: ['in_features must be 6', 'got 3', 'mat1 and mat2 shapes cannot be multiplied'], at: '3' },
];

function find(r: ReadResult, c: Expect): Diagnostic {
  const d = r.diagnostics.find((x) => x.code === c.code && c.message.every((m) => x.message.includes(m)));
  assert.ok(d, `no ${c.code} diagnostic with ${JSON.stringify(c.message)}; got:\n${r.diagnostics.map((x) => `${x.code}: ${x.message}`).join('\n')}`);
  return d;
}

describe('document reader: one diagnostic kind per fixture', () => {
  for (const c of cases) {
    it(`${c.file}: ${c.code} "${c.message[0]}" at ${c.at}`, () => {
      const text = fixture(`bad/${c.file}.rnn.json`);
      const r = readDocument(text);
      const d = find(r, c);
      assert.equal(d.severity, c.severity ?? 'error');
      assert.equal(text.slice(d.span.start, d.span.end), c.at);
      if (c.usable) assert.ok(r.document, 'warnings alone must leave the document usable');
      else assert.equal(r.document, undefined, 'an error must leave no document');
    });
  }
});

describe('document reader: accepted documents', () => {
  it('reads every golden case without errors or warnings', () => {
    const dir = path.join(root, 'test/golden');
    const names = require('node:fs').readdirSync(dir).filter((n: string) => n.endsWith('.json'));
    assert.ok(names.length >= 20);
    for (const n of names) {
      const r = readDocument(readFileSync(path.join(dir, n), 'utf8'));
      const bad = r.diagnostics.filter((d) => d.severity !== 'info');
      assert.deepEqual(bad, [], `${n}: ${bad.map((d) => d.message).join('; ')}`);
      assert.ok(r.document, n);
    }
  });

  it('reads JSONC (comments, trailing commas) and explains each prefixed state_dict key', () => {
    const text = fixture('good/prefixed_head_bi_lstm.rnn.jsonc');
    const r = readDocument(text);
    assert.ok(r.document);
    assert.equal(r.diagnostics.filter((d) => d.severity !== 'info').length, 0);
    const fc = r.diagnostics.find((d) => d.message === 'read `fc.weight` as head.weight');
    assert.ok(fc);
    assert.equal(fc.severity, 'info');
    assert.equal(text.slice(fc.span.start, fc.span.end), '"fc.weight"');
    const rnn = r.diagnostics.find((d) => d.message === 'read `rnn.weight_hh_l0_reverse` as weight_hh_l0_reverse');
    assert.ok(rnn);
    const names = r.document.stateDict.map((e) => e.name).sort();
    assert.deepEqual(names, ['bias_hh_l0', 'bias_hh_l0_reverse', 'bias_ih_l0', 'bias_ih_l0_reverse', 'head.bias', 'head.weight',
      'weight_hh_l0', 'weight_hh_l0_reverse', 'weight_ih_l0', 'weight_ih_l0_reverse']);
  });

  it('applies PyTorch defaults and rounds values to float32', () => {
    const r = readDocument('{"model": {"type": "GRU", "input_size": 1, "hidden_size": 3}, "input": [[0.1]]}');
    assert.ok(r.document);
    assert.deepEqual(r.document.model, {
      type: 'GRU', inputSize: 1, hiddenSize: 3, numLayers: 1, nonlinearity: 'tanh', bias: true,
      batchFirst: false, dropout: 0, bidirectional: false, projSize: 0,
    });
    assert.equal(r.document.input?.kind, 'literal');
    if (r.document.input?.kind === 'literal') assert.equal(r.document.input.tensor.data[0], 0.10000000149011612);
  });

  it('accepts description, $schema, expected and backward silently', () => {
    const r = readDocument('{"$schema": "x", "description": "d", "expected": {"anything": [1, [2]]}, "backward": {"loss": "sum"},' +
      '"model": {"type": "RNN", "input_size": 1, "hidden_size": 1}}');
    assert.deepEqual(r.diagnostics, []);
  });

  it('reports the missing keys drawn from the seed as info on "state_dict"', () => {
    const text = '{"model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "seed": 7, "state_dict": {"weight_ih_l0": [[1]]}}';
    const r = readDocument(text);
    const d = r.diagnostics.find((x) => x.code === 'missing-key');
    assert.ok(d && r.document);
    assert.equal(d.severity, 'info');
    assert.ok(d.message.includes('Missing key(s) in state_dict: "weight_hh_l0", "bias_ih_l0", "bias_hh_l0".'));
    assert.ok(d.message.includes('drawn from seed 7'));
    assert.equal(text.slice(d.span.start, d.span.end), '"state_dict"');
  });

  it('keeps __proto__ and constructor as plain keys: no prototype pollution', () => {
    const text = fixture('bad/prototype.rnn.json');
    const r = readDocument(text);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal((Object.prototype as unknown as Record<string, unknown>).polluted, undefined);
    const unknown = r.diagnostics.filter((d) => d.code === 'unknown-key').map((d) => text.slice(d.span.start, d.span.end));
    assert.deepEqual(unknown, ['"__proto__"', '"constructor"', '"__proto__"']);
    const sd = r.diagnostics.find((d) => d.code === 'unexpected-key');
    assert.ok(sd && sd.message.includes('Unexpected key(s) in state_dict: "__proto__"'));
  });

  it('a lower FLOPs budget refuses a run that fits the element budget, with the numbers', () => {
    const text = '{"model": {"type": "RNN", "input_size": 10, "hidden_size": 20}, "input": {"rand": [3, 5, 10]}}';
    const r = readDocument(text, { budget: { maxElements: 1e9, maxFlops: 1000 } });
    const d = r.diagnostics.find((x) => x.code === 'budget');
    assert.ok(d);
    // 3*5 steps, each 2*20*(10+20) FLOPs = 18,000 (hand-derived: one multiply-add is 2 FLOPs).
    assert.ok(d.message.includes('about 18,000 floating-point operations'), d.message);
    assert.ok(d.message.includes('limit of 1,000'));
    assert.equal(text.slice(d.span.start, d.span.end), '{"rand": [3, 5, 10]}');
  });
});

describe('document reader: hostile input', () => {
  it(`refuses 100,000 levels of nesting at the bracket beyond level ${MAX_DEPTH} (no recursion: no RangeError)`, () => {
    const prefix = '{"model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "input": ';
    const text = prefix + '['.repeat(100_000) + ']'.repeat(100_000) + '}';
    const r = readDocument(text);
    const d = r.diagnostics.find((x) => x.code === 'too-deep');
    assert.ok(d);
    assert.ok(d.message.includes('nesting is too deep'));
    assert.equal(d.span.start, prefix.length + MAX_DEPTH - 1); // the root object is level 1
    assert.equal(text.slice(d.span.start, d.span.end), '[');
    assert.equal(r.document, undefined);
  });

  it('never throws on garbage, truncations and empty text', () => {
    const base = fixture('good/prefixed_head_bi_lstm.rnn.jsonc');
    const inputs = ['', '   ', 'null', '"x"', '{', '}', '[[[', '\u0000\u0001\u00ff', '{"model": {"type": "RNN", "input_size": 1e999, "hidden_size": -0}}'];
    for (let cut = 0; cut < base.length; cut += 97) inputs.push(base.slice(0, cut));
    for (const t of inputs) {
      const r = readDocument(t);
      for (const d of r.diagnostics) {
        assert.ok(d.span.start >= 0 && d.span.start <= d.span.end && d.span.end <= t.length, JSON.stringify(d));
      }
      if (t.trim() !== base.trim()) assert.ok(r.diagnostics.some((d) => d.severity === 'error') || r.document);
    }
    assert.equal(readDocument('').diagnostics[0].code, 'syntax');
  });

  it('readTensorText reads a selected array with the same rules', () => {
    const ok = readTensorText('[[1, 2], [3, 4],] // selected');
    assert.deepEqual(ok.tensor?.shape, [2, 2]);
    assert.deepEqual(Array.from(ok.tensor!.data), [1, 2, 3, 4]);
    const bad = readTensorText('[[1, 2], [3]]');
    assert.equal(bad.tensor, undefined);
    assert.equal(bad.diagnostics[0].code, 'ragged');
  });
});
