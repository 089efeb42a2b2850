#!/usr/bin/python3
"""Regenerate the reference data that real PyTorch produces for RNN Lens's tests.

Run from the repository root with Debian's PyTorch (1.13, CPU):

    /usr/bin/python3 scripts/make_golden.py            # writes the files below
    /usr/bin/python3 scripts/make_golden.py --check    # only reports differences, writes nothing

Outputs (all JSON, each file < 60 KB):

  test/golden/randn/randn.json     torch.manual_seed(s) then sequences of torch.randn / torch.rand /
                                   module construction: the exact float32 values torch returned,
                                   used by test/unit/random.test.ts (bit-for-bit comparison).
  test/golden/randn/params.json    names and shapes of module.named_parameters() for several
                                   configurations, the gate order stated in torch's own docstrings
                                   (checked numerically here), and the init bounds Python computes,
                                   used by test/unit/params.test.ts.
  test/golden/randn/shapes.json    the shapes torch returns (output, h_n, c_n, head) for several
                                   configurations and input shapes, and the errors torch raises for
                                   inputs it cannot take, used by test/unit/shapes.test.ts.
  test/golden/extra/*.json         new golden cases in the format of test/golden/*.json (see
                                   /work/shared/golden/README.md): weights, inputs and initial
                                   states are float32; `expected` is computed by PyTorch in float64
                                   from those same values; `backward` holds upstream gradients and
                                   the gradients of loss = sum(output*grad_output) + sum(h_n*grad_h_n)
                                   [+ sum(c_n*grad_c_n)] [+ sum(head*grad_head)].

The randn values depend on the CPU path torch takes: on x86-64 with AVX2 (torch reports
"CPU capability usage: AVX2") torch.randn of >= 16 elements uses normal_fill_16_AVX2. The script
refuses to write randn.json on another capability, so the committed file is always the AVX2 one.
Everything is deterministic: running it twice gives the same files.
"""
import json
import math
import os
import sys

import torch
import torch.nn as nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECK = '--check' in sys.argv
torch.set_num_threads(1)


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
    """A tensor as nested lists of Python floats (float32 values are exact in a double)."""
    return t.detach().double().tolist()


def flat(t):
    return t.detach().double().reshape(-1).tolist()


def seed_json(s):
    """Seeds above 2^53 do not survive a JSON number in JavaScript: write them as strings."""
    return s if abs(s) < 2**53 else str(s)


# --------------------------------------------------------------------------------------------
# model construction shared by all parts


def model_json(kind, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
               dropout=0.0, bidirectional=False, nonlinearity='tanh', proj_size=0):
    m = {'type': kind, 'input_size': input_size, 'hidden_size': hidden_size,
         'num_layers': num_layers, 'bias': bias, 'batch_first': batch_first,
         'dropout': float(dropout), 'bidirectional': bidirectional}
    if kind == 'RNN':
        m['nonlinearity'] = nonlinearity
    if kind == 'LSTM':
        m['proj_size'] = proj_size
    return m


def build(m):
    kw = dict(input_size=m['input_size'], hidden_size=m['hidden_size'], num_layers=m['num_layers'],
              bias=m['bias'], batch_first=m['batch_first'], dropout=m['dropout'],
              bidirectional=m['bidirectional'])
    if m['type'] == 'RNN':
        return nn.RNN(nonlinearity=m['nonlinearity'], **kw)
    if m['type'] == 'LSTM':
        return nn.LSTM(proj_size=m.get('proj_size', 0), **kw)
    return nn.GRU(**kw)


def h_out(m):
    return m.get('proj_size', 0) or m['hidden_size']


def D(m):
    return 2 if m['bidirectional'] else 1


# --------------------------------------------------------------------------------------------
# 1. randn / rand sequences


