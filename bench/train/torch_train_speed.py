#!/usr/bin/python3
"""(Copied from the project's shared tools; times CPU time too, prints JSON with --json.)
PyTorch's own training speed on an RNN document with a "train" block: the reference to beat.

Usage: /usr/bin/python3 tools/torch_train_speed.py CASE.json [--repeats R] [--steps S]

Reads the document as shared/docs/rnn-document.md says (torch.manual_seed(seed); Embedding,
then RNN/LSTM/GRU, then the Linear head; then the input draw, then the target draw; entries of
"state_dict" replace drawn ones), builds it in float32 on 1 thread, and times the training loop
of the "train" block (zero_grad, forward, loss, backward, clip_grad_norm_ when asked, step).
One warm-up repeat, then R repeats (default 5), each S steps (default: the document's steps,
at most 50) from a fresh copy of the initial model and optimizer. Prints the median ms/step.

load(doc) and make_loop(...) are also what a PyTorch stand-in for `rnn-lens train` can use.
"""
import argparse, copy, json, os, statistics, time
# One thread, set before torch loads its thread pools: OpenMP/MKL read these at start-up, and
# torch.set_num_threads alone left the CPU time at twice the wall time (2 threads busy).
for _v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_v] = "1"
import torch
import torch.nn as nn
import torch.nn.functional as F


def _tensor(v, dtype):
    if isinstance(v, dict):
        (kind, shape), = v.items()
        if kind == "rand":
            return torch.rand(*shape)
        if kind == "randn":
            return torch.randn(*shape)
        raise ValueError(f"unknown draw {kind!r}")
    return torch.tensor(v, dtype=dtype)


def load(doc):
    """The document's modules, input, target, h0/c0 in float32, as PyTorch would build them."""
    m = doc["model"]
    mode = m["type"]
    kw = dict(input_size=m["input_size"], hidden_size=m["hidden_size"],
              num_layers=m.get("num_layers", 1), bias=m.get("bias", True),
              batch_first=m.get("batch_first", False), dropout=m.get("dropout", 0),
              bidirectional=m.get("bidirectional", False))
    if mode == "RNN":
        kw["nonlinearity"] = m.get("nonlinearity", "tanh")
    if mode == "LSTM":
        kw["proj_size"] = m.get("proj_size", 0)
    D = 2 if kw["bidirectional"] else 1
    Hout = kw.get("proj_size", 0) or kw["hidden_size"]
    torch.manual_seed(doc.get("seed", 0))
    e = doc.get("embedding")
    emb = nn.Embedding(e["num_embeddings"], e["embedding_dim"]) if e else None
    rnn = getattr(nn, mode)(**kw)
    h = doc.get("head")
    head = nn.Linear(D * Hout, h["out_features"], bias=h.get("bias", True)) if h else None
    x = _tensor(doc["input"], torch.long if emb is not None else torch.float32)
    tr = doc["train"]
    target = _tensor(tr["target"], torch.long if tr["loss"] == "cross_entropy" else torch.float32)
    with torch.no_grad():
        for name, v in doc.get("state_dict", {}).items():   # canonical names, or with a prefix
            last = name.rsplit(".", 1)[-1]
            if name.endswith("embedding.weight"):
                emb.weight.copy_(torch.tensor(v))
            elif last in ("weight", "bias"):                  # head.weight, fc.bias, ...
                getattr(head, last).copy_(torch.tensor(v))
            else:
                getattr(rnn, last).copy_(torch.tensor(v))
    h0 = torch.tensor(doc["h0"]) if "h0" in doc else None
    c0 = torch.tensor(doc["c0"]) if "c0" in doc else None
    return dict(mode=mode, emb=emb, rnn=rnn, head=head, on=(h or {}).get("on", "last"),
                x=x, target=target, h0=h0, c0=c0, train=tr)


def make_loop(d, dtype):
    """(params, step): fresh copies of the modules in dtype, and one training step -> (loss, norm)."""
    emb = copy.deepcopy(d["emb"]).to(dtype) if d["emb"] is not None else None
    rnn = copy.deepcopy(d["rnn"]).to(dtype)
    head = copy.deepcopy(d["head"]).to(dtype) if d["head"] is not None else None
    tr = d["train"]
    x = d["x"] if emb is not None else d["x"].to(dtype)
    target = d["target"] if tr["loss"] == "cross_entropy" else d["target"].to(dtype)
    hx = None
    if d["h0"] is not None:
        hx = (d["h0"].to(dtype), d["c0"].to(dtype)) if d["mode"] == "LSTM" else d["h0"].to(dtype)
    batched = x.dim() == (2 if emb is not None else 3)
    last = (lambda o: o[:, -1]) if (batched and rnn.batch_first) else (lambda o: o[-1])
    params = [*(emb.parameters() if emb is not None else []), *rnn.parameters(),
              *(head.parameters() if head is not None else [])]
    o = dict(tr["optimizer"])
    kind = o.pop("type")
    if "betas" in o:
        o["betas"] = tuple(o["betas"])
    opt = getattr(torch.optim, kind)(params, **o)
    clip = tr.get("clip_grad_norm")

    def step():
        opt.zero_grad()
        out, _ = rnn(emb(x) if emb is not None else x, hx)
        pred = out if head is None else head(out) if d["on"] == "all" else head(last(out))
        if tr["loss"] == "mse":
            loss = F.mse_loss(pred, target)
        else:
            loss = F.cross_entropy(pred.reshape(-1, pred.shape[-1]), target.reshape(-1))
        loss.backward()
        if clip is not None:
            norm = torch.nn.utils.clip_grad_norm_(params, clip)
        else:
            norm = torch.norm(torch.stack([torch.norm(p.grad.detach(), 2.0) for p in params]), 2.0)
        opt.step()
        return loss, norm

    modules = dict(emb=emb, rnn=rnn, head=head)
    return params, step, modules


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("case")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--json", action="store_true", help="print {ms_per_step, cpu_ms_per_step} as JSON")
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    with open(a.case, encoding="utf-8") as f:
        doc = json.load(f)
    d = load(doc)
    steps = a.steps or min(doc["train"]["steps"], 50)
    times = []
    cpu = []
    for r in range(a.repeats + 1):
        _, step, _ = make_loop(d, torch.float32)
        t0 = time.perf_counter()
        c0 = time.process_time()
        for _ in range(steps):
            step()
        dt = (time.perf_counter() - t0) / steps * 1e3
        dc = (time.process_time() - c0) / steps * 1e3
        if r > 0:                      # the first repeat is the warm-up
            times.append(dt)
            cpu.append(dc)
    if a.json:
        print(json.dumps({"ms_per_step": statistics.median(times), "cpu_ms_per_step": statistics.median(cpu), "steps": steps, "repeats": a.repeats, "torch": torch.__version__, "threads": torch.get_num_threads(), "interop_threads": torch.get_num_interop_threads()}))
        return
    print(f"{a.case}: {statistics.median(times):.3f} ms/step (PyTorch {torch.__version__} float32, 1 thread, "
          f"median of {a.repeats} repeats x {steps} steps; min {min(times):.3f}, max {max(times):.3f})")


if __name__ == "__main__":
    main()
