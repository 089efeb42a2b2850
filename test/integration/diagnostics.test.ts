/*
 * Problems of RNN documents in a real VS Code: on open, while typing (debounced), cleared on
 * close, and never for JSON files that are not RNN documents.
 * Layer: test (extension host).
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { api, closeAll, open, waitFor } from './extensionHelpers';

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'RNN Lens');
}

describe('diagnostics', () => {
  before(async () => {
    await api();
  });
  afterEach(closeAll);

  it('marks hidden_size -3 in a bad document, with its range', async () => {
    const { doc } = await open('bad', 'hidden-negative.rnn.json');
    const diags = await waitFor('diagnostics', () => (ours(doc.uri).length > 0 ? ours(doc.uri) : undefined));
    const error = diags.find((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert.ok(error, 'an error');
    assert.strictEqual(doc.getText(error.range), '-3');
    assert.ok(/hidden_size/.test(error.message), error.message);
  });

  it('updates while typing and clears when the problem is fixed, then when the document closes', async () => {
    const good = '{\n  "model": {"type": "GRU", "input_size": 3, "hidden_size": 4},\n  "seed": 0,\n  "input": {"rand": [2, 1, 3]}\n}\n';
    const doc = await vscode.workspace.openTextDocument({ language: 'json', content: good });
    await vscode.window.showTextDocument(doc);
    await new Promise((r) => setTimeout(r, 600));
    assert.strictEqual(ours(doc.uri).length, 0, 'a good document has no problems');

    const at = doc.getText().indexOf('"rand": [2, 1, 3]') + '"rand": [2, 1, '.length;
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, new vscode.Range(doc.positionAt(at), doc.positionAt(at + 1)), '7');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const diags = await waitFor('a shape problem', () => (ours(doc.uri).length > 0 ? ours(doc.uri) : undefined));
    assert.ok(diags.some((d) => d.severity === vscode.DiagnosticSeverity.Error && /input_size|7/.test(d.message)), diags.map((d) => d.message).join('\n'));

    const fix = new vscode.WorkspaceEdit();
    fix.replace(doc.uri, new vscode.Range(doc.positionAt(at), doc.positionAt(at + 1)), '3');
    assert.ok(await vscode.workspace.applyEdit(fix));
    await waitFor('problems cleared', () => ours(doc.uri).length === 0);

    const again = new vscode.WorkspaceEdit();
    again.replace(doc.uri, new vscode.Range(doc.positionAt(at), doc.positionAt(at + 1)), '9');
    assert.ok(await vscode.workspace.applyEdit(again));
    await waitFor('a problem again', () => ours(doc.uri).length > 0);
    const uri = doc.uri;
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await waitFor('problems cleared on close', () => ours(uri).length === 0);
  });

  it('leaves JSON files that are not RNN documents alone', async () => {
    const { doc } = await open('not-a-model.json');
    await new Promise((r) => setTimeout(r, 800));
    assert.strictEqual(ours(doc.uri).length, 0);
  });
});
