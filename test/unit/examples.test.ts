/*
 * examples/*.rnn.json and the snippets in snippets/rnn.code-snippets are valid RNN documents:
 * the reader (src/document/reader.ts) finds no errors, the JSON schema accepts them, and the origin
 * example is the origin snippet (torch.manual_seed(0); SampleRNN(10, 20, 2); torch.rand(3, 5, 10)).
 * Layer: test (Node). Reads files inside the repository only.
 */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { readDocument } from '../../src/document/reader';
import { DEFAULT_BUDGET } from '../../src/document/types';

const root = join(__dirname, '..', '..', '..');
const examplesDir = join(root, 'examples');
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;

function schemaValidator() {
  const ajv = new Ajv({ strict: true, allErrors: true, allowMatchingProperties: true });
  ajv.addVocabulary(['markdownDescription', 'defaultSnippets', 'allowComments', 'allowTrailingCommas', 'errorMessage',
    'markdownEnumDescriptions', 'enumDescriptions', 'deprecationMessage', 'doNotSuggest']);
  return ajv.compile(JSON.parse(readFileSync(join(root, 'schemas', 'rnn-document.schema.json'), 'utf8')));
}

/**
 * Expands a VS Code snippet body the way accepting every default does: `${1:x}` -> x,
 * `${1|a,b|}` -> a, and a bare `$1` / `${1}` repeats the default given elsewhere for 1.
 */
export function expandSnippet(body: string): string {
  const defaults = new Map<string, string>();
  for (const m of body.matchAll(/\$\{(\d+):([^}]*)\}/g)) if (!defaults.has(m[1])) defaults.set(m[1], m[2]);
  for (const m of body.matchAll(/\$\{(\d+)\|([^,|]*)[^}]*\}/g)) if (!defaults.has(m[1])) defaults.set(m[1], m[2]);
  return body
    .replace(/\$\{(\d+):([^}]*)\}/g, (_, n) => defaults.get(n)!)
    .replace(/\$\{(\d+)\|[^}]*\}/g, (_, n) => defaults.get(n)!)
    .replace(/\$\{(\d+)\}|\$(\d+)/g, (_, a, b) => defaults.get(a ?? b) ?? '')
    .replace(/\\\$/g, '$');
}