def randn_reference():
    assert 'AVX2' in torch.__config__.show(), 'randn.json must be generated on an AVX2 CPU'
    cases = []

    def run(seed, ops, description):
        torch.manual_seed(seed)
        results = []
        for op in ops:
            if op['op'] == 'randn':
                results.append(flat(torch.randn(*op['shape'])))
            elif op['op'] == 'rand':
                results.append(flat(torch.rand(*op['shape'])))
            elif op['op'] == 'init':
                rnn = build(op['model'])
                sd = {k: flat(v) for k, v in rnn.state_dict().items()}
                if op.get('head'):
                    fc = nn.Linear(D(op['model']) * h_out(op['model']), op['head']['out_features'])
                    sd.update({'head.' + k: flat(v) for k, v in fc.state_dict().items()})
                results.append(sd)
            else:
                raise ValueError(op)
        cases.append({'description': description, 'seed': seed_json(seed), 'ops': ops, 'results': results})

    for seed in (0, 1, 42, 2**32 + 7, 2**64 - 1):
        for n in (1, 2, 3, 15, 16, 17, 31, 100):
            run(seed, [{'op': 'randn', 'shape': [n]}], f'manual_seed({seed}); randn({n})')
    run(3, [{'op': 'randn', 'shape': [2, 3, 5]}], 'a 3-D shape: 30 values, last 16 recomputed')
    run(5, [{'op': 'randn', 'shape': [400]}], '400 values: 25 full blocks of 16')
    run(0, [{'op': 'randn', 'shape': [3]}, {'op': 'randn', 'shape': [1]}, {'op': 'randn', 'shape': [2]}],
        'the scalar path caches its second Box-Muller value across calls')
    run(0, [{'op': 'randn', 'shape': [1]}, {'op': 'rand', 'shape': [2]}, {'op': 'randn', 'shape': [1]}],
        'the cached normal survives a rand() in between')
    run(0, [{'op': 'randn', 'shape': [1]}, {'op': 'randn', 'shape': [17]}, {'op': 'randn', 'shape': [1]}],
        'normal_fill neither uses nor clears the cache')
    run(9, [{'op': 'rand', 'shape': [5]}, {'op': 'randn', 'shape': [20]}, {'op': 'rand', 'shape': [3]}],
        'rand and randn share one mt19937 stream')
    lstm = model_json('LSTM', 4, 3, num_layers=2, bidirectional=True)
    run(7, [{'op': 'init', 'model': lstm}, {'op': 'randn', 'shape': [2, 3, 4]}, {'op': 'randn', 'shape': [2]}],
        'parameters drawn first (nn.LSTM), then randn input and h0-sized draws')
    gru = model_json('GRU', 3, 5, batch_first=True)
    run(2**40 + 11, [{'op': 'init', 'model': gru, 'head': {'type': 'Linear', 'out_features': 2}},
                     {'op': 'randn', 'shape': [2, 4, 3]}],
        'GRU then Linear head, then randn input, with a seed above 2^32')
    # Large draws, stored as a checksum (too big to store): FNV-1a 32-bit over the float32
    # values' little-endian bytes. Rare last-bit effects (a fused multiply-add in the polynomials)
    # only show up over many values.
    big = []
    for seed, n in ((0, 2**18 + 5), (2**33 + 9, 100_000)):
        torch.manual_seed(seed)
        big.append({'seed': seed_json(seed), 'shape': [n], 'fnv1a32': fnv1a32(torch.randn(n).numpy().tobytes())})
    write('test/golden/randn/randn.json', {
        'generator': f'scripts/make_golden.py, torch {torch.__version__}, CPU capability AVX2',
        'cases': cases, 'checksums': big})


def fnv1a32(data):
    h = 0x811c9dc5
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xffffffff
    return h


# --------------------------------------------------------------------------------------------
# 2. parameter layout


def gate_order_from_docs():
    """The gate stacking torch documents in its own docstrings, checked numerically below."""
    lstm_doc = nn.LSTM.__doc__
    gru_doc = nn.GRU.__doc__
    assert '(W_ii|W_if|W_ig|W_io)' in lstm_doc
    assert '(W_ir|W_iz|W_in)' in gru_doc
    check_gate_order()
    return {'LSTM': ['i', 'f', 'g', 'o'], 'GRU': ['r', 'z', 'n'], 'RNN': ['']}


def check_gate_order():
    """Feed one step with zero weights and a bias that differs per block, compare with the
    equations in torch's docs: this pins the row order of the stacked gates."""
    with torch.no_grad():
        lstm = nn.LSTM(1, 1).double()
        for p in lstm.parameters():
            p.zero_()
        a = torch.tensor([0.3, -0.7, 1.1, 0.5], dtype=torch.float64)
        lstm.bias_ih_l0.copy_(a)
        c0 = torch.full((1, 1), 0.9, dtype=torch.float64)
        _, (h, c) = lstm(torch.zeros(1, 1, dtype=torch.float64), (torch.zeros(1, 1, dtype=torch.float64), c0))
        i, f, g, o = torch.sigmoid(a[0]), torch.sigmoid(a[1]), torch.tanh(a[2]), torch.sigmoid(a[3])
        c_ref = f * 0.9 + i * g
        assert abs(c.item() - c_ref.item()) < 1e-12 and abs(h.item() - (o * torch.tanh(c_ref)).item()) < 1e-12

        gru = nn.GRU(1, 1).double()
        for p in gru.parameters():
            p.zero_()
        b = torch.tensor([0.4, -0.8, 0.6], dtype=torch.float64)
        bh = torch.tensor([0.1, 0.2, -0.5], dtype=torch.float64)
        gru.bias_ih_l0.copy_(b)
        gru.bias_hh_l0.copy_(bh)
        h0 = torch.full((1, 1), 0.3, dtype=torch.float64)
        _, h = gru(torch.zeros(1, 1, dtype=torch.float64), h0)
        r = torch.sigmoid(b[0] + bh[0])
        z = torch.sigmoid(b[1] + bh[1])
        n = torch.tanh(b[2] + r * bh[2])
        assert abs(h.item() - ((1 - z) * n + z * 0.3).item()) < 1e-12


