/*
 * The "Train" CodeLens on a Python training loop inside a real VS Code: it sits on the `for`
 * line, opens the model and its training as an untitled RNN document (the train block the
 * snippet gives) and trains it to the end with rnnLens.train.
 * Layer: test (extension host; imports vscode).
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { TrainInfo } from '../../src/extension/training';
import { api, closeAll, waitFor, wsFile } from './extensionHelpers';

const SNIPPET = `import torch
import torch.nn as nn

torch.manual_seed(0)
rnn = nn.RNN(3, 4, batch_first=True)
fc = nn.Linear(4, 2)
x = torch.rand(2, 5, 3)
out, h = rnn(x)
pred = fc(out[:, -1, :])
optimizer = torch.optim.SGD(list(rnn.parameters()) + list(fc.parameters()), lr=0.1, momentum=0.9)
loss_fn = nn.MSELoss()
for epoch in range(4):
    optimizer.zero_grad()
    optimizer.step()
`;

describe('python snippets: the Train CodeLens', function () {
  this.timeout(90000);
  before(async () => {
    await api();
  });
  afterEach(closeAll);

  it('"Train" on the training loop opens the train block and trains it for the loop\'s steps', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'python', content: SNIPPET });
    await vscode.window.showTextDocument(doc);
    const found = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 10)) ?? [];
    const lens = found.find((l) => l.command?.command === 'rnnLens.trainSnippet');
    assert.ok(lens, found.map((l) => l.command?.command).join(', '));
    assert.strictEqual(lens.range.start.line, 11);
    const before = (await vscode.commands.executeCommand<TrainInfo | undefined>('rnnLens._trainInfo'))?.id ?? 0;
    const started = await vscode.commands.executeCommand<boolean>(lens.command!.command, ...(lens.command!.arguments ?? []));
    assert.strictEqual(started, true);
    // the document being trained is the untitled RNN document the lens opened
    const source = (await vscode.commands.executeCommand<TrainInfo | undefined>('rnnLens._trainInfo'))?.source;
    const json = vscode.workspace.textDocuments.find((d) => d.uri.toString() === source);
    assert.ok(json && json.languageId === 'json', `an untitled RNN document with the train block (${source})`);
    assert.deepStrictEqual(JSON.parse(json.getText()).train, {
      loss: 'mse',
      target: { rand: [2, 2] },
      optimizer: { type: 'SGD', lr: 0.1, momentum: 0.9 },
      steps: 4,
    });
    const done = await waitFor('training done', async () => {
      const i = await vscode.commands.executeCommand<TrainInfo | undefined>('rnnLens._trainInfo');
      if (i && i.id > before && i.status === 'failed') throw new Error(`training failed: ${i.message}`);
      return i && i.id > before && i.status === 'done' ? i : undefined;
    }, 60000);
    assert.strictEqual(done.stepsDone, 4);
  });

  for (const [what, from, to] of [
    ['an optimizer whose lr the file does not determine', 'lr=0.1, momentum=0.9', 'lr=args.lr, momentum=0.9'],
    ['no loss module', 'loss_fn = nn.MSELoss()\n', ''],
  ] as const) {
    it(`no "Train" on the loop with ${what}: Open as JSON would write no train block`, async () => {
      const content = SNIPPET.replace(from, to);
      assert.notStrictEqual(content, SNIPPET);
      // a file, not an untitled document: VS Code's web host can hand back the closed
      // Untitled-1 of the previous test (its old text) for a new untitled document
      const uri = wsFile('train-test', `no-train-${what.length}.py`);
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(content));
      const doc = await vscode.workspace.openTextDocument(uri);
      assert.strictEqual(doc.getText(), content);
      await vscode.window.showTextDocument(doc);
      const found = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 10)) ?? [];
      const commands = found.map((l) => l.command?.command);
      // the model's own lenses are there (the file was read), the loop's Train is not
      assert.ok(commands.includes('rnnLens.unrollSnippet'), commands.join(', '));
      assert.ok(!commands.includes('rnnLens.trainSnippet'), commands.join(', '));
    });
  }
});
