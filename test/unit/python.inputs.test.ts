/*
 * The reader's inputs, cells, embeddings and notebooks on small snippets. Every shape expected
 * below is what torch 1.13 gives when the same lines run (checked by running them; the corpus
 * files used here have their PyTorch records in test/golden/python-corpus). Layer: test (Node).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import {
  blankMagics,
  cellParameters,
  cellShapes,
  notebookProgram,
  notebookShapes,
  pythonShapes,
  readSnippet,
  toRnnDocument,
  toRnnDocumentObject,
} from '../../src/python';
import { readDocument } from '../../src/document/reader';
import { main } from '../../src/cli';

const root = path.resolve(__dirname, '../../..');
const corpus = (name: string) => fs.readFileSync(path.join(root, 'test/fixtures/python/corpus', name), 'utf8');
const first = (text: string) => pythonShapes(text).models[0];

describe('python reader: inputs', () => {
  it('uses the binding in effect at the call, in reading order (rebinding after the call is ignored)', () => {
    const e = first(corpus('t10_rebinding.py'));
    assert.deepStrictEqual(e.input, { shape: [3, 10, 4], line: 9 });
    assert.deepStrictEqual([e.output, e.h_n], [[3, 10, 8], [1, 3, 8]]);
  });

  it('a binding made in a branch that may not run gives no shape (never a guess)', () => {
    assert.strictEqual(first(corpus('t25_branches.py')).input, null);
    const text = 'import torch\nimport torch.nn as nn\nr = nn.GRU(2, 3)\nx = torch.rand(4, 1, 2)\ntry:\n    x = x.view(2, 2, 2)\nexcept Exception:\n    pass\ny, h = r(x)\n';
    assert.deepStrictEqual(first(text).input, { shape: [2, 2, 2], line: 9 }); // try bodies run
  });

  it('view/reshape with -1, permute, transpose, unsqueeze/squeeze, cat/stack, literals, factories', () => {
    const cases: [string, number[] | null][] = [
      ['x = torch.arange(0, 240, dtype=torch.float32).reshape(-1, 12, 4)', [5, 12, 4]],
      ['x = torch.rand(8, 4, 20).permute(2, 0, 1)', [20, 8, 4]],
      ['x = torch.rand(8, 20, 4).transpose(0, 1).contiguous()', [20, 8, 4]],
      ['x = torch.zeros(20, 4).unsqueeze(1)', [20, 1, 4]],
      ['x = torch.zeros(1, 20, 1, 4).squeeze(0)', [20, 1, 4]],
      ['x = torch.cat([torch.ones(2, 3, 4), torch.ones(5, 3, 4)], dim=0)', [7, 3, 4]],
      ['x = torch.stack([torch.ones(3, 4)] * 1 + [torch.ones(3, 4)], 0)', null],
      ['x = torch.stack([torch.ones(3, 4) for _ in range(6)])', [6, 3, 4]],
      ['x = torch.tensor([[[1.0, 2, 3, 4]], [[5, 6, 7, 8]]])', [2, 1, 4]],
      ['x = torch.FloatTensor(6, 2, 4)', [6, 2, 4]],
      ['x = torch.full((3, 2, 4), 0.5).float()', [3, 2, 4]],
      ['x = torch.empty(3, 2, 4).to("cpu").detach()', [3, 2, 4]],
      ['x = torch.randn(2, 3, 4).cuda() if False else torch.randn(2, 3, 4)', [2, 3, 4]],
      ['x = torch.rand(3, 2, 4)\nx.resize_(2, 2, 4)', null],
      ['x = torch.rand(6, 8).view(3, 2, -1)[:, :, :4]', [3, 2, 4]],
      ['x = torch.rand(9, 2, 4)[1:4]', [3, 2, 4]],
      ['x = torch.rand(9, 2, 4)[:n]', null],
    ];
    for (const [line, want] of cases) {
      const text = `import torch\nimport torch.nn as nn\nr = nn.LSTM(4, 5)\n${line}\nout, (h, c) = r(x)\n`;
      const e = first(text);
      assert.deepStrictEqual(e.input?.shape ?? null, want, line);
    }
  });

  it('embeddings: (N, L) ids -> (N, L, D), through dropout; the hover chain knows the embedding', () => {
    const r = readSnippet(corpus('t04_sentiment_embedding.py'));
    const m = r.models[0];
    assert.deepStrictEqual(m.calls[0].input, [37, 64, 100]);
    assert.deepStrictEqual(m.embedding && { n: m.embedding.numEmbeddings, d: m.embedding.embeddingDim, t: m.embedding.target }, { n: 25002, d: 100, t: 'self.embedding' });
  });

  it('pack_padded_sequence: the padded tensor\'s shape, packed; output unknown, h_n from the batch', () => {
    const e = first(corpus('t11_packing.py'));
    assert.deepStrictEqual(e.input, { shape: [3, 5, 16], line: 12, packed: true });
    assert.deepStrictEqual([e.output, e.h_n, e.c_n], [null, [2, 3, 32], [2, 3, 32]]);
  });

  it('forward inputs come from the instance call; h0 built from x.size(0) is read', () => {
    const r = readSnippet(corpus('t40_h0_from_size.py'));
    const c = r.models[0].calls[0];
    assert.deepStrictEqual([c.input, c.hidden], [[3, 14, 17], [[1, 3, 12]]]);
  });
});

describe('python reader: cells and classes chosen at run time', () => {
  it('nn.LSTMCell in a loop over time: input x[t], h\' and c\' (N, H), parameters with gate rows', () => {
    const r = readSnippet(corpus('t06_lstmcell_loop.py'));
    const m = r.models[0];
    assert.strictEqual(m.moduleType, 'LSTMCell');
    assert.strictEqual(m.cell, true);
    assert.strictEqual(m.complete, false, 'cells are not run as nn.LSTM');
    assert.deepStrictEqual(cellShapes(m), { input: [4, 12], h: [4, 24], c: [4, 24] });
    assert.deepStrictEqual(cellParameters(m), [
      { name: 'weight_ih', shape: [96, 12], gates: ['i', 'f', 'g', 'o'] },
      { name: 'weight_hh', shape: [96, 24], gates: ['i', 'f', 'g', 'o'] },
      { name: 'bias_ih', shape: [96], gates: ['i', 'f', 'g', 'o'] },
      { name: 'bias_hh', shape: [96], gates: ['i', 'f', 'g', 'o'] },
    ]);
    const e = first(corpus('t06_lstmcell_loop.py'));
    assert.deepStrictEqual(e, {
      line: 5, type: 'LSTMCell', input_size: 12, hidden_size: 24, num_layers: null, bidirectional: null, batch_first: null, proj_size: null,
      bias: true, nonlinearity: null, unresolved: [], input: { shape: [4, 12], line: 11 }, output: [4, 24], h_n: null, c_n: [4, 24],
    });
  });

  it('nn.RNNCell(3, 5, True, "relu") binds bias and nonlinearity positionally; GRUCell without bias has no bias rows', () => {
    const e = first(corpus('t08_rnncell_relu.py'));
    assert.deepStrictEqual([e.type, e.bias, e.nonlinearity, e.input?.shape, e.output], ['RNNCell', true, 'relu', [2, 3], [2, 5]]);
    const g = readSnippet(corpus('t07_grucell_class.py')).models[0];
    assert.deepStrictEqual(cellParameters(g)?.map((p) => p.name), ['weight_ih', 'weight_hh']);
    assert.deepStrictEqual(cellParameters(g)?.[0].shape, [96, 6]);
  });

  it('getattr(nn, rnn_type)(...) with rnn_type from argv: listed with type null, sizes still read', () => {
    const r = readSnippet(corpus('t09_getattr_type.py'));
    assert.strictEqual(r.models.length, 0);
    assert.strictEqual(r.dynamic.length, 1);
    const e = first(corpus('t09_getattr_type.py'));
    assert.deepStrictEqual([e.type, e.input_size, e.hidden_size, e.num_layers, e.unresolved, e.output], [null, 32, 64, 2, ['type'], null]);
  });

  it('a class passed in is followed to the argument of the first construction', () => {
    const e = first(corpus('t26_class_passed_in.py'));
    assert.deepStrictEqual([e.type, e.input_size, e.hidden_size, e.input?.shape], ['RNNCell', 4, 9, [3, 4]]);
  });
});

describe('python reader: notebooks', () => {
  it('joins code cells in order, blanking magics and shell lines without moving offsets', () => {
    assert.strictEqual(blankMagics('%matplotlib inline\nx = 1\n!pip install torch'), '                  \nx = 1\n                  ');
    assert.strictEqual(blankMagics('%%bash\necho hi'), '      \n       ');
    const p = notebookProgram(corpus('t21_notebook_split.ipynb'));
    assert.deepStrictEqual(p.cells.map((c) => c.index), [1, 2, 4, 5]);
    assert.throws(() => notebookProgram('{"not": "a notebook"}'), /not a notebook/);
  });

  it('a model built in one cell and called in another: line and cell as the spec says', () => {
    const e = notebookShapes(corpus('t21_notebook_split.ipynb')).models[0];
    assert.deepStrictEqual([e.cell, e.line, e.input, e.output, e.h_n], [2, 2, { shape: [4, 15, 6], line: 1, cell: 5 }, [4, 15, 12], [2, 4, 12]]);
  });
});

describe('python reader: documents with an embedding, and the CLI', () => {
  it('Open as JSON writes the embedding block and token ids shaped like the input without its feature axis', () => {
    const text = 'import torch\nimport torch.nn as nn\ntorch.manual_seed(0)\nemb = nn.Embedding(10, 4)\nrnn = nn.GRU(4, 3, batch_first=True)\nids = torch.tensor([[1, 2, 3], [4, 5, 6]])\nout, h = rnn(emb(ids))\n';
    const m = readSnippet(text).models[0];
    const obj = toRnnDocumentObject(m) as Record<string, unknown>;
    assert.deepStrictEqual(obj.embedding, { num_embeddings: 10, embedding_dim: 4 });
    assert.deepStrictEqual(obj.input, [[0, 1, 2], [3, 4, 5]]);
    const read = readDocument(toRnnDocument(m));
    assert.deepStrictEqual(read.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.deepStrictEqual(read.document?.embedding, { numEmbeddings: 10, embeddingDim: 4 });
  });

  it('rnn-lens shapes FILE.py prints the spec\'s JSON; FILE.ipynb adds cells; a broken notebook exits 1', () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), readStdin: () => '', readFile: (p: string) => fs.readFileSync(p, 'utf8') };
    assert.strictEqual(main(['shapes', path.join(root, 'test/fixtures/python/corpus/t01_tutorial_rnn.py')], io), 0);
    const j = JSON.parse(out.join(''));
    assert.deepStrictEqual(j.models[0], {
      line: 6, type: 'RNN', input_size: 10, hidden_size: 20, num_layers: 2, bidirectional: false, batch_first: true, proj_size: 0, bias: true,
      nonlinearity: 'tanh', unresolved: [], input: { shape: [3, 5, 10], line: 9 }, output: [3, 5, 20], h_n: [2, 3, 20], c_n: null,
    });
    assert.match(out.join(''), /"shape": \[3, 5, 10\]/);
    out.length = 0;
    assert.strictEqual(main(['shapes', path.join(root, 'test/fixtures/python/corpus/t22_notebook_lstmcell_ja.ipynb')], io), 0);
    assert.strictEqual(JSON.parse(out.join('')).models[0].cell, 2);
    const bad = { ...io, readFile: () => '{' };
    assert.strictEqual(main(['shapes', 'broken.ipynb'], bad), 1);
    assert.match(err.join(''), /^broken\.ipynb:1:1: error: not a notebook/m);
  });
});

describe('python reader: what rules can ask (SnippetResult.analysis, ModuleCall)', () => {
  const text = 'import torch\nimport torch.nn as nn\nlstm = nn.LSTM(4, 8, num_layers=2, batch_first=True)\nx = torch.zeros(3, 5, 4)\nh0 = torch.zeros(2, 5, 8)\nc0 = torch.zeros(2, 3, 8)\nout, (h, c) = lstm(x, (h0, c0))\nlast = out[:, -1]\n';

  it('each call of a module with its input and state shapes, and whether the text shows it is made', () => {
    const r = readSnippet(text);
    const c = r.models[0].calls[0];
    assert.deepStrictEqual([c.line, c.input, c.hidden, c.reached], [6, [3, 5, 4], [[2, 5, 8], [2, 3, 8]], true]);
    assert.strictEqual(r.analysis!.statements[c.statement].line, 6);
  });

  it('shapeOf / constantOf / moduleOf at a statement', () => {
    const r = readSnippet(text);
    const a = r.analysis!;
    const i = a.statements.findIndex((s) => s.line === 7);
    const st = a.statements[i].stmt;
    assert.strictEqual(st.k, 'assign');
    if (st.k !== 'assign') return;
    assert.deepStrictEqual(a.shapeOf(st.value, i), [3, 8]);
    const call = a.statements[6].stmt;
    if (call.k !== 'assign' || call.value.k !== 'call') return assert.fail('line 7 is a call');
    assert.strictEqual(a.moduleOf(call.value.fn, 6), 0);
    assert.strictEqual(a.constantOf(call.value.fn, 6), undefined);
  });

  it('an input that is not a rand/randn draw: Unroll uses torch.rand of the same shape and says so', () => {
    const m = readSnippet(text).models[0];
    assert.strictEqual(m.input?.drawn, false);
    assert.deepStrictEqual((toRnnDocumentObject(m) as { input: unknown }).input, { rand: [3, 5, 4] });
  });
});
