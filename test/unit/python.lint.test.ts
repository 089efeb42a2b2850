/*
 * The Python lint (src/python/lint.ts, rules under src/python/rules): each rule on a wrong and a
 * right snippet (code, place, PyTorch's words), the quick fixes applied, notebooks read across
 * cells, `rnn-lens lint` output and exit codes, Japanese for every message, and the corpus
 * score: precision >= 95%, recall >= 80%, no finding at all on correct files.
 * Layer: test (Node).
 */
import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { formatMsg } from '../../src/python/messages';
import { lineCol, lintCells, lintPython, readIpynb, LINT_CODES, type LintFinding } from '../../src/python/lint';
import { scoreCorpus } from '../../src/python/rules/corpusScore';
import { lintCommand } from '../../src/cliLint';

const root = path.resolve(__dirname, '../../..');
const corpusDir = path.join(root, 'test/fixtures/python/lint');

const HEAD = 'import torch\nimport torch.nn as nn\n';

function lint(body: string): { findings: LintFinding[]; text: string } {
  const text = HEAD + body;
  return { findings: lintPython(text), text };
}

/** The one finding of a snippet: its code, 1-based line, the text it covers, its English message. */
function one(body: string) {
  const { findings, text } = lint(body);
  assert.equal(findings.length, 1, `expected one finding, got ${findings.map((f) => f.code).join(', ') || 'none'}`);
  const f = findings[0];
  return { code: f.code, line: lineCol(text, f.start).line - 2, covers: text.slice(f.start, f.end), message: formatMsg(f.message), finding: f, text };
}

function none(body: string) {
  const { findings } = lint(body);
  assert.deepEqual(findings.map((f) => `${f.code}: ${formatMsg(f.message)}`), []);
}

function applyFix(text: string, f: LintFinding, i = 0): string {
  const edits = [...f.fixes![i].edits].sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of edits) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

