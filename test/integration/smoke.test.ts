// Smoke test inside a real VS Code: the extension is installed, activates without throwing, and
// registers the commands the manifest promises. Runs in the extension host (imports vscode).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const extensionId = 'rnn-lens.rnn-lens';

/** The command ids other features and the manifest rely on. */
const expectedCommands = ['rnnLens.runForward', 'rnnLens.openUnrollView', 'rnnLens.showShapes', 'rnnLens.newDocument'];

describe('RNN Lens in VS Code (smoke)', () => {
  it('is installed under its manifest id', () => {
    const ext = vscode.extensions.getExtension(extensionId);
    assert.ok(ext, `extension ${extensionId} not found; loaded: ${vscode.extensions.all.map((e) => e.id).filter((id) => !id.startsWith('vscode.')).join(', ')}`);
  });

  it('activates', async () => {
    const ext = vscode.extensions.getExtension(extensionId);
    assert.ok(ext);
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  it('registers its commands', async () => {
    const all = new Set(await vscode.commands.getCommands(true));
    const missing = expectedCommands.filter((id) => !all.has(id));
    assert.deepEqual(missing, [], `commands not registered: ${missing.join(', ')}`);
  });

  it('contributes its commands in the manifest (so the palette shows them)', () => {
    const ext = vscode.extensions.getExtension(extensionId);
    assert.ok(ext);
    const contributed = ((ext.packageJSON.contributes?.commands ?? []) as Array<{ command: string }>).map((c) => c.command);
    for (const id of expectedCommands) assert.ok(contributed.includes(id), `${id} missing from contributes.commands`);
  });
});
