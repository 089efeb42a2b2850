#!/usr/bin/python3
"""Golden cases for cell documents (nn.RNNCell / nn.LSTMCell / nn.GRUCell), computed by real PyTorch.

Run from the repository root with Debian's PyTorch (1.13, CPU):

    /usr/bin/python3 scripts/make_cell_golden.py            # writes test/golden/cells/*.json
    /usr/bin/python3 scripts/make_cell_golden.py --check    # only reports differences

Each file is a cell document (README "Cells") plus what PyTorch computed for it:

  expected     forward, in float64 from the same float32 weights, input and hx (as test/golden/):
               one call:  {"h": h', "c": c'}                         (cell(x, hx))
               a loop:    {"output": torch.stack(hs), "h": last h, "c": last c}
                          for t in range(L): h = cell(x[t], h)  /  h, c = cell(x[t], (h, c))
               seeded cases also hold "state_dict" and "input": the float32 values that
               torch.manual_seed(seed); cell = nn.XCell(...); x = torch.rand(...) produced,
               compared bit for bit.
  backward     upstream gradients and, in "expected", the gradients of
               loss = sum(output * grad_output) + sum(h * grad_h) [+ sum(c * grad_c)]
               with respect to the input, h0 (c0) and every parameter (cell names).
  snippets/    PyTorch snippets with a loop over time calling a cell (NAME.py) and what PyTorch
               computes running them (NAME.json: the last h and c, the stack of h, float32).
Everything is deterministic: running it twice gives the same files.
"""
import json
import os
import sys

import torch
import torch.nn as nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECK = '--check' in sys.argv
OUT = 'test/golden/cells'
torch.set_num_threads(1)
CELLS = {'RNNCell': nn.RNNCell, 'LSTMCell': nn.LSTMCell, 'GRUCell': nn.GRUCell}


def write(rel, obj):
    path = os.path.join(ROOT, rel)
    text = json.dumps(obj, separators=(',', ':')) + '\n'
    if len(text) > 60_000:
        raise SystemExit(f'{rel} is {len(text)} bytes, over the 60 KB budget')
    old = open(path).read() if os.path.exists(path) else None
    if CHECK:
        print(('same     ' if old == text else 'DIFFERS  ') + rel)
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)
    print(f'wrote {rel} ({len(text)} bytes)')


def values(t):
    return t.detach().double().tolist()


def run_cell(cell, x, h0, c0, loop, lstm):
    """The user's code: one call, or the loop over time collecting every h."""
    hx = None if h0 is None else ((h0, c0) if lstm else h0)
    if lstm and h0 is not None and c0 is None:
        hx = (h0, torch.zeros_like(h0))
    if lstm and h0 is None and c0 is not None:
        hx = (torch.zeros_like(c0), c0)
    if not loop:
        r = cell(x, hx)
        return (None, r[0], r[1]) if lstm else (None, r, None)
    hs = []
    for t in range(x.size(0)):
        hx = cell(x[t], hx)
        hs.append(hx[0] if lstm else hx)
    h, c = (hx[0], hx[1]) if lstm else (hx, None)
    return torch.stack(hs), h, c


