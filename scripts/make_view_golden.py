#!/usr/bin/python3
"""What the Unroll View's gradient chart shows, computed by real PyTorch (1.13, CPU).

For seeded documents (torch.manual_seed(seed); the module; the head; torch.rand(input)), the
view's loss L (the head's outputs summed, or the top layer's output at the last step summed:
output[:, -1].sum() / output[-1].sum()) and ||dL/dx_t|| for each time step t (the norm over the
batch and the features), in float64 from the float32 draws as the engine computes.
Used by test/unit/payload.progressive.test.ts.

    /usr/bin/python3 scripts/make_view_golden.py      # writes test/golden/view/*.json
"""
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(__file__))
from make_golden import D, build, h_out, model_json, values, write  # noqa: E402


def view_case(name, m, shape, seed, head=None):
    torch.manual_seed(seed)
    rnn = build(m)
    fc = nn.Linear(D(m) * h_out(m), head) if head else None
    x = torch.rand(*shape)
    rnn64 = rnn.double()
    x64 = x.double().requires_grad_(True)
    output = rnn64(x64)[0]
    unbatched = len(shape) == 2
    last = output[-1] if unbatched or not m['batch_first'] else output[:, -1]
    if fc is not None:
        loss = fc.double()(last).sum()
        words = 'L = head(output at the last step).sum()'
    else:
        loss = last.sum()
        words = 'L = output[:, -1].sum()' if m['batch_first'] and not unbatched else 'L = output[-1].sum()'
    loss.backward()
    g = x64.grad
    if unbatched:
        norms = g.norm(dim=1)
    elif m['batch_first']:
        norms = g.permute(1, 0, 2).reshape(shape[1], -1).norm(dim=1)
    else:
        norms = g.reshape(shape[0], -1).norm(dim=1)
    doc = {'description': f'{name}: the view\'s loss {words} and ||dL/dx_t|| per step', 'model': m, 'seed': seed,
           'input': {'rand': list(shape)}, 'expected': {'loss': words, 'input_norms': values(norms)}}
    if head:
        doc['head'] = {'type': 'Linear', 'out_features': head}
    write(f'test/golden/view/{name}.json', doc)


if __name__ == '__main__':
    view_case('view_lstm_bi_2layer_bf', model_json('LSTM', 5, 6, num_layers=2, batch_first=True, bidirectional=True), [4, 7, 5], seed=2)
    view_case('view_gru_head', model_json('GRU', 3, 5, batch_first=True), [3, 6, 3], seed=5, head=2)
    view_case('view_rnn_seq_first', model_json('RNN', 4, 3, num_layers=2), [6, 2, 4], seed=7)
