/*
 * The run worker's threads (src/worker/runThreads.ts): rnnLens.run.threads reaches the forward of
 * runs too long to trace, which then uses helper threads and gives the one-thread bits; a cap of
 * 1 or a small run stays on one thread; runJob reports the threads used with its result.
 * No timing is asserted.
 * Layer: test (Node).
 */
import * as assert from 'assert';
import * as path from 'path';
import { readDocument } from '../../src/document/reader';
import { resolveRun } from '../../src/document/resolve';
import { forward } from '../../src/engine/unroll';
import { kernelPath } from '../../src/engine/wasm/backend';
import { runJob, type RunRequest, type WorkerReply } from '../../src/worker/job';
import { threadedForward } from '../../src/worker/runThreads';

const script = path.resolve(__dirname, '../../src/worker/forwardThread.js');

/** Over START_HELPERS_WORK and over the trace budget (so the untraced forward runs): N = 8, L = 200. */
const LARGE = {
  model: { type: 'LSTM', input_size: 32, hidden_size: 192, bidirectional: true, batch_first: true },
  seed: 4,
  input: { rand: [8, 200, 32] },
};

function documentOf(json: unknown) {
  const r = readDocument(JSON.stringify(json));
  assert.ok(r.document, JSON.stringify(r.diagnostics));
  return r.document;
}

describe('run worker threads (rnnLens.run.threads)', function () {
  this.timeout(300_000);
  before(function () {
    if (kernelPath() === null) this.skip();
  });

  it('threads 1, or one core: no threaded forward at all', () => {
    const doc = documentOf(LARGE);
    assert.strictEqual(threadedForward({ doc, title: 't', threads: 1, cores: 2 }, script), undefined);
    assert.strictEqual(threadedForward({ doc, title: 't', threads: 0, cores: 1 }, script), undefined);
    assert.strictEqual(threadedForward({ doc, title: 't' }, script), undefined, 'a request without the setting: one thread');
  });

  it('a large batched run on two threads: the one-thread bits', () => {
    const doc = documentOf(LARGE);
    const threaded = threadedForward({ doc, title: 't', threads: 2, cores: 2 }, script);
    assert.ok(threaded);
    const spec = resolveRun(doc).spec;
    const many = threaded.forward(spec);
    assert.strictEqual(threaded.used(), 2);
    const one = forward(spec);
    for (const key of ['output', 'hN', 'cN'] as const) {
      assert.deepStrictEqual(many[key]!.shape, one[key]!.shape);
      assert.ok(many[key]!.data.every((v, i) => Object.is(v, one[key]!.data[i])), `${key}: same bits`);
    }
  });

  it('a small run stays on one thread even when threads are allowed', () => {
    const doc = documentOf({ ...LARGE, input: { rand: [8, 5, 32] } });
    const threaded = threadedForward({ doc, title: 't', threads: 0, cores: 2 }, script)!;
    threaded.forward(resolveRun(doc).spec);
    assert.strictEqual(threaded.used(), 1);
  });

  it('runJob reports the threads its forward used', () => {
    const request: RunRequest = { doc: documentOf(LARGE), title: 'large', threads: 2, cores: 2 };
    const replies: WorkerReply[] = [];
    runJob(request, (r) => replies.push(r), threadedForward(request, script));
    const done = replies.find((r) => r.type === 'done');
    assert.ok(done && done.type === 'done', JSON.stringify(replies.filter((r) => r.type === 'error')));
    assert.strictEqual(done.threads, 2);
    const alone: WorkerReply[] = [];
    runJob({ ...request, threads: 1 }, (r) => alone.push(r));
    const one = alone.find((r) => r.type === 'done');
    assert.ok(one && one.type === 'done');
    assert.strictEqual(one.threads, 1);
    assert.deepStrictEqual(done.payload.output, one.payload.output, 'the view gets the same numbers');
  });
});
