// Editing help inside a real VS Code: the JSON schema contributed for *.rnn.json (through the
// manifest placeholder %rnnLens.schema.url%) gives completions for model keys with our
// descriptions, and its validation (VS Code's JSON language service, source "json") flags a wrong
// enum value. Runs in the extension host (imports vscode); the workspace holds a copy of examples/.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const MODEL_KEYS = ['type', 'input_size', 'hidden_size', 'num_layers', 'bias', 'batch_first', 'dropout', 'bidirectional'];

function workspaceUri(...path: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder');
  return vscode.Uri.joinPath(folder.uri, ...path);
}

async function writeAndOpen(name: string, text: string): Promise<vscode.TextDocument> {
  const uri = workspaceUri('examples', name);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc);
  return doc;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `get` until `ok` holds (the JSON language server starts lazily), or fails after `ms`. */
async function until<T>(what: string, get: () => Thenable<T> | T, ok: (v: T) => boolean, ms = 30000): Promise<T> {
  const end = Date.now() + ms;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await get();
    if (ok(last)) return last;
    await sleep(300);
  }
  assert.fail(`${what}: timed out; last value: ${JSON.stringify(last, null, 1)?.slice(0, 2000)}`);
}

const labelOf = (item: vscode.CompletionItem) => (typeof item.label === 'string' ? item.label : item.label.label).replace(/^"|"$/g, '');
/**
 * Diagnostics of VS Code's JSON language service. In VS Code 1.100 they carry no `source` (older
 * versions said "json"); RNN Lens's own diagnostics say "RNN Lens".
 */
const fromJsonService = (d: vscode.Diagnostic) => d.source === undefined || d.source === 'json';
const docOf = (item: vscode.CompletionItem) =>
  typeof item.documentation === 'string' ? item.documentation : item.documentation?.value ?? '';

describe('Editing *.rnn.json in VS Code (schema, completion, validation)', function () {
  this.timeout(90000);

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const name of ['completion-scratch.rnn.json', 'enum-scratch.rnn.json']) {
      await vscode.workspace.fs.delete(workspaceUri('examples', name)).then(undefined, () => undefined);
    }
  });

  it('completes the model keys inside "model": {} with the schema\'s descriptions', async () => {
    // The origin document already holds every key, so completion would offer none: use a copy
    // whose model is empty, next to it (same *.rnn.json association).
    const doc = await writeAndOpen('completion-scratch.rnn.json', '{\n  "model": {\n    \n  }\n}\n');
    const position = new vscode.Position(2, 4);
    const list = await until('completion items for model keys',
      () => vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, position),
      (l) => !!l && MODEL_KEYS.every((k) => l.items.some((i) => labelOf(i) === k)));
    const labels = list.items.map(labelOf);
    for (const k of [...MODEL_KEYS, 'nonlinearity', 'proj_size']) assert.ok(labels.includes(k), `${k} missing from ${labels.join(', ')}`);
    // Top-level keys do not belong inside model.
    assert.ok(!labels.includes('state_dict'), 'state_dict offered inside model');
    // The descriptions are ours (the English schema: the test VS Code runs in English).
    const inputSize = list.items.find((i) => labelOf(i) === 'input_size')!;
    assert.match(docOf(inputSize), /Number of features in each input vector/);
  });

  it('flags a wrong enum value through the schema (the JSON service, not RNN Lens)', async () => {
    const doc = await writeAndOpen('enum-scratch.rnn.json',
      '{\n  "model": { "type": "Lstm", "input_size": 2, "hidden_size": 3 },\n  "seed": 0,\n  "input": { "rand": [1, 2, 2] }\n}\n');
    const diags = await until('a schema diagnostic on "Lstm"',
      () => vscode.languages.getDiagnostics(doc.uri),
      (ds) => ds.some((d) => fromJsonService(d) && /"RNN"/.test(d.message)));
    const d = diags.find((x) => fromJsonService(x) && /"RNN"/.test(x.message))!;
    assert.equal(doc.getText(d.range), '"Lstm"');
    assert.match(d.message, /"LSTM"/);
    assert.match(d.message, /"GRU"/);
  });

  it('validates the examples with the schema: markup-in-strings gets one "not allowed" warning, origin none', async () => {
    const markup = await vscode.workspace.openTextDocument(workspaceUri('examples', 'markup-in-strings.rnn.json'));
    await vscode.window.showTextDocument(markup);
    const diags = await until('the schema warning on the unknown key',
      () => vscode.languages.getDiagnostics(markup.uri).filter(fromJsonService),
      (ds) => ds.length > 0);
    assert.equal(diags.length, 1, JSON.stringify(diags));
    assert.match(diags[0].message, /not allowed/);
    assert.match(markup.getText(diags[0].range), /<script>/);

    // The JSON service has shown it runs on these files; now the origin document: nothing to say.
    const origin = await vscode.workspace.openTextDocument(workspaceUri('examples', 'origin.rnn.json'));
    await vscode.window.showTextDocument(origin);
    assert.ok(['json', 'jsonc'].includes(origin.languageId), origin.languageId);
    await sleep(3000);
    assert.deepEqual(vscode.languages.getDiagnostics(origin.uri).filter(fromJsonService).map((d) => d.message), []);
  });
});
