/*
 * The Python snippet reader on a corpus of snippet variants: imports and aliases, positional and
 * keyword arguments per PyTorch's signatures, line breaks and comments, constants, arithmetic,
 * constructor-call resolution, heads, seeds, inputs, unresolvable names and hostile text.
 * Every expectation is hand-derived from the snippet (and, for the fixtures that run, PyTorch
 * itself agrees: see python.golden.test.ts). Layer: test (Node).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { formatMsg, readSnippet, toRnnDocument, toRnnDocumentObject, snippetReport, type SnippetModel } from '../../src/python';

const root = path.resolve(__dirname, '../../..');
const fixture = (name: string) => fs.readFileSync(path.join(root, 'test/fixtures/python', name), 'utf8');
const example = (name: string) => fs.readFileSync(path.join(root, 'examples', name), 'utf8');

function only(text: string): SnippetModel {
  const r = readSnippet(text);
  assert.strictEqual(r.models.length, 1, `expected one model, got ${r.models.length}`);
  return r.models[0];
}

function notes(m: SnippetModel): string[] {
  return m.notes.map((n) => formatMsg(n));
}

const DEFAULTS = { numLayers: 1, nonlinearity: 'tanh', bias: true, batchFirst: false, dropout: 0, bidirectional: false, projSize: 0 };

describe('python snippet reader: the examples', () => {
  it('reads examples/sample_rnn.py as the origin: RNN(10, 20, batch_first) + Linear(20, 2), seed 0, rand(3, 5, 10)', () => {
    const text = example('sample_rnn.py');
    const m = only(text);
    assert.deepStrictEqual(m.config, { type: 'RNN', ...DEFAULTS, inputSize: 10, hiddenSize: 20, batchFirst: true });
    assert.strictEqual(m.head?.outFeatures, 2);
    assert.strictEqual(m.head?.inFeatures, 20);
    assert.strictEqual(m.head?.target, 'self.fc');
    assert.strictEqual(m.seed?.value, 0);
    assert.deepStrictEqual(m.input && { kind: m.input.kind, shape: m.input.shape }, { kind: 'rand', shape: [3, 5, 10] });
    assert.strictEqual(text.slice(m.span.start, m.span.end), 'nn.RNN(input_size, hidden_size, batch_first=True)');
    assert.strictEqual(m.complete, true);
    assert.deepStrictEqual(m.unresolved, []);
    assert.strictEqual(m.owner, 'SampleRNN');
    assert.strictEqual(m.instance, 'model');
    assert.deepStrictEqual(notes(m), []);
  });

  it('builds the origin\'s RNN document and the hover summary (3, 5, 10) -> (3, 5, 20), h_n (1, 3, 20), head (3, 2)', () => {
    const m = only(example('sample_rnn.py'));
    assert.deepStrictEqual(JSON.parse(toRnnDocument(m)), {
      model: { type: 'RNN', input_size: 10, hidden_size: 20, num_layers: 1, nonlinearity: 'tanh', bias: true, batch_first: true, dropout: 0, bidirectional: false },
      head: { type: 'Linear', out_features: 2 },
      seed: 0,
      input: { rand: [3, 5, 10] },
    });
    const r = snippetReport(m);
    assert.strictEqual(r.summary, 'input (3, 5, 10) → output (3, 5, 20) · h_n (1, 3, 20) · head (3, 2)');
    assert.ok(r.notes.some((n) => formatMsg(n).startsWith('With torch.manual_seed(0), Unroll shows the numbers this snippet prints')));
  });

  it('reads examples/sample_lstm.py: LSTM(4, 16, num_layers=2), head Linear(16, 3) on out[-1], seed 1', () => {
    const m = only(example('sample_lstm.py'));
    assert.deepStrictEqual(m.config, { type: 'LSTM', ...DEFAULTS, inputSize: 4, hiddenSize: 16, numLayers: 2 });
    assert.strictEqual(m.head?.outFeatures, 3);
    assert.strictEqual(m.seed?.value, 1);
    assert.deepStrictEqual(m.input?.shape, [6, 2, 4]);
    assert.strictEqual(snippetReport(m).summary, 'input (6, 2, 4) → output (6, 2, 16) · h_n (2, 2, 16) · c_n (2, 2, 16) · head (2, 3)');
  });

  it('reads examples/sample_gru_randn.py: randn input, says where randn may differ', () => {
    const m = only(example('sample_gru_randn.py'));
    assert.deepStrictEqual(m.config, { type: 'GRU', ...DEFAULTS, inputSize: 3, hiddenSize: 5, batchFirst: true, bidirectional: true });
    assert.deepStrictEqual(m.input && { kind: m.input.kind, shape: m.input.shape }, { kind: 'randn', shape: [2, 7, 3] });
    assert.strictEqual(m.head, undefined);
    assert.deepStrictEqual((toRnnDocumentObject(m) as { input: unknown }).input, { randn: [2, 7, 3] });
    const text = snippetReport(m).notes.map((n) => formatMsg(n)).join('\n');
    assert.match(text, /torch\.randn is reproduced bit for bit .* AVX2/);
  });
});

describe('python snippet reader: the fixture corpus', () => {
  it('from torch import nn; keywords; module-level model; randn', () => {
    const m = only(fixture('from_torch_import_nn.py'));
    assert.deepStrictEqual(m.config, { type: 'LSTM', ...DEFAULTS, inputSize: 8, hiddenSize: 16, numLayers: 2 });
    assert.strictEqual(m.seed?.value, 42);
    assert.deepStrictEqual(m.input && { kind: m.input.kind, shape: m.input.shape }, { kind: 'randn', shape: [7, 4, 8] });
    assert.strictEqual(m.head, undefined);
    assert.strictEqual(m.instance, 'rnn');
  });

  it('torch.nn.GRU spelled out, positional arguments across lines with comments, tuple-shaped rand', () => {
    const m = only(fixture('full_path_multiline.py'));
    // GRU(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional)
    assert.deepStrictEqual(m.config, { type: 'GRU', ...DEFAULTS, inputSize: 12, hiddenSize: 24, numLayers: 3, batchFirst: true, dropout: 0.25, bidirectional: true });
    assert.strictEqual(m.callee, 'torch.nn.GRU');
    assert.strictEqual(m.seed?.value, 7);
    assert.deepStrictEqual(m.input?.shape, [2, 9, 12]);
    // enc.eval() is called, so dropout does not act in the snippet either: no training-mode note.
    assert.ok(!notes(m).some((n) => n.includes('training mode')));
  });

  it('from torch.nn import LSTM as L, an alias of the alias, tuple constants, arithmetic, proj_size, head on out[-1]', () => {
    const m = only(fixture('from_import_aliases.py'));
    assert.strictEqual(m.callee, 'Cell');
    assert.deepStrictEqual(m.config, { type: 'LSTM', ...DEFAULTS, inputSize: 6, hiddenSize: 16, numLayers: 2, bidirectional: true, projSize: 4 });
    assert.deepStrictEqual(m.head && { in: m.head.inFeatures, out: m.head.outFeatures, target: m.head.target }, { in: 8, out: 5, target: 'fc' });
    assert.strictEqual(m.seed?.value, 3);
    assert.deepStrictEqual(m.input?.shape, [3, 2, 6]);
  });

  it('constructor call into __init__: keywords, defaults bound to module constants, self attributes, head on hn[-1]', () => {
    const m = only(fixture('constructor_defaults.py'));
    // Net(input_size=BATCH + 1, n_classes=HIDDEN // 8): input 5, hidden default HIDDEN=32, layers 0+1... self.layers + 1 = 2
    assert.deepStrictEqual(m.config, { type: 'LSTM', ...DEFAULTS, inputSize: 5, hiddenSize: 32, numLayers: 2, batchFirst: true });
    assert.strictEqual(m.head?.outFeatures, 4);
    assert.strictEqual(m.head?.target, 'self.head');
    assert.strictEqual(m.seed?.value, 123);
    assert.deepStrictEqual(m.input && { kind: m.input.kind, shape: m.input.shape }, { kind: 'randn', shape: [4, 11, 5] });
    assert.strictEqual(m.instance, 'net');
  });

  it('a factory function: parameters from its call, keyword-only parameters, no input -> a default input noted', () => {
    const m = only(fixture('factory_function.py'));
    assert.deepStrictEqual(m.config, { type: 'GRU', ...DEFAULTS, inputSize: 10, hiddenSize: 32, bidirectional: true });
    assert.strictEqual(m.owner, 'make_model');
    assert.strictEqual(m.input, undefined);
    const r = snippetReport(m);
    assert.ok(r.notes.some((n) => formatMsg(n) === 'No torch.rand or torch.randn input was found; the view uses torch.rand(5, 1, 10).'));
    assert.deepStrictEqual((toRnnDocumentObject(m) as { input: unknown }).input, { rand: [5, 1, 10] });
  });

  it('names it cannot read stay unresolved and say why', () => {
    const m = only(fixture('unresolved_names.py'));
    assert.strictEqual(m.complete, false);
    assert.strictEqual(m.config.inputSize, undefined);
    assert.strictEqual(m.config.hiddenSize, undefined);
    assert.strictEqual(m.config.nonlinearity, 'relu');
    const n = notes(m);
    assert.ok(n.includes('hidden_size: could not read `hs` (it is assigned from a function call)'), n.join('\n'));
    assert.ok(n.includes('input_size: could not read `INPUT_SIZE` (it is imported from `config.INPUT_SIZE`)'), n.join('\n'));
    assert.ok(n.includes('num_layers: could not read `layers` (it is never assigned in this file)'), n.join('\n'));
    // The document leaves the unknown sizes out, so the document reader points at them.
    const doc = toRnnDocumentObject(m) as { model: Record<string, unknown> };
    assert.strictEqual('hidden_size' in doc.model, false);
    assert.strictEqual(snippetReport(m).report, undefined);
  });

  it('hostile text: strings, docstrings and comments do not count; cycles and unclosed calls are survived', () => {
    const text = fixture('hostile.py');
    const r = readSnippet(text);
    assert.deepStrictEqual(r.models.map((m) => m.type), ['RNN', 'LSTM']);
    const [rnn, broken] = r.models;
    assert.deepStrictEqual(rnn.config, { type: 'RNN', ...DEFAULTS, inputSize: 3, hiddenSize: 4 });
    assert.strictEqual(broken.complete, false);
    assert.ok(notes(broken).includes('input_size: could not read `b` (it refers to itself)'));
  });
});

describe('python snippet reader: variants', () => {
  const cases: { name: string; text: string; expect: Partial<SnippetModel['config']>; type?: string }[] = [
    { name: 'import torch.nn as nn, positional', text: 'import torch.nn as nn\nr = nn.RNN(3, 4)\n', expect: { inputSize: 3, hiddenSize: 4 } },
    { name: 'import torch only', text: 'import torch\nr = torch.nn.LSTM(3, 4, 2)\n', expect: { inputSize: 3, hiddenSize: 4, numLayers: 2 }, type: 'LSTM' },
    { name: 'import torch as th', text: 'import torch as th\nr = th.nn.GRU(3, 4)\n', expect: { inputSize: 3, hiddenSize: 4 }, type: 'GRU' },
    { name: 'import torch.nn (binds torch)', text: 'import torch.nn\nr = torch.nn.RNN(2, 3)\n', expect: { inputSize: 2, hiddenSize: 3 } },
    { name: 'from torch.nn import *', text: 'from torch.nn import *\nr = GRU(2, 3, batch_first=True)\n', expect: { batchFirst: true }, type: 'GRU' },
    { name: 'from torch.nn import (RNN as R,)', text: 'from torch.nn import (\n    RNN as R,\n)\nr = R(2, 3)\n', expect: { inputSize: 2 } },
    { name: 'torch.nn.modules.rnn.LSTM', text: 'import torch\nr = torch.nn.modules.rnn.LSTM(2, 3)\n', expect: { inputSize: 2 }, type: 'LSTM' },
    { name: 'nn without import (pasted fragment)', text: 'rnn = nn.RNN(5, 6)', expect: { inputSize: 5, hiddenSize: 6 } },
    { name: 'all keywords, any order', text: 'import torch.nn as nn\nr = nn.RNN(bidirectional=True, dropout=0.5, batch_first=True, bias=False, nonlinearity="relu", num_layers=3, hidden_size=7, input_size=2)', expect: { inputSize: 2, hiddenSize: 7, numLayers: 3, nonlinearity: 'relu', bias: false, batchFirst: true, dropout: 0.5, bidirectional: true } },
    { name: 'RNN 4th positional is bias (PyTorch 1.13 order)', text: 'import torch.nn as nn\nr = nn.RNN(2, 3, 1, False)', expect: { nonlinearity: 'tanh', bias: false } },
    { name: 'LSTM positional proj_size (8th)', text: 'import torch.nn as nn\nr = nn.LSTM(2, 8, 1, True, False, 0.0, False, 3)', expect: { projSize: 3 }, type: 'LSTM' },
    { name: 'backslash continuation and comments', text: 'import torch.nn as nn\nr = nn.GRU(2, \\\n  3,  # hidden\n  num_layers = 2)  # done\n', expect: { hiddenSize: 3, numLayers: 2 }, type: 'GRU' },
    { name: 'arithmetic with parentheses, floor division, unary minus', text: 'import torch.nn as nn\nA = 7\nr = nn.RNN((A + 1) * 2 // 4, -(-A) * 3 - 1)', expect: { inputSize: 4, hiddenSize: 20 } },
    { name: 'Python floor division of negatives', text: 'import torch.nn as nn\nr = nn.RNN(-7 // -2 + 0, 10 - 7 // 2)', expect: { inputSize: 3, hiddenSize: 7 } },
    { name: 'tuple assignment and chained assignment', text: 'import torch.nn as nn\n(a, b), c = (2, 3), 4\nx = y = 5\nr = nn.RNN(a + b, c * y)', expect: { inputSize: 5, hiddenSize: 20 } },
    { name: 'annotated and augmented assignments', text: 'import torch.nn as nn\nH: int = 8\nH += 2\nH *= 3\nr = nn.RNN(2, H)', expect: { hiddenSize: 30 } },
    { name: 'latest binding before the use wins', text: 'import torch.nn as nn\nH = 8\nr = nn.RNN(2, H)\nH = 99\n', expect: { hiddenSize: 8 } },
    { name: 'int() and len() of constants', text: 'import torch.nn as nn\nDIMS = (4, 5, 6)\nr = nn.RNN(len(DIMS), int(12.9))', expect: { inputSize: 3, hiddenSize: 12 } },
    { name: 'batch_first=1 (truthy, as PyTorch treats it)', text: 'import torch.nn as nn\nr = nn.RNN(2, 3, batch_first=1)', expect: { batchFirst: true } },
    { name: '.to(device) chained after the constructor', text: 'import torch.nn as nn\nr = nn.RNN(2, 3).to("cpu")', expect: { inputSize: 2 } },
    { name: 'inline def body and semicolons', text: 'import torch.nn as nn\nH = 3; I = 2\nclass M(nn.Module):\n    def __init__(self, h=H): super().__init__(); self.r = nn.RNN(I, h)\nm = M()\n', expect: { inputSize: 2, hiddenSize: 3 } },
    { name: 'tabs for indentation, class attribute via self', text: 'import torch.nn as nn\nclass M(nn.Module):\n\thidden = 9\n\tdef __init__(self):\n\t\tsuper().__init__()\n\t\tself.r = nn.LSTM(2, self.hidden)\nm = M()\n', expect: { hiddenSize: 9 }, type: 'LSTM' },
    { name: 'a first parameter not named self', text: 'import torch.nn as nn\nclass M(nn.Module):\n    def __init__(me, n):\n        super().__init__()\n        me.n = n * 2\n        me.r = nn.GRU(me.n, me.n)\nm = M(3)\n', expect: { inputSize: 6, hiddenSize: 6 }, type: 'GRU' },
    { name: 'Windows line endings', text: 'import torch.nn as nn\r\nH = 4\r\nr = nn.RNN(2,\r\n  H)\r\n', expect: { hiddenSize: 4 } },
    { name: 'if __name__ block is module level', text: 'import torch.nn as nn\nif __name__ == "__main__":\n    H = 6\n    r = nn.RNN(2, H)\n', expect: { hiddenSize: 6 } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const m = only(c.text);
      assert.strictEqual(m.type, c.type ?? 'RNN');
      for (const [k, v] of Object.entries(c.expect)) assert.deepStrictEqual((m.config as Record<string, unknown>)[k], v, `${k} in ${JSON.stringify(m.config)}\n${notes(m).join('\n')}`);
    });
  }

  it('does not recognise look-alikes: a local class named RNN, keras, strings', () => {
    const r = readSnippet('class RNN:\n    pass\nr = RNN(2, 3)\nimport keras\nk = keras.layers.LSTM(4)\ns = "nn.LSTM(1, 2)"\n');
    assert.deepStrictEqual(r.models, []);
  });

  it('finds several models in one file, in order, each with its own head', () => {
    const r = readSnippet('import torch.nn as nn\na = nn.RNN(2, 3)\nb = nn.LSTM(4, 5, batch_first=True)\nfa = nn.Linear(3, 1)\nfb = nn.Linear(5, 7)\noa, _ = a(x)\nya = fa(oa[-1])\nob, _ = b(z)\nyb = fb(ob[:, -1, :])\n');
    assert.deepStrictEqual(r.models.map((m) => [m.type, m.head?.outFeatures]), [['RNN', 1], ['LSTM', 7]]);
  });

  it('a Linear applied to every time step is not a last-step head, and says so', () => {
    const m = only('import torch.nn as nn\nr = nn.RNN(2, 3)\nfc = nn.Linear(3, 1)\nout, h = r(x)\ny = fc(out)\n');
    assert.strictEqual(m.head, undefined);
    assert.ok(notes(m).includes('`fc` is not applied to the last time step; the view leaves the head out.'));
  });

  it('out[-1] with batch_first=True is the last sample, not the last step: noted', () => {
    const m = only('import torch.nn as nn\nr = nn.RNN(2, 3, batch_first=True)\nfc = nn.Linear(3, 1)\nout, h = r(x)\ny = fc(out[-1])\n');
    assert.strictEqual(m.head?.outFeatures, 1);
    assert.ok(notes(m).some((n) => n.startsWith('The snippet takes out[-1] with batch_first=True')));
  });

  it('a parameter with no call and no default, *args, and a method parameter are explained', () => {
    const a = only('import torch.nn as nn\nclass M(nn.Module):\n    def __init__(self, n):\n        self.r = nn.RNN(n, 4)\n');
    assert.ok(notes(a).includes('input_size: could not read `n` (it is a parameter of `M`, which is never called in this file)'), notes(a).join('\n'));
    const b = only('import torch.nn as nn\nclass M(nn.Module):\n    def __init__(self, *sizes):\n        self.r = nn.RNN(sizes, 4)\nm = M(1, 2)\n');
    assert.ok(notes(b).includes('input_size: could not read `sizes` (it comes through *args or **kwargs of `__init__`)'), notes(b).join('\n'));
    const c = only('import torch.nn as nn\nfor n in range(3):\n    r = nn.RNN(n, 4)\n');
    assert.ok(notes(c).includes('input_size: could not read `n` (it is a loop variable)'));
    const d = only('import torch.nn as nn\nimport os\nr = nn.RNN(int(os.environ["N"]), 4)\n');
    assert.strictEqual(d.config.inputSize, undefined);
    assert.strictEqual(d.complete, false);
  });

  it('PyTorch errors are named: unknown keyword, bad nonlinearity, wrong input width, too many positionals', () => {
    const m = only('import torch\nimport torch.nn as nn\ntorch.manual_seed(0)\nr = nn.RNN(2, 3, hidden=4, nonlinearity="sigmoid")\nx = torch.rand(5, 1, 7)\ny = r(x)\n');
    const n = notes(m);
    assert.ok(n.includes('nn.RNN has no argument `hidden`; PyTorch would raise a TypeError.'), n.join('\n'));
    assert.ok(n.includes('Unknown nonlinearity `sigmoid`; PyTorch would raise a ValueError.'), n.join('\n'));
    assert.ok(n.includes('The input\'s last dimension is 7 but input_size is 2; PyTorch would raise a RuntimeError.'), n.join('\n'));
    const g = only('import torch.nn as nn\nr = nn.GRU(1, 2, 1, True, False, 0.0, False, 0, None, None, 5)');
    assert.ok(notes(g).includes('nn.GRU gets more positional arguments than PyTorch accepts; PyTorch would raise a TypeError.'));
    const p = only('import torch.nn as nn\nr = nn.GRU(1, 2, 1, True, False, 0.0, False, 5)');
    assert.ok(notes(p).includes('proj_size is only supported for LSTM; PyTorch would raise a ValueError.'));
  });

  it('seeds: named constant, after the model, none; and draws between the seed and the input', () => {
    const a = only('import torch\nSEED = 5 * 2\ntorch.manual_seed(SEED)\nr = torch.nn.RNN(2, 3)\nx = torch.rand(4, 1, 2)\nr(x)\n');
    assert.strictEqual(a.seed?.value, 10);
    assert.deepStrictEqual(a.input?.shape, [4, 1, 2]);
    const b = only('import torch\nr = torch.nn.RNN(2, 3)\ntorch.manual_seed(1)\n');
    assert.strictEqual(b.seed, undefined);
    assert.ok(notes(b).some((n) => n.startsWith('torch.manual_seed comes after the model is built')));
    const c = only('import torch\nr = torch.nn.RNN(2, 3)\n');
    assert.ok(notes(c).some((n) => n.startsWith('The snippet sets no seed')));
    const d = only('import torch\ntorch.manual_seed(0)\nr = torch.nn.RNN(2, 3)\nnoise = torch.rand(10)\nx = torch.rand(4, 1, 2)\nr(x)\n');
    assert.deepStrictEqual(d.input?.shape, [4, 1, 2]);
    assert.ok(notes(d).includes('Line 4 draws random numbers between torch.manual_seed and the input; the view\'s numbers will differ from PyTorch\'s.'), notes(d).join('\n'));
    const e = only('import torch\ntorch.manual_seed(0)\nx = torch.rand(4, 1, 2)\nr = torch.nn.RNN(2, 3)\nr(x)\n');
    assert.ok(notes(e).some((n) => n.startsWith('torch.rand is drawn before the model is built')));
  });

  it('rand shapes: tuple, list, size= keyword, names', () => {
    for (const call of ['torch.rand((3, 5, 2))', 'torch.rand([3, 5, 2])', 'torch.rand(size=(3, 5, 2))', 'torch.rand(B, L, 2)', 'torch.rand(*SHAPE)']) {
      const m = only(`import torch\nB, L = 3, 5\nSHAPE = (3, 5, 2)\ntorch.manual_seed(0)\nr = torch.nn.RNN(2, 4)\nx = ${call}\nr(x)\n`);
      if (call.includes('*')) assert.strictEqual(m.input?.shape, undefined, call);
      else assert.deepStrictEqual(m.input?.shape, [3, 5, 2], call);
    }
  });

  it('the Linear head built before the RNN is noted (PyTorch draws its weights first)', () => {
    const m = only('import torch.nn as nn\nclass M(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(3, 1)\n        self.rnn = nn.RNN(2, 3)\n    def forward(self, x):\n        o, _ = self.rnn(x)\n        return self.fc(o[-1])\nm = M()\n');
    assert.ok(notes(m).some((n) => n.startsWith('The Linear head is built before the RNN')), notes(m).join('\n'));
  });

  it('ranges are offsets of the call, across lines', () => {
    const text = 'import torch.nn as nn\nx = 1\nr = nn.LSTM(\n  2,\n  3)\n';
    const m = only(text);
    assert.strictEqual(text.slice(m.span.start, m.span.end), 'nn.LSTM(\n  2,\n  3)');
    assert.strictEqual(m.line, 2);
  });
});
