/*
 * Hovers in RNN documents through vscode.executeHoverProvider, in a real VS Code.
 * Layer: test (extension host).
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { api, closeAll, flatten, hoverTexts, open, readJson } from './extensionHelpers';

function positionOf(doc: vscode.TextDocument, needle: string, delta = 1): vscode.Position {
  const offset = doc.getText().indexOf(needle);
  assert.ok(offset >= 0, `${needle} is in the document`);
  return doc.positionAt(offset + delta);
}

describe('hover', () => {
  before(async () => {
    await api();
  });
  afterEach(closeAll);

  it('on "model" of the origin document: (3, 5, 20) and the head', async () => {
    const { doc } = await open('golden', 'seed_snippet.rnn.json');
    const text = (await hoverTexts(doc.uri, positionOf(doc, '"model"'))).join('\n');
    assert.ok(text.includes('(3, 5, 20)'), text);
    assert.ok(text.includes('(1, 3, 20)'), text);
    assert.ok(text.includes('(3, 2)'), text);
  });

  it('on a state_dict key: the gates and their rows', async () => {
    const { doc } = await open('golden', 'lstm_basic.rnn.json');
    const text = (await hoverTexts(doc.uri, positionOf(doc, '"weight_hh_l0"', 3))).join('\n');
    // LSTM, hidden_size 4: i [0:4], f [4:8], g [8:12], o [12:16]; weight_hh_l0 is (16, 4).
    for (const part of ['input gate', 'forget gate', 'cell candidate', 'output gate', '[4:8]', '[12:16]', '(16, 4)']) {
      assert.ok(text.includes(part), `${part} in:\n${text}`);
    }
  });

  it('on the input: its shape', async () => {
    const { doc } = await open('golden', 'lstm_basic.rnn.json');
    const shape = flatten((await readJson('golden', 'lstm_basic.rnn.json')).input).shape;
    const text = (await hoverTexts(doc.uri, positionOf(doc, '"input"', 3))).join('\n');
    assert.ok(text.includes(`(${shape.join(', ')})`), text);
  });

  it('a JSON file without the .rnn.json name but with model.type LSTM gets the hover too', async () => {
    const { doc } = await open('plain-name-lstm.json');
    const text = (await hoverTexts(doc.uri, positionOf(doc, '"model"'))).join('\n');
    // nn.LSTM(3, 4) on torch.rand(6, 2, 3): output (6, 2, 4), h_n and c_n (1, 2, 4).
    assert.ok(text.includes('(6, 2, 4)') && text.includes('c_n'), text);
  });

  it('says nothing in a JSON file that is not an RNN document', async () => {
    const { doc } = await open('not-a-model.json');
    const text = (await hoverTexts(doc.uri, positionOf(doc, '"model"'))).join('\n');
    assert.ok(!text.includes('h_n'), text);
  });
});
