/*
 * The reader on training documents: every problem of an `embedding` or `train` block is a
 * diagnostic at the key or value to fix, in PyTorch's words where PyTorch has words; forward
 * commands (run, shapes, grad) work on documents with an embedding and a head on every step.
 * Layer: test (Node).
 */
import * as assert from 'node:assert/strict';
import { readDocument } from '../../src/document/reader';
import { grad, init, run, shapes, train } from '../../src/api';

const ORIGIN = {
  model: { type: 'RNN', input_size: 10, hidden_size: 20, batch_first: true },
  head: { type: 'Linear', out_features: 2 },
  seed: 0,
  input: { rand: [3, 5, 10] },
  train: { loss: 'mse', target: { rand: [3, 2] }, optimizer: { type: 'SGD', lr: 0.1 }, steps: 5 } as Record<string, unknown>,
};
const CHAR = {
  embedding: { num_embeddings: 5, embedding_dim: 3 },
  model: { type: 'GRU', input_size: 3, hidden_size: 4, batch_first: true },
  head: { type: 'Linear', out_features: 5, on: 'all' },
  seed: 1,
  input: [[0, 1, 2], [3, 4, 0]],
  train: { loss: 'cross_entropy', target: [[1, 2, 3], [4, 0, 1]], optimizer: { type: 'Adam', lr: 0.01 }, steps: 3 } as Record<string, unknown>,
};

/** The one error of a document, and the text it points at. */
function error(doc: unknown): { message: string; at: string; code: string } {
  const text = JSON.stringify(doc, null, 2);
  const r = readDocument(text);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errors.length, 1, JSON.stringify(errors.map((e) => e.message)));
  assert.equal(r.document, undefined);
  return { message: errors[0].message, at: text.slice(errors[0].span.start, errors[0].span.end), code: errors[0].code };
}

