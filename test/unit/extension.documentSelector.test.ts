/*
 * What counts as an RNN document (documentSelector.ts): by name, or by top-level model.type.
 * Layer: test (Node).
 */
import * as assert from 'assert';
import { isRnnDocument, topLevelModelType } from '../../src/extension/documentSelector';

describe('extension/documentSelector', () => {
  it('finds the top-level model.type, past comments and other keys', () => {
    assert.strictEqual(topLevelModelType('{"seed": 0, // x\n "model": {"hidden_size": 3, "type": "GRU"}}'), 'GRU');
  });

  it('ignores a "type" nested deeper in model, or outside it', () => {
    assert.strictEqual(topLevelModelType('{"model": {"x": {"type": "LSTM"}}}'), undefined);
    assert.strictEqual(topLevelModelType('{"head": {"type": "Linear"}, "type": "RNN"}'), undefined);
    assert.strictEqual(topLevelModelType('{"a": {"model": {"type": "RNN"}}}'), undefined);
    assert.strictEqual(topLevelModelType('[{"model": {"type": "RNN"}}]'), undefined);
  });

  it('*.rnn.json is always an RNN document; other JSON only with an RNN model', () => {
    assert.ok(isRnnDocument({ fileName: '/w/a.RNN.json', languageId: 'json', getText: () => '' }));
    assert.ok(isRnnDocument({ fileName: '/w/cfg.json', languageId: 'jsonc', getText: () => '{"model": {"type": "LSTM"}}' }));
    assert.ok(!isRnnDocument({ fileName: '/w/cfg.json', languageId: 'json', getText: () => '{"model": {"type": "Transformer"}}' }));
    assert.ok(!isRnnDocument({ fileName: '/w/package.json', languageId: 'json', getText: () => '{"name": "x"}' }));
    assert.ok(!isRnnDocument({ fileName: '/w/a.py', languageId: 'python', getText: () => '{"model": {"type": "LSTM"}}' }));
  });
});
