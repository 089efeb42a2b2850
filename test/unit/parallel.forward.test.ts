/*
 * The forward on several threads (src/engine/parallel): bit for bit the one-thread result on the
 * same kernels, within PyTorch's golden values, and one thread wherever threads cannot or should
 * not be used. Two kinds of helper: an in-process one (the helper's code called synchronously,
 * so the cutting and gluing is tested without timing), and real worker_threads running
 * out/src/worker/forwardThread.js. No timing is asserted.
 * Layer: test (Node).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { splitBatch, takeBatch, putBatch } from '../../src/engine/parallel/batchSplit';
import { serveForwardHelper } from '../../src/engine/parallel/helper';
import { PAUSE_RUNS, prepareParallelModel, workPerSequence, type ParallelModel } from '../../src/engine/parallel/parallelModel';
import type { HelperPort, ThreadHost } from '../../src/engine/parallel/threads';
import { initStateDict } from '../../src/engine/params';
import { createGenerator } from '../../src/engine/random';
import type { ForwardResult, HeadConfig, ModelConfig, Tensor } from '../../src/engine/types';
import { prepareModel, type Precision } from '../../src/engine/unroll';
import { kernelPath } from '../../src/engine/wasm/backend';
import { nodeThreadHost } from '../../src/worker/threadHost';
import { loadGoldenCases, maxRelativeError } from './helpers/golden';

/** Helpers that run in this thread: postMessage calls the helper's handler at once. */
function inProcessHost(options: { failRuns?: boolean; neverReady?: boolean } = {}): ThreadHost & { spawned: number } {
  const host = {
    cores: 4,
    spawned: 0,
    startHelper(): HelperPort {
      host.spawned++;
      const listeners: ((m: unknown) => void)[] = [];
      const serve = serveForwardHelper((reply) => listeners.forEach((f) => f(reply)));
      return {
        postMessage(m) {
          if (options.neverReady && m.type === 'prepare') return;
          if (options.failRuns && m.type === 'run') serve({ ...m, input: { shape: [1], data: new Float64Array(1) } });
          else serve(m);
        },
        onMessage: (f) => listeners.push(f),
        terminate: () => undefined,
      };
    },
  };
  return host;
}

function model(type: ModelConfig['type'], extra: Partial<ModelConfig> = {}): ModelConfig {
  return {
    type, inputSize: 5, hiddenSize: 7, numLayers: 2, nonlinearity: 'tanh', bias: true, batchFirst: true, dropout: 0, bidirectional: true, projSize: 0, ...extra,
  };
}

function randomTensor(shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = (s / 2 ** 32) * 2 - 1;
  }
  return { shape, data };
}

function assertSameBits(a: ForwardResult, b: ForwardResult, where: string): void {
  for (const key of ['output', 'hN', 'cN', 'head'] as const) {
    const x = a[key];
    const y = b[key];
    assert.strictEqual(!!x, !!y, `${where}: ${key} present in one result only`);
    if (!x || !y) continue;
    assert.deepStrictEqual(x.shape, y.shape, `${where}: ${key} shape`);
    for (let i = 0; i < y.data.length; i++) {
      if (!Object.is(x.data[i], y.data[i])) assert.fail(`${where}: ${key}[${i}] ${x.data[i]} vs ${y.data[i]} (one thread)`);
    }
  }
}

/** The batch of `t` (batch axis `axis`) repeated `times` times. */
function repeatBatch(t: Tensor, axis: number, times: number): Tensor {
  const shape = t.shape.slice();
  const n = shape[axis];
  shape[axis] = n * times;
  const data = new Float64Array(t.data.length * times);
  for (let k = 0; k < times; k++) putBatch(data, shape, axis, { start: k * n, count: n }, t.data);
  return { shape, data };
}

