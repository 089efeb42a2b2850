/*
 * The reader's diagnostics in Japanese, as a Japanese VS Code shows them: readDocument with a
 * translator built from l10n/bundle.l10n.ja.json (VS Code's own substitution rule), on bad
 * documents from test/fixtures/bad. Expected texts are written out by hand; PyTorch's sentence
 * must still be inside each one, word for word, so the user can search for it.
 * (A real VS Code in Japanese needs a language pack, which cannot be installed offline.)
 * Layer: test (Node). Reads only files inside the repository.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { readDocument } from '../../src/document/reader';
import { resolveRun, ResolveError } from '../../src/document/resolve';
import { nestedToTensor, isProblem } from '../../src/document/nested';
import { formatMsg, readSnippet } from '../../src/python';
import { format2, japaneseTranslator } from './helpers/jaTranslator';

const root = path.join(__dirname, '../../..');
const fixture = (name: string) => fs.readFileSync(path.join(root, 'test/fixtures/bad', `${name}.rnn.json`), 'utf8');

describe('document diagnostics in Japanese', () => {
  const missing = new Set<string>();
  const ja = japaneseTranslator(missing);
  const messages = (text: string) => readDocument(text, { translate: ja }).diagnostics.map((d) => d.message);

  afterEach(() => {
    assert.deepStrictEqual([...missing], [], 'every template used has Japanese');
  });

  it('input_size mismatch: Japanese around PyTorch\'s sentence', () => {
    const [m] = messages(fixture('input-size'));
    assert.strictEqual(m,
      '入力の最後の次元が input_size と一致しません（PyTorch: input.size(-1) must be equal to input_size. Expected 10, got 7）。' +
      '入力の最後の次元は 1 時刻分の特徴量の数で、このモデルは input_size=10 で作られています。');
    assert.ok(m.includes('input.size(-1) must be equal to input_size. Expected 10, got 7'));
  });

  it('state_dict size mismatch: load_state_dict\'s sentence and the shape rule, both localised around it', () => {
    const [m] = messages(fixture('state-dict-size'));
    assert.strictEqual(m,
      'パラメータの形状がモデルと合いません（PyTorch: size mismatch for weight_ih_l0: copying a param with shape torch.Size([2, 3]) from checkpoint, the shape in current model is torch.Size([2, 2]).）' +
      'weight_ih_l0 の形状は (hidden_size, input_size) です。');
  });

  it('h0 of the wrong size: check_hidden_size\'s sentence kept', () => {
    const [m] = messages(fixture('h0-size'));
    assert.strictEqual(m,
      '初期状態の形状が合いません（PyTorch: Expected hidden size (1, 3, 2), got [1, 3, 3]）。' +
      'h0 の形状は (num_layers * num_directions, N, hidden_size) で、バッチなしの入力では N がありません。');
  });

  it('ragged input: torch.tensor\'s sentence kept', () => {
    const [m] = messages(fixture('ragged'));
    assert.strictEqual(m,
      '`input` の配列の長さが揃っていません（PyTorch: expected sequence of length 2 at dim 1 (got 1)）。' +
      '次元 1 の長さは 2 のはずですが、1 です。同じ深さの行は、すべて同じ長さでなければなりません。');
  });

  it('unexpected state_dict key: the reason is Japanese too', () => {
    const [m] = messages(fixture('state-dict-unexpected'));
    assert.strictEqual(m,
      'state_dict に想定外のキーがあります（PyTorch: Unexpected key(s) in state_dict: "weight_ih_l1".）このモデルは num_layers=1 なので、層は l0 だけです。');
  });

  it('a quoted number: nested phrases (what the value is, what was written) are Japanese', () => {
    const [m] = messages(fixture('hidden-size-string'));
    assert.strictEqual(m, '`hidden_size`（隠れ状態 h の特徴量の数）は整数でなければなりませんが、文字列 ("20") が書かれています。引用符を付けずに 20 と書いてください');
  });

  it('unknown key with a suggestion; JSON braces in templates survive the substitution', () => {
    assert.deepStrictEqual(messages(fixture('unknown-key')), ['model の中の `hiddenSize` は未知のキーなので無視されます。`hidden_size` のことですか？']);
    assert.deepStrictEqual(messages('{"model": 3}'),
      ['`model` は {"type": "LSTM", "input_size": 10, "hidden_size": 20} のようなオブジェクトでなければなりませんが、数値 (3) です']);
  });

  it('the dropout warning keeps PyTorch\'s whole warning', () => {
    const m = messages('{"model": {"type": "GRU", "input_size": 2, "hidden_size": 3, "dropout": 0.5}}');
    assert.strictEqual(m.length, 1);
    assert.ok(m[0].startsWith('dropout は最後の層以外の各層の出力にかかるため'), m[0]);
    assert.ok(m[0].includes('dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects num_layers greater than 1, but got dropout=0.5 and num_layers=1'), m[0]);
  });

  it('resolve: notes and the no-input error in Japanese', () => {
    const doc = readDocument('{"model": {"type": "RNN", "input_size": 2, "hidden_size": 3}}').document!;
    assert.throws(() => resolveRun(doc, { translate: ja }), (e: unknown) =>
      e instanceof ResolveError && e.message === 'ドキュメントに "input" がありません。"input": [[...]] または "input": {"rand": [L, N, input_size]} を追加してください');
    const withInput = readDocument('{"model": {"type": "RNN", "input_size": 2, "hidden_size": 3}, "input": {"rand": [4, 2]}}').document!;
    assert.deepStrictEqual(resolveRun(withInput, { translate: ja }).notes, [
      'seed も state_dict もないので、パラメータは torch.manual_seed(0) と同じ乱数で生成しました',
      'seed がないので、入力は torch.manual_seed(0) の後の torch.rand(4, 2) です',
    ]);
  });

  it('nested arrays from the library API', () => {
    const p = nestedToTensor([[1, 2], [3]], true, ja);
    assert.ok(isProblem(p));
    assert.strictEqual(p.message, '配列の長さが揃っていません（PyTorch: expected sequence of length 2 at dim 1 (got 1)）。次元 1 の長さは 2 のはずですが、1 です');
  });

  it('English stays the default (the CLI and the library)', () => {
    assert.deepStrictEqual(readDocument(fixture('input-size')).diagnostics.map((d) => d.message), [
      'input.size(-1) must be equal to input_size. Expected 10, got 7. The last dimension of the input holds the features of one time step, and the model was built with input_size=10.',
    ]);
  });
});

describe('Python snippet notes in Japanese (shown in the hover)', () => {
  it('unreadable arguments: the reason and the kind of value are Japanese', () => {
    const missing = new Set<string>();
    const ja = japaneseTranslator(missing);
    const [model] = readSnippet('import torch.nn as nn\nrnn = nn.LSTM(10, h, 3.5)\n').models;
    assert.deepStrictEqual(model.notes.map((n) => formatMsg(n, ja)), [
      'hidden_size: `h` を読み取れませんでした（このファイルの中で一度も代入されていません）',
      'num_layers: `3.5` を読み取れませんでした（整数ではなく 3.5 です）',
      'このコード片はシードを設定していないため、PyTorch では実行のたびに異なる重みが生成されます。ビューではシード 0 を使います。',
    ]);
    assert.deepStrictEqual([...missing], []);
    // English unchanged.
    assert.strictEqual(formatMsg(model.notes[1]), 'num_layers: could not read `3.5` (it is 3.5, not an int)');
  });
});

describe('the Japanese test translator follows vscode.l10n.t', () => {
  it('fills {n} and leaves JSON braces and unknown keys alone', () => {
    assert.strictEqual(format2('such as {"type": "LSTM"}, got {0}', ['a']), 'such as {"type": "LSTM"}, got a');
    assert.strictEqual(format2('{ } {1} {0} {2}', ['a', 'b']), '{ } b a {2}');
    assert.strictEqual(format2('no args {0}', []), 'no args {0}');
  });
});
