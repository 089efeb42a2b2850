#!/usr/bin/python3
"""
"Long memory" experiment, designed with PyTorch 1.13 first (issue 12, part 4).
Run with /usr/bin/python3 (Debian's python3-torch); one thread.

The task: a sequence of length L whose answer is its FIRST step's value.
  classification (the experiment): token ids from torch.rand: the first is a class id
                  floor(u * K) in [0, K), the other L - 1 are noise tokens K..2K-1 (never a class);
                  nn.Embedding(2K, E) -> RNN -> Linear(H, K) on the last step; nn.CrossEntropyLoss.
                  Chance: 1/K.
  regression:     x ~ torch.randn(N, L, 1) from the data generator; target = x[:, 0, :];
                  nn.MSELoss on a Linear head on the last step. Predicting 0 scores 1.0. (Explored,
                  not recorded.)
RNN, LSTM and GRU get the same data (drawn from a generator seeded with data_seed(L, seed)), the
same init seed (torch.manual_seed(seed) then Embedding, RNN, Linear, in that order), the same
optimizer and steps, on minibatches of `batch` taken in order from the n_train training sequences
(0: full batch, as the RNN document's train block trains). One documented deviation from
PyTorch's init, for the LSTM only: forget_bias / input_bias are added to bias_ih_l0's forget and
input gate slices after the draw (init_net). Judged on FRESH sequences drawn after the training
ones from the same generator. DEFAULT is the design (bench/results/lab/exploration.md).

The data are drawn exactly as src/lab/longMemory.ts draws them with the engine's torch-compatible
generator, so the editor's experiment reproduces these numbers (within float64 vs float32).

usage: long_memory.py explore [--variant regression|classification] [--lengths 5,10] ...
       long_memory.py record  OUT.json      (the configuration the extension uses)
       long_memory.py fixture OUT.json      (data bits + a tiny trained configuration for the unit test)
"""
import argparse, json, math, sys, time
import torch
import torch.nn as nn

torch.set_num_threads(1)

CELLS = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}


def data_seed(L, seed):
    # One data stream per (length, seed); the same for every model.
    return 1000 * seed + L


def make_data(variant, L, seed, n_train, n_test, K):
    g = torch.Generator().manual_seed(data_seed(L, seed))
    if variant == "regression":
        xtr = torch.randn(n_train, L, 1, generator=g)
        xte = torch.randn(n_test, L, 1, generator=g)
        return xtr, xtr[:, 0, :].clone(), xte, xte[:, 0, :].clone()
    # The first step: a class id in [0, K). The other steps: noise tokens K..2K-1 (never a class),
    # so a gate can learn to let a class in and keep noise out by what the token is.
    utr = torch.rand(n_train, L, generator=g)
    ute = torch.rand(n_test, L, generator=g)
    itr = (utr * K).floor().long().clamp_(max=K - 1)
    ite = (ute * K).floor().long().clamp_(max=K - 1)
    itr[:, 1:] += K
    ite[:, 1:] += K
    return itr, itr[:, 0].clone(), ite, ite[:, 0].clone()


class Net(nn.Module):
    def __init__(self, cell, variant, H, K, E):
        super().__init__()
        self.variant = variant
        if variant == "classification":
            self.embedding = nn.Embedding(2 * K, E)
            self.rnn = CELLS[cell](E, H, batch_first=True)
            self.head = nn.Linear(H, K)
        else:
            self.rnn = CELLS[cell](1, H, batch_first=True)
            self.head = nn.Linear(H, 1)

    def forward(self, x):
        if self.variant == "classification":
            x = self.embedding(x)
        out, _ = self.rnn(x)
        return self.head(out[:, -1, :])

    def embed(self, x):
        return self.embedding(x) if self.variant == "classification" else x

    def from_features(self, feats):
        out, _ = self.rnn(feats)
        return self.head(out[:, -1, :])


def evaluate(net, variant, x, y):
    with torch.no_grad():
        p = net(x)
        if variant == "regression":
            return {"loss": nn.functional.mse_loss(p, y).item()}
        return {"loss": nn.functional.cross_entropy(p, y).item(), "accuracy": (p.argmax(-1) == y).double().mean().item()}


def input_grad_profile(net, variant, x, y):
    """|| dLoss / d x_t || per time step t (x_t: the step's input features, after the embedding)."""
    feats = net.embed(x).detach().requires_grad_(True)
    p = net.from_features(feats)
    loss = nn.functional.mse_loss(p, y) if variant == "regression" else nn.functional.cross_entropy(p, y)
    net.zero_grad()
    (g,) = torch.autograd.grad(loss, feats)
    return g.pow(2).sum(dim=(0, 2)).sqrt().tolist()


