/*
 * Memory is released when the RNN Unroll View closes, in a real VS Code (code-server's Node
 * extension host): after a large run is shown and the panel is closed, a full gc brings the
 * host's heap (heapUsed + external) back to within a small margin of the baseline, a WeakRef on
 * the payload is cleared, the API says lastRun() === undefined, and a run in flight when the panel
 * closes is cancelled (its worker terminated) instead of reopening the panel.
 * Run alone: RNN_LENS_TEST_GREP=memory node scripts/run-integration.mjs
 * Layer: test (extension host; imports vscode and Node's v8/vm for a gc()).
 */
import * as assert from 'assert';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as vscode from 'vscode';
import { api, closeAll, runInfo as info, setWorkerFlopThreshold as setWorkerThreshold, waitFor, writeWorkspaceJson, wsFile } from './extensionHelpers';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/**
 * LSTM 64 -> 256, 2 layers, bidirectional, N 4, L 32 (batch_first): about 0.57 GFLOP, so it runs
 * in a worker; the payload the panel gets carries the traced gates of the first and last 4 steps
 * (TRACE_BUDGET), about 15 MB as JSON and 7-8 MB of the host's heap.
 */
const BIG = {
  model: { type: 'LSTM', input_size: 64, hidden_size: 256, num_layers: 2, bidirectional: true, batch_first: true },
  seed: 0,
  input: { rand: [4, 32, 64] },
};

/** A run that takes many seconds in a worker (as in worker.test.ts): LSTM 512, T 2000. */
const SLOW = {
  model: { type: 'LSTM', input_size: 512, hidden_size: 512, batch_first: true },
  seed: 0,
  input: { rand: [1, 2000, 512] },
};

/** What the heap may keep after the panel closed, over the baseline (the run adds ~7 MB or more). */
const MARGIN_MB = 2;

interface Heap {
  heapMB: number;
  externalMB: number;
  totalMB: number;
}

/** heapUsed and external (ArrayBuffers included) after several full collections. */
async function measure(): Promise<Heap> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 100));
  }
  gc();
  const m = process.memoryUsage();
  return { heapMB: m.heapUsed / 1e6, externalMB: m.external / 1e6, totalMB: (m.heapUsed + m.external) / 1e6 };
}

function fmt(h: Heap): string {
  return `${h.totalMB.toFixed(1)} MB (heap ${h.heapMB.toFixed(1)}, external ${h.externalMB.toFixed(1)})`;
}

function unrollTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('rnnLens.unrollView'));
}

/** Runs the document in the active editor; resolves when the panel has the run (the result is not kept). */
async function runAndShow(uri: vscode.Uri): Promise<void> {
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  const shown = await vscode.commands.executeCommand<unknown>('rnnLens.runForward');
  assert.ok(shown, 'the run was shown');
  assert.strictEqual((await info())?.state, 'done');
  await waitFor('the Unroll View tab', () => unrollTabs().length === 1 || undefined, 10000);
}

/** A WeakRef on the payload the panel holds, made here so no strong reference stays in the test. */
async function weakPayload(): Promise<WeakRef<object>> {
  const p = (await api()).lastRun();
  assert.ok(p, 'the API reports the run while the panel shows it');
  return new WeakRef(p);
}

/** Closes the Unroll View's tab (as the user's ×) and waits until the host saw the dispose. */
async function closePanel(): Promise<void> {
  const tabs = unrollTabs();
  assert.strictEqual(tabs.length, 1, 'one Unroll View tab');
  assert.ok(await vscode.window.tabGroups.close(tabs));
  await waitFor('the panel to be disposed', () => unrollTabs().length === 0 || undefined, 5000);
  const a = await api();
  await waitFor('lastRun() to be released', () => a.lastRun() === undefined || undefined, 5000);
}

