/*
 * The 'readArray' worker job (src/worker/job.ts): a large selected array for Run Forward on
 * Selection is read off the extension host. Checks the tensor against hand-derived facts
 * (torch.tensor of Python floats is float32), spans in document offsets, the host's l10n bundle,
 * and the message guards on both sides.
 * Layer: test (Node).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import {
  arrayReadJob,
  isArrayReadReply,
  isArrayReadRequest,
  isReadReply,
  isReadRequest,
  isWorkerReply,
  type ArrayReadReply,
} from '../../src/worker/job';

const jaBundle = (): Record<string, string> =>
  JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'l10n', 'bundle.l10n.ja.json'), 'utf8')) as Record<string, string>;

function tensorOf(reply: ArrayReadReply): { shape: number[]; data: Float64Array; span: { start: number; end: number } } {
  assert.strictEqual(reply.type, 'array', JSON.stringify(reply));
  if (reply.type !== 'array') throw new Error('not an array reply');
  assert.strictEqual(reply.result.kind, 'tensor', JSON.stringify(reply.result));
  if (reply.result.kind !== 'tensor') throw new Error('not a tensor');
  return { shape: reply.result.tensor.shape as number[], data: reply.result.tensor.data as Float64Array, span: reply.result.span };
}

describe('worker readArray job', () => {
  it('reads a selected (L, N, H_in) array as float32, row-major, spans in document offsets', () => {
    // The selection starts at offset 1000 of its document, after two spaces.
    const text = '  [[[0.1, 2]], [[3.5, -4e-3]], [[5., 6]],]';
    const got = tensorOf(arrayReadJob({ kind: 'readArray', text, offset: 1000 }));
    assert.deepStrictEqual(got.shape, [3, 1, 2]);
    // torch.tensor([[[0.1, 2]], ...]).dtype is float32: 0.1 is stored as 0.100000001490116...
    assert.deepStrictEqual(Array.from(got.data), [0.10000000149011612, 2, 3.5, -0.004000000189989805, 5, 6]);
    // the array runs from its "[" (character 2) to its last "]" (the last character)
    assert.deepStrictEqual(got.span, { start: 1002, end: 1000 + text.length });
  });

  it('refuses a ragged array with PyTorch words, at the offending "]" of the document', () => {
    const text = '[[1, 2], [3]]';
    const reply = arrayReadJob({ kind: 'readArray', text, offset: 50 });
    assert.ok(reply.type === 'array' && reply.result.kind === 'error', JSON.stringify(reply));
    if (reply.type !== 'array' || reply.result.kind !== 'error') return;
    assert.strictEqual(reply.result.message, 'expected sequence of length 2 at dim 1 (got 1)');
    // the "]" closing [3] is character 11 of the selection
    assert.deepStrictEqual(reply.result.span, { start: 61, end: 62 });
  });

  it('keeps the budget: more numbers than maxElements is an error; absent means no limit', () => {
    const text = '[1, 2, 3, 4, 5]';
    const over = arrayReadJob({ kind: 'readArray', text, offset: 0, maxElements: 4 });
    assert.ok(over.type === 'array' && over.result.kind === 'error', JSON.stringify(over));
    if (over.type === 'array' && over.result.kind === 'error') assert.ok(/more than 4 numbers/.test(over.result.message), over.result.message);
    assert.deepStrictEqual(tensorOf(arrayReadJob({ kind: 'readArray', text, offset: 0 })).shape, [5]);
  });

  it('says notArray for a selection that is not an array', () => {
    assert.deepStrictEqual(arrayReadJob({ kind: 'readArray', text: '"model": {}', offset: 3 }), { type: 'array', result: { kind: 'notArray' } });
  });

  it('localises its messages through the host bundle', () => {
    const reply = arrayReadJob({ kind: 'readArray', text: '[[1, 2], [3, 4]', offset: 0, bundle: jaBundle() });
    assert.ok(reply.type === 'array' && reply.result.kind === 'error', JSON.stringify(reply));
    if (reply.type === 'array' && reply.result.kind === 'error') {
      assert.strictEqual(reply.result.message, '選択した配列が閉じていません。「]」が足りません。');
    }
  });

  it('a reply survives structured cloning (the worker boundary) and passes the host guard', () => {
    const reply = arrayReadJob({ kind: 'readArray', text: '[[1, 2], [3, 4]]', offset: 7 });
    const cloned = structuredClone(reply);
    assert.ok(isArrayReadReply(cloned));
    const got = tensorOf(cloned);
    assert.ok(got.data instanceof Float64Array);
    assert.deepStrictEqual(Array.from(got.data), [1, 2, 3, 4]);
    assert.deepStrictEqual(got.span, { start: 7, end: 23 });
  });

  it('guards: requests and replies of arrays, documents and runs are told apart; bad tensors are refused', () => {
    const request = { kind: 'readArray', text: '[1]', offset: 0 };
    assert.ok(isArrayReadRequest(request));
    assert.ok(isArrayReadRequest({ ...request, maxElements: 10, bundle: {} }));
    assert.ok(!isReadRequest(request));
    assert.ok(!isArrayReadRequest({ kind: 'read', text: '[1]', budget: {} }));
    assert.ok(!isArrayReadRequest({ kind: 'readArray', text: '[1]' }));
    assert.ok(!isArrayReadRequest({ kind: 'readArray', text: '[1]', offset: -1 }));
    assert.ok(!isArrayReadRequest({ kind: 'readArray', text: '[1]', offset: 0, maxElements: 'x' }));
    assert.ok(!isArrayReadRequest({ doc: {}, title: 'x' }));

    const tensor = (shape: unknown, data: unknown) => ({ type: 'array', result: { kind: 'tensor', tensor: { shape, data }, span: { start: 0, end: 3 } } });
    assert.ok(isArrayReadReply(tensor([2, 2], new Float64Array(4))));
    assert.ok(!isArrayReadReply(tensor([2, 2], new Float64Array(3))), 'shape and data disagree');
    assert.ok(!isArrayReadReply(tensor([2, -2], new Float64Array(4))));
    assert.ok(!isArrayReadReply(tensor([4], [1, 2, 3, 4])), 'data must be a Float64Array');
    assert.ok(!isArrayReadReply({ type: 'array', result: { kind: 'error', message: 'x' } }), 'an error needs its span');
    assert.ok(isArrayReadReply({ type: 'array', result: { kind: 'notArray' } }));
    assert.ok(isArrayReadReply({ type: 'error', message: 'x' }));
    assert.ok(!isArrayReadReply({ type: 'read', result: { diagnostics: [] } }));
    assert.ok(!isReadReply({ type: 'array', result: { kind: 'notArray' } }));
    assert.ok(!isWorkerReply({ type: 'array', result: { kind: 'notArray' } }));
  });
});
