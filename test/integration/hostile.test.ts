/*
 * Hostile documents inside the real VS Code: 100,000-deep nesting, 1e999, markup and control
 * characters in strings and keys, a 5 MB single-line array, a relu model that overflows. The
 * run command and hovers on them must resolve (an error message, never a throw or a rejected
 * promise escaping into the extension host), leave the text exactly as it was, and put
 * diagnostics with ranges inside the document.
 * Run alone: RNN_LENS_TEST_GREP=hostile node scripts/run-integration.mjs
 * Layer: test (extension host; imports vscode).
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { api, closeAll, hoverTexts, waitFor, wsFile } from './extensionHelpers';

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'RNN Lens');
}

const FIVE_MB_ROW = Array.from({ length: 700_000 }, (_, i) => ((i % 13) - 6) / 8).join(',');

/** name -> [text, the text an error's range must cover (or undefined: any error)]. */
const DOCS: Record<string, [string, string | undefined]> = {
  'deep-objects': ['{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000), '{'],
  'deep-arrays-in-input': [`{"model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "input": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`, '['],
  'overflow-1e999': ['{\n  "model": {"type": "LSTM", "input_size": 2, "hidden_size": 2},\n  "input": [[0.5, 1e999]]\n}\n', '1e999'],
  'markup': [
    '{\n  "description": "<script>alert(1)</script><img src=x onerror=alert(2)>\\u0000\\u202e",\n' +
    '  "<img src=x onerror=alert(3)>\\u001b[31m": 1,\n' +
    '  "model": {"type": "<b>GRU</b>", "input_size": 1, "hidden_size": 1},\n  "input": [[1]]\n}\n',
    '"<b>GRU</b>"',
  ],
  'five-mb-line': [`{"model": {"type": "GRU", "input_size": 3, "hidden_size": 2}, "input": [[[${FIVE_MB_ROW}]]]}`, undefined],
};

describe('hostile documents in the real VS Code', function () {
  this.timeout(120_000);
  const rejections: unknown[] = [];
  // VS Code's own JSON language server (json-language-features, which validates *.rnn.json
  // against our schema) overflows its stack on 100,000-deep nesting and its client leaves that
  // rejection unhandled; that is VS Code's, not ours. Everything else counts.
  const onRejection = (reason: unknown) => {
    const stack = String((reason as Error)?.stack ?? reason);
    if (/extensions[\\/]json-language-features[\\/]/.test(stack)) return;
    rejections.push(reason);
  };

  before(async () => {
    await api();
    process.on('unhandledRejection', onRejection);
    for (const [name, [text]] of Object.entries(DOCS)) {
      await vscode.workspace.fs.writeFile(wsFile('hostile', `${name}.rnn.json`), new TextEncoder().encode(text));
    }
  });
  after(async () => {
    process.off('unhandledRejection', onRejection);
    await closeAll();
  });
  afterEach(closeAll);

  for (const [name, [, at]] of Object.entries(DOCS)) {
    it(`${name}: diagnostics with ranges, run and hovers resolve with an error, text unchanged`, async () => {
      const uri = wsFile('hostile', `${name}.rnn.json`);
      const doc = await vscode.workspace.openTextDocument(uri);
      const editor = await vscode.window.showTextDocument(doc);
      const before = doc.getText();

      const diags = await waitFor(`diagnostics of ${name}`, () => (ours(uri).length > 0 ? ours(uri) : undefined), 20_000);
      for (const d of diags) {
        assert.ok(doc.validateRange(d.range).isEqual(d.range), `range inside the document: ${JSON.stringify(d.range)}`);
        assert.ok(!/\bat .+:\d+:\d+\)?$|TypeError|\[object Object\]|undefined/m.test(d.message), d.message);
        assert.ok(!/[\u0000-\u001f\u202a-\u202e]/.test(d.message), `no raw control characters: ${JSON.stringify(d.message)}`);
      }
      const errors = diags.filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
      assert.ok(errors.length > 0, diags.map((d) => d.message).join('\n'));
      if (at !== undefined) {
        assert.ok(errors.some((d) => doc.getText(d.range) === at), `an error on ${JSON.stringify(at)}: ${errors.map((d) => `${JSON.stringify(doc.getText(d.range).slice(0, 30))} ${d.message}`).join('\n')}`);
      }

      // The run: the whole document (no selection), then with a selection in the middle.
      editor.selection = new vscode.Selection(0, 0, 0, 0);
      const result = await vscode.commands.executeCommand('rnnLens.runForward');
      assert.strictEqual(result, undefined, 'a refused document gives no payload');
      const mid = doc.positionAt(Math.floor(before.length / 2));
      editor.selection = new vscode.Selection(mid, doc.positionAt(Math.min(before.length, doc.offsetAt(mid) + 40)));
      await vscode.commands.executeCommand('rnnLens.runForward', { model: 'template:origin' });
      await vscode.commands.executeCommand('rnnLens.showShapes');

      // Hovers at the start, the middle, the end and on the offending part.
      const positions = [new vscode.Position(0, 0), mid, doc.positionAt(before.length), errors[0].range.start];
      for (const p of positions) await hoverTexts(uri, p);

      assert.strictEqual(doc.getText(), before, 'the text is unchanged');
      assert.strictEqual(doc.isDirty, false, 'the document was not edited');
      await new Promise((r) => setTimeout(r, 100));
      assert.deepStrictEqual(rejections.map(String), [], 'no rejected promise escaped');
    });
  }

  it('a relu model whose output overflows runs, and the panel notes say where (output contains inf at [1, 0])', async () => {
    const text = '{\n  "model": {"type": "RNN", "input_size": 2, "hidden_size": 2, "nonlinearity": "relu"},\n' +
      '  "state_dict": {"weight_ih_l0": [[1e30, 1e30], [1e30, 1e30]], "weight_hh_l0": [[1e30, 1e30], [1e30, 1e30]], "bias_ih_l0": [0, 0], "bias_hh_l0": [0, 0]},\n' +
      '  "input": [[1, 1], [1, 1], [1, 1]]\n}\n';
    const uri = wsFile('hostile', 'relu-overflow.rnn.json');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const payload = (await vscode.commands.executeCommand('rnnLens.runForward')) as { notes: string[]; output: { data: (number | null)[] } } | undefined;
    assert.ok(payload, 'the run gives a payload');
    assert.ok(payload.notes.some((n) => /^output contains inf at \[1, 0\]/.test(n) || /\[1, 0\]/.test(n)), payload.notes.join('\n'));
    assert.strictEqual(doc.getText(), text);
    assert.deepStrictEqual(rejections.map(String), []);
  });
});