describe('memory: closing the RNN Unroll View releases the run', function () {
  this.timeout(120_000);
  let big: vscode.Uri;

  before(async () => {
    await api();
    big = await writeWorkspaceJson('memory-test', 'big.rnn.json', BIG);
  });
  afterEach(async () => {
    await vscode.commands.executeCommand('rnnLens._cancelRun');
    await setWorkerThreshold(undefined);
    await closeAll();
  });

  for (const where of ['worker', 'inProcess'] as const) {
    it(`memory: a large run (${where}) is released when the panel closes: heap back to the baseline, WeakRef cleared`, async () => {
      // in-process: every run stays on the host (its trace, ~18 MB, is built here too)
      if (where === 'inProcess') await setWorkerThreshold(1e15);
      // Warm-up: the first run loads code, compiles the kernels, starts a worker once. Then a
      // small run, so that a leak of "the last run" would hold the big one at the end but only
      // the small one at the baseline.
      await runAndShow(big);
      assert.strictEqual((await info())?.where, where);
      await closePanel();
      await runAndShow(wsFile('golden', 'seed_snippet.rnn.json'));
      await closePanel();
      await closeAll();

      const baseline = await measure();
      await runAndShow(big);
      const ref = await weakPayload();
      const shown = await measure();
      await closePanel();
      await closeAll();
      // External buffers (the messages to the webview, the worker's transfer) are freed a little
      // after their last reference goes, more so on a loaded machine: allow them up to 10 s. A real
      // leak never comes back under the margin, so the assertion below still fails on one.
      let closed = await measure();
      for (const end = Date.now() + 10_000; closed.totalMB - baseline.totalMB >= MARGIN_MB && Date.now() < end; ) {
        await new Promise((r) => setTimeout(r, 500));
        closed = await measure();
      }
      console.log(`    memory (${where}): baseline ${fmt(baseline)}, run shown ${fmt(shown)}, panel closed ${fmt(closed)}`);

      const growth = shown.totalMB - baseline.totalMB;
      // A payload received from the worker holds ~7 MB of heap while shown, so the heap check below
      // can see it kept. One built on the host holds little heap here (its ~13 MB are the message
      // buffers to the webview, gone or not by the time of measuring): there the WeakRef is the proof.
      if (where === 'worker') {
        assert.ok(growth > 2 * MARGIN_MB, `the run should visibly hold memory while shown: +${growth.toFixed(1)} MB`);
      }
      const left = closed.totalMB - baseline.totalMB;
      assert.ok(left < MARGIN_MB, `after closing the panel the heap is ${left.toFixed(1)} MB over the baseline (run held ${growth.toFixed(1)} MB)`);
      assert.strictEqual(ref.deref(), undefined, 'the payload was garbage-collected');
      assert.strictEqual((await api()).lastRun(), undefined, 'lastRun() is undefined once the panel is gone');
    });
  }

  it('memory: a run in flight when the panel closes is cancelled, its worker terminated, and the panel stays closed', async () => {
    await runAndShow(big);
    const slow = await writeWorkspaceJson('memory-test', 'slow.rnn.json', SLOW);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(slow));
    const run = vscode.commands.executeCommand<unknown>('rnnLens.runForward');
    const running = await waitFor(
      'the slow run in a worker',
      async () => {
        const i = await info();
        return i && i.state === 'running' && i.where === 'worker' && i.phases.length > 0 ? i : undefined;
      },
      30000,
    );
    await closePanel();
    assert.strictEqual(await run, undefined, 'the run in flight was cancelled');
    const ended = await waitFor(
      'the worker to be terminated',
      async () => {
        const i = await info();
        return i && i.id === running.id && i.terminatedMs !== undefined ? i : undefined;
      },
      5000,
    );
    assert.strictEqual(ended.state, 'cancelled');
    await new Promise((r) => setTimeout(r, 500));
    assert.strictEqual(unrollTabs().length, 0, 'the cancelled run did not reopen the panel');
    assert.strictEqual((await api()).lastRun(), undefined);
  });
});