describe('examples/*.rnn.json', () => {
  const files = readdirSync(examplesDir).filter((f) => f.endsWith('.rnn.json')).sort();
  const validate = schemaValidator();

  it('are all there', () => {
    for (const f of ['origin.rnn.json', 'lstm-bidirectional-2layer.rnn.json', 'gru-explicit-weights.rnn.json', 'long-sequence.rnn.json',
      'rnn-relu.rnn.json', 'lstm-proj.rnn.json', 'markup-in-strings.rnn.json']) {
      assert.ok(files.includes(f), `${f} missing`);
    }
  });

  for (const f of files) {
    describe(f, () => {
      const text = readFileSync(join(examplesDir, f), 'utf8');

      it('reads without errors within the default budget', () => {
        const r = readDocument(text, { budget: DEFAULT_BUDGET });
        assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
        assert.ok(r.document, 'no document');
      });

      it('says what to try, in English and in Japanese', () => {
        const d = JSON.parse(text);
        assert.equal(typeof d.description, 'string');
        assert.match(d.description, /[A-Za-z]{4,}/);
        assert.match(d.description, JAPANESE);
      });

      if (f !== 'markup-in-strings.rnn.json') {
        it('passes the JSON schema and has no reader warnings', () => {
          assert.ok(validate(JSON.parse(text)), JSON.stringify(validate.errors));
          assert.deepEqual(readDocument(text).diagnostics.filter((d) => d.severity === 'warning'), []);
        });
      }
    });
  }

  it('origin.rnn.json is the origin snippet: seed 0, RNN(10, 20, batch_first=True), Linear(20, 2), torch.rand(3, 5, 10)', () => {
    const r = readDocument(readFileSync(join(examplesDir, 'origin.rnn.json'), 'utf8'));
    const d = r.document!;
    assert.equal(d.seed, 0);
    assert.deepEqual(
      { type: d.model.type, inputSize: d.model.inputSize, hiddenSize: d.model.hiddenSize, numLayers: d.model.numLayers,
        batchFirst: d.model.batchFirst, bidirectional: d.model.bidirectional, nonlinearity: d.model.nonlinearity },
      { type: 'RNN', inputSize: 10, hiddenSize: 20, numLayers: 1, batchFirst: true, bidirectional: false, nonlinearity: 'tanh' });
    assert.deepEqual(d.head, { type: 'Linear', outFeatures: 2, bias: true });
    assert.equal(d.input?.kind, 'rand');
    assert.deepEqual(d.input?.kind === 'rand' ? d.input.shape : undefined, [3, 5, 10]);
    assert.equal(d.stateDict.length, 0);
  });

  it('long-sequence.rnn.json has T = 1000', () => {
    const d = readDocument(readFileSync(join(examplesDir, 'long-sequence.rnn.json'), 'utf8')).document!;
    assert.ok(d.model.batchFirst);
    assert.deepEqual(d.input?.kind === 'rand' ? d.input.shape : undefined, [1, 1000, 8]);
  });

  it('gru-explicit-weights.rnn.json gives every GRU parameter (3 gate blocks r, z, n)', () => {
    const d = readDocument(readFileSync(join(examplesDir, 'gru-explicit-weights.rnn.json'), 'utf8')).document!;
    const byName = Object.fromEntries(d.stateDict.map((e) => [e.name, e.tensor.shape]));
    // PyTorch: GRU weight_ih_l0 is (3*hidden_size, input_size), biases (3*hidden_size).
    assert.deepEqual(byName, { weight_ih_l0: [6, 2], weight_hh_l0: [6, 2], bias_ih_l0: [6], bias_hh_l0: [6] });
    assert.equal(d.h0?.kind, 'literal');
  });

  it('markup-in-strings.rnn.json carries HTML in its description and in a key; the key is one unknown-key warning, the schema flags it too', () => {
    const text = readFileSync(join(examplesDir, 'markup-in-strings.rnn.json'), 'utf8');
    const d = JSON.parse(text);
    assert.match(d.description, /<img src=x onerror=alert\(1\)>/);
    assert.match(d.description, /<script>/);
    const markupKey = Object.keys(d).find((k) => k.includes('<script>'));
    assert.ok(markupKey);
    const warnings = readDocument(text).diagnostics.filter((x) => x.severity !== 'info');
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0].code, 'unknown-key');
    assert.equal(text.slice(warnings[0].span.start, warnings[0].span.end), JSON.stringify(markupKey));
    assert.equal(validate(d), false);
    assert.deepEqual(validate.errors?.map((e) => e.keyword), ['additionalProperties']);
  });
});

describe('snippets/rnn.code-snippets', () => {
  const snippets = JSON.parse(readFileSync(join(root, 'snippets', 'rnn.code-snippets'), 'utf8')) as
    Record<string, { prefix: string[] | string; body: string[] | string; description: string }>;
  const validate = schemaValidator();

  it('offers rnn-doc, lstm-doc, gru-doc and rnn-origin', () => {
    const prefixes = Object.values(snippets).flatMap((s) => s.prefix);
    assert.deepEqual(prefixes.sort(), ['gru-doc', 'lstm-doc', 'rnn-doc', 'rnn-origin']);
  });

  it('the expander itself follows VS Code\'s rules (checked on a hand-made body)', () => {
    assert.equal(expandSnippet('{"a": ${1:4}, "b": "${2|tanh,relu|}", "c": [${1}, $1], "d": "\\$x"}$0'), '{"a": 4, "b": "tanh", "c": [4, 4], "d": "$x"}');
  });

  for (const [name, s] of Object.entries(snippets)) {
    it(`${name}: expands (all defaults) into a document without errors or warnings`, () => {
      const body = Array.isArray(s.body) ? s.body.join('\n') : s.body;
      const text = expandSnippet(body);
      const r = readDocument(text);
      assert.deepEqual(r.diagnostics.filter((d) => d.severity !== 'info'), [], text);
      assert.ok(validate(JSON.parse(text)), JSON.stringify(validate.errors));
    });
  }

  it('rnn-origin expands to the same run as examples/origin.rnn.json', () => {
    const s = Object.values(snippets).find((x) => ([] as string[]).concat(x.prefix).includes('rnn-origin'))!;
    const fromSnippet = JSON.parse(expandSnippet((s.body as string[]).join('\n')));
    const example = JSON.parse(readFileSync(join(examplesDir, 'origin.rnn.json'), 'utf8'));
    const pick = (d: any) => ({ type: d.model.type, input_size: d.model.input_size, hidden_size: d.model.hidden_size,
      batch_first: d.model.batch_first, head: d.head, seed: d.seed, input: d.input });
    assert.deepEqual(pick(fromSnippet), pick(example));
  });
});
