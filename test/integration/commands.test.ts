/*
 * The RNN commands inside a real VS Code: registered, New RNN Document, Show Shapes.
 * Layer: test (extension host).
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { api, closeAll, open, waitFor } from './extensionHelpers';

describe('commands', () => {
  before(async () => {
    await api();
  });
  afterEach(closeAll);

  it('registers the four RNN commands', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const id of ['rnnLens.runForward', 'rnnLens.openUnrollView', 'rnnLens.showShapes', 'rnnLens.newDocument']) {
      assert.ok(all.includes(id), `${id} is registered`);
    }
  });

  it('New RNN Document opens an untitled JSON LSTM document with the cursor on the input', async () => {
    const uri = await vscode.commands.executeCommand<string>('rnnLens.newDocument', { template: 'lstm' });
    assert.ok(uri);
    const editor = await waitFor('the new editor', () => (vscode.window.activeTextEditor?.document.uri.toString() === uri ? vscode.window.activeTextEditor : undefined));
    const doc = editor.document;
    assert.strictEqual(doc.isUntitled, true);
    assert.strictEqual(doc.languageId, 'json');
    const model = JSON.parse(doc.getText()).model;
    assert.strictEqual(model.type, 'LSTM');
    const line = doc.lineAt(editor.selection.active.line).text;
    assert.ok(line.includes('"input"'), `cursor line: ${line}`);
    assert.strictEqual(vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === 'RNN Lens').length, 0);
  });

  it('Show Shapes opens a read-only Markdown report of the active document', async () => {
    await open('golden', 'seed_snippet.rnn.json');
    const uri = await vscode.commands.executeCommand<string>('rnnLens.showShapes');
    assert.ok(uri, 'a report was opened');
    const report = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
    const text = report.getText();
    // nn.RNN(10, 20, batch_first=True) on (3, 5, 10): output (3, 5, 20), h_n (1, 3, 20), head (3, 2).
    assert.ok(text.includes('`(3, 5, 20)`'), text);
    assert.ok(text.includes('`(1, 3, 20)`'), text);
    assert.ok(text.includes('`(3, 2)`'), text);
    // 20*10 + 20*20 + 20 + 20 + 2*20 + 2 parameters.
    assert.ok(text.includes('682'), text);
  });

  it('Show Shapes on a Python file reports the model under the cursor (examples/sample_rnn.py)', async () => {
    const { doc, editor } = await open('examples', 'sample_rnn.py');
    const at = doc.getText().indexOf('nn.RNN(input_size, hidden_size');
    assert.ok(at >= 0);
    editor.selection = new vscode.Selection(doc.positionAt(at + 4), doc.positionAt(at + 4));
    const uri = await vscode.commands.executeCommand<string>('rnnLens.showShapes');
    assert.ok(uri, 'a report was opened');
    const text = (await vscode.workspace.openTextDocument(vscode.Uri.parse(uri))).getText();
    // SampleRNN(10, 20, 2) on torch.rand(3, 5, 10): nn.RNN output (3, 5, 20).
    assert.ok(text.includes('(3, 5, 20)'), text);
  });

  it('Show Shapes says "no model" outside RNN documents', async () => {
    await open('notes.md');
    assert.strictEqual(await vscode.commands.executeCommand('rnnLens.showShapes'), undefined);
  });
});
