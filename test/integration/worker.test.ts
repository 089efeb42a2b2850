/*
 * Large runs go to a worker and the editor stays responsive, in a real VS Code (code-server's
 * Node extension host): progress per phase, Cancel via a CancellationToken and via the run
 * scheduler (the worker thread exits, nothing arrives from it afterwards, the run resolves as
 * cancelled before its forward pass finished, lastRun() is unchanged), a second run supersedes
 * the first, timers and hovers are answered while the run is in flight, worker results equal
 * PyTorch's numbers, errors come back as messages.
 * Every assertion is about what happened, never about how long it took or how much CPU the
 * host used: the machine is shared, and timings belong to bench/ (npm run bench:vscode).
 * Run alone: RNN_LENS_TEST_GREP=worker node scripts/run-integration.mjs
 * Layer: test (extension host; imports vscode and, for the token test, the scheduler module).
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { RunPayload } from '../../src/protocol/messages';
import type { RunInfo } from '../../src/extension/runScheduler';
import { api, assertClose, closeAll, open, readJson, runInfo as info, setWorkerFlopThreshold as setWorkerThreshold, waitFor, writeWorkspaceJson } from './extensionHelpers';

/** LSTM hidden 512, T=2000: about 8.4 GFLOP forward, many seconds of engine time. */
const LARGE = {
  model: { type: 'LSTM', input_size: 512, hidden_size: 512, batch_first: true },
  seed: 0,
  input: { rand: [1, 2000, 512] },
};

/** Waits until the scheduler reports a running worker run that has reached the forward phase. */
async function waitRunningInWorker(): Promise<RunInfo> {
  let seen: RunInfo | undefined;
  const end = Date.now() + 120_000;
  while (Date.now() < end) {
    seen = await info();
    if (seen && seen.state === 'running' && seen.where === 'worker' && seen.phases.some((p) => p.phase === 'forward')) return seen;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the large run did not reach the forward phase in a worker: ${JSON.stringify(seen)}`);
}

/** Polls the scheduler until the (cancelled or finished) worker run reports its thread gone. */
async function waitWorkerExited(): Promise<RunInfo> {
  let seen: RunInfo | undefined;
  const end = Date.now() + 120_000;
  while (Date.now() < end) {
    seen = await info();
    if (seen?.workerExited) return seen;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the worker thread did not exit: ${JSON.stringify(seen)}`);
}

/** Node's worker_threads exit code after terminate() (a Web Worker reports none). */
const TERMINATED = 1;

