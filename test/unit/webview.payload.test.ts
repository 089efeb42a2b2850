// Unit tests of the panel payload (src/run/payload.ts) against PyTorch's numbers:
// the origin snippet (torch.manual_seed(0); SampleRNN(10, 20, 2); torch.rand(3, 5, 10)).
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDocument } from '../../src/document/reader';
import { buildComparePayload, buildRunPayload, keptTimes } from '../../src/run/payload';
import { isRunPayload } from '../../src/protocol/validate';
import { formatTorchTensor } from '../../src/webview/format';

const root = join(__dirname, '..', '..', '..');
function golden(name: string): { text: string; json: any } {
  const text = readFileSync(join(root, 'test', 'golden', name), 'utf8');
  return { text, json: JSON.parse(text) };
}

describe('webview payload', () => {
  it('origin snippet: head equals PyTorch within 1e-6, and prints as PyTorch prints it', () => {
    const { text, json } = golden('seed_snippet.json');
    const read = readDocument(text);
    assert.ok(read.document, JSON.stringify(read.diagnostics));
    const p = buildRunPayload(read.document!, { title: 'seed_snippet.json' });
    assert.ok(isRunPayload(JSON.parse(JSON.stringify(p))), 'payload survives JSON and validates');
    const expected = (json.expected.head as number[][]).flat();
    assert.deepEqual(p.headOutput!.shape, [3, 2]);
    p.headOutput!.data.forEach((v, i) => assert.ok(Math.abs((v as number) - expected[i]) <= 1e-6, `head[${i}] ${v} vs ${expected[i]}`));
    assert.equal(formatTorchTensor(p.headOutput!.shape, p.headOutput!.data), 'tensor([[ 0.0930,  0.0545],\n        [ 0.1369,  0.0518],\n        [ 0.2210, -0.1358]])');
    const hn = (json.expected.h_n as number[][][]).flat(2);
    p.hN.data.forEach((v, i) => assert.ok(Math.abs((v as number) - hn[i]) <= 1e-6));
    // trace: batch-first (3, 5, 10); every step present; h at the last step equals h_n
    assert.equal(p.batch, 3);
    assert.equal(p.seqLen, 5);
    assert.equal(p.steps![0][0].length, 5);
    const hLast = p.steps![0][0][4].vectors.h;
    hLast.forEach((v, i) => assert.ok(Math.abs((v as number) - hn[i]) <= 1e-6));
    assert.equal(p.gradients!.inputNorms.length, 5);
    assert.equal(p.shapes.paramCount, 10 * 20 + 20 * 20 + 20 + 20 + 20 * 2 + 2);
    assert.deepEqual(p.shapes.output, [3, 5, 20]);
  });

  it('compare: RNN, LSTM and GRU give one gradient norm per step', () => {
    const { text } = golden('seed_snippet.json');
    const doc = readDocument(text).document!;
    const p = buildRunPayload(doc, { title: 't' });
    const input = { shape: p.input.shape, data: Float64Array.from(p.input.data as number[]) };
    const c = buildComparePayload(p.model, input, 0);
    assert.deepEqual(c.rows.map((r) => r.type), ['RNN', 'LSTM', 'GRU']);
    for (const r of c.rows) {
      assert.equal(r.inputNorms.length, 5);
      assert.ok(r.inputNorms.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < 3.4e38));
      assert.ok((r.inputNorms[4] as number) > 0, 'the last step reaches the loss directly');
    }
  });

  it('long runs keep only the first and last steps', () => {
    assert.equal(keptTimes(100, 10, 10_000), undefined);
    const k = keptTimes(10_000, 1000, 100_000)!;
    assert.deepEqual(k.slice(0, 3), [0, 1, 2]);
    assert.equal(k[k.length - 1], 9999);
    assert.equal(k.length, 100);
    const doc = readDocument(JSON.stringify({ model: { type: 'GRU', input_size: 4, hidden_size: 64 }, seed: 1, input: { rand: [3000, 1, 4] } })).document!;
    const p = buildRunPayload(doc, { title: 'long' });
    assert.ok(p.times && p.times.length < 3000);
    assert.equal(p.steps![0][0].length, p.times!.length);
    assert.equal(p.output.shape[0], p.times!.length);
    assert.equal(p.seqLen, 3000);
    assert.ok(JSON.stringify(p).length < 40_000_000);
  });
});
