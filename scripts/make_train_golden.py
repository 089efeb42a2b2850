#!/usr/bin/python3
"""Golden training cases that test/golden/train (the shared ones) does not cover, computed by
PyTorch 1.13 on CPU: SGD weight_decay with momentum, Adam amsgrad + weight_decay + custom
betas/eps with clipping, Embedding + GRU seq-first with a head on every step, Embedding +
unbatched RNN with cross_entropy on one class id, Embedding + bidirectional LSTM with
projection, literal h0/c0 without a head.

Run from the repository root:  /usr/bin/python3 scripts/make_train_golden.py
Writes test/golden/train-extra/*.json in the format of the shared cases (see the README's
"How numbers are checked"): expected.loss / grad_norm per step and expected.state_dict after the
last step, from PyTorch's loop in float64 started from the float32 initial values; seeded cases
also carry what the seed drew (initial_state_dict, input, target); expected_float32.loss is
PyTorch's own float32 run, for information.
"""
import copy, json, os
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "golden", "train-extra")


def _tensor(v, dtype):
    if isinstance(v, dict):
        (kind, shape), = v.items()
        return torch.rand(*shape) if kind == "rand" else torch.randn(*shape)
    return torch.tensor(v, dtype=dtype)


def load(doc):
    """Modules, input, target as torch.manual_seed(seed) then construction would give (float32)."""
    m = doc["model"]
    mode = m["type"]
    kw = dict(input_size=m["input_size"], hidden_size=m["hidden_size"], num_layers=m.get("num_layers", 1),
              bias=m.get("bias", True), batch_first=m.get("batch_first", False), dropout=m.get("dropout", 0),
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
    h0 = torch.tensor(doc["h0"]) if "h0" in doc else None
    c0 = torch.tensor(doc["c0"]) if "c0" in doc else None
    return dict(mode=mode, emb=emb, rnn=rnn, head=head, on=(h or {}).get("on", "last"), x=x, target=target, h0=h0, c0=c0, train=tr)


def named(d):
    out = {}
    if d["emb"] is not None:
        out["embedding.weight"] = d["emb"].weight
    for k, v in d["rnn"].named_parameters():
        out[k] = v
    if d["head"] is not None:
        for k, v in d["head"].named_parameters():
            out["head." + k] = v
    return out


def run(d, dtype):
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
    params = [*(emb.parameters() if emb is not None else []), *rnn.parameters(), *(head.parameters() if head is not None else [])]
    o = dict(tr["optimizer"])
    kind = o.pop("type")
    if "betas" in o:
        o["betas"] = tuple(o["betas"])
    opt = getattr(torch.optim, kind)(params, **o)
    clip = tr.get("clip_grad_norm")
    losses, norms = [], []
    for _ in range(tr["steps"]):
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
        losses.append(loss.item())
        norms.append(norm.item())
    final = {}
    if emb is not None:
        final["embedding.weight"] = emb.weight.detach().tolist()
    for k, v in rnn.named_parameters():
        final[k] = v.detach().tolist()
    if head is not None:
        for k, v in head.named_parameters():
            final["head." + k] = v.detach().tolist()
    return losses, norms, final


CASES = {
    "train_x_lstm_sgd_weight_decay": {
        "description": "LSTM 2 layers, batch_first; SGD momentum 0.9 with weight_decay 0.01 (d_p = g + wd * p before the momentum buffer); randn target",
        "model": {"type": "LSTM", "input_size": 3, "hidden_size": 5, "num_layers": 2, "batch_first": True},
        "head": {"type": "Linear", "out_features": 2},
        "seed": 11,
        "input": {"rand": [4, 6, 3]},
        "train": {"loss": "mse", "target": {"randn": [4, 2]}, "optimizer": {"type": "SGD", "lr": 0.05, "momentum": 0.9, "weight_decay": 0.01}, "steps": 30},
    },
    "train_x_gru_adam_amsgrad": {
        "description": "GRU; Adam amsgrad with weight_decay 0.01, betas (0.8, 0.99), eps 1e-6; clip_grad_norm_ 0.3",
        "model": {"type": "GRU", "input_size": 4, "hidden_size": 6, "batch_first": False},
        "head": {"type": "Linear", "out_features": 3},
        "seed": 12,
        "input": {"randn": [5, 3, 4]},
        "train": {"loss": "mse", "target": {"rand": [3, 3]},
                  "optimizer": {"type": "Adam", "lr": 0.01, "betas": [0.8, 0.99], "eps": 1e-6, "weight_decay": 0.01, "amsgrad": True},
                  "steps": 40, "clip_grad_norm": 0.3},
    },
    "train_x_emb_gru_seqfirst_all": {
        "description": "Embedding(7, 4) -> GRU(4, 5) seq-first, ids (L, N); Linear on every step; cross_entropy over (L, N); AdamW with its default weight_decay",
        "embedding": {"num_embeddings": 7, "embedding_dim": 4},
        "model": {"type": "GRU", "input_size": 4, "hidden_size": 5},
        "head": {"type": "Linear", "out_features": 7, "on": "all"},
        "seed": 13,
        "input": [[0, 1, 2], [3, 4, 5], [6, 0, 1], [2, 3, 4]],
        "train": {"loss": "cross_entropy", "target": [[3, 4, 5], [6, 0, 1], [2, 3, 4], [5, 6, 0]],
                  "optimizer": {"type": "AdamW", "lr": 0.03}, "steps": 30},
    },
    "train_x_emb_rnn_unbatched_ce": {
        "description": "Embedding(5, 3) -> RNN(3, 4) on one unbatched sequence of ids (L); head on the last step; cross_entropy with a single class id; SGD momentum 0.5 nesterov",
        "embedding": {"num_embeddings": 5, "embedding_dim": 3},
        "model": {"type": "RNN", "input_size": 3, "hidden_size": 4},
        "head": {"type": "Linear", "out_features": 5},
        "seed": 14,
        "input": [4, 2, 0, 1, 3, 3],
        "train": {"loss": "cross_entropy", "target": 2, "optimizer": {"type": "SGD", "lr": 0.2, "momentum": 0.5, "nesterov": True}, "steps": 25},
    },
    "train_x_emb_lstm_bi_proj_all": {
        "description": "Embedding(6, 4) -> bidirectional LSTM(4, 5, proj_size=3) batch_first, head on every step, mse against a rand (N, L, 2) target; SGD with dampening 0.3",
        "embedding": {"num_embeddings": 6, "embedding_dim": 4},
        "model": {"type": "LSTM", "input_size": 4, "hidden_size": 5, "proj_size": 3, "bidirectional": True, "batch_first": True},
        "head": {"type": "Linear", "out_features": 2, "on": "all"},
        "seed": 15,
        "input": [[1, 5, 0, 2], [3, 3, 4, 1]],
        "train": {"loss": "mse", "target": {"rand": [2, 4, 2]}, "optimizer": {"type": "SGD", "lr": 0.3, "momentum": 0.7, "dampening": 0.3}, "steps": 25},
    },
    "train_x_lstm_h0c0_nohead": {
        "description": "LSTM with literal h0 and c0 (constants, not trained), no head: mse on output (L, N, H); Adam defaults but lr",
        "model": {"type": "LSTM", "input_size": 2, "hidden_size": 3},
        "seed": 16,
        "input": {"rand": [4, 2, 2]},
        "h0": [[[0.1, -0.2, 0.3], [0.0, 0.5, -0.5]]],
        "c0": [[[0.2, 0.2, -0.1], [-0.3, 0.1, 0.0]]],
        "train": {"loss": "mse", "target": {"rand": [4, 2, 3]}, "optimizer": {"type": "Adam", "lr": 0.02}, "steps": 35},
    },
}


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    for name, doc in CASES.items():
        d = load(doc)
        initial = {k: v.detach().tolist() for k, v in named(d).items()}
        losses, norms, final = run(d, torch.float64)
        losses32, _, _ = run(d, torch.float32)
        expected = {"loss": losses, "grad_norm": norms, "state_dict": final, "initial_state_dict": initial}
        if isinstance(doc["input"], dict):
            expected["input"] = d["x"].tolist()
        if isinstance(doc["train"]["target"], dict):
            expected["target"] = d["target"].tolist()
        out = dict(doc)
        out["expected"] = expected
        out["expected_float32"] = {"loss": losses32}
        with open(os.path.join(OUT, name + ".json"), "w", encoding="utf-8") as f:
            json.dump(out, f)
            f.write("\n")
        print(f"{name}: loss {losses[0]:.6g} -> {losses[-1]:.6g}")


if __name__ == "__main__":
    main()