describe('Python lint: rules', () => {
  describe('input-size-mismatch', () => {
    it('at the call, with PyTorch\'s message', () => {
      const r = one('rnn = nn.RNN(10, 20)\nx = torch.rand(5, 3, 7)\nout, h = rnn(x)\n');
      assert.equal(r.code, 'input-size-mismatch');
      assert.equal(r.line, 3);
      assert.equal(r.covers, 'rnn(x)');
      assert.match(r.message, /input\.size\(-1\) must be equal to input_size\. Expected 10, got 7/);
    });
    it('through the model\'s forward', () => {
      const r = one('class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.gru = nn.GRU(8, 4, batch_first=True)\n    def forward(self, x):\n        out, _ = self.gru(x)\n        return out\nm = M()\nm(torch.randn(2, 3, 5))\n');
      assert.equal(r.covers, 'self.gru(x)');
    });
    it('silent when the input is read from data or rebuilt', () => {
      none('rnn = nn.RNN(10, 20)\nx = torch.rand(5, 3, 10)\nout, h = rnn(x)\n');
      none('rnn = nn.RNN(10, 20)\nx = load()\nout, h = rnn(x)\n');
      none('rnn = nn.RNN(10, 20)\nx = torch.rand(5, 3, 7)\nif cond:\n    x = torch.rand(5, 3, 10)\nout, h = rnn(x)\n');
      none('rnn = nn.RNN(10, 20)\nfor x in [torch.rand(5, 3, 7)]:\n    pass\nx = embed(x)\nout, h = rnn(x)\n');
    });
  });

  describe('hidden-shape-mismatch', () => {
    it('bidirectional LSTM with a one-direction h0: hidden[0]', () => {
      const r = one('lstm = nn.LSTM(10, 20, bidirectional=True)\nh0 = torch.zeros(1, 3, 20)\nc0 = torch.zeros(1, 3, 20)\nout, _ = lstm(torch.rand(5, 3, 10), (h0, c0))\n');
      assert.equal(r.code, 'hidden-shape-mismatch');
      assert.match(r.message, /Expected hidden\[0\] size \(2, 3, 20\), got \[1, 3, 20\]/);
    });
    it('batch_first does not apply to h0', () => {
      const r = one('rnn = nn.RNN(10, 20, batch_first=True)\nout, h = rnn(torch.rand(3, 5, 10), torch.zeros(3, 1, 20))\n');
      assert.match(r.message, /Expected hidden size \(1, 3, 20\), got \[3, 1, 20\]/);
    });
    it('a 2-D state for 3-D input', () => {
      const r = one('gru = nn.GRU(6, 9)\nout, h = gru(torch.randn(7, 4, 6), torch.zeros(4, 9))\n');
      assert.match(r.message, /For batched 3-D input, hx should also be 3-D but got 2-D tensor/);
    });
    it('c0 keeps hidden_size with proj_size; silent when right', () => {
      none('lstm = nn.LSTM(10, 20, proj_size=5)\nout, (h, c) = lstm(torch.randn(7, 3, 10), (torch.zeros(1, 3, 5), torch.zeros(1, 3, 20)))\n');
      none('lstm = nn.LSTM(10, 20, num_layers=2, bidirectional=True, batch_first=True)\nout, _ = lstm(torch.rand(3, 5, 10), (torch.zeros(4, 3, 20), torch.zeros(4, 3, 20)))\n');
      none('gru = nn.GRU(10, 20)\nout, h = gru(torch.randn(7, 10), torch.zeros(1, 20))\n');
    });
  });

  describe('bidirectional-last-step', () => {
    const model = 'class C(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.lstm = nn.LSTM(8, 16, batch_first=True, bidirectional=True)\n        self.fc = nn.Linear(32, 2)\n    def forward(self, x):\n        out, (h_n, c_n) = self.lstm(x)\n';
    it('out[:, -1, :] of a batch_first BiLSTM, with the torch.cat quick fix', () => {
      const r = one(model + '        return self.fc(out[:, -1, :])\n');
      assert.equal(r.code, 'bidirectional-last-step');
      assert.equal(r.covers, 'out[:, -1, :]');
      assert.match(r.message, /reverse half has read only the last token/);
      assert.equal(r.finding.fixes?.length, 1);
      const fixed = applyFix(r.text, r.finding);
      assert.match(fixed, /return self\.fc\(torch\.cat\(\(h_n\[-2\], h_n\[-1\]\), dim=1\)\)/);
      assert.deepEqual(lintPython(fixed), []);
    });
    it('out[-1] of a seq-first bidirectional GRU', () => {
      const r = one('gru = nn.GRU(4, 8, bidirectional=True)\nout, h = gru(torch.randn(5, 2, 4))\nlast = out[-1]\n');
      assert.equal(r.code, 'bidirectional-last-step');
      assert.match(formatMsg(r.finding.fixes![0].title), /torch\.cat\(\(h\[-2\], h\[-1\]\), dim=1\)/);
    });
    it('through element-wise steps (out = self.drop(F.relu(out))): reported, but no quick fix (it would drop them)', () => {
      const r = one(model.replace('        self.fc = nn.Linear(32, 2)\n', '        self.fc = nn.Linear(32, 2)\n        self.drop = nn.Dropout(0.2)\n') + '        out = self.drop(torch.relu(out))\n        return self.fc(out[:, -1, :])\n');
      assert.equal(r.code, 'bidirectional-last-step');
      assert.equal(r.finding.fixes, undefined);
      none(model + '        out = self.attn(out)\n        return self.fc(out[:, -1, :])\n');
    });
    it('no quick fix when h_n is not bound', () => {
      const r = one('gru = nn.GRU(4, 8, bidirectional=True, batch_first=True)\nout, _ = gru(torch.randn(5, 2, 4))\nlast = out[:, -1]\n');
      assert.equal(r.finding.fixes, undefined);
    });
    it('silent: halves taken right, mean pooling, unidirectional, printed, unknown direction', () => {
      none(model + '        return self.fc(torch.cat((out[:, -1, :16], out[:, 0, 16:]), dim=1))\n');
      none(model + '        return self.fc(out.mean(1))\n');
      none('gru = nn.GRU(4, 8, batch_first=True)\nout, h = gru(torch.randn(5, 2, 4))\nlast = out[:, -1]\n');
      none('gru = nn.GRU(4, 8, bidirectional=True, batch_first=True)\nout, h = gru(torch.randn(5, 2, 4))\nprint(out[:, -1])\n');
      none('def build(bi):\n    return nn.GRU(4, 8, bidirectional=bi, batch_first=True)\ngru = build(True)\ngru2 = build(False)\n');
      none('class C(nn.Module):\n    def __init__(self, bi):\n        super().__init__()\n        self.rnn = nn.GRU(4, 8, batch_first=True, bidirectional=bi)\n    def forward(self, x):\n        out, _ = self.rnn(x)\n        return out[:, -1]\n');
    });
  });

  describe('last-step-wrong-axis', () => {
    it('out[:, -1] on a seq-first output', () => {
      const r = one('rnn = nn.RNN(10, 20)\nout, h = rnn(torch.randn(6, 3, 10))\ny = out[:, -1]\n');
      assert.equal(r.code, 'last-step-wrong-axis');
      assert.equal(r.covers, 'out[:, -1]');
      assert.match(r.message, /Write out\[-1\]/);
    });
    it('out[-1] on a batch_first output', () => {
      const r = one('rnn = nn.LSTM(10, 20, batch_first=True)\nout, (h, c) = rnn(torch.randn(6, 3, 10))\ny = out[-1]\n');
      assert.equal(r.code, 'last-step-wrong-axis');
      assert.match(r.message, /Write out\[:, -1\]/);
    });
    it('silent for unbatched input, after a permute, and when batch_first is unknown', () => {
      none('rnn = nn.RNN(10, 20, batch_first=True)\nout, h = rnn(torch.randn(5, 10))\ny = out[-1]\n');
      none('rnn = nn.RNN(10, 20)\nout, h = rnn(torch.randn(6, 3, 10))\nout = out.permute(1, 0, 2)\ny = out[:, -1]\n');
      none('import config\nrnn = nn.RNN(10, 20, batch_first=config.BF)\nout, h = rnn(torch.randn(6, 3, 10))\ny = out[:, -1]\n');
    });
  });

  describe('h-n-view-mixes-batch', () => {
    it('h_n.view(x.size(0), -1) of a bidirectional GRU', () => {
      const r = one('gru = nn.GRU(4, 8, bidirectional=True, batch_first=True)\nx = torch.randn(3, 5, 4)\n_, h_n = gru(x)\nf = h_n.view(x.size(0), -1)\n');
      assert.equal(r.code, 'h-n-view-mixes-batch');
      assert.equal(r.covers, 'h_n.view(x.size(0), -1)');
      assert.match(r.message, /permute\(1, 0, 2\)\.reshape\(x\.size\(0\), -1\)/);
    });
    it('reshape(batch_size, -1) with two layers', () => {
      assert.equal(one('lstm = nn.LSTM(4, 8, num_layers=2)\nout, (h, c) = lstm(torch.randn(5, 3, 4))\nf = h.reshape(batch_size, -1)\n').code, 'h-n-view-mixes-batch');
    });
    it('silent: one layer one direction, permuted first, split by the docs\' view', () => {
      none('gru = nn.GRU(4, 8)\n_, h = gru(torch.randn(5, 3, 4))\nf = h.view(batch_size, -1)\n');
      none('gru = nn.GRU(4, 8, bidirectional=True)\n_, h = gru(torch.randn(5, 3, 4))\nf = h.permute(1, 0, 2).reshape(batch_size, -1)\n');
      none('gru = nn.GRU(4, 8, num_layers=2, bidirectional=True)\n_, h = gru(torch.randn(5, 3, 4))\nf = h.view(2, 2, 3, 8)\n');
    });
  });

  describe('dropout-single-layer', () => {
    it('at the constructor\'s first line, with PyTorch\'s warning and two quick fixes', () => {
      const r = one('lstm = nn.LSTM(\n    10, 20,\n    dropout=0.5,\n)\n');
      assert.equal(r.code, 'dropout-single-layer');
      assert.equal(r.line, 1);
      assert.match(r.message, /non-zero dropout expects num_layers greater than 1, but got dropout=0.5 and num_layers=1/);
      assert.equal(r.finding.fixes?.length, 2);
      const raised = applyFix(r.text, r.finding, 0);
      assert.match(raised, /dropout=0\.5, num_layers=2,\n\)/);
      assert.deepEqual(lintPython(raised), []);
      const dropped = applyFix(r.text, r.finding, 1);
      assert.doesNotMatch(dropped, /dropout/);
      assert.deepEqual(lintPython(dropped), []);
    });
    it('a literal num_layers=1 is raised in place', () => {
      const r = one('gru = nn.GRU(10, 20, num_layers=1, dropout=0.2, batch_first=True)\n');
      assert.match(applyFix(r.text, r.finding, 0), /nn\.GRU\(10, 20, num_layers=2, dropout=0\.2, batch_first=True\)/);
      assert.match(applyFix(r.text, r.finding, 1), /nn\.GRU\(10, 20, num_layers=1, batch_first=True\)/);
    });
    it('silent with two layers, without dropout, and when the values come from an unknown caller', () => {
      none('lstm = nn.LSTM(10, 20, 2, dropout=0.5)\n');
      none('lstm = nn.LSTM(10, 20, dropout=0.0)\n');
      none('class M(nn.Module):\n    def __init__(self, layers=1, p=0.3):\n        super().__init__()\n        self.rnn = nn.LSTM(4, 8, num_layers=layers, dropout=p)\n');
    });
  });

  describe('rnn-output-tuple', () => {
    it('nn.Sequential(nn.LSTM, nn.Linear): at the LSTM', () => {
      const r = one('model = nn.Sequential(nn.LSTM(10, 20, batch_first=True), nn.Linear(20, 2))\n');
      assert.equal(r.code, 'rnn-output-tuple');
      assert.match(r.covers, /^nn\.LSTM\(10, 20, batch_first=True\)/);
      assert.match(r.message, /linear\(\): argument 'input' \(position 1\) must be Tensor, not tuple/);
    });
    it('self.fc(self.rnn(x)) and the next use of x = self.gru(x)', () => {
      const cls = 'class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.gru = nn.GRU(4, 8, batch_first=True)\n        self.fc = nn.Linear(8, 2)\n    def forward(self, x):\n';
      assert.equal(one(cls + '        return self.fc(self.gru(x))\n').covers, 'self.gru(x)');
      const r = one(cls + '        x = self.gru(x)\n        return self.fc(x[:, -1])\n');
      assert.equal(r.covers, 'x[:, -1]');
      assert.match(r.message, /tuple indices must be integers or slices, not tuple/);
      assert.match(one(cls + '        x = self.gru(x)\n        x = x.view(-1, 8)\n        return x\n').message, /'tuple' object has no attribute 'view'/);
    });
    it('silent: unpacked, indexed by 0, a custom selector in Sequential, last in Sequential, returned', () => {
      const cls = 'class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.gru = nn.GRU(4, 8, batch_first=True)\n        self.fc = nn.Linear(8, 2)\n    def forward(self, x):\n';
      none(cls + '        x = self.gru(x)[0]\n        return self.fc(x[:, -1])\n');
      none(cls + '        x = self.gru(x)\n        return self.fc(x[0][:, -1])\n');
      none(cls + '        return self.gru(x)\n');
      none(cls + '        return self.pick(self.gru(x))\n');
      none('model = nn.Sequential(nn.LSTM(10, 20), Select(0), nn.Linear(20, 2))\n');
      none('model = nn.Sequential(nn.Dropout(0.1), nn.LSTM(10, 20))\n');
    });
  });

  describe('packed-last-step', () => {
    const pre = 'from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence\ngru = nn.GRU(4, 8, batch_first=True)\n';
    it('out[:, -1] after pad_packed_sequence with lengths [5, 3, 2]', () => {
      const r = one(pre + 'packed = pack_padded_sequence(torch.randn(3, 5, 4), [5, 3, 2], batch_first=True)\npo, h = gru(packed)\nout, lens = pad_packed_sequence(po, batch_first=True)\nlast = out[:, -1]\n');
      assert.equal(r.code, 'packed-last-step');
      assert.equal(r.covers, 'out[:, -1]');
      assert.match(r.message, /lengths 5, 3, 2/);
    });
    it('silent when the lengths are equal or read from data', () => {
      none(pre + 'packed = pack_padded_sequence(torch.randn(3, 5, 4), [5, 5, 5], batch_first=True)\npo, h = gru(packed)\nout, lens = pad_packed_sequence(po, batch_first=True)\nlast = out[:, -1]\n');
      none(pre + 'packed = pack_padded_sequence(x, lengths, batch_first=True)\npo, h = gru(packed)\nout, lens = pad_packed_sequence(po, batch_first=True)\nlast = out[:, -1]\n');
    });
  });

  describe('hidden-not-detached', () => {
    const pre = 'rnn = nn.GRU(3, 6)\nopt = torch.optim.SGD(rnn.parameters(), lr=0.1)\nh = torch.zeros(1, 2, 6)\n';
    it('at the call that feeds the carried state back in', () => {
      const r = one(pre + 'for x in batches:\n    out, h = rnn(x, h)\n    loss = out.sum()\n    opt.zero_grad()\n    loss.backward()\n    opt.step()\n');
      assert.equal(r.code, 'hidden-not-detached');
      assert.equal(r.covers, 'rnn(x, h)');
      assert.match(r.message, /Trying to backward through the graph a second time/);
      assert.match(r.message, /h = h\.detach\(\)/);
    });
    it('silent: detached, reset each iteration, no backward in the loop, under no_grad, repackaged', () => {
      none(pre + 'for x in batches:\n    h = h.detach()\n    out, h = rnn(x, h)\n    out.sum().backward()\n');
      none(pre + 'for x in batches:\n    h = torch.zeros(1, 2, 6)\n    out, h = rnn(x, h)\n    out.sum().backward()\n');
      none(pre + 'loss = 0\nfor x in steps:\n    out, h = rnn(x, h)\n    loss = loss + out.sum()\nloss.backward()\n');
      none(pre + 'with torch.no_grad():\n    for x in batches:\n        out, h = rnn(x, h)\n');
      none(pre + 'for x in batches:\n    h = repackage_hidden(h)\n    out, h = rnn(x, h)\n    out.sum().backward()\n');
      none(pre + 'for x in batches:\n    out, h = rnn(x, h)\n    out.sum().backward()\n    h.detach_()\n');
    });
  });

  describe('cell-fed-sequence', () => {
    it('an LSTMCell called on a 3-D tensor', () => {
      const r = one('cell = nn.LSTMCell(10, 20)\nh, c = cell(torch.randn(5, 3, 10))\n');
      assert.equal(r.code, 'cell-fed-sequence');
      assert.match(r.message, /LSTMCell: Expected input to be 1-D or 2-D but received 3-D tensor/);
    });
    it('silent on one step at a time', () => {
      none('cell = nn.GRUCell(10, 20)\nx = torch.randn(5, 3, 10)\nh = torch.zeros(3, 20)\nfor t in range(5):\n    h = cell(x[t], h)\n');
    });
  });

  it('a rule can be turned off', () => {
    const text = HEAD + 'lstm = nn.LSTM(10, 20, dropout=0.5)\n';
    assert.equal(lintPython(text).length, 1);
    assert.equal(lintPython(text, { disabled: ['dropout-single-layer'] }).length, 0);
  });

  it('never throws on hostile text', () => {
    for (const t of ['(' .repeat(5000), 'nn.LSTM(' + 'x,'.repeat(10000), '\x00\uffff', 'for x in y:\n' + '    '.repeat(300) + 'a = rnn(x, h)\n', HEAD + 'rnn = nn.RNN(10, 20)\nout, h = rnn(torch.rand(' + '9,'.repeat(500) + '))\n']) {
      assert.ok(Array.isArray(lintPython(t)));
    }
  });
});

