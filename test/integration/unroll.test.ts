// Integration tests of the RNN Unroll View inside a real VS Code: running a document opens the
// panel beside the editor with PyTorch's numbers, and the panel is the registered webview type.
// Layer: test (extension host; imports vscode).
import * as assert from 'assert';
import * as vscode from 'vscode';
import { api, open, waitFor } from './extensionHelpers';

/** PyTorch prints [[0.0930, 0.0545], [0.1369, 0.0518], [0.2210, -0.1358]] for the origin snippet. */
const ORIGIN_HEAD = [0.093, 0.0545, 0.1369, 0.0518, 0.221, -0.1358];

function unrollTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('rnnLens.unrollView'));
}

describe('RNN Unroll View (integration)', () => {
  it('Run Forward on the origin document shows the panel with PyTorch\'s head', async () => {
    const a = await api();
    await open('examples', 'origin.rnn.json');
    await vscode.commands.executeCommand('rnnLens.runForward');
    const p = await waitFor('a run payload with a head', () => a.lastRun()?.headOutput && a.lastRun(), 20000);
    assert.deepStrictEqual(p.headOutput!.shape, [3, 2]);
    p.headOutput!.data.forEach((v, i) => assert.ok(Math.abs((v as number) - ORIGIN_HEAD[i]) < 5e-5, `head[${i}] = ${v}`));
    await waitFor('the Unroll View tab', () => unrollTabs().length > 0 || undefined, 10000);
    assert.strictEqual(unrollTabs().length, 1);
    // the panel opened beside the editor, not on top of it
    const editorGroup = vscode.window.tabGroups.all.find((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.path.endsWith('origin.rnn.json')));
    const panelGroup = vscode.window.tabGroups.all.find((g) => g.tabs.some((t) => unrollTabs().includes(t)));
    assert.notStrictEqual(editorGroup, panelGroup, 'panel is in another editor group (ViewColumn.Beside)');
    assert.strictEqual(unrollTabs()[0].label, vscode.l10n.t('RNN Unroll View'));
  });

  it('a second run reuses the same panel', async () => {
    const a = await api();
    await open('examples', 'lstm-bidirectional-2layer.rnn.json');
    await vscode.commands.executeCommand('rnnLens.runForward');
    await waitFor('an LSTM run', () => a.lastRun()?.model.type === 'LSTM' || undefined, 20000);
    const p = a.lastRun()!;
    assert.ok(p.model.bidirectional);
    assert.ok(p.cN, 'LSTM runs carry c_n');
    assert.strictEqual(p.steps!.length, p.model.numLayers);
    assert.strictEqual(p.steps![0].length, 2, 'two directions');
    assert.strictEqual(unrollTabs().length, 1);
  });

  it('Open Unroll View reveals the existing panel', async () => {
    await vscode.commands.executeCommand('rnnLens.openUnrollView');
    await waitFor('the Unroll View tab', () => unrollTabs().length === 1 || undefined, 5000);
  });
});
