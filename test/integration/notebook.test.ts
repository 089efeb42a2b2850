/*
 * PyTorch notebooks in VS Code's own notebook editor (the built-in ipynb serializer, no Jupyter
 * extension): hovers and CodeLens in code cells read the code cells in order as one program, so a
 * model built in one cell and called in another gets the shapes of that call; Open as JSON and
 * Unroll work from a cell. Fixtures: test/fixtures/workspace/notebooks (copies of corpus
 * notebooks whose shapes PyTorch recorded in test/golden/python-corpus).
 * Layer: test (extension host; imports vscode).
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { api, closeAll, hoverTexts, wsFile } from './extensionHelpers';
import type { RunPayload } from '../../src/protocol/messages';

async function openNotebook(name: string): Promise<vscode.NotebookDocument> {
  const nb = await vscode.workspace.openNotebookDocument(wsFile('notebooks', name));
  await vscode.window.showNotebookDocument(nb);
  assert.strictEqual(nb.notebookType, 'jupyter-notebook');
  return nb;
}

function cellWith(nb: vscode.NotebookDocument, needle: string): { doc: vscode.TextDocument; position: vscode.Position } {
  const cell = nb.getCells().find((c) => c.document.getText().includes(needle));
  assert.ok(cell, `a cell holds ${needle}`);
  const doc = cell.document;
  assert.strictEqual(doc.uri.scheme, 'vscode-notebook-cell');
  return { doc, position: doc.positionAt(doc.getText().indexOf(needle) + 3) };
}

describe('python notebooks (.ipynb in the notebook editor)', () => {
  before(async () => {
    await api();
  });
  afterEach(closeAll);

  it('hover on nn.LSTM in cell 2 gives the shapes of the call in cell 5: (4, 15, 6) -> (4, 15, 12), h_n (2, 4, 12)', async () => {
    const nb = await openNotebook('split.ipynb');
    const { doc, position } = cellWith(nb, 'nn.LSTM(');
    const text = (await hoverTexts(doc.uri, position)).join('\n');
    for (const part of ['(4, 15, 6)', '(4, 15, 12)', '(2, 4, 12)']) assert.ok(text.includes(part), `${part} in:\n${text}`);
  });

  it('CodeLens in the cell, and Open as JSON from it: the document of the model with the notebook\'s input', async () => {
    const nb = await openNotebook('split.ipynb');
    const { doc } = cellWith(nb, 'nn.LSTM(');
    const found = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 10)) ?? [];
    assert.deepStrictEqual(found.map((l) => l.command?.command).sort(), ['rnnLens.openSnippetAsJson', 'rnnLens.unrollSnippet']);
    const open = found.find((l) => l.command?.command === 'rnnLens.openSnippetAsJson')!;
    const uri = await vscode.commands.executeCommand<string>(open.command!.command, ...(open.command!.arguments ?? []));
    const json = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
    assert.ok(json, 'the RNN document is open');
    const obj = JSON.parse(json.getText());
    assert.deepStrictEqual(obj.model, { type: 'LSTM', input_size: 6, hidden_size: 12, num_layers: 2, bias: true, batch_first: true, dropout: 0, bidirectional: false, proj_size: 0 });
    assert.deepStrictEqual(obj.input, { randn: [4, 15, 6] });
    assert.strictEqual(obj.seed, 1);
    assert.match(obj.description, /split\.ipynb, cell 3, line 2/);
  });

  it('Unroll from a cell runs the model the notebook builds', async () => {
    const nb = await openNotebook('split.ipynb');
    const { doc } = cellWith(nb, 'nn.LSTM(');
    const found = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 10)) ?? [];
    const unroll = found.find((l) => l.command?.command === 'rnnLens.unrollSnippet')!;
    const payload = await vscode.commands.executeCommand<RunPayload>(unroll.command!.command, ...(unroll.command!.arguments ?? []));
    assert.ok(payload, 'a payload was shown');
    assert.ok(JSON.stringify(payload).includes('LSTM'));
  });

  it('hover on nn.LSTMCell in a Japanese notebook: h\' and c\' (2, 7), weight_ih (28, 3) with gate rows', async () => {
    const nb = await openNotebook('lstmcell.ipynb');
    const { doc, position } = cellWith(nb, 'nn.LSTMCell(');
    const text = (await hoverTexts(doc.uri, position)).join('\n').replace(/\\(.)/g, '$1');
    for (const part of ["h' (2, 7)", "c' (2, 7)", 'weight_ih', '(28, 3)', 'i: 0–6']) assert.ok(text.includes(part), `${part} in:\n${text}`);
  });
});