def params_reference():
    configs = [
        model_json('RNN', 10, 20),
        model_json('RNN', 3, 4, num_layers=2, bidirectional=True, nonlinearity='relu'),
        model_json('RNN', 3, 4, num_layers=3, bias=False),
        model_json('LSTM', 4, 3, num_layers=2, bidirectional=True),
        model_json('LSTM', 5, 6, num_layers=2, proj_size=2),
        model_json('LSTM', 5, 6, num_layers=2, proj_size=3, bidirectional=True, bias=False),
        model_json('GRU', 3, 5),
        model_json('GRU', 3, 5, num_layers=2, bidirectional=True, bias=False),
    ]
    entries = []
    for m in configs:
        rnn = build(m)
        for out_features in (None, 2):
            params = [{'name': k, 'shape': list(v.shape)} for k, v in rnn.named_parameters()]
            if out_features:
                fc = nn.Linear(D(m) * h_out(m), out_features)
                params += [{'name': 'head.' + k, 'shape': list(v.shape)} for k, v in fc.named_parameters()]
            entries.append({'model': m, 'head': {'type': 'Linear', 'out_features': out_features} if out_features else None,
                            'params': params,
                            'count': sum(math.prod(p['shape']) for p in params)})
    bounds = []
    for hidden in (1, 3, 20, 100):
        bounds.append({'what': 'rnn', 'hidden_size': hidden, 'bound': 1.0 / math.sqrt(hidden)})
    for fan_in in (1, 3, 20, 40, 128):
        a = math.sqrt(5)
        gain = math.sqrt(2.0 / (1 + a ** 2))
        bounds.append({'what': 'linear.weight', 'fan_in': fan_in, 'bound': math.sqrt(3.0) * (gain / math.sqrt(fan_in))})
        bounds.append({'what': 'linear.bias', 'fan_in': fan_in, 'bound': 1 / math.sqrt(fan_in)})
    write('test/golden/randn/params.json', {'gate_order': gate_order_from_docs(), 'configs': entries, 'bounds': bounds})


# --------------------------------------------------------------------------------------------
# 3. shapes


def head_of(output, m):
    """SampleRNN.forward: the head reads output at the last time step."""
    if output.dim() == 2:
        return output[-1]
    return output[:, -1, :] if m['batch_first'] else output[-1]


def shapes_reference():
    cases = []
    plans = [
        (model_json('RNN', 10, 20, batch_first=True), 2, [[3, 5, 10], [5, 10]]),
        (model_json('RNN', 3, 4, num_layers=2, bidirectional=True), None, [[6, 2, 3], [6, 3]]),
        (model_json('LSTM', 4, 3, num_layers=2, bidirectional=True), 5, [[7, 1, 4], [2, 4]]),
        (model_json('LSTM', 5, 6, num_layers=3, proj_size=2, batch_first=True), 3, [[4, 9, 5], [9, 5]]),
        (model_json('LSTM', 5, 6, proj_size=4, bidirectional=True), None, [[1, 1, 5]]),
        (model_json('GRU', 3, 5, batch_first=True, bidirectional=True), 2, [[2, 4, 3], [4, 3]]),
        (model_json('GRU', 3, 5, num_layers=2, bias=False), None, [[8, 3, 3]]),
    ]
    with torch.no_grad():
        for m, out_features, inputs in plans:
            rnn = build(m).eval()
            fc = nn.Linear(D(m) * h_out(m), out_features) if out_features else None
            for shape in inputs:
                res = rnn(torch.zeros(*shape))
                output, state = res
                entry = {'model': m, 'head': {'type': 'Linear', 'out_features': out_features} if fc else None,
                         'input': shape, 'output': list(output.shape)}
                if m['type'] == 'LSTM':
                    entry['h_n'] = list(state[0].shape)
                    entry['c_n'] = list(state[1].shape)
                else:
                    entry['h_n'] = list(state.shape)
                if fc:
                    entry['head_shape'] = list(fc(head_of(output, m)).shape)
                cases.append(entry)
    errors = []
    for m, shape in ((model_json('RNN', 10, 20), [3, 5, 7]), (model_json('LSTM', 4, 3), [2, 3, 4, 4]),
                     (model_json('GRU', 3, 5), [4]), (model_json('LSTM', 4, 3), [6, 5]),
                     (model_json('RNN', 3, 4), [2, 2, 2, 3]), (model_json('RNN', 3, 4), [3])):
        try:
            build(m)(torch.zeros(*shape))
            errors.append({'model': m, 'input': shape, 'error': None})
        except (RuntimeError, ValueError, AssertionError) as e:
            errors.append({'model': m, 'input': shape, 'error': str(e)})
    write('test/golden/randn/shapes.json', {'cases': cases, 'errors': errors})