def case(name, kind, input_size, hidden_size, shape, loop, bias=True, nonlinearity='tanh', seed=None,
         hx=False, cx=False, rand_input=False, backward=True, data_seed=1000):
    """One golden file. shape: the input as the user's code holds it (one step, or the loop's sequence)."""
    lstm = kind == 'LSTMCell'
    kw = {'bias': bias}
    if kind == 'RNNCell':
        kw['nonlinearity'] = nonlinearity
    model = {'type': kind, 'input_size': input_size, 'hidden_size': hidden_size}
    if not bias:
        model['bias'] = False
    if kind == 'RNNCell' and nonlinearity != 'tanh':
        model['nonlinearity'] = nonlinearity
    doc = {'description': f'{name}: ' + (f'for t in range({shape[0]}): h = cell(x[t], h)' if loop else 'one call cell(x, hx)'),
           'model': model}
    if seed is not None:
        torch.manual_seed(seed)
        cell = CELLS[kind](input_size, hidden_size, **kw)
        doc['seed'] = seed
        x = torch.rand(*shape) if rand_input else None
    else:
        torch.manual_seed(data_seed)
        cell = CELLS[kind](input_size, hidden_size, **kw)
        with torch.no_grad():
            for p in cell.parameters():
                p.uniform_(-0.8, 0.8)
        doc['state_dict'] = {n: values(p) for n, p in cell.named_parameters()}
        x = None
    gen = torch.Generator().manual_seed(data_seed + 1)
    if x is None:
        x = torch.rand(*shape, generator=gen) * 2 - 1
        doc['input'] = values(x)
    else:
        doc['input'] = {'rand': list(shape)}
    if loop is not (len(shape) == 3):
        doc['loop'] = loop
    batched = len(shape) == (3 if loop else 2)
    hshape = ([shape[1]] if loop else [shape[0]]) if batched else []
    hshape = hshape + [hidden_size]
    h0 = c0 = None
    if hx:
        h0 = torch.rand(*hshape, generator=gen) * 2 - 1
        doc['h0'] = values(h0)
    if cx:
        c0 = torch.rand(*hshape, generator=gen) * 2 - 1
        doc['c0'] = values(c0)
    # Reference in float64 from the float32 values (as test/golden/ does).
    ref = CELLS[kind](input_size, hidden_size, **kw).double()
    with torch.no_grad():
        for p, q in zip(ref.parameters(), cell.parameters()):
            p.copy_(q.double())
    xd = x.double().requires_grad_(True)
    h0d = h0.double().requires_grad_(True) if h0 is not None else None
    c0d = c0.double().requires_grad_(True) if c0 is not None else None
    out, h, c = run_cell(ref, xd, h0d, c0d, loop, lstm)
    expected = {}
    if loop:
        expected['output'] = values(out)
    expected['h'] = values(h)
    if lstm:
        expected['c'] = values(c)
    if seed is not None:
        expected['state_dict'] = {n: values(p) for n, p in cell.named_parameters()}
        if rand_input:
            expected['input'] = values(x)
    # The same run in float32 must agree (sanity of the float64 reference).
    o32, h32, _ = run_cell(cell, x, h0, c0, loop, lstm)
    assert torch.allclose(h32.double(), h.detach(), atol=1e-5), name
    doc['expected'] = expected
    if backward:
        loss = 0
        bw = {}
        if loop:
            g = torch.rand(*out.shape, generator=gen, dtype=torch.float64) * 2 - 1
            bw['grad_output'] = values(g)
            loss = loss + (out * g).sum()
        g = torch.rand(*h.shape, generator=gen, dtype=torch.float64) * 2 - 1
        bw['grad_h'] = values(g)
        loss = loss + (h * g).sum()
        if lstm:
            g = torch.rand(*c.shape, generator=gen, dtype=torch.float64) * 2 - 1
            bw['grad_c'] = values(g)
            loss = loss + (c * g).sum()
        loss.backward()
        bexp = {'input': values(xd.grad), 'state_dict': {n: values(p.grad) for n, p in ref.named_parameters()}}
        if h0d is not None:
            bexp['h0'] = values(h0d.grad)
        if c0d is not None:
            bexp['c0'] = values(c0d.grad)
        bw['expected'] = bexp
        bw['loss'] = ' + '.join(['sum(output*grad_output)'] * loop + ['sum(h*grad_h)'] + ['sum(c*grad_c)'] * lstm)
        doc['backward'] = bw
    write(f'{OUT}/{name}.json', doc)


