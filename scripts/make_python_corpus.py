#!/usr/bin/env python3
"""Expected shapes for the Python reader's corpus, recorded by real PyTorch.

Executes every file of test/fixtures/python/corpus (*.py, and *.ipynb code cells top to bottom,
magics and `!` lines blanked) under torch 1.13 with hooks, and records for each recurrent
module (nn.RNN/LSTM/GRU/RNNCell/LSTMCell/GRUCell) what PyTorch built and what it received at
its first call, in the format of `rnn-lens shapes` (/work/shared/docs/python-snippets.md):

  line/cell  the line of the constructor call (innermost frame in the corpus file)
  config     read from the module object (type(module).__name__, input_size, ...)
  input      the shape of the first positional argument at the first call, and the line of that
             call; a PackedSequence is reported as the padded tensor given to
             pack_padded_sequence, with "packed": true
  output     the shape of the output (h' for cells; null for a PackedSequence output),
             h_n, c_n as PyTorch returned them

The corpus is ours, so executing it is fine. What the *text* determines is a human judgement:
a constructor line may carry `# undetermined: type, input_size, input` to say that a value is
chosen at run time (argv, random, a file) and the reader must answer null there. The generator
then writes null for those fields (and for the output shapes when the input is undetermined).

Usage (from the repository root):  /usr/bin/python3 scripts/make_python_corpus.py [NAME ...]
Writes test/golden/python-corpus/<file name>.json.
"""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, 'test', 'fixtures', 'python', 'corpus')
OUT = os.path.join(ROOT, 'test', 'golden', 'python-corpus')
MAGIC = re.compile(r'^\s*[%!]')


def notebook_cells(path):
    nb = json.load(open(path, encoding='utf-8'))
    cells = []
    for i, c in enumerate(nb.get('cells', [])):
        if c.get('cell_type') != 'code':
            continue
        src = c.get('source', '')
        if isinstance(src, list):
            src = ''.join(src)
        lines = src.split('\n')
        lines = ['' if MAGIC.match(l) else l for l in lines]
        cells.append((i, '\n'.join(lines)))
    return cells