describe('parallel forward: cutting the batch', () => {
  it('parts are multiples of four rows, as even as possible, and cover the batch', () => {
    assert.deepStrictEqual(splitBatch(16, 2), [{ start: 0, count: 8 }, { start: 8, count: 8 }]);
    assert.deepStrictEqual(splitBatch(12, 2), [{ start: 0, count: 8 }, { start: 8, count: 4 }]);
    assert.deepStrictEqual(splitBatch(12, 8).map((p) => p.count), [4, 4, 4]);
    assert.deepStrictEqual(splitBatch(16, 3).map((p) => p.count), [8, 4, 4]);
  });

  it('a batch that is not a multiple of four, or only four, stays whole', () => {
    for (const n of [1, 2, 3, 4, 6, 10, 13]) assert.deepStrictEqual(splitBatch(n, 2), [{ start: 0, count: n }], `N = ${n}`);
    assert.deepStrictEqual(splitBatch(16, 1), [{ start: 0, count: 16 }]);
  });

  it('takeBatch and putBatch are inverse on either batch axis', () => {
    for (const axis of [0, 1]) {
      const shape = axis === 0 ? [8, 3, 2] : [3, 8, 2];
      const t = randomTensor(shape, 7);
      const back = new Float64Array(t.data.length);
      for (const p of splitBatch(8, 2)) putBatch(back, shape, axis, p, takeBatch(t, axis, p).data);
      assert.deepStrictEqual(back, t.data);
    }
  });
});

describe('parallel forward: the same bits as one thread (helpers in this thread)', () => {
  before(function () {
    if (kernelPath() === null) this.skip(); // no WebAssembly SIMD: nothing runs in parallel
  });

  const cases: { name: string; m: ModelConfig; head?: HeadConfig; withStates?: boolean }[] = [
    { name: 'LSTM 2 layers bidirectional, batch-first, h0 and c0', m: model('LSTM'), withStates: true },
    { name: 'LSTM with proj_size, seq-first, head on the last step', m: model('LSTM', { projSize: 3, batchFirst: false }), head: { type: 'Linear', outFeatures: 2, bias: true } },
    { name: 'GRU, head on every step', m: model('GRU', { numLayers: 1 }), head: { type: 'Linear', outFeatures: 3, bias: true, on: 'all' }, withStates: true },
    { name: 'RNN relu without bias, seq-first', m: model('RNN', { nonlinearity: 'relu', bias: false, batchFirst: false, bidirectional: false }) },
  ];
  for (const precision of ['float64', 'float32'] as Precision[]) {
    for (const c of cases) {
      for (const N of [8, 12, 16]) {
        it(`${c.name}, N = ${N}, ${precision}`, () => {
          const sd = initStateDict(c.m, c.head, createGenerator(3));
          const L = 6;
          const input = randomTensor(c.m.batchFirst ? [N, L, c.m.inputSize] : [L, N, c.m.inputSize], N);
          const S = (c.m.bidirectional ? 2 : 1) * c.m.numLayers;
          const hOut = c.m.projSize || c.m.hiddenSize;
          const h0 = c.withStates ? randomTensor([S, N, hOut], 11) : undefined;
          const c0 = c.withStates && c.m.type === 'LSTM' ? randomTensor([S, N, c.m.hiddenSize], 13) : undefined;
          const host = inProcessHost();
          const pm = prepareParallelModel(c.m, c.head, sd, { precision, host, threads: 4, minWorkPerThread: 1 });
          const one = prepareModel(c.m, c.head, sd, { precision }).forward(input, h0, c0);
          const many = pm.forward(input, h0, c0);
          assert.strictEqual(pm.lastThreads, Math.min(4, N / 4), 'threads used');
          assertSameBits(many, one, c.name);
          assert.deepStrictEqual(many.notes, one.notes);
        });
      }
    }
  }

  it('a helper whose part throws: its part runs on the calling thread, same bits', () => {
    const m = model('LSTM');
    const sd = initStateDict(m, undefined, createGenerator(5));
    const input = randomTensor([8, 4, 5], 3);
    const pm = prepareParallelModel(m, undefined, sd, { host: inProcessHost({ failRuns: true }), threads: 2, minWorkPerThread: 1 });
    const many = pm.forward(input);
    assert.strictEqual(pm.lastThreads, 1);
    assertSameBits(many, prepareModel(m, undefined, sd).forward(input), 'failed helper');
  });
});