# --------------------------------------------------------------------------------------------
# 4. new golden cases in the format of test/golden/*.json


def fill_uniform(gen, shape, lo, hi):
    return (torch.rand(*shape, generator=gen) * (hi - lo) + lo).float()


def golden_case(name, description, m, *, T=4, N=2, unbatched=False, head=None, seed=None,
                h0=False, c0=False, backward=False, data_seed=0):
    gen = torch.Generator().manual_seed(1000 + data_seed)
    doc = {'description': description, 'model': m}
    if head:
        doc['head'] = {'type': 'Linear', 'out_features': head}
    if seed is not None:
        torch.manual_seed(seed)
    rnn = build(m)
    fc = nn.Linear(D(m) * h_out(m), head) if head else None
    shape = [T, m['input_size']] if unbatched else ([N, T, m['input_size']] if m['batch_first'] else [T, N, m['input_size']])
    if seed is not None:
        x = torch.rand(*shape)
        doc['seed'] = seed
        doc['input'] = {'rand': shape}
    else:
        with torch.no_grad():
            for p in list(rnn.parameters()) + (list(fc.parameters()) if fc else []):
                p.copy_(fill_uniform(gen, p.shape, -0.5, 0.5))
        x = fill_uniform(gen, shape, -1, 1)
        sd = {k: values(v) for k, v in rnn.state_dict().items()}
        if fc:
            sd.update({'head.' + k: values(v) for k, v in fc.state_dict().items()})
        doc['state_dict'] = sd
        doc['input'] = values(x)
    rows = D(m) * m['num_layers']
    state_shape = [rows, h_out(m)] if unbatched else [rows, N, h_out(m)]
    cell_shape = [rows, m['hidden_size']] if unbatched else [rows, N, m['hidden_size']]
    h0_t = fill_uniform(gen, state_shape, -1, 1) if h0 else None
    c0_t = fill_uniform(gen, cell_shape, -1, 1) if c0 else None
    if h0:
        doc['h0'] = values(h0_t)
    if c0:
        doc['c0'] = values(c0_t)

    # float64 from the float32 values
    rnn64 = build(m)
    rnn64.load_state_dict(rnn.state_dict())
    rnn64 = rnn64.double().eval()
    fc64 = None
    if fc:
        fc64 = nn.Linear(D(m) * h_out(m), head)
        fc64.load_state_dict(fc.state_dict())
        fc64 = fc64.double()
    x64 = x.double().requires_grad_(backward)
    h64 = h0_t.double().requires_grad_(backward) if h0 else None
    c64 = c0_t.double().requires_grad_(backward) if c0 else None
    if m['type'] == 'LSTM':
        if h0 or c0:
            hh = h64 if h0 else torch.zeros(*state_shape, dtype=torch.float64)
            cc = c64 if c0 else torch.zeros(*cell_shape, dtype=torch.float64)
            output, (h_n, c_n) = rnn64(x64, (hh, cc))
        else:
            output, (h_n, c_n) = rnn64(x64)
    else:
        output, h_n = rnn64(x64, h64) if h0 else rnn64(x64)
        c_n = None
    y = fc64(head_of(output, m)) if fc64 else None
    expected = {'output': values(output), 'h_n': values(h_n)}
    if c_n is not None:
        expected['c_n'] = values(c_n)
    if y is not None:
        expected['head'] = values(y)
    if seed is not None:
        sd = {k: values(v) for k, v in rnn.state_dict().items()}
        if fc:
            sd.update({'head.' + k: values(v) for k, v in fc.state_dict().items()})
        expected['state_dict'] = sd
        expected['input'] = values(x)
    doc['expected'] = expected

    if backward:
        ggen = torch.Generator().manual_seed(2000 + data_seed)
        up = lambda t: torch.rand(*t.shape, generator=ggen, dtype=torch.float64) * 2 - 1
        g_out, g_h = up(output), up(h_n)
        loss = (output * g_out).sum() + (h_n * g_h).sum()
        bw = {'grad_output': values(g_out), 'grad_h_n': values(g_h)}
        words = 'sum(output*grad_output) + sum(h_n*grad_h_n)'
        if c_n is not None:
            g_c = up(c_n)
            loss = loss + (c_n * g_c).sum()
            bw['grad_c_n'] = values(g_c)
            words += ' + sum(c_n*grad_c_n)'
        if y is not None:
            g_y = up(y)
            loss = loss + (y * g_y).sum()
            bw['grad_head'] = values(g_y)
            words += ' + sum(head*grad_head)'
        loss.backward()
        grads = {'input': values(x64.grad)}
        if h0:
            grads['h0'] = values(h64.grad)
        if c0:
            grads['c0'] = values(c64.grad)
        gsd = {k: values(p.grad) for k, p in rnn64.named_parameters()}
        if fc64:
            gsd.update({'head.' + k: values(p.grad) for k, p in fc64.named_parameters()})
        grads['state_dict'] = gsd
        bw['expected'] = grads
        bw['loss'] = words
        doc['backward'] = bw
    write(f'test/golden/extra/{name}.json', doc)


