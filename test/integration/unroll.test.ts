// Integration tests of the RNN Unroll View inside a real VS Code: running a document opens the
// panel beside the editor with PyTorch's numbers, and the panel is the registered webview type;
// the host validates and writes "Save diagram as PNG/SVG" exports (save location stubbed).
// Layer: test (extension host; imports vscode).
import * as assert from 'assert';
import * as vscode from 'vscode';
import { api, open, waitFor, wsFile } from './extensionHelpers';

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

  describe('export (host side)', () => {
    // A real 1x1 PNG (red pixel) as the webview's canvas.toDataURL would send it, without the prefix.
    const PNG_1x1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
    const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

    async function exists(uri: vscode.Uri): Promise<boolean> {
      try {
        await vscode.workspace.fs.stat(uri);
        return true;
      } catch {
        return false;
      }
    }

    it('writes the PNG the webview sends, byte for byte, where the save dialog pointed', async () => {
      await api();
      const target = wsFile(`export-test-${Date.now()}.png`);
      const written = await vscode.commands.executeCommand<string | undefined>('rnnLens.test.viewMessage', { type: 'export', format: 'png', data: PNG_1x1 }, { saveUri: target.toString() });
      assert.strictEqual(written, target.toString());
      const bytes = await vscode.workspace.fs.readFile(target);
      assert.deepStrictEqual([...bytes.subarray(0, 8)], SIGNATURE, 'PNG signature');
      assert.strictEqual(new TextDecoder('latin1').decode(bytes.subarray(12, 16)), 'IHDR');
      assert.strictEqual(bytes.length, 70, 'the 70 bytes of the 1x1 PNG');
      await vscode.workspace.fs.delete(target);
    });

    it('refuses an export that is not what it claims (a JPEG as png, a script as svg), writing nothing', async () => {
      await api();
      const jpeg = wsFile(`export-test-${Date.now()}-jpeg.png`);
      const html = wsFile(`export-test-${Date.now()}-html.svg`);
      assert.strictEqual(await vscode.commands.executeCommand('rnnLens.test.viewMessage', { type: 'export', format: 'png', data: '/9j/4AAQSkZJRgABAQ==' }, { saveUri: jpeg.toString() }), undefined);
      assert.strictEqual(await vscode.commands.executeCommand('rnnLens.test.viewMessage', { type: 'export', format: 'svg', data: '<script>alert(1)</script>' }, { saveUri: html.toString() }), undefined);
      assert.strictEqual(await vscode.commands.executeCommand('rnnLens.test.viewMessage', { type: 'export', format: 'png', data: PNG_1x1, extra: 1 }, { saveUri: jpeg.toString() }), undefined);
      assert.strictEqual(await exists(jpeg), false);
      assert.strictEqual(await exists(html), false);
    });

    it('writes an SVG export as UTF-8 text', async () => {
      await api();
      const target = wsFile(`export-test-${Date.now()}.svg`);
      const svg = '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>h₁</text></svg>';
      await vscode.commands.executeCommand('rnnLens.test.viewMessage', { type: 'export', format: 'svg', data: svg }, { saveUri: target.toString() });
      assert.strictEqual(new TextDecoder().decode(await vscode.workspace.fs.readFile(target)), svg);
      await vscode.workspace.fs.delete(target);
    });
  });

  it("sends the document's description to the panel as text", async () => {
    const a = await api();
    await open('examples', 'origin.rnn.json');
    await vscode.commands.executeCommand('rnnLens.runForward');
    const p = await waitFor('the origin run', () => (a.lastRun()?.title.includes('origin') && a.lastRun()) || undefined, 20000);
    assert.ok(p.description?.startsWith('The origin snippet'), p.description);
  });
});
