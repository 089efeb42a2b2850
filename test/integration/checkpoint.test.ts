/*
 * Checkpoints in a real VS Code: the checkpoint viewer (custom editor) lists a torch.save file,
 * an RNN document with "state_dict": {"from": "./sample_rnn_sd.pt"} gets no errors once the file
 * is read and runs to PyTorch's numbers, the hover on "from" says what the file holds, a size
 * mismatch is a diagnostic at the model key, and the viewer's "Unroll" opens an untitled document
 * referencing the file and runs it. A file with a builtins.eval global is listed, nothing runs.
 * Layer: test (extension host). Run alone: RNN_LENS_TEST_GREP='checkpoint' node scripts/run-integration.mjs
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { api, assertClose, closeAll, hoverTexts, open, readJson, waitFor, wsFile } from './extensionHelpers';

// What PyTorch printed for docs/sample_rnn.rnn.json (test/fixtures/checkpoints/expected.json).
const SAMPLE_HEAD = [[0.4126364295568403, -0.09084270541507647], [0.22582290145763426, -0.1212291826496219], [0.013593488032151657, -0.20327576868919014]];

type Listing = { ok: true; json: { format: string; tensors: { name: string }[]; modules: { prefix: string; type: string; head: { prefix: string } | null }[]; notes: string[] } } | { ok: false; error: string };

async function openWithViewer(...parts: string[]): Promise<Listing> {
  const uri = wsFile(...parts);
  const before = await vscode.commands.executeCommand<Listing | undefined>('rnnLens._checkpointListing');
  await vscode.commands.executeCommand('vscode.openWith', uri, 'rnnLens.checkpoint');
  return waitFor(`the viewer lists ${parts.join('/')}`, async () => {
    const l = await vscode.commands.executeCommand<Listing | undefined>('rnnLens._checkpointListing');
    return l && l !== before && (l.ok ? l : l);
  }, 20000);
}

function errors(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
}

describe('checkpoints', () => {
  before(async () => {
    await api();
  });
  afterEach(closeAll);

  it('the viewer lists the tensors and the recurrent module with its head', async () => {
    const l = await openWithViewer('checkpoints', 'sample_rnn_sd.pt');
    assert.ok(l.ok, JSON.stringify(l));
    assert.equal(l.json.format, 'pytorch-zip');
    assert.deepEqual(l.json.tensors.map((t) => t.name), ['rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.bias_ih_l0', 'rnn.bias_hh_l0', 'fc.weight', 'fc.bias']);
    assert.equal(l.json.modules[0].type, 'RNN');
    assert.equal(l.json.modules[0].head?.prefix, 'fc.');
  });

  it('a file with a builtins.eval global is listed with the global named, and nothing runs', async () => {
    const l = await openWithViewer('checkpoints', 'eval_global.pt');
    assert.ok(l.ok);
    assert.ok(l.json.notes.some((n) => n.includes('builtins.eval')), l.json.notes.join('\n'));
  });

  it('a document with "from" has no errors once the file is read, and runs to PyTorch\'s numbers', async () => {
    const { doc } = await open('checkpoints', 'sample_rnn.rnn.json');
    await waitFor('no errors on the document', () => errors(doc.uri).length === 0 && vscode.languages.getDiagnostics(doc.uri), 20000);
    const before = (await api()).lastRun();
    await vscode.commands.executeCommand('rnnLens.runForward');
    const run = await waitFor('a run', () => api().then((a) => { const r = a.lastRun(); return r !== before && r; }), 20000);
    assertClose(run.headOutput, SAMPLE_HEAD, 'head');
  });

  it('the hover on "from" says what the file holds', async () => {
    const { doc } = await open('checkpoints', 'sample_rnn.rnn.json');
    const at = doc.positionAt(doc.getText().indexOf('./sample_rnn_sd.pt') + 3);
    const text = await waitFor('hover text', async () => {
      const t = (await hoverTexts(doc.uri, at)).join('\n');
      return t.includes('nn.RNN') && t;
    }, 20000);
    assert.ok(text.includes('input_size=10') && text.includes('fc.'), text);
  });

  it('a model block that does not fit the file: size mismatch at input_size', async () => {
    const original = await readJson('checkpoints', 'sample_rnn.rnn.json');
    const uri = wsFile('checkpoints', 'mismatch.rnn.json');
    const text = JSON.stringify({ ...original, model: { ...original.model, input_size: 8 }, input: { rand: [1, 2, 8] } }, null, 1);
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const d = await waitFor('the size mismatch', () => errors(uri).find((x) => x.message.startsWith('size mismatch for weight_ih_l0')), 20000);
    assert.ok(d.message.includes('[20, 10]') && d.message.includes('[20, 8]'), d.message);
    assert.equal(doc.getText(d.range), '8');
  });

  it('"Unroll" in the viewer opens an untitled document referencing the file and runs it', async () => {
    const before = (await api()).lastRun();
    const created = await vscode.commands.executeCommand<vscode.Uri>('rnnLens._checkpointModuleDocument', wsFile('checkpoints', 'whole_model.pt'), 0, true);
    assert.ok(created && created.scheme === 'untitled', `an untitled document, nothing written: ${created}`);
    const doc = JSON.parse((await vscode.workspace.openTextDocument(created)).getText().replace(/^\s*\/\/.*$/gm, ''));
    assert.deepEqual(doc.state_dict, { from: './whole_model.pt', prefix: 'lstm.', head_prefix: 'fc.' });
    assert.equal(doc.model.batch_first, true, 'batch_first comes from the whole pickled model');
    const run = await waitFor('the run of the new document', () => api().then((a) => { const r = a.lastRun(); return r !== before && r?.headOutput && r; }), 20000);
    assert.equal(run.headOutput!.shape.join(','), '3,2');
  });
});