describe('Python lint: notebooks', () => {
  it('cells read top to bottom; findings in the cell they fall in, with cell-relative offsets and fixes', () => {
    const cells = [
      { index: 0, source: '%matplotlib inline\nimport torch\nimport torch.nn as nn' },
      { index: 2, source: 'gru = nn.GRU(4, 8, bidirectional=True, batch_first=True)' },
      { index: 3, source: 'out, h_n = gru(torch.randn(2, 5, 4))\nlast = out[:, -1]' },
    ];
    const found = lintCells(cells);
    assert.equal(found.length, 1);
    assert.equal(found[0].cell, 3);
    const f = found[0].finding;
    assert.equal(cells[2].source.slice(f.start, f.end), 'out[:, -1]');
    const e = f.fixes![0].edits[0];
    assert.equal(cells[2].source.slice(0, e.start) + e.newText + cells[2].source.slice(e.end), 'out, h_n = gru(torch.randn(2, 5, 4))\nlast = torch.cat((h_n[-2], h_n[-1]), dim=1)');
  });
  it('reads .ipynb JSON (source as list or string) and refuses what is not a notebook', () => {
    const nb = readIpynb(JSON.stringify({ cells: [{ cell_type: 'markdown', source: '# t' }, { cell_type: 'code', source: ['a = 1\n', 'b = 2'] }, { cell_type: 'code', source: 'c = 3' }] }));
    assert.ok(!('error' in nb));
    if (!('error' in nb)) assert.deepEqual(nb.cells.map((c) => [c.index, c.code, c.source]), [[0, false, '# t'], [1, true, 'a = 1\nb = 2'], [2, true, 'c = 3']]);
    assert.ok('error' in readIpynb('{"cells": 3}'));
    assert.ok('error' in readIpynb('not json'));
  });
});