describe('worker: large runs off the extension host', function () {
  // A hang guard, not a speed requirement (a loaded shared machine runs these several times slower).
  this.timeout(600_000);
  let large: vscode.Uri;

  before(async () => {
    await api();
    large = await writeWorkspaceJson('worker-test', 'large.rnn.json', LARGE);
  });
  afterEach(async () => {
    await vscode.commands.executeCommand('rnnLens._cancelRun');
    await setWorkerThreshold(undefined);
    await closeAll();
  });

  it('the origin snippet stays in-process; the large LSTM goes to a worker with progress, and Cancel ends its thread', async () => {
    await open('golden', 'seed_snippet.rnn.json');
    const small = await vscode.commands.executeCommand<RunPayload>('rnnLens.runForward');
    assert.ok(small, 'the small run shows a payload');
    assert.strictEqual((await info())?.where, 'inProcess');
    const before = (await api()).lastRun();
    assert.strictEqual(before, small);

    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(large));
    const run = vscode.commands.executeCommand<RunPayload | undefined>('rnnLens.runForward');
    const running = await waitRunningInWorker();
    assert.strictEqual(running.progress, 'notification', 'over the progress threshold: a cancellable notification');
    assert.ok(running.flops > 8e9, `estimated FLOPs ${running.flops}`);
    assert.strictEqual(running.workerExited, undefined, 'the worker thread is alive while the run is in flight');

    assert.strictEqual(await vscode.commands.executeCommand('rnnLens._cancelRun'), true, 'there was a run to cancel');
    const result = await run;
    assert.strictEqual(result, undefined, 'a cancelled run returns nothing');
    assert.strictEqual((await api()).lastRun(), before, 'lastRun() is unchanged');
    // The worker thread is gone (its 'exit' event fired): a thread that has exited uses no CPU.
    const ended = await waitWorkerExited();
    assert.strictEqual(ended.id, running.id);
    assert.strictEqual(ended.state, 'cancelled');
    assert.strictEqual(ended.workerExited?.code, TERMINATED, 'exit code of a terminated worker_thread');
    // Stopped, not finished: the run never got past its forward pass (an 8 GFLOP LSTM), and
    // nothing the worker sent after Cancel was taken (no progress, no result).
    assert.deepStrictEqual(ended.phases.map((p) => p.phase), ['forward']);
    assert.strictEqual(ended.repliesAfterEnd ?? 0, 0, 'no message from the worker after Cancel');
    // Still nothing later: the run's record does not change once its worker is gone.
    await new Promise((r) => setTimeout(r, 500));
    const later = await info();
    assert.deepStrictEqual({ ...later, ms: undefined, terminatedMs: undefined }, { ...ended, ms: undefined, terminatedMs: undefined });
    console.log(`    worker: cancelled in the forward pass; worker thread exited with code ${ended.workerExited?.code} (${ended.terminatedMs ?? '?'} ms after Cancel, not asserted)`);
  });

  it('the extension host keeps answering during a worker run: timers fire and hovers answer while the run is in flight', async () => {
    const doc = await vscode.workspace.openTextDocument(large);
    await vscode.window.showTextDocument(doc);
    const run = vscode.commands.executeCommand<RunPayload | undefined>('rnnLens.runForward');
    const running = await waitRunningInWorker();
    // Were the run on this thread, nothing below could happen before it ended: no timer would
    // fire and no hover would be answered while runInfo() still says 'running'.
    let fired = 0;
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 0));
      fired++;
    }
    const hoverAt = doc.positionAt(doc.getText().indexOf('hidden_size') + 2);
    for (let i = 0; i < 5; i++) {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, hoverAt);
      assert.ok(hovers && hovers.length > 0, 'a hover answers');
    }
    const still = await info();
    assert.strictEqual(still?.id, running.id);
    assert.strictEqual(still?.state, 'running', 'the run was still in flight after the timers and hovers');
    assert.deepStrictEqual(still?.phases.map((p) => p.phase), ['forward'], 'still in its forward pass');
    assert.strictEqual(fired, 20);
    await vscode.commands.executeCommand('rnnLens._cancelRun');
    assert.strictEqual(await run, undefined);
  });

  it('a second run started while the first is in flight cancels the first', async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(large));
    const first = vscode.commands.executeCommand<RunPayload | undefined>('rnnLens.runForward');
    const firstInfo = await waitRunningInWorker();
    await open('golden', 'seed_snippet.rnn.json');
    const second = await vscode.commands.executeCommand<RunPayload>('rnnLens.runForward');
    // The first (an 8 GFLOP LSTM, which cannot fail) gives nothing: it was cancelled, not finished.
    assert.strictEqual(await first, undefined, 'the first run was cancelled');
    assert.strictEqual(await vscode.commands.executeCommand('rnnLens._cancelRun'), false, 'no run is left in flight');
    assert.ok(second && second.title.includes('seed_snippet'), 'the second run is shown');
    assert.strictEqual((await api()).lastRun(), second);
    const now = await info();
    assert.ok(now && now.id > firstInfo.id && now.state === 'done');
  });

  it('a CancellationToken passed to the scheduler stops a worker run', async () => {
    // The scheduler module itself (this test's own instance, same host, same worker bundle).
    const { scheduleRun, runInfo: ownRunInfo } = await import('../../src/extension/runScheduler');
    const { readDocument } = await import('../../src/document/reader');
    const read = readDocument(JSON.stringify(LARGE));
    assert.ok(read.document);
    const cts = new vscode.CancellationTokenSource();
    const outcome = scheduleRun({ doc: read.document, title: 'large' }, { token: cts.token });
    await waitFor('the worker run in its forward pass', () => {
      const i = ownRunInfo();
      return i?.state === 'running' && i.where === 'worker' && i.phases.some((p) => p.phase === 'forward');
    }, 120_000);
    cts.cancel();
    const result = await outcome;
    assert.deepStrictEqual(result, { kind: 'cancelled', reason: 'user' });
    const ended = await waitFor('the worker thread to exit', () => (ownRunInfo()?.workerExited ? ownRunInfo() : undefined), 120_000);
    assert.strictEqual(ended?.workerExited?.code, TERMINATED);
    assert.deepStrictEqual(ended?.phases.map((p) => p.phase), ['forward'], 'stopped in its forward pass');
    assert.strictEqual(ended?.repliesAfterEnd ?? 0, 0);
  });

  it("a run in the worker gives PyTorch's numbers (threshold 0: every run goes to the worker)", async () => {
    await setWorkerThreshold(0);
    await open('golden', 'seed_snippet.rnn.json');
    const payload = await vscode.commands.executeCommand<RunPayload>('rnnLens.runForward');
    const i = await info();
    assert.strictEqual(i?.where, 'worker');
    // the forward, its view (painted at once), then the gradients
    assert.deepStrictEqual(
      i?.phases.map((p) => p.phase),
      ['forward', 'view', 'gradients'],
    );
    const golden = await readJson('golden', 'seed_snippet.rnn.json');
    assert.ok(payload);
    assertClose(payload.headOutput, golden.expected.head, 'head');
    assertClose(payload.output, golden.expected.output, 'output');
    assertClose(payload.hN, golden.expected.h_n, 'h_n');
    assert.ok(payload.gradients, 'gradients computed in the worker');
  });

  it('a worker run paints its forward first, then its gradients in place; the next run takes the kept (warm) worker', async () => {
    await setWorkerThreshold(0);
    await open('golden', 'seed_snippet.rnn.json');
    const payload = await vscode.commands.executeCommand<RunPayload>('rnnLens.runForward');
    assert.ok(payload?.gradients, 'the returned payload has the gradients');
    const done = await waitFor('the gradients painted in the panel', async () => {
      const i = await info();
      return i?.gradientsPaintedAt !== undefined ? i : undefined;
    }, 120_000);
    assert.ok(done.forwardAt !== undefined, 'the forward payload came before the end of the run');
    assert.ok(done.paintedAt !== undefined && done.paintedAt <= done.gradientsPaintedAt!, 'the forward was painted before the gradients');
    const shown = (await api()).lastRun();
    assert.strictEqual(shown, payload, 'the panel holds the whole payload now');
    assert.ok(!shown?.gradientsPending);
    const golden = await readJson('golden', 'seed_snippet.rnn.json');
    assertClose(shown?.headOutput, golden.expected.head, 'head');
    // the second run is served by the worker the first one left
    await vscode.commands.executeCommand<RunPayload>('rnnLens.runForward');
    const second = await info();
    assert.strictEqual(second?.where, 'worker');
    assert.strictEqual(second?.warmWorker, true, 'the kept worker ran it');
    assert.strictEqual(second?.state, 'done');
  });

  it('Cancel during the gradients leaves the painted forward, and the panel says the gradients were not computed', async () => {
    // LSTM 64 -> 256, 2 layers, bidirectional, N 16, L 128 (the medium workload): 9.1 GFLOP, gradients in the worker
    const medium = await writeWorkspaceJson('worker-test', 'medium.rnn.json', {
      model: { type: 'LSTM', input_size: 64, hidden_size: 256, num_layers: 2, bidirectional: true, batch_first: true },
      seed: 2,
      input: { rand: [16, 128, 64] },
    });
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(medium));
    const run = vscode.commands.executeCommand<RunPayload | undefined>('rnnLens.runForward');
    await waitFor('the run in its gradients phase', async () => {
      const i = await info();
      return i?.state === 'running' && i.phases.some((p) => p.phase === 'gradients') ? i : undefined;
    }, 240_000);
    const forwardShown = (await api()).lastRun();
    assert.strictEqual(forwardShown?.gradientsPending, true, 'the forward is shown, its gradients pending');
    assert.strictEqual(forwardShown?.title, 'medium.rnn.json');
    await vscode.commands.executeCommand('rnnLens._cancelRun');
    assert.strictEqual(await run, undefined);
    const after = (await api()).lastRun();
    assert.strictEqual(after?.gradientsPending, false);
    assert.strictEqual(after?.gradients, undefined);
    assert.ok(after?.notes.some((n) => /Gradients were not computed: the run was cancelled/.test(n)), JSON.stringify(after?.notes));
    assert.deepStrictEqual(after?.output, forwardShown?.output, 'the painted forward stays');
  });

  it('an error in the worker comes back as a message (no input to run), not as a rejection', async () => {
    await setWorkerThreshold(0);
    const uri = await writeWorkspaceJson('worker-test', 'no-input.rnn.json', { model: { type: 'GRU', input_size: 3, hidden_size: 4 } });
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const before = (await api()).lastRun();
    const result = await vscode.commands.executeCommand('rnnLens.runForward');
    assert.strictEqual(result, undefined);
    const i = await info();
    assert.strictEqual(i?.state, 'error');
    assert.strictEqual((await api()).lastRun(), before);
  });
});
