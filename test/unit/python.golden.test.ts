/*
 * The whole snippet path against real PyTorch: Python text -> readSnippet -> RNN document text
 * -> readDocument -> resolveRun (seeded weights, torch.rand / torch.randn input) -> engine
 * forward, compared with what torch 1.13 computed when it executed the same snippet
 * (test/golden/python/*.json, written by scripts/make_python_golden.py).
 * Layer: test (Node). Reads only files inside the repository.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { readSnippet, toRnnDocument, toRnnDocumentObject } from '../../src/python';
import { readDocument } from '../../src/document/reader';
import { resolveRun } from '../../src/document/resolve';
import { forward } from '../../src/engine';
import { buildRunPayload } from '../../src/run/payload';
import { maxRelativeError, toTensor, type Nested } from './helpers/golden';

const root = path.resolve(__dirname, '../../..');
const dir = path.join(root, 'test', 'golden', 'python');

interface PythonGolden {
  snippet: string;
  cpu_capability: string;
  model: Record<string, unknown>;
  head?: { type: 'Linear'; out_features: number };
  input_kind: 'rand' | 'randn';
  input_shape: number[];
  printed?: number[][];
  expected: { input: Nested; output: Nested; h_n: Nested; c_n?: Nested; head?: Nested };
  randn_scalar_path_differs?: number;
}

const cases = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

describe('python snippets against PyTorch (test/golden/python)', () => {
  it('has the references (examples and fixtures)', () => {
    assert.ok(cases.includes('sample_rnn.json') && cases.includes('sample_gru_randn.json') && cases.length >= 7, cases.join(', '));
  });

  for (const file of cases) {
    const g = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as PythonGolden;
    it(`${g.snippet}: the model, the seeded draws and every output match torch`, () => {
      const text = fs.readFileSync(path.join(root, g.snippet), 'utf8');
      const models = readSnippet(text).models;
      assert.ok(models.length >= 1, 'no model recognised');
      const m = models[0];
      const obj = toRnnDocumentObject(m) as { model: Record<string, unknown>; head?: unknown; input: unknown };
      // The model torch built, as the reader read it from the text.
      for (const [k, v] of Object.entries(g.model)) assert.deepStrictEqual(obj.model[k], v, `model.${k}`);
      assert.deepStrictEqual(obj.head, g.head);
      assert.deepStrictEqual(obj.input, { [g.input_kind]: g.input_shape });

      const read = readDocument(toRnnDocument(m));
      assert.deepStrictEqual(read.diagnostics.filter((d) => d.severity === 'error'), []);
      const resolved = resolveRun(read.document!);
      // The input: bit for bit as float32 (torch.randn: the AVX2 path this reference was made on).
      assert.strictEqual(g.cpu_capability, 'AVX2');
      const want = toTensor(g.expected.input);
      assert.deepStrictEqual(resolved.spec.input.shape, want.shape);
      let differ = 0;
      for (let i = 0; i < want.data.length; i++) if (Math.fround(resolved.spec.input.data[i]) !== want.data[i]) differ++;
      assert.strictEqual(differ, 0, `${differ} input values differ from torch`);

      const out = forward(resolved.spec);
      const bar = 1e-6;
      assert.ok(maxRelativeError(out.output, toTensor(g.expected.output)) <= bar, 'output');
      assert.ok(maxRelativeError(out.hN, toTensor(g.expected.h_n)) <= bar, 'h_n');
      if (g.expected.c_n) assert.ok(maxRelativeError(out.cN!, toTensor(g.expected.c_n)) <= bar, 'c_n');
      if (g.expected.head) assert.ok(maxRelativeError(out.head!, toTensor(g.expected.head)) <= bar, 'head');
    });
  }

  it('the origin (examples/sample_rnn.py): the Unroll payload prints [[0.0930, 0.0545], [0.1369, 0.0518], [0.2210, -0.1358]]', () => {
    const text = fs.readFileSync(path.join(root, 'examples', 'sample_rnn.py'), 'utf8');
    const read = readDocument(toRnnDocument(readSnippet(text).models[0]));
    const payload = buildRunPayload(read.document!, { title: 'sample_rnn.py' });
    const printed = [[0.093, 0.0545], [0.1369, 0.0518], [0.221, -0.1358]];
    assert.deepStrictEqual(payload.headOutput?.shape, [3, 2]);
    const got = payload.headOutput!.data as number[];
    printed.flat().forEach((p, i) => assert.strictEqual(Math.round(got[i] * 1e4) / 1e4, p, `element ${i}: ${got[i]}`));
  });

  it('records how the scalar randn path (CPUs without AVX2) differs, so the hover note stays honest', () => {
    const g = JSON.parse(fs.readFileSync(path.join(dir, 'sample_gru_randn.json'), 'utf8')) as PythonGolden;
    assert.strictEqual(typeof g.randn_scalar_path_differs, 'number');
    assert.ok(g.randn_scalar_path_differs! > 0, 'the note says PyTorch on other CPUs can differ: the reference shows it does');
  });
});
