// Unit tests of the training edits (src/extension/trainEdit.ts): writing a state_dict into a
// document (replacing one, or adding one) keeps the rest of the user's text; the "train" block
// added by the code action has a target of the right shape and reads without errors.
import * as assert from 'node:assert/strict';
import { readDocument } from '../../src/document/reader';
import { applyTextEdit, stateDictEdit, trainBlockEdit, trainBlockFor } from '../../src/extension/trainEdit';

const sd = { weight_ih_l0: [[0.5, -0.25]], weight_hh_l0: [[0.125]], bias_ih_l0: [0.1], bias_hh_l0: [-0.1] };

const withComments = `{
  // my model
  "model": {"type": "RNN", "input_size": 2, "hidden_size": 1},
  "seed": 0,
  /* keep me */
  "input": [[1, 2], [3, 4]]
}
`;

describe('training edits', () => {
  it('adds a state_dict after the last key, keeping comments and formatting', () => {
    const e = stateDictEdit(withComments, sd)!;
    const out = applyTextEdit(withComments, e);
    assert.ok(out.startsWith(withComments.slice(0, withComments.lastIndexOf(']') + 1)), 'everything before is unchanged');
    assert.ok(out.includes('// my model') && out.includes('/* keep me */'));
    const read = readDocument(out);
    assert.ok(read.document, JSON.stringify(read.diagnostics));
    assert.deepEqual(read.document.stateDict.map((x) => x.name).sort(), Object.keys(sd).sort());
    assert.equal(read.document.stateDict.find((x) => x.name === 'weight_ih_l0')!.tensor.data[1], -0.25);
    assert.match(out, /\n  "state_dict": \{\n    "weight_ih_l0": \[\n      \[0\.5, -0\.25\]\n    \],\n/);
  });

  it('replaces an existing state_dict value only', () => {
    const text = withComments.replace('"seed": 0,', '"seed": 0,\n  "state_dict": {"weight_ih_l0": [[9, 9]], "weight_hh_l0": [[9]], "bias_ih_l0": [9], "bias_hh_l0": [9]}, // old');
    const out = applyTextEdit(text, stateDictEdit(text, sd)!);
    assert.ok(out.includes('}, // old'), 'the comment after the value stays');
    assert.ok(!out.includes('[[9, 9]]'));
    assert.equal(out.match(/"state_dict"/g)!.length, 1);
    assert.ok(readDocument(out).document);
    // applying it twice gives the same text (idempotent)
    assert.equal(applyTextEdit(out, stateDictEdit(out, sd)!), out);
  });

  it('refuses text that is not a JSON object', () => {
    assert.equal(stateDictEdit('[1, 2]', sd), undefined);
    assert.equal(stateDictEdit('', sd), undefined);
  });

  it('a train block for the origin snippet: mse with a {"rand": [3, 2]} target (the head\'s shape)', () => {
    const text = JSON.stringify({ model: { type: 'RNN', input_size: 10, hidden_size: 20, batch_first: true }, head: { type: 'Linear', out_features: 2 }, seed: 0, input: { rand: [3, 5, 10] } }, null, 2);
    const doc = readDocument(text).document!;
    const block = trainBlockFor(doc)!;
    assert.deepEqual(block.target, { rand: [3, 2] });
    assert.equal(block.loss, 'mse');
    const out = applyTextEdit(text, trainBlockEdit(text, block)!);
    const read = readDocument(out);
    assert.deepEqual(read.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.ok(read.document?.train);
    assert.equal(trainBlockEdit(out, block), undefined, 'no second train block');
  });

  it('train blocks for other shapes: no head (output), seq-first, unbatched, head on every step', () => {
    const shapeOf = (doc: object) => (trainBlockFor(readDocument(JSON.stringify(doc)).document!)!.target as { rand: number[] }).rand;
    assert.deepEqual(shapeOf({ model: { type: 'GRU', input_size: 3, hidden_size: 6 }, seed: 0, input: { rand: [4, 2, 3] } }), [4, 2, 6]);
    assert.deepEqual(shapeOf({ model: { type: 'LSTM', input_size: 3, hidden_size: 6, bidirectional: true }, head: { type: 'Linear', out_features: 2 }, seed: 0, input: { rand: [4, 3] } }), [2]);
    assert.deepEqual(shapeOf({ model: { type: 'LSTM', input_size: 3, hidden_size: 6, proj_size: 2 }, seed: 0, input: { rand: [4, 3] } }), [4, 2]);
    assert.deepEqual(shapeOf({ model: { type: 'RNN', input_size: 3, hidden_size: 6, batch_first: true }, head: { type: 'Linear', out_features: 5, on: 'all' }, seed: 0, input: { rand: [2, 7, 3] } }), [2, 7, 5]);
  });

  it('with token ids and a head over the vocabulary on every step: cross_entropy on the next token', () => {
    const text = JSON.stringify({
      embedding: { num_embeddings: 5, embedding_dim: 3 },
      model: { type: 'LSTM', input_size: 3, hidden_size: 4, batch_first: true },
      head: { type: 'Linear', out_features: 5, on: 'all' },
      seed: 0,
      input: [[0, 1, 2, 3], [4, 3, 2, 1]],
    });
    const doc = readDocument(text).document!;
    const block = trainBlockFor(doc)!;
    assert.equal(block.loss, 'cross_entropy');
    assert.deepEqual(block.target, [[1, 2, 3, 0], [3, 2, 1, 4]]);
    const out = readDocument(applyTextEdit(text, trainBlockEdit(text, block)!));
    assert.deepEqual(out.diagnostics.filter((d) => d.severity === 'error'), []);
  });

  it('no input, no block', () => {
    assert.equal(trainBlockFor(readDocument(JSON.stringify({ model: { type: 'RNN', input_size: 3, hidden_size: 6 } })).document!), undefined);
  });
});