describe('rnn-lens lint', () => {
  function run(file: string, files: Record<string, string>) {
    let stdout = '';
    let stderr = '';
    const code = lintCommand(file, {
      stdout: (s) => (stdout += s),
      stderr: (s) => (stderr += s),
      readStdin: () => files['-'] ?? '',
      readFile: (p) => {
        if (!(p in files)) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
        return files[p];
      },
    });
    return { code, stdout, stderr };
  }
  it('FILE:LINE:COL: warning: MESSAGE [rnn-lens/CODE], exit 1', () => {
    const r = run('a.py', { 'a.py': HEAD + 'rnn = nn.RNN(10, 20)\nout, h = rnn(torch.rand(5, 3, 7))\n' });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, 'a.py:4:10: warning: rnn gets an input of shape (5, 3, 7) but its input_size is 10 (PyTorch: "input.size(-1) must be equal to input_size. Expected 10, got 7"). Make the input\'s last axis 10, or build the module with input_size=7. [rnn-lens/input-size-mismatch]\n');
  });
  it('exit 0 on correct code, 2 on a missing file or a broken notebook', () => {
    assert.deepEqual(run('ok.py', { 'ok.py': HEAD + 'rnn = nn.RNN(10, 20)\n' }), { code: 0, stdout: '', stderr: '' });
    assert.equal(run('missing.py', {}).code, 2);
    assert.equal(run('bad.ipynb', { 'bad.ipynb': '{' }).code, 2);
  });
  it('notebooks: FILE#cellK:LINE:COL with K the cell\'s index among all cells', () => {
    const text = readFileSync(path.join(corpusDir, 'w_notebook_dropout.ipynb'), 'utf8');
    const r = run('nb.ipynb', { 'nb.ipynb': text });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^nb\.ipynb#cell1:2:11: warning: dropout=0\.4 does nothing here: .* \[rnn-lens\/dropout-single-layer\]\n$/);
  });
});