def run_file(path):
    import torch
    from torch import nn
    import torch.nn.utils.rnn as rnn_utils

    torch.manual_seed(0)
    base = os.path.basename(path)
    is_nb = path.endswith('.ipynb')
    tags = {}  # filename used in compile -> cell index (or None)

    def where():
        f = sys._getframe(1)
        while f is not None:
            if f.f_code.co_filename in tags:
                return tags[f.f_code.co_filename], f.f_lineno
            f = f.f_back
        return None, None

    records = []
    by_module = {}
    kinds = (nn.RNN, nn.LSTM, nn.GRU, nn.RNNCell, nn.LSTMCell, nn.GRUCell)
    originals = {}

    def patch(cls):
        orig = cls.__init__
        originals[cls] = orig

        def init(self, *a, **k):
            orig(self, *a, **k)
            if id(self) not in by_module:
                cell, line = where()
                rec = {'module': self, 'cell': cell, 'line': line}
                by_module[id(self)] = rec
                records.append(rec)
        cls.__init__ = init

    for cls in kinds:
        patch(cls)

    packed_from = {}
    orig_pack = rnn_utils.pack_padded_sequence

    def pack_padded_sequence(input, *a, **k):
        out = orig_pack(input, *a, **k)
        packed_from[id(out)] = list(input.shape)
        return out
    rnn_utils.pack_padded_sequence = pack_padded_sequence
    torch.nn.utils.rnn.pack_padded_sequence = pack_padded_sequence

    def pre(module, inputs):
        rec = by_module.get(id(module))
        if rec is None or 'input' in rec:
            return
        cell, line = where()
        x = inputs[0] if inputs else None
        if isinstance(x, rnn_utils.PackedSequence):
            rec['input'] = {'shape': packed_from.get(id(x)), 'line': line, 'packed': True}
            if is_nb: rec['input'] = {'shape': rec['input']['shape'], 'line': line, 'cell': cell, 'packed': True}
        elif torch.is_tensor(x):
            rec['input'] = {'shape': list(x.shape), 'line': line}
            if is_nb: rec['input']['cell'] = cell
        else:
            rec['input'] = None
        rec['input_cell'] = cell

    def post(module, inputs, output):
        rec = by_module.get(id(module))
        if rec is None or 'output' in rec:
            return
        if isinstance(module, (nn.RNNCell, nn.GRUCell)):
            rec['output'], rec['h_n'], rec['c_n'] = list(output.shape), None, None
        elif isinstance(module, nn.LSTMCell):
            rec['output'], rec['h_n'], rec['c_n'] = list(output[0].shape), None, list(output[1].shape)
        else:
            out, h = output
            rec['output'] = None if isinstance(out, rnn_utils.PackedSequence) else list(out.shape)
            if isinstance(h, tuple):
                rec['h_n'], rec['c_n'] = list(h[0].shape), list(h[1].shape)
            else:
                rec['h_n'], rec['c_n'] = list(h.shape), None

    h1 = nn.modules.module.register_module_forward_pre_hook(pre)
    h2 = nn.modules.module.register_module_forward_hook(post)
    import contextlib
    import io
    g = {'__name__': '__main__', '__file__': path}
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            if is_nb:
                for idx, src in notebook_cells(path):
                    name = f'{base}#cell{idx}'
                    tags[name] = idx
                    exec(compile(src, name, 'exec'), g)
            else:
                tags[path] = None
                exec(compile(open(path, encoding='utf-8').read(), path, 'exec'), g)
    finally:
        h1.remove()
        h2.remove()
        for cls, orig in originals.items():
            cls.__init__ = orig
        rnn_utils.pack_padded_sequence = orig_pack
        torch.nn.utils.rnn.pack_padded_sequence = orig_pack

    sources = {}
    if is_nb:
        for idx, src in notebook_cells(path):
            sources[idx] = src.split('\n')
    else:
        sources[None] = open(path, encoding='utf-8').read().split('\n')

    models = []
    seen = set()
    for rec in records:
        m = rec['module']
        if rec['line'] is None:
            continue  # built outside the file (not expected)
        if (rec['cell'], rec['line']) in seen:
            continue  # the same constructor line building another module (a comprehension): the first one counts
        seen.add((rec['cell'], rec['line']))
        t = type(m).__name__
        is_cell = isinstance(m, (nn.RNNCell, nn.LSTMCell, nn.GRUCell))
        e = {'line': rec['line']}
        if is_nb:
            e['cell'] = rec['cell']
        e['type'] = t
        e['input_size'] = m.input_size
        e['hidden_size'] = m.hidden_size
        e['num_layers'] = None if is_cell else m.num_layers
        e['bidirectional'] = None if is_cell else m.bidirectional
        e['batch_first'] = None if is_cell else m.batch_first
        e['proj_size'] = None if is_cell else m.proj_size
        e['bias'] = m.bias
        e['nonlinearity'] = m.nonlinearity if t in ('RNN', 'RNNCell') else None
        e['unresolved'] = []
        inp = rec.get('input')
        e['input'] = inp
        e['output'] = rec.get('output')
        e['h_n'] = rec.get('h_n')
        e['c_n'] = rec.get('c_n')
        line_text = sources[rec['cell']][rec['line'] - 1]
        mm = re.search(r'#\s*undetermined:\s*([\w, ]+)', line_text)
        if mm:
            for field in [f.strip() for f in mm.group(1).split(',') if f.strip()]:
                if field == 'input':
                    e['input'] = None
                    e['output'] = e['h_n'] = e['c_n'] = None
                elif field in ('output', 'h_n', 'c_n'):
                    e[field] = None
                else:
                    e[field] = None
                    e['unresolved'].append(field)
                    if field in ('type', 'input_size', 'hidden_size', 'num_layers', 'bidirectional', 'proj_size'):
                        e['output'] = e['h_n'] = e['c_n'] = None
        models.append(e)
    models.sort(key=lambda e: ((e.get('cell') or 0), e['line']))
    return {'file': os.path.relpath(path, ROOT), 'models': models}


def main():
    names = sys.argv[1:]
    os.makedirs(OUT, exist_ok=True)
    files = sorted(f for f in os.listdir(CORPUS) if f.endswith('.py') or f.endswith('.ipynb'))
    if names:
        files = [f for f in files if f in names or os.path.splitext(f)[0] in names]
    for f in files:
        res = run_file(os.path.join(CORPUS, f))
        with open(os.path.join(OUT, f + '.json'), 'w', encoding='utf-8') as fh:
            json.dump(res, fh, indent=1, ensure_ascii=False)
            fh.write('\n')
        print(f'{f}: {len(res["models"])} modules')


if __name__ == '__main__':
    main()
