#!/usr/bin/env python3
"""PyTorch peer for the RNN Lens benchmark (bench/run.mjs drives it; not a test).

Two jobs, both on CPU with one thread (torch.set_num_threads(1)):

  prepare DIR        for every workload in bench/workloads.json: torch.manual_seed(seed), build the
                     module (and the Linear head), draw the input with torch.rand, export the module
                     to DIR/NAME.onnx (torch.onnx.export), and write the reference results computed
                     in float64 from the same float32 weights to DIR/NAME.expected.bin (little-endian
                     float64: output, then h_n, then head when present) with DIR/NAME.meta.json.
  serve              a line protocol on stdin/stdout so the Node runner can interleave engines:
                     "time NAME K" -> runs K forwards in float32 and answers the seconds of each;
                     "mem" -> answers the peak RSS in KiB; "quit" ends.

Needs Debian's python3-torch (PyTorch 1.13). The runner reports PyTorch as skipped without it.
"""
import json
import os
import resource
import sys
import time

import torch
from torch import nn

torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))


def load_workloads():
    with open(os.path.join(HERE, "workloads.json")) as f:
        return json.load(f)


class WithHead(nn.Module):
    """The origin snippet's shape: the RNN, then Linear on the output at the last step."""

    def __init__(self, rnn, head):
        super().__init__()
        self.rnn = rnn
        self.fc = head

    def forward(self, x):
        out, h_n = self.rnn(x)
        if isinstance(h_n, tuple):
            h_n = h_n[0]
        return out, h_n, self.fc(out[:, -1, :])


def build(w):
    m = w["model"]
    torch.manual_seed(w["seed"])
    cls = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}[m["type"]]
    kwargs = dict(
        input_size=m["input_size"],
        hidden_size=m["hidden_size"],
        num_layers=m.get("num_layers", 1),
        batch_first=m.get("batch_first", False),
        bidirectional=m.get("bidirectional", False),
    )
    rnn = cls(**kwargs)
    head = None
    if "head" in w:
        d = 2 if kwargs["bidirectional"] else 1
        head = nn.Linear(d * m["hidden_size"], w["head"]["out_features"])
    x = torch.rand(*w["input"]["rand"])
    module = WithHead(rnn, head) if head is not None else rnn
    return module.eval(), x, head is not None


def prepare(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for w in load_workloads():
        name = w["name"]
        module, x, has_head = build(w)
        onnx_path = os.path.join(out_dir, name + ".onnx")
        outputs = ["output", "h_n", "head"] if has_head else (
            ["output", "h_n", "c_n"] if w["model"]["type"] == "LSTM" else ["output", "h_n"])
        with torch.no_grad():
            torch.onnx.export(module, (x,), onnx_path, input_names=["input"],
                              output_names=outputs, opset_version=14)
            ref = module.double()(x.double())
        if not isinstance(ref, tuple):
            ref = (ref,)
        flat = []
        if has_head:
            tensors = [ref[0], ref[1], ref[2]]
        else:
            out, state = ref
            tensors = [out, state[0] if isinstance(state, tuple) else state]
        with open(os.path.join(out_dir, name + ".expected.bin"), "wb") as f:
            for t in tensors:
                f.write(t.contiguous().numpy().astype("<f8").tobytes())
        meta = {"name": name, "shapes": [list(t.shape) for t in tensors], "outputs": outputs[: len(tensors)]}
        with open(os.path.join(out_dir, name + ".meta.json"), "w") as f:
            json.dump(meta, f)
        print("prepared", name, file=sys.stderr)


def serve():
    prepared = {}
    for w in load_workloads():
        module, x, _ = build(w)
        prepared[w["name"]] = (module.float(), x)
    print("ready", flush=True)
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "quit":
            break
        if parts[0] == "mem":
            print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
            continue
        if parts[0] == "time":
            module, x = prepared[parts[1]]
            times = []
            with torch.no_grad():
                for _ in range(int(parts[2])):
                    t0 = time.perf_counter()
                    module(x)
                    times.append(time.perf_counter() - t0)
            print(json.dumps(times), flush=True)


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "prepare":
        prepare(sys.argv[2])
    elif len(sys.argv) >= 2 and sys.argv[1] == "serve":
        serve()
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
