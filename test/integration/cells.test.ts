/*
 * Cells inside a real VS Code: on examples/lstm_cell_loop.py (an nn.LSTMCell called once per time
 * step by `for t in range(x.size(0))`), "Unroll" stands above the cell and above the loop, and
 * opens the RNN Unroll View with every step of the loop and the h PyTorch prints; "Open as JSON"
 * writes the cell document with the loop's sequence.
 * Layer: test (extension host; imports vscode).
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { api, closeAll, hoverTexts, open } from './extensionHelpers';
import type { RunPayload } from '../../src/protocol/messages';

/** What `python3 examples/lstm_cell_loop.py` prints (PyTorch 1.13): h after the 6th step, rounded to 4 digits. */
const PRINTED_H = [
  [0.1214, 0.0341, 0.0307, -0.0766, 0.0423, -0.3338, 0.1745, -0.0636],
  [0.1014, -0.0046, 0.0799, -0.1047, 0.0764, -0.3569, 0.185, -0.1276],
];

async function lenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10)) ?? [];
}

describe('cells: a loop over time that calls nn.LSTMCell', () => {
  before(async () => {
    await api();
  });
  afterEach(closeAll);

  it('Unroll on the cell loop opens the view: 6 steps, nn.LSTMCell, the h PyTorch prints', async () => {
    const { doc } = await open('examples', 'lstm_cell_loop.py');
    const found = await lenses(doc.uri);
    const unrolls = found.filter((l) => l.command?.command === 'rnnLens.unrollSnippet');
    const cellLine = doc.positionAt(doc.getText().indexOf('nn.LSTMCell(')).line;
    const loopLine = doc.positionAt(doc.getText().indexOf('for t in range')).line;
    assert.deepStrictEqual(unrolls.map((l) => l.range.start.line).sort((a, b) => a - b), [cellLine, loopLine]);
    assert.ok(found.some((l) => l.command?.command === 'rnnLens.openSnippetAsJson' && l.range.start.line === cellLine));
    const onLoop = unrolls.find((l) => l.range.start.line === loopLine)!;
    const payload = await vscode.commands.executeCommand<RunPayload>(onLoop.command!.command, ...(onLoop.command!.arguments ?? []));
    assert.ok(payload, 'a payload was shown');
    assert.strictEqual(payload.cell, 'LSTMCell');
    assert.strictEqual(payload.seqLen, 6);
    assert.strictEqual(payload.batch, 2);
    assert.strictEqual(payload.steps?.[0]?.[0]?.length, 6, 'every step of the loop is traced');
    const h = (payload.hN.data as number[]).map((v) => Math.round(v * 1e4) / 1e4);
    assert.deepStrictEqual(h, PRINTED_H.flat());
    assert.ok((await api()).lastRun(), 'the API reports a run');
  });

  it('Open as JSON on the cell writes the cell document with the loop\'s sequence', async () => {
    const { doc } = await open('examples', 'lstm_cell_loop.py');
    const lens = (await lenses(doc.uri)).find((l) => l.command?.command === 'rnnLens.openSnippetAsJson')!;
    const uri = await vscode.commands.executeCommand<string>(lens.command!.command, ...(lens.command!.arguments ?? []));
    const opened = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
    assert.ok(opened, 'the document is open');
    const obj = JSON.parse(opened.getText());
    assert.deepStrictEqual(obj.model, { type: 'LSTMCell', input_size: 4, hidden_size: 8 });
    assert.deepStrictEqual(obj.input, { rand: [6, 2, 4] });
    assert.strictEqual(obj.seed, 0);
  });

  it('an untitled cell document (as Open as JSON writes one) runs: RNN: Run Forward gives PyTorch\'s h\'; a selected step runs too', async () => {
    // torch.manual_seed(5); cell = nn.GRUCell(2, 3); cell(x, h0) in float64 from the same float32 values.
    const expected = [[-0.2907735454091739, -0.2875151547204455, 0.14670182667485243], [-0.17963826857550338, 0.18451277333397045, -0.4117699225455496]];
    const content = '{\n  "model": {"type": "GRUCell", "input_size": 2, "hidden_size": 3},\n  "seed": 5,\n  "input": [[0.5, -1.0], [0.25, 0.75]],\n  "h0": [[0.1, -0.2, 0.3], [0.0, 0.5, -0.5]]\n}\n';
    const doc = await vscode.workspace.openTextDocument({ language: 'json', content });
    const editor = await vscode.window.showTextDocument(doc);
    const payload = await vscode.commands.executeCommand<RunPayload>('rnnLens.runForward');
    assert.ok(payload, 'the cell document ran');
    assert.strictEqual(payload.cell, 'GRUCell');
    assert.strictEqual(payload.cellStep, true);
    const close = (got: readonly (number | null)[]) => got.forEach((v, i) => assert.ok(Math.abs((v as number) - expected.flat()[i]) <= 1e-6, `h[${i}]: ${v}`));
    close(payload.hN.data as number[]);
    // The input array selected: the same step, the same h'.
    const start = content.indexOf('[[0.5');
    const end = content.indexOf(']]', start) + 2;
    editor.selection = new vscode.Selection(doc.positionAt(start), doc.positionAt(end));
    const again = await vscode.commands.executeCommand<RunPayload>('rnnLens.runForward');
    assert.ok(again && again !== payload, 'a new run on the selection');
    close(again.hN.data as number[]);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('hover on nn.LSTMCell: h\' and c\' (2, 8), gate rows, and the loop that calls it', async () => {
    const { doc } = await open('examples', 'lstm_cell_loop.py');
    const at = doc.positionAt(doc.getText().indexOf('nn.LSTMCell(') + 3);
    const text = (await hoverTexts(doc.uri, at)).join('\n').replace(/\\(.)/g, '$1');
    for (const part of ["h' (2, 8)", "c' (2, 8)", 'weight_ih', '(32, 4)', 'i: 0–7', 'line 13', '(6, 2, 4)', '(6, 2, 8)']) assert.ok(text.includes(part), `${part} in:\n${text}`);
  });
});
