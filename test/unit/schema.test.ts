/*
 * The JSON schema for *.rnn.json (schemas/rnn-document.schema.json and its Japanese copy): it
 * compiles as draft-07, the two copies differ only in their prose, every key is explained, and it
 * accepts and refuses the same things as the document reader (src/document/reader.ts) and PyTorch:
 * the golden documents made by PyTorch pass; documents PyTorch would refuse fail.
 * Layer: test (Node). Reads files inside the repository only.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { readDocument } from '../../src/document/reader';
import { parameterInfos } from '../../src/engine/params';
import type { ModelConfig } from '../../src/engine/types';

const root = join(__dirname, '..', '..', '..');
const readJson = (rel: string): any => JSON.parse(readFileSync(join(root, rel), 'utf8'));

const EN = 'schemas/rnn-document.schema.json';
const JA = 'schemas/rnn-document.schema.ja.json';

/** Keywords VS Code's JSON service understands beyond draft-07; all other unknown keywords stay errors (strict). */
const VSCODE_KEYWORDS = ['markdownDescription', 'defaultSnippets', 'allowComments', 'allowTrailingCommas',
  'errorMessage', 'markdownEnumDescriptions', 'enumDescriptions', 'deprecationMessage', 'doNotSuggest'];

/** Keys that carry prose (translated), not structure. */
const PROSE = new Set(['description', 'markdownDescription', 'markdownEnumDescriptions', 'errorMessage', 'title', '$id', 'label']);

function compile(schema: object): ValidateFunction {
  const ajv = new Ajv({ strict: true, allErrors: true, allowMatchingProperties: true });
  ajv.addVocabulary(VSCODE_KEYWORDS);
  return ajv.compile(schema);
}

function structure(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(structure);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (!PROSE.has(k)) out[k] = structure(x);
    return out;
  }
  return v;
}

const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;

/** Every property schema under `properties` of the given object schemas, with its path. */
function propertySchemas(schema: any): Array<[string, any]> {
  const out: Array<[string, any]> = [];
  const holders: Array<[string, any]> = [['', schema], ['model.', schema.definitions.model], ['head.', schema.definitions.head]];
  for (const [prefix, h] of holders) for (const [k, s] of Object.entries(h.properties)) out.push([prefix + k, s]);
  return out;
}

/** The schema a `$ref` points at, for reading descriptions of `{ $ref }` properties. */
function deref(schema: any, s: any): any {
  return s.$ref ? s.$ref.replace(/^#\//, '').split('/').reduce((o: any, k: string) => o[k], schema) : s;
}

/** A minimal valid document to vary in the refusal cases. */
function doc(model: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: { input_size: 2, hidden_size: 3, ...model }, seed: 0, input: { rand: [1, 2, 2] }, ...extra };
}

