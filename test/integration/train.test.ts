/*
 * Training in a real VS Code: "RNN: Train" on the golden origin snippet
 * (test/fixtures/workspace/golden/train_seed_snippet.rnn.json, computed by PyTorch) runs in a
 * worker and ends on PyTorch's losses; the panel then shows the model after the last step.
 * Pause / Resume / Stop are checked by what happened (the status the job reports, the steps done
 * staying put while paused, the same final loss after a pause), never by time. The document's
 * text changes only when "Save trained weights" is asked for; the code action adds a train block
 * that trains; the "train" template trains to the same numbers.
 * Run alone: RNN_LENS_TEST_GREP=train node scripts/run-integration.mjs
 * Layer: test (extension host; imports vscode).
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { readDocument } from '../../src/document/reader';
import type { TrainInfo } from '../../src/extension/training';
import { CURVE_CAP, CURVE_RECENT } from '../../src/protocol/curves';
import { api, closeAll, flatten, open, readJson, waitFor, writeWorkspaceJson } from './extensionHelpers';

const FIXTURE = ['golden', 'train_seed_snippet.rnn.json'] as const;

async function trainInfo(): Promise<TrainInfo | undefined> {
  return vscode.commands.executeCommand<TrainInfo | undefined>('rnnLens._trainInfo');
}

/** Waits until the training run `id` (or the latest) reports `status`. */
async function waitStatus(status: TrainInfo['status'], after?: number, ms = 60000): Promise<TrainInfo> {
  return waitFor(`training ${status}`, async () => {
    const i = await trainInfo();
    if (i && (after === undefined || i.id > after) && i.status === 'failed') throw new Error(`training failed: ${i.message}`);
    return i && (after === undefined || i.id > after) && i.status === status ? i : undefined;
  }, ms);
}

/** Sends a message to the host as the panel's buttons do. */
function viewMessage(m: unknown): Thenable<string | undefined> {
  return vscode.commands.executeCommand<string | undefined>('rnnLens.test.viewMessage', m);
}

