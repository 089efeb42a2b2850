/*
 * The Python reader on its corpus (test/fixtures/python/corpus: 40+ files in many styles, .py and
 * .ipynb), against what PyTorch 1.13 recorded when it executed them
 * (scripts/make_python_corpus.py -> test/golden/python-corpus). The bar of issue #13:
 * constructors exact for at least 95%, no invented value, no wrong input (or output) shape,
 * inputs found for at least 80% of those the file determines. `node scripts/python-corpus-measure.mjs -v`
 * prints the same numbers and every miss. Layer: test (Node).
 */
import * as assert from 'assert';
import * as path from 'path';
import * as fs from 'fs';
import { formatMeasure, measureCorpus } from './helpers/pythonCorpus';

const root = path.resolve(__dirname, '../../..');

describe('python reader on its corpus, against PyTorch (test/golden/python-corpus)', () => {
  const m = measureCorpus(root);
  const report = formatMeasure(m, true);

  it('has every corpus file recorded by PyTorch (40 or more, notebooks among them)', () => {
    const corpus = fs.readdirSync(path.join(root, 'test/fixtures/python/corpus')).filter((f) => /\.(py|ipynb)$/.test(f));
    const golden = fs.readdirSync(path.join(root, 'test/golden/python-corpus'));
    assert.ok(corpus.length >= 40, `${corpus.length} files`);
    assert.ok(corpus.some((f) => f.endsWith('.ipynb')));
    for (const f of corpus) assert.ok(golden.includes(`${f}.json`), `${f} has no record: run /usr/bin/python3 scripts/make_python_corpus.py`);
    assert.strictEqual(m.files, corpus.length);
  });

  it('finds every constructor and reads at least 95% of them exactly', () => {
    assert.strictEqual(m.missed.length, 0, report);
    assert.ok(m.constructorsExact >= 0.95 * m.constructors, report);
  });

  it('invents no value: every value given is the one PyTorch built', () => {
    assert.deepStrictEqual(m.invented, [], report);
  });

  it('gives no wrong input shape and no wrong output shape', () => {
    assert.deepStrictEqual(m.wrongInputs, [], report);
    assert.deepStrictEqual(m.wrongOutputs, [], report);
  });

  it('finds at least 80% of the inputs the file determines', () => {
    assert.ok(m.inputsDeterminable >= 40, report);
    assert.ok(m.inputsFound >= 0.8 * m.inputsDeterminable, report);
  });
});