def main():
    for kind in CELLS:
        k = kind.lower().replace('cell', '_cell')
        # One call, batched and unbatched, with and without hx.
        case(f'{k}_step', kind, 4, 3, [2, 4], loop=False, data_seed=1)
        case(f'{k}_step_hx', kind, 4, 3, [2, 4], loop=False, hx=True, cx=kind == 'LSTMCell', data_seed=2)
        case(f'{k}_step_unbatched_hx', kind, 4, 3, [4], loop=False, hx=True, cx=kind == 'LSTMCell', data_seed=3)
        # The loop over time, batched and unbatched, with and without hx.
        case(f'{k}_loop', kind, 3, 5, [6, 2, 3], loop=True, data_seed=4)
        case(f'{k}_loop_hx', kind, 3, 5, [4, 3, 3], loop=True, hx=True, cx=kind == 'LSTMCell', data_seed=5)
        case(f'{k}_loop_unbatched', kind, 3, 5, [5, 3], loop=True, hx=True, data_seed=6)
        # Seeded init (torch.manual_seed(s); nn.XCell(...); x = torch.rand(...)).
        case(f'{k}_seeded_loop', kind, 5, 8, [4, 2, 5], loop=True, seed=0, rand_input=True)
        case(f'{k}_seeded_step', kind, 6, 8, [2, 6], loop=False, seed=7, rand_input=True, hx=True)
        case(f'{k}_nobias_loop', kind, 3, 4, [3, 2, 3], loop=True, bias=False, data_seed=8)
    case('rnn_cell_relu_loop', 'RNNCell', 3, 4, [5, 2, 3], loop=True, nonlinearity='relu', data_seed=9)
    case('rnn_cell_relu_seeded', 'RNNCell', 5, 7, [4, 1, 5], loop=True, nonlinearity='relu', seed=3, rand_input=True)


# --------------------------------------------------------------------------------------------
# Snippets with a loop over time that calls a cell: test/golden/cells/snippets/NAME.py and the
# final h (and the stack of h) PyTorch computes when the snippet runs. The snippet reader must turn
# each into a cell document whose run gives the same numbers.

SNIPPETS = {
    'lstm_cell_range': """import torch
import torch.nn as nn

torch.manual_seed(0)
cell = nn.LSTMCell(10, 20)
x = torch.randn(6, 3, 10)
h = torch.zeros(3, 20)
c = torch.zeros(3, 20)
outputs = []
for t in range(x.size(0)):
    h, c = cell(x[t], (h, c))
    outputs.append(h)
out = torch.stack(outputs)
""",
    'gru_cell_unbind': """import torch
from torch import nn

torch.manual_seed(3)
rnn = nn.GRUCell(input_size=4, hidden_size=6)
seq = torch.rand(5, 2, 4)
state = None
outputs = []
for step in seq.unbind(0):
    state = rnn(step, state)
    outputs.append(state)
h = state
out = torch.stack(outputs)
""",
    'rnn_cell_module_unbatched': """import torch
import torch.nn as nn

class Unrolled(nn.Module):
    def __init__(self):
        super().__init__()
        self.cell = nn.RNNCell(3, 5, nonlinearity='relu')

    def forward(self, x):
        h = torch.zeros(5)
        outputs = []
        for t in range(x.shape[0]):
            h = self.cell(x[t], h)
            outputs.append(h)
        return torch.stack(outputs), h

torch.manual_seed(11)
model = Unrolled()
x = torch.rand(7, 3)
out, h = model(x)
""",
}


def snippets():
    for name, src in SNIPPETS.items():
        scope = {}
        exec(compile(src, name, 'exec'), scope)
        expected = {'h': values(scope['h']), 'output': values(scope['out'])}
        if 'c' in scope:
            expected['c'] = values(scope['c'])
        path = os.path.join(ROOT, OUT, 'snippets', name + '.py')
        if CHECK:
            print(('same     ' if os.path.exists(path) and open(path).read() == src else 'DIFFERS  ') + path)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'w') as f:
                f.write(src)
        write(f'{OUT}/snippets/{name}.json', {'description': 'PyTorch 1.13 float32, running ' + name + '.py', 'expected': expected})


if __name__ == '__main__':
    main()
    snippets()
