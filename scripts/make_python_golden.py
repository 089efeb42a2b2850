#!/usr/bin/env python3
"""Golden references for the Python snippet reader, computed by real PyTorch.

Runs each snippet below as it stands (exec, CPU, torch's default generator) and records what
PyTorch computed for the first nn.RNN/LSTM/GRU call and the Linear applied after it: the drawn
input, output, h_n (c_n), the head, and what `print` shows (4 decimals). It also recomputes the
same values in float64 from the same float32 weights and input, which is what the project's
engine is held to (|ours - expected| <= 1e-6 * max(1, |expected|)).

torch.randn inputs depend on the CPU path (see src/engine/random.ts): the file records the
capability this machine used, and how many input values torch draws differently when forced to
the scalar path (ATEN_CPU_CAPABILITY=default).

Usage (from the repository root, Debian's python3-torch):
    /usr/bin/python3 scripts/make_python_golden.py
Writes test/golden/python/<name>.json.
"""
import json
import os
import re
import subprocess
import sys

SNIPPETS = [
    'examples/sample_rnn.py',
    'examples/sample_lstm.py',
    'examples/sample_gru_randn.py',
    'test/fixtures/python/from_torch_import_nn.py',
    'test/fixtures/python/full_path_multiline.py',
    'test/fixtures/python/from_import_aliases.py',
    'test/fixtures/python/constructor_defaults.py',
]


def capture(path):
    """Executes the snippet and returns what its first recurrent module and head computed."""
    import contextlib
    import io
    import torch
    from torch import nn

    seen = {'rnn': None, 'head': None}

    def hook(module, inputs, output):
        if isinstance(module, nn.RNNBase) and seen['rnn'] is None:
            seen['rnn'] = (module, inputs[0].detach().clone(), output)
        elif isinstance(module, nn.Linear) and seen['rnn'] is not None and seen['head'] is None:
            seen['head'] = (module, output.detach().clone())

    handle = nn.modules.module.register_module_forward_hook(hook)
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(open(path).read(), path, 'exec'), {'__name__': '__main__'})
    finally:
        handle.remove()
    if seen['rnn'] is None:
        raise SystemExit(f'{path}: the snippet never calls its recurrent module')
    return seen, printed.getvalue()


def tolist(t):
    return t.detach().double().tolist()


def main():
    import torch
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    os.chdir(root)
    out_dir = os.path.join('test', 'golden', 'python')
    os.makedirs(out_dir, exist_ok=True)
    capability = re.search(r'CPU capability usage: (\w+)', torch.__config__.show())
    capability = capability.group(1) if capability else 'unknown'
    for path in SNIPPETS:
        seen, printed = capture(path)
        module, x, output = seen['rnn']
        out32, hidden = output
        is_lstm = isinstance(module, torch.nn.LSTM)
        h32, c32 = hidden if is_lstm else (hidden, None)
        m64 = module.double()
        with torch.no_grad():
            out64, hidden64 = m64(x.double())
        h64, c64 = hidden64 if is_lstm else (hidden64, None)
        doc_model = {
            'type': type(module).__name__,
            'input_size': module.input_size,
            'hidden_size': module.hidden_size,
            'num_layers': module.num_layers,
            'bias': module.bias,
            'batch_first': module.batch_first,
            'dropout': module.dropout,
            'bidirectional': module.bidirectional,
        }
        if doc_model['type'] == 'RNN':
            doc_model['nonlinearity'] = module.nonlinearity
        if is_lstm:
            doc_model['proj_size'] = module.proj_size
        expected = {
            'input': tolist(x),
            'output': tolist(out64),
            'h_n': tolist(h64),
        }
        if c64 is not None:
            expected['c_n'] = tolist(c64)
        case = {
            'description': f'{path} executed by PyTorch {torch.__version__} on CPU ({capability})',
            'snippet': path,
            'torch': torch.__version__,
            'cpu_capability': capability,
            'model': doc_model,
            'input_kind': 'randn' if 'randn' in open(path).read() else 'rand',
            'input_shape': list(x.shape),
        }
        if seen['head'] is not None:
            lin, head32 = seen['head']
            last = out64[:, -1, :] if module.batch_first else out64[-1]
            with torch.no_grad():
                head64 = lin.double()(last)
            # The document's head reads the output at the last time step: check the snippet agrees.
            if (head64 - head32.double()).abs().max().item() > 1e-4:
                raise SystemExit(f'{path}: the head is not applied to the last time step')
            case['head'] = {'type': 'Linear', 'out_features': lin.out_features}
            expected['head'] = tolist(head64)
            case['printed'] = [[round(v, 4) for v in row] for row in head32.double().tolist()]
        case['expected'] = expected
        case['stdout'] = printed
        if case['input_kind'] == 'randn' and capability != 'DEFAULT':
            # How many input values the scalar path (CPUs without AVX2) would draw differently.
            env = dict(os.environ, ATEN_CPU_CAPABILITY='default')
            code = ('import json,sys;sys.path.insert(0,"scripts");import make_python_golden as g;'
                    f'seen,_=g.capture({path!r});print(json.dumps(seen["rnn"][1].double().flatten().tolist()))')
            res = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True, check=True)
            scalar = json.loads(res.stdout.strip().splitlines()[-1])
            flat = x.double().flatten().tolist()
            case['randn_scalar_path_differs'] = sum(1 for a, b in zip(flat, scalar) if a != b)
        name = os.path.splitext(os.path.basename(path))[0]
        with open(os.path.join(out_dir, name + '.json'), 'w') as f:
            json.dump(case, f)
            f.write('\n')
        print(f'{name}: {case["model"]["type"]} input {case["input_shape"]} ({case["input_kind"]})'
              + (f', scalar randn differs in {case.get("randn_scalar_path_differs")} values' if 'randn_scalar_path_differs' in case else ''))


if __name__ == '__main__':
    main()