describe('parallel forward: one thread where threads do not pay or cannot run', () => {
  const m = model('GRU');
  const sd = initStateDict(m, undefined, createGenerator(1));
  const big = randomTensor([8, 4, 5], 2);

  function check(pm: ParallelModel, input: Tensor, why: string, h0?: Tensor): void {
    const one = prepareModel(m, undefined, sd).forward(input, h0);
    assertSameBits(pm.forward(input, h0), one, why);
    assert.strictEqual(pm.lastThreads, 1, why);
  }

  it('no host, or threads capped at 1: no helper is started', () => {
    const host = inProcessHost();
    assert.strictEqual(prepareParallelModel(m, undefined, sd, { host: null }).maxThreads, 1);
    const capped = prepareParallelModel(m, undefined, sd, { host, threads: 1, minWorkPerThread: 1 });
    assert.strictEqual(capped.maxThreads, 1);
    assert.strictEqual(host.spawned, 0);
    check(capped, big, 'threads: 1');
  });

  it('without SharedArrayBuffer (a browser page that is not cross-origin isolated): one thread', () => {
    const g = globalThis as { SharedArrayBuffer?: unknown };
    const saved = g.SharedArrayBuffer;
    const host = inProcessHost();
    let pm: ParallelModel;
    try {
      delete g.SharedArrayBuffer;
      pm = prepareParallelModel(m, undefined, sd, { host, threads: 2, minWorkPerThread: 1 });
    } finally {
      g.SharedArrayBuffer = saved;
    }
    assert.strictEqual(pm.maxThreads, 1);
    assert.strictEqual(host.spawned, 0);
    check(pm, big, 'no SharedArrayBuffer');
  });

  it('threads 0 means one per core of the host', () => {
    const host = inProcessHost();
    const pm = prepareParallelModel(m, undefined, sd, { host, minWorkPerThread: 1 });
    if (kernelPath() === null) return assert.strictEqual(pm.maxThreads, 1);
    assert.strictEqual(pm.maxThreads, 4);
    assert.strictEqual(host.spawned, 3);
  });

  it('small work, a batch of 6, unbatched input, helpers not ready: one thread, same results', () => {
    check(prepareParallelModel(m, undefined, sd, { host: inProcessHost(), threads: 2 }), big, 'below MIN_WORK_PER_THREAD');
    const loose = prepareParallelModel(m, undefined, sd, { host: inProcessHost(), threads: 2, minWorkPerThread: 1 });
    check(loose, randomTensor([6, 4, 5], 4), 'N = 6');
    check(loose, randomTensor([4, 5], 4), 'unbatched');
    check(prepareParallelModel(m, undefined, sd, { host: inProcessHost({ neverReady: true }), threads: 2, minWorkPerThread: 1 }), big, 'not ready');
  });

  it('bad shapes get the one-thread error, naming the whole batch', () => {
    const pm = prepareParallelModel(m, undefined, sd, { host: inProcessHost(), threads: 2, minWorkPerThread: 1 });
    const h0 = randomTensor([4, 6, 7], 1); // N = 6 for an input of N = 8
    assert.throws(() => pm.forward(big, h0), /Expected hidden size \(4, 8, 7\), got \[4, 6, 7\]/);
  });

  it('the work estimate counts every layer and direction', () => {
    // 2 layers x 2 directions: G = 3*7; layer 0: 21*(5+7), layer 1: 21*(14+7), per step and direction.
    assert.strictEqual(workPerSequence(m, undefined, 4), 2 * 4 * (21 * 12 + 21 * 21));
  });
});