def extra_cases():
    golden_case('gru_bi_2layer_bf_head', 'GRU, 2 layers, bidirectional, batch_first, Linear head',
                model_json('GRU', 3, 4, num_layers=2, batch_first=True, bidirectional=True), T=4, N=2, head=3, data_seed=1)
    golden_case('rnn_relu_bi_2layer', 'RNN relu, 2 layers, bidirectional',
                model_json('RNN', 3, 4, num_layers=2, bidirectional=True, nonlinearity='relu'), T=5, N=2, data_seed=2)
    golden_case('lstm_proj_unbatched_h0c0', 'LSTM with proj_size, unbatched (2-D input), h0 and c0',
                model_json('LSTM', 3, 5, num_layers=2, proj_size=2), T=4, unbatched=True, h0=True, c0=True, data_seed=3)
    golden_case('bwd_lstm_h0c0_bf_head', 'backward: LSTM with h0, c0, batch_first and a Linear head',
                model_json('LSTM', 3, 4, num_layers=1, batch_first=True), T=4, N=2, head=2, h0=True, c0=True,
                backward=True, data_seed=4)
    golden_case('bwd_gru_nobias_2layer', 'backward: GRU, 2 layers, no bias',
                model_json('GRU', 3, 4, num_layers=2, bias=False), T=4, N=2, backward=True, data_seed=5)
    golden_case('bwd_lstm_proj_bi_2layer_bf', 'backward: LSTM proj_size=2, 2 layers, bidirectional, batch_first, h0',
                model_json('LSTM', 3, 4, num_layers=2, batch_first=True, bidirectional=True, proj_size=2),
                T=3, N=2, h0=True, backward=True, data_seed=6)
    golden_case('seeded_lstm_proj_head', 'torch.manual_seed(3); nn.LSTM(4, 6, 2, proj_size=3, batch_first=True); nn.Linear(3, 2); torch.rand(2, 5, 4)',
                model_json('LSTM', 4, 6, num_layers=2, batch_first=True, proj_size=3), T=5, N=2, head=2, seed=3)
    golden_case('seeded_big_seed', 'a seed above 2^32: torch keeps only its low 32 bits (4294979641 = 2^32 + 12345)',
                model_json('GRU', 3, 4, bidirectional=True), T=3, N=2, head=2, seed=2**32 + 12345)
    golden_case('seeded_rnn_relu_unbatched', 'seeded RNN relu with an unbatched input: torch.rand(6, 3)',
                model_json('RNN', 3, 5, nonlinearity='relu'), T=6, unbatched=True, head=2, seed=11)
    golden_case('rnn_long_T200', 'a long tanh RNN: T = 200, gradients of early steps fade',
                model_json('RNN', 2, 3, batch_first=True), T=200, N=1, backward=True, data_seed=7)


if __name__ == '__main__':
    randn_reference()
    params_reference()
    shapes_reference()
    extra_cases()
