/*
 * Proof that the suite really runs in VS Code's web worker extension host with the browser
 * bundle (package.json "browser": dist/web/extension.js), and that runs and large documents go
 * to a Web Worker there (dist/web/runWorker.js, started from a blob: URL).
 * Only in the web run (test/integration-web/selection.ts); the Node run never loads this file.
 * Layer: test (web worker extension host; imports vscode).
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { api, assertClose, closeAll, open, readJson, runInfo, setWorkerFlopThreshold, waitFor } from '../integration/extensionHelpers';

describe('web worker extension host', function () {
  // a run starts a Web Worker from a fetched script: slower than mocha's default on a busy machine
  this.timeout(90_000);
  afterEach(async () => {
    await setWorkerFlopThreshold(undefined);
    await vscode.workspace.getConfiguration('rnnLens').update('diagnostics.workerThreshold', undefined, vscode.ConfigurationTarget.Global);
    await closeAll();
  });

  it('the tests and the extension run in a Web Worker: no Node (process, require), WorkerGlobalScope', () => {
    const g = globalThis as Record<string, unknown>;
    assert.strictEqual(typeof g.WorkerGlobalScope, 'function', 'WorkerGlobalScope exists');
    assert.ok(globalThis instanceof (g.WorkerGlobalScope as new () => object), 'globalThis is a worker global');
    assert.strictEqual(typeof g.process, 'undefined', 'no Node process object');
    assert.strictEqual(typeof g.navigator, 'object');
    assert.strictEqual(vscode.env.uiKind, vscode.UIKind.Web);
  });

  it('the extension is the web extension: ExtensionKind.UI, activated from its "browser" entry', async () => {
    const ext = vscode.extensions.getExtension('rnn-lens.rnn-lens');
    assert.ok(ext);
    await api();
    assert.ok(ext.isActive);
    assert.strictEqual(ext.packageJSON.browser, './dist/web/extension.js');
    // A web worker host runs its extensions on the UI side (the Node host would say Workspace).
    assert.strictEqual(ext.extensionKind, vscode.ExtensionKind.UI);
  });

  it("a run above the worker threshold goes to a Web Worker and gives PyTorch's numbers", async () => {
    await api();
    await setWorkerFlopThreshold(0);
    await open('golden', 'lstm_basic.rnn.json');
    await vscode.commands.executeCommand('rnnLens.runForward');
    const info = await waitFor('the run to end', async () => {
      const i = await runInfo();
      return i && i.state !== 'running' && i.title.includes('lstm_basic') ? i : undefined;
    }, 80_000);
    assert.strictEqual(info.state, 'done');
    assert.strictEqual(info.where, 'worker');
    const golden = await readJson('golden', 'lstm_basic.rnn.json');
    const last = (await api()).lastRun();
    assertClose(last?.output, golden.expected.output, 'output');
    assertClose(last?.hN, golden.expected.h_n, 'h_n');
    assertClose(last?.cN, golden.expected.c_n, 'c_n');
  });

  it('a document above the diagnostics worker threshold is read in a Web Worker: its error gets its range', async () => {
    await api();
    await vscode.workspace.getConfiguration('rnnLens').update('diagnostics.workerThreshold', 10, vscode.ConfigurationTarget.Global);
    const { doc } = await open('bad', 'hidden-negative.rnn.json');
    const diags = await waitFor('diagnostics', () => {
      const d = vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === 'RNN Lens');
      return d.length ? d : undefined;
    }, 80_000);
    assert.ok(diags.some((d) => doc.getText(d.range) === '-3' && /hidden_size/.test(d.message)), diags.map((d) => d.message).join('\n'));
  });
});