describe('parallel forward on worker threads (out/src/worker/forwardThread.js)', function () {
  this.timeout(120000);
  const script = path.resolve(__dirname, '../../src/worker/forwardThread.js');
  let pm: ParallelModel | undefined;
  afterEach(() => pm?.dispose());

  before(function () {
    if (kernelPath() === null) this.skip();
  });

  it('golden cases with the batch repeated to 8 rows: PyTorch within 1e-6, and one thread bit for bit', async () => {
    const host = nodeThreadHost(script, 2);
    assert.ok(host, 'worker_threads');
    let checked = 0;
    for (const g of loadGoldenCases()) {
      if (g.input.shape.length !== 3 || g.backward) continue;
      const axis = g.model.batchFirst ? 0 : 1;
      const n = g.input.shape[axis];
      if (8 % n !== 0) continue;
      const times = 8 / n;
      const input = repeatBatch(g.input, axis, times);
      const h0 = g.h0 && repeatBatch(g.h0, 1, times);
      const c0 = g.c0 && repeatBatch(g.c0, 1, times);
      pm = prepareParallelModel(g.model, g.head, g.stateDict, { host, threads: 2, minWorkPerThread: 1 });
      assert.strictEqual(await pm.ready(), 2, `${g.name}: helper ready`);
      const many = pm.forward(input, h0, c0);
      assert.strictEqual(pm.lastThreads, 2, `${g.name}: two threads`);
      assertSameBits(many, prepareModel(g.model, g.head, g.stateDict).forward(input, h0, c0), g.name);
      const expect = (t: Tensor, a: number): Tensor => repeatBatch(t, a, times);
      assert.ok(maxRelativeError(many.output, expect(g.expected.output, axis)) <= 1e-6, `${g.name}: output vs PyTorch`);
      assert.ok(maxRelativeError(many.hN, expect(g.expected.hN, 1)) <= 1e-6, `${g.name}: h_n vs PyTorch`);
      if (g.expected.cN) assert.ok(maxRelativeError(many.cN!, expect(g.expected.cN, 1)) <= 1e-6, `${g.name}: c_n vs PyTorch`);
      if (g.expected.head) assert.ok(maxRelativeError(many.head!, expect(g.expected.head, 0)) <= 1e-6, `${g.name}: head vs PyTorch`);
      pm.dispose();
      checked++;
    }
    assert.ok(checked >= 8, `only ${checked} golden cases checked`);
  });

  it('a medium-sized LSTM on as many threads as cores (float32): the same bits, helpers reused across runs', async () => {
    const m = model('LSTM', { inputSize: 16, hiddenSize: 32 });
    const sd = initStateDict(m, undefined, createGenerator(9));
    const cores = Math.max(2, Math.min(4, os.cpus().length));
    pm = prepareParallelModel(m, undefined, sd, { host: nodeThreadHost(script, cores), precision: 'float32', minWorkPerThread: 1, adaptive: false });
    assert.strictEqual(pm.waitReady(60000), cores);
    const one = prepareModel(m, undefined, sd, { precision: 'float32' });
    for (const seed of [1, 2, 3]) {
      const input = randomTensor([4 * cores, 20, 16], seed);
      assertSameBits(pm.forward(input), one.forward(input), `run ${seed}`);
      assert.strictEqual(pm.lastThreads, cores);
    }
  });

  it('a split that did not pay (a helper that answers a second late): the next runs use one thread, same bits', async () => {
    // A helper that sleeps 1 s before each part, as a busy machine would keep it waiting.
    const slow = path.join(os.tmpdir(), `rnn-lens-slow-helper-${process.pid}.js`);
    fs.writeFileSync(slow, [
      `const { parentPort } = require('worker_threads');`,
      `const { serveForwardHelper } = require(${JSON.stringify(path.resolve(__dirname, '../../src/engine/parallel/helper.js'))});`,
      `const serve = serveForwardHelper((r) => parentPort.postMessage(r));`,
      `parentPort.on('message', (m) => { if (m.type === 'run') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000); serve(m); });`,
    ].join('\n'));
    try {
      // Big enough that the caller's own part takes 20 ms or more (the pause judges only such runs).
      const m = model('LSTM', { inputSize: 64, hiddenSize: 256, numLayers: 1 });
      const sd = initStateDict(m, undefined, createGenerator(8));
      pm = prepareParallelModel(m, undefined, sd, { host: nodeThreadHost(slow, 2), threads: 2 });
      await pm.ready();
      const input = randomTensor([8, 100, 64], 5);
      const one = prepareModel(m, undefined, sd).forward(input);
      assertSameBits(pm.forward(input), one, 'slow split');
      assert.strictEqual(pm.lastThreads, 2);
      for (let run = 0; run < PAUSE_RUNS; run++) {
        assertSameBits(pm.forward(input), one, `paused run ${run}`);
        assert.strictEqual(pm.lastThreads, 1, `run ${run} after the slow split: one thread`);
      }
      pm.forward(input);
      assert.strictEqual(pm.lastThreads, 2, 'then the split is tried again');
    } finally {
      fs.rmSync(slow, { force: true });
    }
  });

  it('a helper that is gone: its part runs here, same bits', async () => {
    const m = model('RNN');
    const sd = initStateDict(m, undefined, createGenerator(2));
    pm = prepareParallelModel(m, undefined, sd, { host: nodeThreadHost(script, 2), threads: 2, minWorkPerThread: 1 });
    await pm.ready();
    // Terminated under the model's feet (as a crash would): the run does not wait for it forever.
    (pm as unknown as { helpers: { port: HelperPort }[] }).helpers[0].port.terminate();
    await new Promise((r) => setTimeout(r, 200)); // the exit event arrives on this event loop
    const input = randomTensor([8, 5, 5], 6);
    assertSameBits(pm.forward(input), prepareModel(m, undefined, sd).forward(input), 'helper gone');
    assert.strictEqual(pm.lastThreads, 1);
  });
});