/** Documents PyTorch (or the format) refuses; `why` names the rule. */
const REFUSED: Array<{ why: string; doc: Record<string, unknown> }> = [
  { why: 'proj_size on a GRU (PyTorch raises for any value)', doc: doc({ type: 'GRU', proj_size: 0 }) },
  { why: 'proj_size on an RNN', doc: doc({ type: 'RNN', proj_size: 1 }) },
  { why: 'nonlinearity on an LSTM', doc: doc({ type: 'LSTM', nonlinearity: 'tanh' }) },
  { why: 'nonlinearity on a GRU', doc: doc({ type: 'GRU', nonlinearity: 'relu' }) },
  { why: 'unknown nonlinearity', doc: doc({ type: 'RNN', nonlinearity: 'sigmoid' }) },
  { why: 'type spelled in the wrong case', doc: doc({ type: 'Lstm' }) },
  { why: 'hidden_size 0', doc: doc({ type: 'RNN', hidden_size: 0 }) },
  { why: 'input_size not an integer', doc: doc({ type: 'RNN', input_size: 2.5 }) },
  { why: 'num_layers 0', doc: doc({ type: 'RNN', num_layers: 0 }) },
  { why: 'dropout 1 (must be < 1)', doc: doc({ type: 'RNN', dropout: 1 }) },
  { why: 'negative dropout', doc: doc({ type: 'RNN', dropout: -0.1 }) },
  { why: 'batch_first as a string', doc: doc({ type: 'RNN', batch_first: 'true' }) },
  { why: 'missing type', doc: doc({}) },
  { why: 'missing model', doc: { seed: 0, input: { rand: [1, 2, 2] } } },
  { why: 'c0 for a GRU', doc: doc({ type: 'GRU' }, { c0: [[[0, 0, 0]]] }) },
  { why: 'rand with one dimension', doc: doc({ type: 'RNN' }, { input: { rand: [3] } }) },
  { why: 'rand with a zero dimension', doc: doc({ type: 'RNN' }, { input: { rand: [1, 0, 2] } }) },
  { why: 'head of another kind', doc: doc({ type: 'RNN' }, { head: { type: 'Conv1d', out_features: 2 } }) },
  { why: 'head without out_features', doc: doc({ type: 'RNN' }, { head: { type: 'Linear' } }) },
  { why: 'negative seed', doc: doc({ type: 'RNN' }, { seed: -1 }) },
  { why: 'state_dict key that is no PyTorch parameter', doc: doc({ type: 'RNN' }, { state_dict: { weight_ih_lx: [[0, 0]] } }) },
  { why: 'state_dict key with a typo in the connection', doc: doc({ type: 'RNN' }, { state_dict: { weight_ix_l0: [[0, 0]] } }) },
  { why: 'unknown top-level key (a warning in VS Code)', doc: doc({ type: 'RNN' }, { hiden_size: 3 }) },
  { why: 'unknown model key (a warning in VS Code)', doc: doc({ type: 'RNN', hiden_size: 3 }) },
];

/** Documents PyTorch accepts that a strict schema might wrongly refuse. */
const ACCEPTED: Array<{ why: string; doc: Record<string, unknown> }> = [
  { why: 'proj_size on an LSTM', doc: doc({ type: 'LSTM', proj_size: 2 }) },
  { why: 'relu RNN', doc: doc({ type: 'RNN', nonlinearity: 'relu' }) },
  { why: 'dropout just below 1', doc: doc({ type: 'GRU', num_layers: 2, dropout: 0.99 }) },
  { why: 'unbatched literal input', doc: doc({ type: 'GRU' }, { input: [[0.1, 0.2], [0.3, 0.4]] }) },
  { why: 'head with bias false and in_features', doc: doc({ type: 'RNN' }, { head: { type: 'Linear', in_features: 3, out_features: 2, bias: false } }) },
  { why: 'head without type (Linear is the default)', doc: doc({ type: 'RNN' }, { head: { out_features: 1 } }) },
  {
    why: 'state_dict keys with the prefixes a wrapping module gives (rnn., fc.)',
    doc: doc({ type: 'RNN' }, {
      head: { type: 'Linear', out_features: 1 },
      state_dict: { 'rnn.weight_ih_l0': [[0, 0], [0, 0], [0, 0]], 'rnn.bias_hh_l0': [0, 0, 0], 'fc.weight': [[0, 0, 0]], 'fc.bias': [0] },
    }),
  },
  { why: 'description, $schema and c0 on an LSTM', doc: doc({ type: 'LSTM' }, { description: 'x', $schema: './schemas/rnn-document.schema.json', c0: [[[0, 0, 0], [0, 0, 0]]] }) },
];

