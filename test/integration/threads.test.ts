/*
 * rnnLens.run.threads in a real VS Code (code-server's Node extension host): a large batched run
 * in the run worker uses the threads the setting allows (1: one thread; 2: the run worker and a
 * helper, on a machine with two cores or more), and gives the same numbers either way.
 * Asserts what ran (RunInfo.threads, the numbers), never how long it took.
 * Run alone: RNN_LENS_TEST_GREP=threads node scripts/run-integration.mjs
 * Layer: test (extension host; imports vscode).
 */
import * as assert from 'assert';
import * as os from 'os';
import * as vscode from 'vscode';
import type { RunPayload } from '../../src/protocol/messages';
import { api, closeAll, runInfo, writeWorkspaceJson } from './extensionHelpers';

/** Over the worker threshold, the trace budget and START_HELPERS_WORK; batch 8: two parts of 4. */
const LARGE_BATCH = {
  model: { type: 'LSTM', input_size: 32, hidden_size: 192, bidirectional: true, batch_first: true },
  seed: 4,
  input: { rand: [8, 200, 32] },
};

async function setThreads(value: number | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('rnnLens').update('run.threads', value, vscode.ConfigurationTarget.Global);
}

/** rnnLens.run.gradientFlopThreshold: 0 makes the worker run the forward only (the threaded one). */
async function setGradientThreshold(value: number | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('rnnLens').update('run.gradientFlopThreshold', value, vscode.ConfigurationTarget.Global);
}

describe('threads: rnnLens.run.threads reaches the run worker', function () {
  this.timeout(600_000); // a hang guard on a loaded machine, not a speed requirement
  let uri: vscode.Uri;

  before(async () => {
    await api();
    uri = await writeWorkspaceJson('threads-test', 'batch.rnn.json', LARGE_BATCH);
  });
  after(async () => {
    await setThreads(undefined);
    await setGradientThreshold(undefined);
    await closeAll();
  });

  it('threads 1: one thread; threads 2: two (with two cores), the same numbers', async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    // runs with gradients record one forward on one thread; the threads serve forward-only runs
    await setGradientThreshold(0);
    await setThreads(1);
    const one = await vscode.commands.executeCommand<RunPayload>('rnnLens.runForward');
    const first = await runInfo();
    assert.strictEqual(first?.where, 'worker');
    assert.strictEqual(first?.state, 'done');
    assert.strictEqual(first?.threads, 1);

    await setThreads(2);
    const two = await vscode.commands.executeCommand<RunPayload>('rnnLens.runForward');
    const second = await runInfo();
    assert.strictEqual(second?.state, 'done');
    assert.strictEqual(second?.threads, os.cpus().length >= 2 ? 2 : 1);
    assert.ok(one && two);
    assert.deepStrictEqual(two.output, one.output, 'the same numbers on two threads');
    assert.deepStrictEqual(two.hN, one.hN);
    assert.strictEqual(two.gradients, undefined, 'rnnLens.run.gradientFlopThreshold 0: no gradients');
    assert.ok(two.notes.some((n) => /gradient budget/.test(n)), 'the panel says why');

    // with gradients (the default threshold): one recorded forward, the same numbers
    await setGradientThreshold(undefined);
    const graded = await vscode.commands.executeCommand<RunPayload>('rnnLens.runForward');
    const third = await runInfo();
    assert.strictEqual(third?.state, 'done');
    assert.strictEqual(third?.threads, 1);
    assert.ok(graded?.gradients, 'gradients computed in the worker');
    const close = (a: unknown[], b: unknown[]) => a.forEach((v, i) => assert.ok(Math.abs((v as number) - (b[i] as number)) <= 1e-12 * Math.max(1, Math.abs(b[i] as number)), `output[${i}]`));
    close(graded!.output.data, one.output.data);
  });
});
