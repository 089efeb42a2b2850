/*
 * Run Forward on Selection in a real VS Code, compared with PyTorch's numbers (golden cases
 * copied into the test workspace, their `expected` computed by PyTorch 1.13).
 * Layer: test (extension host).
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { RunPayload } from '../../src/protocol/messages';
import { api, assertClose, closeAll, open, readJson, wsFile } from './extensionHelpers';

function selectAll(editor: vscode.TextEditor): void {
  const doc = editor.document;
  editor.selection = new vscode.Selection(doc.positionAt(0), doc.positionAt(doc.getText().length));
}

/** Selects the first occurrence of `needle` (the whole line's array) in the editor. */
function select(editor: vscode.TextEditor, needle: string): void {
  const text = editor.document.getText();
  const start = text.indexOf(needle);
  assert.ok(start >= 0, `${needle.slice(0, 30)} is in the document`);
  editor.selection = new vscode.Selection(editor.document.positionAt(start), editor.document.positionAt(start + needle.length));
}

describe('run forward', () => {
  before(async () => {
    await api();
  });
  afterEach(closeAll);

  it('the origin snippet, Select All: PyTorch\'s head output [[0.0930, 0.0545], ...]', async () => {
    const { editor } = await open('golden', 'seed_snippet.rnn.json');
    selectAll(editor);
    const payload = await vscode.commands.executeCommand<RunPayload>('rnnLens.runForward');
    assert.ok(payload, 'the command returns the payload');
    const golden = await readJson('golden', 'seed_snippet.rnn.json');
    const last = (await api()).lastRun();
    assertClose(last?.headOutput, golden.expected.head, 'head');
    assertClose(last?.output, golden.expected.output, 'output');
    assertClose(last?.hN, golden.expected.h_n, 'h_n');
  });

  it('an LSTM with a state_dict, nothing selected: output, h_n and c_n', async () => {
    await open('golden', 'lstm_basic.rnn.json');
    await vscode.commands.executeCommand('rnnLens.runForward');
    const golden = await readJson('golden', 'lstm_basic.rnn.json');
    const last = (await api()).lastRun();
    assertClose(last?.output, golden.expected.output, 'output');
    assertClose(last?.hN, golden.expected.h_n, 'h_n');
    assertClose(last?.cN, golden.expected.c_n, 'c_n');
  });

  it('a nested array in Markdown, run through a chosen RNN document ({ model: uri })', async () => {
    const golden = await readJson('golden', 'rnn_tanh_bf0.rnn.json');
    const { editor } = await open('notes.md');
    // The line after "pasted from a notebook:" holds the golden input, as Python's json.dumps wrote it.
    const line = editor.document.getText().split('\n').find((l) => l.startsWith('[[['));
    assert.ok(line);
    assert.deepStrictEqual(JSON.parse(line), golden.input);
    select(editor, line);
    const before = (await api()).lastRun();
    const payload = await vscode.commands.executeCommand<RunPayload>('rnnLens.runForward', {
      model: wsFile('golden', 'rnn_tanh_bf0.rnn.json').toString(),
    });
    assert.ok(payload && payload !== before, 'a new run');
    assertClose(payload.output, golden.expected.output, 'output');
    assertClose((await api()).lastRun()?.hN, golden.expected.h_n, 'h_n');
    // The user's text is never modified.
    assert.strictEqual(editor.document.isDirty, false);
  });

  it('refuses an array whose last dimension is not input_size, and a ragged array', async () => {
    const { editor } = await open('notes.md');
    const model = wsFile('golden', 'rnn_tanh_bf0.rnn.json').toString();
    select(editor, '[[[1, 2, 3, 4]]]');
    assert.strictEqual(await vscode.commands.executeCommand('rnnLens.runForward', { model }), undefined);
    select(editor, '[[1, 2], [3]]');
    assert.strictEqual(await vscode.commands.executeCommand('rnnLens.runForward', { model }), undefined);
  });

  it('a bad RNN document is not run; its problems are marked', async () => {
    const { doc } = await open('bad', 'hidden-negative.rnn.json');
    assert.strictEqual(await vscode.commands.executeCommand('rnnLens.runForward'), undefined);
    assert.ok(vscode.languages.getDiagnostics(doc.uri).some((d) => d.source === 'RNN Lens'));
  });
});