def init_net(cell, variant, seed, cfg, dtype=torch.float32):
    """torch.manual_seed(seed), then Embedding, RNN, Linear in that order (PyTorch's default init);
    then, for the LSTM only, the documented deviation: bias_ih_l0's forget-gate slice += forget_bias
    and its input-gate slice += input_bias (in float32, before any conversion)."""
    torch.manual_seed(seed)
    net = Net(cell, variant, cfg["H"], cfg["K"], cfg["E"])
    fb, ib = cfg.get("forget_bias", 0.0), cfg.get("input_bias", 0.0)
    if cell == "LSTM" and (fb or ib):
        H = cfg["H"]
        with torch.no_grad():
            net.rnn.bias_ih_l0[:H] += ib        # gate order i, f, g, o
            net.rnn.bias_ih_l0[H:2 * H] += fb
    return net.to(dtype)


def batch_rows(step, B, N):
    """The rows of minibatch `step`: the training set in order, B at a time, round and round."""
    i0 = (step * B) % N
    return slice(i0, i0 + B)


def train_one(cell, variant, L, seed, cfg, dtype=torch.float32, log=False):
    xtr, ytr, xte, yte = make_data(variant, L, seed, cfg["n_train"], cfg["n_test"], cfg["K"])
    net = init_net(cell, variant, seed, cfg, dtype)
    if variant == "regression":
        xtr, ytr, xte, yte = xtr.to(dtype), ytr.to(dtype), xte.to(dtype), yte.to(dtype)
    lossf = nn.MSELoss() if variant == "regression" else nn.CrossEntropyLoss()
    opt = torch.optim.Adam(net.parameters(), lr=cfg["lr"])
    B = min(cfg.get("batch") or cfg["n_train"], cfg["n_train"])   # 0 or >= n_train: full batch
    assert cfg["n_train"] % B == 0, "n_train must be a multiple of batch"
    first = batch_rows(0, B, cfg["n_train"])
    grad_at_init = input_grad_profile(net, variant, xtr[first], ytr[first])
    losses, norms = [], []
    t0 = time.time()
    for s in range(cfg["steps"]):
        rows = batch_rows(s, B, cfg["n_train"])
        opt.zero_grad()
        loss = lossf(net(xtr[rows]), ytr[rows])
        loss.backward()
        norms.append(nn.utils.clip_grad_norm_(net.parameters(), cfg.get("clip", 1e9)).item())
        opt.step()
        losses.append(loss.item())
    secs = time.time() - t0
    return {
        "train_loss": losses, "grad_norm": norms, "seconds": secs,
        "train_final": evaluate(net, variant, xtr, ytr),
        "test": evaluate(net, variant, xte, yte),
        "input_grad_init": grad_at_init,
        "input_grad_final": input_grad_profile(net, variant, xtr[first], ytr[first]),
    }


def summarize(results, variant):
    print(f"{'L':>4} " + " ".join(f"{c:>24}" for c in CELLS))
    for L in sorted({r['L'] for r in results}):
        row = []
        for c in CELLS:
            rs = [r for r in results if r["L"] == L and r["cell"] == c]
            if not rs:
                row.append(" " * 24); continue
            key = "loss" if variant == "regression" else "accuracy"
            te = [r["test"][key] for r in rs]
            tr = [r["train_final"][key] for r in rs]
            row.append(f"tr {sum(tr)/len(tr):.3f} te {sum(te)/len(te):.3f}±{(max(te)-min(te))/2:.2f}")
        print(f"{L:>4} " + " ".join(f"{x:>24}" for x in row), flush=True)


DEFAULT = {"n_train": 4096, "n_test": 512, "H": 16, "K": 4, "E": 8, "lr": 0.02, "steps": 400, "batch": 64,
           "forget_bias": 5.0, "input_bias": -5.0}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["explore", "record", "fixture"])
    ap.add_argument("out", nargs="?")
    ap.add_argument("--variant", default="classification")
    ap.add_argument("--lengths", default="5,10,20,50,100")
    ap.add_argument("--seeds", default="0")
    ap.add_argument("--cells", default="RNN,LSTM,GRU")
    for k, v in DEFAULT.items():
        ap.add_argument("--" + k, type=type(v), default=v)
    a = ap.parse_args()
    cfg = {k: getattr(a, k) for k in DEFAULT}
    if a.mode == "explore":
        res = []
        for L in map(int, a.lengths.split(",")):
            for seed in map(int, a.seeds.split(",")):
                for c in a.cells.split(","):
                    r = train_one(c, a.variant, L, seed, cfg)
                    r.update(cell=c, L=L, seed=seed)
                    res.append(r)
                    k = "loss" if a.variant == "regression" else "accuracy"
                    print(f"  {c:5} L={L:3} seed={seed} train {r['train_final'][k]:.4f} test {r['test'][k]:.4f} "
                          f"{r['seconds']:.1f}s  gin[0]/gin[-1] init {r['input_grad_init'][0]/r['input_grad_init'][-1]:.2e}", flush=True)
        print(json.dumps(cfg))
        summarize(res, a.variant)
    elif a.mode == "fixture":
        fixture(a.out)
    elif a.mode == "record":
        # The record the extension's defaults come from: every run with its curves.
        res = []
        for L in map(int, a.lengths.split(",")):
            for seed in map(int, a.seeds.split(",")):
                for c in a.cells.split(","):
                    r = train_one(c, a.variant, L, seed, cfg)
                    r.update(cell=c, L=L, seed=seed)
                    res.append(r)
                    k = "loss" if a.variant == "regression" else "accuracy"
                    print(f"  {c:5} L={L:3} seed={seed} train {r['train_final'][k]:.4f} test {r['test'][k]:.4f} {r['seconds']:.1f}s", flush=True)
        summarize(res, a.variant)
        with open(a.out, "w") as f:
            json.dump({"torch": torch.__version__, "variant": a.variant, "config": cfg, "dtype": "float32", "runs": res}, f)
            f.write("\n")