function close(actual: number | null, expected: number, what: string): void {
  assert.ok(actual !== null && Math.abs(actual - expected) <= 1e-6 * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs PyTorch ${expected}`);
}

async function latestId(): Promise<number> {
  return (await trainInfo())?.id ?? 0;
}

describe('train: RNN: Train, the panel\'s Train control, saving trained weights', function () {
  this.timeout(120000);
  let golden: { loss: number[]; grad_norm: number[]; state_dict: Record<string, unknown> };

  before(async () => {
    await api();
    golden = (await readJson(...FIXTURE)).expected;
  });
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await closeAll();
  });

  it('trains the golden origin snippet in a worker to PyTorch\'s losses; the panel shows the model after step 50; the text is unchanged', async () => {
    const { doc } = await open(...FIXTURE);
    const text = doc.getText();
    const before = await latestId();
    assert.strictEqual(await vscode.commands.executeCommand('rnnLens.train'), true);
    const done = await waitStatus('done', before);
    assert.strictEqual(done.where, 'worker');
    assert.strictEqual(done.stepsDone, 50);
    done.loss.forEach((l, i) => close(l, golden.loss[i], `loss[${i}]`));
    done.gradNorm.forEach((g, i) => close(g, golden.grad_norm[i], `grad_norm[${i}]`));
    close(done.loss[49], golden.loss[49], 'final loss');
    assert.strictEqual(done.shownStep, 50);
    // the panel holds the model after 50 steps: its weights are PyTorch's trained ones
    const shown = (await api()).lastRun();
    assert.ok(shown?.train, 'the payload offers training');
    const w = flatten(golden.state_dict.weight_hh_l0).data;
    (shown.stateDict.weight_hh_l0.data as number[]).forEach((v, i) => close(v, w[i], `weight_hh_l0[${i}] shown`));
    assert.ok(shown.notes.some((n) => n.includes('50')), shown.notes.join(' | '));
    assert.strictEqual(doc.getText(), text, 'training never writes into the document by itself');
    assert.strictEqual(doc.isDirty, false);
  });

  it('pauses by itself at step 10 (state at 10), resumes to PyTorch\'s end; Save writes the state_dict only when asked', async () => {
    const { doc } = await open(...FIXTURE);
    const text = doc.getText();
    const before = await latestId();
    await vscode.commands.executeCommand('rnnLens.train', { pauseAt: 10 });
    const paused = await waitStatus('paused', before);
    assert.strictEqual(paused.stepsDone, 10);
    assert.strictEqual(paused.shownStep, 10);
    paused.loss.forEach((l, i) => close(l, golden.loss[i], `loss[${i}]`));
    assert.ok((await api()).lastRun()?.notes.some((n) => n.includes('10')), 'the panel shows the model after step 10');
    // paused means paused: another round trip later, still 10 steps
    await viewMessage({ type: 'trainPause' });
    assert.strictEqual((await trainInfo())!.stepsDone, 10);
    assert.strictEqual(doc.getText(), text);

    await viewMessage({ type: 'trainResume' });
    const done = await waitStatus('done', before);
    assert.strictEqual(done.id, paused.id);
    assert.strictEqual(done.stepsDone, 50);
    close(done.loss[49], golden.loss[49], 'final loss after a pause');
    assert.strictEqual(doc.getText(), text, 'nothing written before Save');

    const written = await viewMessage({ type: 'trainSave', to: 'document' });
    assert.strictEqual(written, doc.uri.toString());
    const saved = readDocument(doc.getText());
    assert.ok(saved.document, JSON.stringify(saved.diagnostics.slice(0, 3)));
    assert.ok(doc.getText().startsWith(text.slice(0, text.lastIndexOf('}')).trimEnd()), 'the user\'s text is kept, the state_dict is added');
    for (const [name, want] of Object.entries(golden.state_dict)) {
      const got = saved.document.stateDict.find((e) => e.name === name);
      assert.ok(got, name);
      flatten(want).data.forEach((x, i) => close(got.tensor.data[i], x, `saved ${name}[${i}]`));
    }
  });

  it('Stop keeps the steps done; Save into a new document leaves the original alone', async () => {
    const { doc } = await open(...FIXTURE);
    const text = doc.getText();
    const before = await latestId();
    await vscode.commands.executeCommand('rnnLens.train', { pauseAt: 5 });
    await waitStatus('paused', before);
    await viewMessage({ type: 'trainStop' });
    const stopped = await waitStatus('stopped', before);
    assert.strictEqual(stopped.stepsDone, 5);
    assert.ok(stopped.message?.includes('5'), stopped.message);
    await viewMessage({ type: 'trainResume' });
    assert.strictEqual((await trainInfo())!.stepsDone, 5, 'a stopped run does not resume');

    const written = await viewMessage({ type: 'trainSave', to: 'newDocument' });
    assert.ok(written && written !== doc.uri.toString(), String(written));
    const copy = vscode.workspace.textDocuments.find((d) => d.uri.toString() === written)!;
    assert.ok(copy.getText().includes('"state_dict"'));
    assert.ok(readDocument(copy.getText()).document, 'the copy reads');
    assert.strictEqual(doc.getText(), text, 'the original is unchanged');
  });

  it('Pause while running stops between two steps, and nothing runs while paused', async () => {
    const uri = await writeWorkspaceJson('train-test', 'long.rnn.json', {
      model: { type: 'RNN', input_size: 2, hidden_size: 3 },
      head: { type: 'Linear', out_features: 1 },
      seed: 1,
      input: { rand: [4, 2, 2] },
      train: { loss: 'mse', target: { rand: [2, 1] }, optimizer: { type: 'Adam', lr: 0.001 }, steps: 2000000 },
    });
    await vscode.window.showTextDocument(uri);
    const before = await latestId();
    await vscode.commands.executeCommand('rnnLens.train');
    await waitFor('some steps done', async () => ((await trainInfo())!.stepsDone > 0 ? true : undefined), 30000);
    await viewMessage({ type: 'trainPause' });
    const paused = await waitStatus('paused', before);
    assert.ok(paused.stepsDone > 0 && paused.stepsDone < 2000000, String(paused.stepsDone));
    assert.strictEqual(paused.shownStep, paused.stepsDone, 'the panel shows the model at the paused step');
    await viewMessage({ type: 'trainPause' });
    assert.strictEqual((await trainInfo())!.stepsDone, paused.stepsDone, 'still paused');
    await viewMessage({ type: 'trainResume' });
    await waitFor('steps after the resume', async () => ((await trainInfo())!.stepsDone > paused.stepsDone ? true : undefined), 30000);
    await viewMessage({ type: 'trainStop' });
    const stopped = await waitStatus('stopped', before);
    assert.ok(stopped.stepsDone > paused.stepsDone && stopped.stepsDone < 2000000);
    assert.strictEqual(stopped.shownStep, stopped.stepsDone);
  });

  it('a long run keeps a bounded history: past CURVE_CAP steps the host holds at most CURVE_CAP points, the recent steps one by one', async () => {
    const uri = await writeWorkspaceJson('train-test', 'bounded.rnn.json', {
      model: { type: 'RNN', input_size: 2, hidden_size: 3 },
      head: { type: 'Linear', out_features: 1 },
      seed: 1,
      input: { rand: [4, 2, 2] },
      train: { loss: 'mse', target: { rand: [2, 1] }, optimizer: { type: 'Adam', lr: 0.001 }, steps: 100000 },
    });
    const before = await latestId();
    const at = CURVE_CAP + 1500;
    assert.strictEqual(await vscode.commands.executeCommand('rnnLens.train', { uri: uri.toString(), pauseAt: at }), true);
    const paused = await waitStatus('paused', before, 110000);
    assert.strictEqual(paused.stepsDone, at);
    assert.ok(paused.loss.length <= CURVE_CAP && paused.gradNorm.length === paused.loss.length, `${paused.loss.length} points held`);
    const steps = paused.steps;
    assert.ok(steps && steps.length === paused.loss.length, 'the steps of the kept points');
    assert.strictEqual(steps[0], 0, 'step 1 kept');
    for (let k = 1; k <= CURVE_RECENT; k++) assert.strictEqual(steps[steps.length - k], at - k);
    await viewMessage({ type: 'trainStop' });
    await waitStatus('stopped', before);
  });

  it('the setting rnnLens.budget.maxTrainFlops limits training: a longer run is an error at "steps" and Train refuses it', async () => {
    const config = vscode.workspace.getConfiguration('rnnLens');
    await config.update('budget.maxTrainFlops', 100000, vscode.ConfigurationTarget.Global);
    try {
      const uri = await writeWorkspaceJson('train-test', 'over-budget.rnn.json', {
        model: { type: 'RNN', input_size: 2, hidden_size: 3 },
        head: { type: 'Linear', out_features: 1 },
        seed: 1,
        input: { rand: [4, 2, 2] },
        train: { loss: 'mse', target: { rand: [2, 1] }, optimizer: { type: 'SGD', lr: 0.1 }, steps: 5000 },
      });
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc);
      const d = await waitFor('the budget error', () => vscode.languages.getDiagnostics(uri).find((x) => /floating-point operations/.test(x.message)), 30000);
      assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Error);
      assert.strictEqual(doc.getText(d.range), '5000', 'at the value of "steps"');
      assert.match(d.message, /more than the limit of 100,000/);
      const before = await latestId();
      assert.strictEqual(await vscode.commands.executeCommand('rnnLens.train', { uri: uri.toString() }), false);
      assert.strictEqual(await latestId(), before, 'nothing started');
    } finally {
      await config.update('budget.maxTrainFlops', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('the code action "Add a training target" adds a train block that fits, and it trains', async () => {
    const uri = await writeWorkspaceJson('train-test', 'untrained.rnn.json', {
      model: { type: 'RNN', input_size: 10, hidden_size: 20, batch_first: true },
      head: { type: 'Linear', out_features: 2 },
      seed: 0,
      input: { rand: [3, 5, 10] },
    });
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const actionsAt = async (needle: string, delta = 0) => {
      const at = doc.positionAt(doc.getText().indexOf(needle) + delta);
      return (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, new vscode.Range(at, at))) ?? [];
    };
    // on the "model" key too (where a person puts the cursor), not only inside its value
    assert.ok((await actionsAt('"model"', 2)).some((a) => a.title === 'Add a training target'), 'offered on the "model" key');
    assert.ok(!(await actionsAt('"seed"', 2)).some((a) => a.title === 'Add a training target'), 'not on "seed"');
    const actions = await actionsAt('"hidden_size"');
    const add = actions.find((a) => a.title === 'Add a training target');
    assert.ok(add?.edit, actions.map((a) => a.title).join(', '));
    assert.ok(await vscode.workspace.applyEdit(add.edit));
    const read = readDocument(doc.getText());
    assert.ok(read.document?.train, JSON.stringify(read.diagnostics.slice(0, 3)));
    assert.deepStrictEqual(read.document.train.target.kind === 'rand' && read.document.train.target.shape, [3, 2]);
    const before = await latestId();
    assert.strictEqual(await vscode.commands.executeCommand('rnnLens.train'), true);
    const done = await waitStatus('done', before);
    assert.strictEqual(done.stepsDone, 100);
    assert.ok((done.loss[99] as number) < (done.loss[0] as number), 'the loss fell');
  });

  it('the "train" template of New RNN Document trains to PyTorch\'s final loss', async () => {
    await vscode.commands.executeCommand('rnnLens.newDocument', { template: 'origin-train' });
    const before = await latestId();
    assert.strictEqual(await vscode.commands.executeCommand('rnnLens.train'), true);
    const done = await waitStatus('done', before);
    close(done.loss[49], golden.loss[49], 'final loss of the template');
  });
});