describe('Python lint: messages', () => {
  const ja: Record<string, string> = JSON.parse(readFileSync(path.join(root, 'l10n/bundle.l10n.ja.json'), 'utf8'));
  const dir = path.join(root, 'src/python/rules');
  const templates: string[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
    const src = readFileSync(path.join(dir, f), 'utf8');
    for (const m of src.matchAll(/\bmsg\(\s*('(?:[^'\\\n]|\\.)*')/g)) templates.push(new Function(`return ${m[1]};`)() as string);
  }
  it('every template of the rules has Japanese with the same placeholders and PyTorch\'s quoted words verbatim', () => {
    assert.ok(templates.length >= 20, `found ${templates.length}`);
    const problems: string[] = [];
    for (const t of templates) {
      const j = ja[t];
      const ph = (s: string) => [...new Set(s.match(/\{\d+\}/g) ?? [])].sort().join();
      if (!j) problems.push(`missing: ${t}`);
      else if (ph(j) !== ph(t)) problems.push(`placeholders: ${t}`);
      else if (!/[\u3040-\u30ff\u4e00-\u9fff]/.test(j)) problems.push(`not Japanese: ${j}`);
      else for (const quoted of t.match(/"[^"]*"/g) ?? []) if (!j.includes(quoted)) problems.push(`PyTorch's words changed: ${quoted} in ${j}`);
    }
    assert.deepEqual(problems, []);
  });
  it('every code of the spec has a rule', () => {
    assert.deepEqual([...LINT_CODES].sort(), ['bidirectional-last-step', 'cell-fed-sequence', 'dropout-single-layer', 'h-n-view-mixes-batch', 'hidden-not-detached', 'hidden-shape-mismatch', 'input-size-mismatch', 'last-step-wrong-axis', 'packed-last-step', 'rnn-output-tuple']);
  });
});

describe('Python lint: corpus (test/fixtures/python/lint, verified with torch by scripts/verify_lint_corpus.py)', () => {
  const files = readdirSync(corpusDir).filter((f) => /\.(py|ipynb)$/.test(f)).sort().map((name) => ({ name, text: readFileSync(path.join(corpusDir, name), 'utf8') }));
  const score = scoreCorpus(files);
  it('has 50+ files, at least half of them correct code, covering every code', () => {
    assert.ok(files.length >= 50, `${files.length}`);
    assert.ok(score.correctFiles * 2 >= files.length);
    const text = files.map((f) => f.text).join('\n');
    for (const c of LINT_CODES) assert.match(text, new RegExp(`expect: ${c}\\b`), c);
  });
  it('no finding at all on correct files', () => {
    assert.deepEqual(score.falseAlarmsOnCorrectFiles, []);
  });
  it(`precision >= 95% and recall >= 80%`, () => {
    assert.ok(score.precision >= 0.95, `precision ${score.precision}: ${score.wrong.join('; ')}`);
    assert.ok(score.recall >= 0.8, `recall ${score.recall}: ${score.missed.join('; ')}`);
  });
});