def fixture(out):
    """Data bits and tiny trained configurations for test/unit/lab.longMemory.test.ts (float64 training
    from the float32 seeded init, as the engine trains): full batch and minibatches, PyTorch's
    default init and the LSTM's gate-bias deviation."""
    torch.set_default_dtype(torch.float32)
    cases = []
    base = {"n_train": 8, "n_test": 6, "H": 4, "K": 4, "E": 3, "lr": 0.02, "steps": 6, "batch": 0, "forget_bias": 0.0, "input_bias": 0.0}
    configs = [("regression", base), ("classification", base),
               ("classification", dict(base, batch=4, steps=7, forget_bias=3.0, input_bias=-3.0))]
    for variant, cfg in configs:
        for L, seed in ((5, 1), (7, 2)):
            xtr, ytr, xte, yte = make_data(variant, L, seed, cfg["n_train"], cfg["n_test"], cfg["K"])
            for cell in CELLS:
                net32 = init_net(cell, variant, seed, cfg)
                bias_init = net32.rnn.bias_ih_l0.detach().double().tolist()
                net = net32.double()
                f = (lambda t: t.double()) if variant == "regression" else (lambda t: t)
                a, b, c, d = f(xtr), f(ytr), f(xte), f(yte)
                lossf = nn.MSELoss() if variant == "regression" else nn.CrossEntropyLoss()
                opt = torch.optim.Adam(net.parameters(), lr=cfg["lr"])
                B = cfg["batch"] or cfg["n_train"]
                first = batch_rows(0, B, cfg["n_train"])
                grad_init = input_grad_profile(net, variant, a[first], b[first])
                losses, norms = [], []
                for s in range(cfg["steps"]):
                    rows = batch_rows(s, B, cfg["n_train"])
                    opt.zero_grad()
                    loss = lossf(net(a[rows]), b[rows])
                    loss.backward()
                    norms.append(nn.utils.clip_grad_norm_(net.parameters(), 1e9).item())
                    opt.step()
                    losses.append(loss.item())
                cases.append({
                    "variant": variant, "cell": cell, "length": L, "seed": seed, "config": cfg,
                    "data": {k: v.reshape(-1).tolist() for k, v in (("train_input", xtr), ("train_target", ytr), ("test_input", xte), ("test_target", yte))},
                    "loss": losses, "grad_norm": norms,
                    "test": evaluate(net, variant, c, d), "train": evaluate(net, variant, a, b),
                    "input_grad_init": grad_init, "input_grad_final": input_grad_profile(net, variant, a[first], b[first]),
                    "bias_ih_l0_init": bias_init,
                })
    # bigger data draws (the AVX2 randn path, numel >= 16, and a partial last block of 16)
    g = torch.Generator().manual_seed(data_seed(50, 2))
    big = {"seed": data_seed(50, 2), "randn_100x50x1_first_64": torch.randn(100, 50, 1, generator=g).reshape(-1)[:64].tolist()}
    xtr, ytr, xte, yte = make_data("classification", 20, 1, 1024, 512, 4)
    big["classification_L20_seed1_train_sum"] = int(xtr.sum())
    big["classification_L20_seed1_test_first_row"] = xte[0].tolist()
    # the experiment's own sizes: 4096 training sequences at L = 100
    xtr, ytr, xte, yte = make_data("classification", 100, 2, DEFAULT["n_train"], DEFAULT["n_test"], DEFAULT["K"])
    big["classification_L100_seed2"] = {"n_train": DEFAULT["n_train"], "n_test": DEFAULT["n_test"], "K": DEFAULT["K"],
                                        "train_sum": int(xtr.sum()), "train_last_row": xtr[-1].tolist(), "test_last_row": xte[-1].tolist()}
    with open(out, "w") as fh:
        json.dump({"torch": torch.__version__, "note": "made by scripts/lab/long_memory.py fixture", "cases": cases, "draws": big}, fh)
        fh.write("\n")


if __name__ == "__main__":
    main()
