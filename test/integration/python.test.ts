/*
 * The Python snippet features inside a real VS Code: hover and CodeLens on the example
 * snippets (vscode.executeHoverProvider / vscode.executeCodeLensProvider), and the two CodeLens
 * commands: "Unroll" (the panel shows what PyTorch prints) and "Open as JSON".
 * Layer: test (extension host; imports vscode).
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { api, closeAll, hoverTexts, open } from './extensionHelpers';
import type { RunPayload } from '../../src/protocol/messages';

/** What torch prints for examples/sample_rnn.py (test/golden/python/sample_rnn.json). */
const ORIGIN_PRINTED = [[0.093, 0.0545], [0.1369, 0.0518], [0.221, -0.1358]];

function positionOf(doc: vscode.TextDocument, needle: string, delta = 3): vscode.Position {
  const offset = doc.getText().indexOf(needle);
  assert.ok(offset >= 0, `${needle} is in the document`);
  return doc.positionAt(offset + delta);
}

async function lenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10)) ?? [];
}

describe('python snippets', () => {
  before(async () => {
    await api();
  });
  afterEach(closeAll);

  it('hover on nn.RNN in sample_rnn.py: input (3, 5, 10) -> output (3, 5, 20), h_n (1, 3, 20), head (3, 2)', async () => {
    const { doc } = await open('examples', 'sample_rnn.py');
    // Markdown escapes (weight\_ih\_l0) removed: the rendered text is what the user reads.
    const text = (await hoverTexts(doc.uri, positionOf(doc, 'nn.RNN(input_size'))).join('\n').replace(/\\(.)/g, '$1');
    for (const part of ['(3, 5, 10)', '(3, 5, 20)', '(1, 3, 20)', '(3, 2)', 'weight_ih_l0', 'torch.manual_seed(0)']) {
      assert.ok(text.includes(part), `${part} in:\n${text}`);
    }
  });

  it('no hover away from a model call', async () => {
    const { doc } = await open('examples', 'sample_rnn.py');
    const text = (await hoverTexts(doc.uri, positionOf(doc, 'print(model(x))', 1))).join('\n');
    assert.ok(!text.includes('RNN Lens'), text);
  });

  it('hover on nn.GRU in sample_gru_randn.py says where torch.randn may differ', async () => {
    const { doc } = await open('examples', 'sample_gru_randn.py');
    const text = (await hoverTexts(doc.uri, positionOf(doc, 'nn.GRU('))).join('\n');
    assert.ok(text.includes('(2, 7, 10)') && text.includes('(2, 2, 5)'), text);
    assert.ok(/AVX2/.test(text), text);
  });

  it('CodeLens: "Unroll" and "Open as JSON" above each model, on the line of the call', async () => {
    const { doc } = await open('examples', 'sample_rnn.py');
    const found = await lenses(doc.uri);
    const titles = found.map((l) => l.command?.title ?? '');
    assert.ok(titles.some((t) => t.includes('Unroll')), titles.join(', '));
    assert.ok(titles.includes('Open as JSON'), titles.join(', '));
    const line = doc.positionAt(doc.getText().indexOf('nn.RNN(input_size')).line;
    for (const l of found) assert.strictEqual(l.range.start.line, line);
    assert.deepStrictEqual(found.map((l) => l.command?.command).sort(), ['rnnLens.openSnippetAsJson', 'rnnLens.unrollSnippet']);
  });

  it('"Unroll" on the origin snippet shows what PyTorch prints', async () => {
    const { doc } = await open('examples', 'sample_rnn.py');
    const unroll = (await lenses(doc.uri)).find((l) => l.command?.command === 'rnnLens.unrollSnippet')!;
    const payload = await vscode.commands.executeCommand<RunPayload>(unroll.command!.command, ...(unroll.command!.arguments ?? []));
    assert.ok(payload, 'a payload was shown');
    assert.deepStrictEqual(payload.headOutput?.shape, [3, 2]);
    const got = (payload.headOutput!.data as number[]).map((v) => Math.round(v * 1e4) / 1e4);
    assert.deepStrictEqual(got, ORIGIN_PRINTED.flat());
    const last = (await api()).lastRun();
    assert.ok(last, 'the API reports a run');
  });

  it('"Open as JSON" opens the RNN document of the snippet', async () => {
    const { doc } = await open('examples', 'sample_lstm.py');
    const lens = (await lenses(doc.uri)).find((l) => l.command?.command === 'rnnLens.openSnippetAsJson')!;
    const uri = await vscode.commands.executeCommand<string>(lens.command!.command, ...(lens.command!.arguments ?? []));
    const opened = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
    assert.ok(opened, 'an editor with the document');
    assert.strictEqual(opened.languageId, 'json');
    const json = JSON.parse(opened.getText());
    assert.deepStrictEqual(json.model, { type: 'LSTM', input_size: 4, hidden_size: 16, num_layers: 2, bias: true, batch_first: false, dropout: 0, bidirectional: false, proj_size: 0 });
    assert.deepStrictEqual(json.head, { type: 'Linear', out_features: 3 });
    assert.strictEqual(json.seed, 1);
    assert.deepStrictEqual(json.input, { rand: [6, 2, 4] });
  });

  it('Show Shapes on a Python model opens its shape report', async () => {
    const { doc, editor } = await open('examples', 'sample_rnn.py');
    editor.selection = new vscode.Selection(positionOf(doc, 'nn.RNN('), positionOf(doc, 'nn.RNN('));
    const uri = await vscode.commands.executeCommand<string>('rnnLens.showShapes');
    assert.ok(uri, 'a shapes document was opened');
    const shown = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
    assert.ok(shown.getText().includes('(3, 5, 20)'), shown.getText());
  });
});
