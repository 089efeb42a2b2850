/*
 * resolveRun / resolveParameters: seeded initialisation, {"rand": shape}, state_dict over
 * drawn parameters, input overrides. Expected values are PyTorch's (golden cases).
 * Layer: test (Node).
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { readDocument } from '../../src/document/reader';
import { resolveInputOverride, resolveParameters, resolveRun, ResolveError } from '../../src/document/resolve';
import { tensorToNested } from '../../src/document/nested';
import type { RnnDocument } from '../../src/document/types';

const root = path.resolve(__dirname, '../../..');
const golden = (name: string) => JSON.parse(readFileSync(path.join(root, 'test/golden', `${name}.json`), 'utf8'));

function read(obj: unknown): RnnDocument {
  const r = readDocument(JSON.stringify(obj));
  assert.ok(r.document, r.diagnostics.map((d) => d.message).join('; '));
  return r.document;
}

/** Bit-for-bit as float32, as the golden README demands for seeded draws. */
function assertBits(ours: unknown, expected: unknown, where: string): void {
  const a = (ours as unknown[]).flat(4) as number[];
  const e = (expected as unknown[]).flat(4) as number[];
  assert.equal(a.length, e.length, where);
  for (let i = 0; i < e.length; i++) assert.equal(Math.fround(a[i]), e[i], `${where}[${i}]`);
}

describe('resolveRun: seeds, rand inputs and state_dict, in PyTorch order', () => {
  for (const name of ['seed_snippet', 'seeded_gru_head', 'seeded_lstm_bi']) {
    it(`${name}: parameters and input drawn as torch.manual_seed(seed) draws them`, () => {
      const g = golden(name);
      const r = resolveRun(read(g));
      assert.equal(r.seed, g.seed);
      assert.deepEqual(Object.keys(r.spec.stateDict), Object.keys(g.expected.state_dict));
      for (const [k, v] of Object.entries(g.expected.state_dict)) assertBits(tensorToNested(r.spec.stateDict[k]), v, k);
      assertBits(tensorToNested(r.spec.input), g.expected.input, 'input');
      assert.deepEqual(r.drawn, Object.keys(g.expected.state_dict));
    });
  }

  it('state_dict entries replace drawn ones without moving the input draws (load_state_dict after construction)', () => {
    const g = golden('seed_snippet');
    const zeros = Array.from({ length: 20 }, () => Array(10).fill(0));
    const doc = read({ ...g, expected: undefined, state_dict: { 'rnn.weight_ih_l0': zeros } });
    const r = resolveRun(doc);
    assert.deepEqual(Array.from(r.spec.stateDict.weight_ih_l0.data), Array(200).fill(0));
    assertBits(tensorToNested(r.spec.stateDict.weight_hh_l0), g.expected.state_dict.weight_hh_l0, 'weight_hh_l0');
    assertBits(tensorToNested(r.spec.stateDict['head.weight']), g.expected.state_dict['head.weight'], 'head.weight');
    assertBits(tensorToNested(r.spec.input), g.expected.input, 'input');
    assert.ok(!r.drawn.includes('weight_ih_l0'));
    assert.equal(r.notes.length, 0, 'a seed was given: nothing to note');
  });

  it('no seed and an incomplete state_dict: seed 0, with a note', () => {
    const g = golden('seed_snippet');
    const doc = read({ model: g.model, head: g.head, state_dict: { weight_ih_l0: g.expected.state_dict.weight_ih_l0 }, input: [[0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0]] });
    const r = resolveRun(doc);
    assert.equal(r.seed, 0);
    assert.ok(r.notes.includes('no seed and an incomplete state_dict: parameters drawn as torch.manual_seed(0) would'), r.notes.join('|'));
    // seed_snippet is torch.manual_seed(0): the drawn parameters are its own.
    assertBits(tensorToNested(r.spec.stateDict.bias_hh_l0), g.expected.state_dict.bias_hh_l0, 'bias_hh_l0');
  });

  it('a complete state_dict and a literal input draw nothing', () => {
    const g = golden('lstm_basic');
    const r = resolveRun(read(g));
    assert.deepEqual(r.drawn, []);
    assert.deepEqual(r.notes, []);
    assert.deepEqual(tensorToNested(r.spec.input), g.input);
  });

  it('a document without input cannot run, but its parameters resolve', () => {
    const doc = read({ model: { type: 'RNN', input_size: 1, hidden_size: 2 }, seed: 3 });
    assert.throws(() => resolveRun(doc), (e: unknown) => e instanceof ResolveError && /no "input"/.test((e as Error).message));
    const p = resolveParameters(doc);
    assert.deepEqual(Object.keys(p.stateDict), ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0']);
    assert.equal(p.input, undefined);
  });

  it('runs the same document on a selected array (input override), checking its shape', () => {
    const g = golden('rnn_tanh_bf0');
    const doc = read(g);
    const ok = resolveInputOverride(doc, JSON.stringify(g.input));
    assert.ok(ok.input);
    const r = resolveRun(doc, { input: ok.input });
    assert.deepEqual(tensorToNested(r.spec.input), g.input);
    const bad = resolveInputOverride(doc, '[[1, 2, 3, 4, 5, 6, 7]]');
    assert.equal(bad.input, undefined);
    assert.ok(bad.diagnostics[0].message.startsWith(`input.size(-1) must be equal to input_size. Expected ${g.model.input_size}, got 7`));
  });
});
