/*
 * `rnn-lens run --threads N`: a large batched document on two threads prints the same numbers as
 * on one (the parallel forward is bit for bit the one-thread forward), small documents stay on
 * one thread, and the option is checked like the others. No timing is asserted.
 * Layer: test (Node).
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { main } from '../../src/cli';
import { runDocumentThreaded } from '../../src/cliThreads';
import { runDocumentJson } from '../../src/document/commands';
import { readDocument } from '../../src/document/reader';
import type { RnnDocument } from '../../src/document/types';
import { START_HELPERS_WORK, workPerSequence } from '../../src/engine/parallel/parallelModel';
import { kernelPath } from '../../src/engine/wasm/backend';

const root = path.resolve(__dirname, '../../..');

function read(text: string): RnnDocument {
  const r = readDocument(text);
  assert.ok(r.document, JSON.stringify(r.diagnostics));
  return r.document;
}

function cli(args: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = main(args, {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    readStdin: () => '',
    readFile: (p) => readFileSync(p, 'utf8'),
  });
  return { code, stdout, stderr };
}

describe('rnn-lens run --threads', function () {
  this.timeout(300_000);

  it('a large batched LSTM on two threads: the same JSON as on one thread', function () {
    if (kernelPath() === null) this.skip();
    // N = 8, L = 160, bidirectional LSTM 32 -> 192: over START_HELPERS_WORK, so the batch is cut in two.
    const doc = read(JSON.stringify({
      model: { type: 'LSTM', input_size: 32, hidden_size: 192, bidirectional: true, batch_first: true },
      seed: 4,
      input: { rand: [8, 160, 32] },
    }));
    assert.ok(workPerSequence(doc.model, doc.head, 160) * 8 >= START_HELPERS_WORK, 'the document is large enough to use threads');
    const two = runDocumentThreaded(doc, 2, 2);
    assert.equal(two.threads, 2);
    const one = runDocumentJson(doc);
    assert.equal(JSON.stringify(two.result), JSON.stringify(one.result));
    assert.deepEqual(two.notes, one.notes);
  });

  it('a small document stays on one thread and gives runDocumentJson\'s answer', () => {
    const doc = read(readFileSync(path.join(root, 'test/golden/lstm_bi_2layer_bf.json'), 'utf8'));
    const r = runDocumentThreaded(doc, 0, 2);
    assert.equal(r.threads, 1);
    assert.equal(JSON.stringify(r.result), JSON.stringify(runDocumentJson(doc).result));
  });

  it('--threads 1 runs; a bad count or another command is a usage error (exit 2)', () => {
    const golden = path.join(root, 'test/golden/gru_basic.json');
    const ok = cli(['run', '--threads', '1', golden]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout), JSON.parse(cli(['run', golden]).stdout));
    for (const bad of [['run', '--threads', '-1', golden], ['run', '--threads', '1.5', golden], ['run', '--threads', golden]]) {
      const r = cli(bad);
      assert.equal(r.code, 2, bad.join(' '));
      assert.match(r.stderr, /--threads needs a whole number/);
    }
    const grad = cli(['grad', '--threads', '2', golden]);
    assert.equal(grad.code, 2);
    assert.match(grad.stderr, /--threads is an option of run/);
  });
});