describe('JSON schema for *.rnn.json', () => {
  const en = readJson(EN);
  const ja = readJson(JA);
  const validate = compile(en);
  const validateJa = compile(ja);

  it('is draft-07 and compiles in strict mode (only VS Code\'s own extra keywords allowed)', () => {
    assert.equal(en.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.equal(ja.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.equal(typeof validate, 'function');
    assert.equal(typeof validateJa, 'function');
  });

  it('lets comments and trailing commas through, as the reader (jsonc-parser) does', () => {
    assert.equal(en.allowComments, true);
    assert.equal(en.allowTrailingCommas, true);
  });

  it('the Japanese copy has the same structure; only the prose differs', () => {
    assert.deepEqual(structure(ja), structure(en));
    assert.notDeepEqual(ja, en);
  });

  it('explains every key, in English and in Japanese', () => {
    for (const [schema, lang] of [[en, 'en'], [ja, 'ja']] as const) {
      for (const [path, s] of propertySchemas(schema)) {
        const target = deref(schema, s);
        const text = s.markdownDescription ?? s.description ?? target.markdownDescription ?? target.description;
        assert.equal(typeof text, 'string', `${lang}: ${path} has no description`);
        if (lang === 'ja' && path !== '$schema') assert.match(text, JAPANESE, `ja: ${path} is not in Japanese: ${text}`);
      }
    }
  });

  it('knows every model option of torch.nn.RNN / LSTM / GRU, with PyTorch\'s defaults', () => {
    const p = en.definitions.model.properties;
    assert.deepEqual(Object.keys(p).sort(),
      ['batch_first', 'bias', 'bidirectional', 'dropout', 'hidden_size', 'input_size', 'nonlinearity', 'num_layers', 'proj_size', 'type']);
    // PyTorch's defaults (torch.nn.RNNBase / RNN signatures).
    assert.equal(p.num_layers.default, 1);
    assert.equal(p.nonlinearity.default, 'tanh');
    assert.equal(p.bias.default, true);
    assert.equal(p.batch_first.default, false);
    assert.equal(p.dropout.default, 0);
    assert.equal(p.bidirectional.default, false);
    assert.equal(p.proj_size.default, 0);
    assert.deepEqual(p.type.enum, ['RNN', 'LSTM', 'GRU', 'RNNCell', 'LSTMCell', 'GRUCell']);
    assert.equal(p.type.markdownEnumDescriptions.length, 6);
  });

  it('cells: accepts every cell golden document (test/golden/cells), refuses module-only arguments on a cell as the reader does', () => {
    const dir = join(root, 'test', 'golden', 'cells');
    const names = require('node:fs').readdirSync(dir).filter((f: string) => f.endsWith('.json'));
    assert.ok(names.length >= 29, 'cell golden cases are missing');
    for (const f of names) {
      const d = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      assert.ok(validate(d), `${f}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
      assert.ok(validateJa(d), `${f} (ja)`);
    }
    for (const key of ['num_layers', 'batch_first', 'dropout', 'bidirectional', 'proj_size']) {
      const d = { model: { type: 'LSTMCell', input_size: 2, hidden_size: 3, [key]: key === 'dropout' ? 0 : key === 'num_layers' ? 1 : key === 'proj_size' ? 0 : false } };
      assert.equal(validate(d), false, key);
      assert.ok(readDocument(JSON.stringify(d)).diagnostics.some((x) => x.severity === 'error' && x.code === 'not-for-type'), key);
    }
  });

  it('accepts every golden document computed by PyTorch', () => {
    const dir = join(root, 'test', 'golden');
    const names = require('node:fs').readdirSync(dir).filter((f: string) => f.endsWith('.json'));
    assert.ok(names.length >= 20, 'golden cases are missing');
    for (const f of names) {
      const d = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      assert.ok(validate(d), `${f}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
      assert.ok(validateJa(d), `${f} (ja)`);
    }
  });

  describe('refuses what PyTorch or the format refuses', () => {
    for (const c of REFUSED) {
      it(c.why, () => {
        assert.equal(validate(c.doc), false, 'the schema accepted it');
        assert.equal(validateJa(c.doc), false, 'the Japanese schema accepted it');
        // The reader must flag it too (error, or a warning for unknown keys): schema and reader agree.
        const r = readDocument(JSON.stringify(c.doc));
        assert.ok(r.diagnostics.some((d) => d.severity === 'error' || d.severity === 'warning'),
          `the reader did not flag it: ${JSON.stringify(r.diagnostics)}`);
      });
    }
  });

  describe('accepts what PyTorch accepts', () => {
    for (const c of ACCEPTED) {
      it(c.why, () => {
        assert.ok(validate(c.doc), JSON.stringify(validate.errors));
        assert.ok(validateJa(c.doc));
        const r = readDocument(JSON.stringify(c.doc));
        assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
      });
    }
  });

  it('its state_dict patterns match every parameter name the engine lays out, with and without a prefix', () => {
    const patterns = Object.keys(en.definitions.stateDict.patternProperties).map((p) => new RegExp(p, 'u'));
    const matches = (key: string) => patterns.some((re) => re.test(key));
    const base: ModelConfig = { type: 'LSTM', inputSize: 3, hiddenSize: 4, numLayers: 3, nonlinearity: 'tanh', bias: true,
      batchFirst: false, dropout: 0, bidirectional: true, projSize: 2 };
    const names = new Set<string>();
    for (const type of ['RNN', 'LSTM', 'GRU'] as const) {
      const model = { ...base, type, projSize: type === 'LSTM' ? 2 : 0 };
      for (const info of parameterInfos(model, { type: 'Linear', outFeatures: 2, bias: true })) names.add(info.name);
    }
    // Hand-written facts: PyTorch's names for this LSTM include these.
    for (const n of ['weight_ih_l0', 'weight_hh_l2_reverse', 'bias_ih_l1', 'weight_hr_l0', 'weight_hr_l2_reverse', 'head.weight', 'head.bias']) {
      assert.ok(names.has(n), `engine did not lay out ${n}`);
    }
    for (const n of names) {
      assert.ok(matches(n), n);
      assert.ok(matches(`rnn.${n.replace(/^head\./, '')}`) || n.startsWith('head.'), `rnn.${n}`);
    }
    for (const n of ['fc.weight', 'fc.bias', 'model.rnn.weight_ih_l0', 'encoder.lstm.weight_hr_l1_reverse']) assert.ok(matches(n), n);
    for (const n of ['weight', 'weight_ih_l', 'weight_ih_lO', 'weight_ih_l0_forward', 'Weight_ih_l0', 'weight_ih_l0 ', '.weight']) {
      assert.ok(!matches(n), `should not match ${JSON.stringify(n)}`);
    }
  });

  it('its defaultSnippets expand to documents the schema and the reader accept', () => {
    // "^${1:10}" inserts 10 unquoted; "${1|RNN,LSTM,GRU|}" inserts its first choice.
    const expand = (v: unknown): unknown => {
      if (typeof v === 'string') {
        const s = v.replace(/\$\{\d+\|([^,|]*)[^}]*\}/g, '$1').replace(/\$\{\d+:([^}]*)\}/g, '$1');
        return s.startsWith('^') ? JSON.parse(s.slice(1)) : s;
      }
      if (Array.isArray(v)) return v.map(expand);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expand(x)]));
      return v;
    };
    for (const s of en.defaultSnippets) {
      const d = expand(s.body) as object;
      assert.ok(validate(d), JSON.stringify(validate.errors));
      assert.deepEqual(readDocument(JSON.stringify(d)).diagnostics.filter((x) => x.severity === 'error'), []);
    }
    for (const s of en.definitions.model.defaultSnippets) {
      const d = { model: expand(s.body), seed: 0, input: { rand: [1, 2, 10] } };
      assert.ok(validate(d), `${s.label}: ${JSON.stringify(validate.errors)}`);
      assert.deepEqual(readDocument(JSON.stringify(d)).diagnostics.filter((x) => x.severity === 'error'), [], s.label);
    }
  });

  it('is contributed for *.rnn.json through a manifest placeholder that picks the English or Japanese file', () => {
    const pkg = readJson('package.json');
    const nls = readJson('package.nls.json');
    const nlsJa = readJson('package.nls.ja.json');
    const v = pkg.contributes.jsonValidation;
    assert.deepEqual(v, [{ fileMatch: ['*.rnn.json'], url: '%rnnLens.schema.url%' }]);
    // VS Code's json-language-features resolves the url against the extension only when it starts with "./".
    assert.equal(nls['rnnLens.schema.url'], `./${EN}`);
    assert.equal(nlsJa['rnnLens.schema.url'], `./${JA}`);
  });
});