describe('reader: the train block', () => {
  it('a training document reads without problems', () => {
    for (const doc of [ORIGIN, CHAR]) {
      const r = readDocument(JSON.stringify(doc));
      assert.deepEqual(r.diagnostics.filter((d) => d.severity !== 'info'), []);
      assert.ok(r.document?.train);
    }
  });

  it('lr < 0: PyTorch\'s "Invalid learning rate: -0.1" at the value', () => {
    const e = error({ ...ORIGIN, train: { ...ORIGIN.train, optimizer: { type: 'SGD', lr: -0.1 } } });
    assert.equal(e.message, 'Invalid learning rate: -0.1');
    assert.equal(e.at, '-0.1');
  });

  it('lr = 0 is an error too (nothing would change)', () => {
    const e = error({ ...ORIGIN, train: { ...ORIGIN.train, optimizer: { type: 'Adam', lr: 0 } } });
    assert.match(e.message, /^lr=0/);
    assert.equal(e.at, '0');
  });

  it('SGD without lr: PyTorch\'s required-parameter sentence at the optimizer key', () => {
    const e = error({ ...ORIGIN, train: { ...ORIGIN.train, optimizer: { type: 'SGD' } } });
    assert.match(e.message, /^parameter group didn't specify a value of required optimization parameter lr/);
    assert.equal(e.at, '"optimizer"');
  });

  it('nesterov without momentum: PyTorch\'s words at `nesterov`', () => {
    const e = error({ ...ORIGIN, train: { ...ORIGIN.train, optimizer: { type: 'SGD', lr: 0.1, nesterov: true } } });
    assert.match(e.message, /^Nesterov momentum requires a momentum and zero dampening/);
    assert.equal(e.at, '"nesterov"');
  });

  it('an option the optimizer does not take: PyTorch\'s TypeError at the key', () => {
    const e = error({ ...ORIGIN, train: { ...ORIGIN.train, optimizer: { type: 'SGD', lr: 0.1, betas: [0.9, 0.99] } } });
    assert.match(e.message, /__init__\(\) got an unexpected keyword argument 'betas'/);
    assert.equal(e.at, '"betas"');
  });

  it('Adam betas out of [0, 1): "Invalid beta parameter at index 1: 1" at the number', () => {
    const e = error({ ...ORIGIN, train: { ...ORIGIN.train, optimizer: { type: 'Adam', betas: [0.9, 1] } } });
    assert.equal(e.message, 'Invalid beta parameter at index 1: 1');
    assert.equal(e.at, '1');
  });

  it('no loss: at the train key', () => {
    const { loss: _, ...rest } = ORIGIN.train;
    const e = error({ ...ORIGIN, train: rest });
    assert.match(e.message, /missing required key `loss`/);
    assert.equal(e.at, '"train"');
  });

  it('cross_entropy without a head: at the loss', () => {
    const { head: _, ...noHead } = ORIGIN;
    const e = error({ ...noHead, train: { ...ORIGIN.train, loss: 'cross_entropy', target: [[0, 1, 2, 3, 4]] } });
    assert.match(e.message, /^cross_entropy needs a head/);
    assert.equal(e.at, '"cross_entropy"');
  });

  it('a class id out of range: PyTorch\'s "Target 5 is out of bounds." at that id', () => {
    const e = error({ ...ORIGIN, train: { ...ORIGIN.train, loss: 'cross_entropy', target: [0, 5, 1] } });
    assert.match(e.message, /^Target 5 is out of bounds\./);
    assert.equal(e.at, '5');
  });

  it('a class id that is not an integer, at that value', () => {
    const e = error({ ...ORIGIN, train: { ...ORIGIN.train, loss: 'cross_entropy', target: [0, 1.5, 1] } });
    assert.match(e.message, /integer class ids/);
    assert.equal(e.at, '1.5');
  });

  it('cross_entropy target of the wrong shape: PyTorch\'s "Expected target size"', () => {
    const e = error({ ...ORIGIN, train: { ...ORIGIN.train, loss: 'cross_entropy', target: [0, 1] } });
    assert.match(e.message, /^Expected target size \[3\], got \[2\]/);
  });

  it('mse target of another shape: PyTorch\'s warning, as an error at the target', () => {
    const e = error({ ...ORIGIN, train: { ...ORIGIN.train, target: [[1, 2, 3], [1, 2, 3], [1, 2, 3]] } });
    assert.match(e.message, /^Using a target size \(torch\.Size\(\[3, 3\]\)\) that is different to the input size \(torch\.Size\(\[3, 2\]\)\)/);
    assert.ok(e.at.startsWith('['));
    const r = error({ ...ORIGIN, train: { ...ORIGIN.train, target: { rand: [3, 3] } } });
    assert.match(r.message, /^Using a target size/);
  });

  it('dropout active in training (num_layers > 1): an error at dropout that says the masks are not reproduced', () => {
    const e = error({ ...ORIGIN, model: { ...ORIGIN.model, num_layers: 2, dropout: 0.3 } });
    assert.match(e.message, /does not reproduce those random masks/);
    assert.equal(e.at, '0.3');
    assert.equal(e.code, 'dropout-training');
  });

  it('steps x FLOPs per step over the budget: refused before running, with the numbers', () => {
    const text = JSON.stringify({ ...ORIGIN, train: { ...ORIGIN.train, steps: 1e9 } });
    const r = readDocument(text, { budget: { maxElements: 64e6, maxFlops: 2e10, maxTrainFlops: 1e12 } });
    const e = r.diagnostics.find((d) => d.code === 'budget');
    assert.ok(e);
    assert.match(e!.message, /^training would take about [\d,]+ floating-point operations \(1,000,000,000 steps x [\d,]+ per step, forward and backward\), more than the limit of 1,000,000,000,000/);
    assert.equal(text.slice(e!.span.start, e!.span.end), '1000000000');
  });
});

describe('reader: the embedding block and token ids', () => {
  it('an id out of range: "index out of range in self" at that id', () => {
    const e = error({ ...CHAR, input: [[0, 1, 2], [3, 9, 0]] });
    assert.match(e.message, /^index out of range in self: token id 9/);
    assert.equal(e.at, '9');
  });

  it('embedding_dim must equal input_size', () => {
    const e = error({ ...CHAR, embedding: { num_embeddings: 5, embedding_dim: 4 } });
    assert.match(e.message, /^embedding_dim \(4\) must equal the model's input_size \(3\)/);
  });

  it('ids cannot be drawn with rand', () => {
    const e = error({ ...CHAR, input: { rand: [2, 3] } });
    assert.match(e.message, /cannot be drawn with rand\/randn/);
  });

  it('embedding.weight in state_dict is read (and checked)', () => {
    const weight = [[0, 0, 0], [1, 1, 1], [2, 2, 2], [3, 3, 3], [4, 4, 4]];
    const r = readDocument(JSON.stringify({ ...CHAR, state_dict: { 'embedding.weight': weight } }));
    assert.ok(r.document, JSON.stringify(r.diagnostics));
    assert.equal(r.document!.stateDict[0].name, 'embedding.weight');
    const e = error({ ...CHAR, state_dict: { 'embedding.weight': [[0, 0, 0]] } });
    assert.match(e.message, /^size mismatch for embedding\.weight/);
  });
});

describe('run, shapes, init, grad and train on documents with an embedding and head "all"', () => {
  it('run(doc) = run of the same model on embedding(input)', () => {
    const { train: _, ...doc } = CHAR;
    const w = init(doc).state_dict as Record<string, number[][]>;
    const embedded = CHAR.input.map((row) => row.map((id) => w['embedding.weight'][id]));
    const { embedding: _e, ...plain } = doc;
    const sd = { ...w };
    delete sd['embedding.weight'];
    const a = run(doc);
    const b = run({ ...plain, input: embedded, state_dict: sd });
    assert.deepEqual(a.head, b.head);
    assert.deepEqual(a.output, b.output);
    assert.equal((a.head as number[][][]).length, 2);
    assert.equal((a.head as number[][][])[0].length, 3, 'head on every step: (N, L, out_features)');
  });

  it('shapes knows the token ids and the head on every step', () => {
    const s = shapes(CHAR);
    assert.deepEqual(s.input, [2, 3, 3]);
    assert.deepEqual(s.head, [2, 3, 5]);
  });

  it('grad gives embedding.weight\'s gradient (the scatter-add of dL/d embedding(input))', () => {
    const { train: _, ...doc } = CHAR;
    const g = grad({ ...doc, backward: { grad_head: [[[1, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]], [[0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]]] } });
    const ge = g.state_dict['embedding.weight'] as number[][];
    const gi = g.input as number[][][];
    // id 0 appears at [0][0] and [1][2]; id 1 at [0][1]: rows are sums of those positions.
    for (let j = 0; j < 3; j++) {
      assert.equal(ge[0][j], gi[0][0][j] + gi[1][2][j]);
      assert.equal(ge[1][j], gi[0][1][j]);
    }
  });

  it('train(doc) gives one loss and one norm per step, and every parameter', () => {
    const r = train(CHAR);
    assert.equal(r.loss.length, 3);
    assert.equal(r.grad_norm.length, 3);
    assert.deepEqual(Object.keys(r.state_dict), ['embedding.weight', 'weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'head.weight', 'head.bias']);
  });

  it('train(doc, {signal}) stops between steps and returns the steps done', () => {
    const flag = { aborted: false };
    const r = train({ ...ORIGIN, train: { ...ORIGIN.train, steps: 50 } }, { signal: flag, onStep: (s) => { if (s.step === 6) flag.aborted = true; } });
    assert.equal(r.loss.length, 7);
    assert.deepEqual(r.stopped, { reason: 'aborted', step: 7 });
  });
});
