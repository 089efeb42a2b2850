/*
 * The library's threads: createModel(doc, { threadHost, threads }) runs a large batched forward
 * on helper threads with the one-thread bits; threads: 1 or no host start none.
 * Layer: test (Node).
 */
import * as assert from 'assert';
import * as path from 'path';
import { createModel } from '../../src/api';
import { kernelPath } from '../../src/engine/wasm/backend';
import { nodeThreadHost } from '../../src/threads';

const script = path.resolve(__dirname, '../../src/worker/forwardThread.js');
const doc = { model: { type: 'GRU', input_size: 32, hidden_size: 128, batch_first: true }, seed: 1, input: { rand: [16, 100, 32] } };

describe('createModel with threads (library)', function () {
  this.timeout(120_000);

  it('forward on helper threads gives the one-thread JSON; dispose ends them', async function () {
    if (kernelPath() === null) this.skip();
    const host = nodeThreadHost(script, 2);
    let spawned = 0;
    const counting = host && { cores: host.cores, startHelper: () => (spawned++, host.startHelper()) };
    const threaded = createModel(doc, { threadHost: counting, threads: 0 });
    assert.strictEqual(spawned, 1, 'one helper beside the calling thread on two cores');
    await new Promise((r) => setTimeout(r, 2000)); // the helper prepares the model meanwhile (a run before that is one-thread)
    const one = createModel(doc);
    assert.strictEqual(JSON.stringify(threaded.forward()), JSON.stringify(one.forward()));
    threaded.dispose();
    assert.strictEqual(JSON.stringify(threaded.forward()), JSON.stringify(one.forward()), 'after dispose: one thread, same numbers');
  });

  it('threads: 1, or no host: no helper', () => {
    let spawned = 0;
    const host = { cores: 4, startHelper: () => { spawned++; throw new Error('not expected'); } };
    createModel(doc, { threadHost: host, threads: 1 }).dispose();
    createModel(doc).dispose();
    assert.strictEqual(spawned, 0);
  });
});
