/*
 * The RNN Lab in a real VS Code: "RNN: Long Memory Experiment" runs a reduced experiment in the
 * lab worker and fills the panel (every planned model trained and judged on fresh sequences);
 * "RNN: Train Language Model on Selection" trains on a selected Japanese text and samples
 * characters of that text as it learns; Stop ends a running job and keeps what was done.
 * Layer: test (extension host; imports vscode).
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { LabState } from '../../src/extension/labPanel';
import type { LabEvent } from '../../src/protocol/lab';
import { api, closeAll, waitFor } from './extensionHelpers';

const state = () => vscode.commands.executeCommand<LabState>('rnnLens._labState');
const ended = async () => {
  const s = await state();
  return !!s && !s.running && s.events.some((e) => e.type === 'done' || e.type === 'error') && s;
};
const TEXT = '吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。';

describe('RNN Lab', function () {
  this.timeout(240000);
  before(async () => {
    await api();
  });
  after(async () => {
    await vscode.commands.executeCommand('rnnLens.lab.stop');
    await closeAll();
  });

  it('runs a reduced long-memory experiment in the worker: every model trained, judged on fresh sequences', async () => {
    const config = { variant: 'classification', lengths: [3, 6], seeds: [0, 1], cells: ['RNN', 'LSTM', 'GRU'], nTrain: 32, nTest: 16, hidden: 4, steps: 8 };
    await vscode.commands.executeCommand('rnnLens.lab.longMemory', { config });
    const s = await waitFor('the experiment to end', ended, 180000);
    const error = s.events.find((e): e is Extract<LabEvent, { type: 'error' }> => e.type === 'error');
    assert.strictEqual(error, undefined, error?.message);
    assert.ok(s.open, 'the lab panel is open');
    const runs = s.events.filter((e): e is Extract<LabEvent, { type: 'lm/run' }> => e.type === 'lm/run').map((e) => e.run);
    assert.strictEqual(runs.length, 2 * 2 * 3);
    for (const r of runs) {
      assert.strictEqual(r.trainLoss.length, 8);
      assert.strictEqual(r.gradNorm.length, 8);
      assert.ok(r.test.accuracy !== undefined && r.test.accuracy >= 0 && r.test.accuracy <= 1);
      assert.strictEqual(r.inputGradInit.length, r.length);
    }
    assert.deepStrictEqual(s.events.at(-1), { type: 'done', stopped: false });
  });

  it('trains a language model on a Japanese selection and samples its characters', async () => {
    const doc = await vscode.workspace.openTextDocument({ content: `# メモ\n${TEXT}\n`, language: 'markdown' });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(1, 0, 1, Array.from(TEXT).length);
    await vscode.commands.executeCommand('rnnLens.lab.charLm', { cell: 'GRU', steps: 12, sampleEvery: 6 });
    const s = await waitFor('the language model to finish', ended, 180000);
    const start = s.events.find((e): e is Extract<LabEvent, { type: 'cl/start' }> => e.type === 'cl/start');
    assert.ok(start, JSON.stringify(s.events.find((e) => e.type === 'error')));
    assert.strictEqual(start.info.cell, 'GRU');
    assert.deepStrictEqual(start.info.vocab, [...new Set(Array.from(TEXT))].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!));
    const samples = s.events.filter((e): e is Extract<LabEvent, { type: 'cl/sample' }> => e.type === 'cl/sample').map((e) => e.sample);
    assert.deepStrictEqual(samples.map((x) => x.step), [0, 6, 12]);
    for (const x of samples) for (const c of Array.from(x.greedy + x.sampled)) assert.ok(start.info.vocab.includes(c), `${c} comes from the text`);
    const losses = s.events.filter((e): e is Extract<LabEvent, { type: 'cl/step' }> => e.type === 'cl/step').map((e) => e.loss);
    assert.strictEqual(losses.length, 12);
    assert.ok(losses[11] < losses[0], `the loss falls: ${losses[0]} -> ${losses[11]}`);
  });

  it('Stop ends a running job and keeps what was done', async () => {
    await vscode.commands.executeCommand('rnnLens.lab.charLm', { text: TEXT, cell: 'LSTM', steps: 100000, sampleEvery: 1000 });
    await waitFor('some steps', async () => (await state())?.events.some((e) => e.type === 'cl/step'), 120000);
    await vscode.commands.executeCommand('rnnLens.lab.stop');
    const s = await state();
    assert.strictEqual(s.running, false);
    assert.deepStrictEqual(s.events.at(-1), { type: 'done', stopped: true });
    const n = s.events.length;
    await new Promise((r) => setTimeout(r, 500));
    assert.strictEqual((await state()).events.length, n, 'no events after Stop: the worker is gone');
  });
});
