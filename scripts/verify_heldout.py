#!/usr/bin/env python3
"""Runs every file of the held-out corpus (test/golden/python-heldout/files, .py and .ipynb) with
real PyTorch and writes what PyTorch did there to test/golden/python-heldout/expected.json:
each recurrent module's constructor (line, type, configuration), the first call of the module in
reading order (input shape, output, h_n, c_n), and evidence for each mistake code the manifest
(test/golden/python-heldout/manifest.json) expects, checked against what happened at run time:

  input-size-mismatch, hidden-shape-mismatch, cell-fed-sequence: PyTorch raised that error at
    that line; dropout-single-layer: PyTorch warned while building the module at that line;
  rnn-output-tuple, hidden-not-detached: PyTorch raised the tuple / backward-twice error;
  bidirectional-last-step, last-step-wrong-axis, packed-last-step: the module's output (or the
    pad_packed_sequence result) was indexed at that line on the last step of the wrong axis, or
    of a bidirectional output, or of padded sequences of different lengths;
  h-n-view-mixes-batch: h_n with D*num_layers > 1 was viewed/reshaped to (N, -1) at that line.

A file with no expected code must run without any of that evidence. Values the file does not
determine (read from argparse, a data file) are nulled as the manifest says; a call site that
receives several shapes, or a constructor line that builds differently configured modules, has
no single answer and is null too.

Each file runs in its own subprocess, in a temporary directory holding an input.txt, with
sys.argv = [file]. Usage: /usr/bin/python3 scripts/verify_heldout.py [--check] [--dir CORPUS]
(--check: compare with the stored expected.json instead of writing it; exit 1 on difference).
Exit 1 when a manifest expectation has no run-time evidence or a file shows unexpected evidence.
"""
import ast
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, ".."))
CORPUS = os.path.join(ROOT, "test", "golden", "python-heldout")
if "--dir" in sys.argv:  # another corpus laid out the same way (files/, manifest.json)
    CORPUS = os.path.abspath(sys.argv[sys.argv.index("--dir") + 1])
FILES = os.path.join(CORPUS, "files")

RAISES = {
    "input-size-mismatch": ["input.size(-1) must be equal to input_size"],
    "hidden-shape-mismatch": ["Expected hidden size", "Expected hidden[0] size", "Expected hidden[1] size", "hx should also be"],
    "cell-fed-sequence": ["Expected input to be 1-D or 2-D but received 3-D tensor"],
}
RAISES_ANYWHERE = {
    "rnn-output-tuple": ["not tuple", "'tuple' object has no attribute"],
    "hidden-not-detached": ["backward through the graph a second time"],
}
SILENT = {"bidirectional-last-step", "last-step-wrong-axis", "packed-last-step", "h-n-view-mixes-batch", "dropout-single-layer"}

INPUT_TXT = "First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n" * 20


# ----------------------------------------------------------------------------------------------
# Child: run one file with hooks, print a JSON record.
# ----------------------------------------------------------------------------------------------
def run_child(path):
    import warnings
    import torch
    import torch.nn as nn
    import torch.nn.utils.rnn as rnn_utils

    torch.manual_seed(0)
    rec = {"constructors": [], "calls": [], "error": None, "evidence": []}
    names = set()

    def site(skip=1):
        f = sys._getframe(skip)
        while f is not None:
            fn = f.f_code.co_filename
            if fn in names:
                return [cell_of(fn), f.f_lineno]
            f = f.f_back
        return None

    def cell_of(fn):
        return int(fn[6:-1]) if fn.startswith("<cell ") else None

    def config(m):
        c = {"type": type(m).__name__, "input_size": m.input_size, "hidden_size": m.hidden_size, "bias": bool(m.bias)}
        if isinstance(m, nn.RNNBase):
            c.update(num_layers=m.num_layers, bidirectional=bool(m.bidirectional), batch_first=bool(m.batch_first), proj_size=m.proj_size,
                     nonlinearity=("relu" if m.mode == "RNN_RELU" else "tanh") if m.mode.startswith("RNN_") else None)
        else:
            c.update(num_layers=None, bidirectional=None, batch_first=None, proj_size=None,
                     nonlinearity=getattr(m, "nonlinearity", None) if type(m).__name__ == "RNNCell" else None)
        return c

    modules = []  # keep references so ids stay unique

    def wrap_init(cls):
        orig = cls.__init__

        def init(self, *a, **k):
            outer = getattr(init, "depth", 0)
            init.depth = outer + 1
            try:
                with warnings.catch_warnings(record=True) as ws:
                    warnings.simplefilter("always")
                    orig(self, *a, **k)
            finally:
                init.depth = outer
            if outer == 0:
                s = site(2)
                if s is not None:
                    self._heldout_site = s
                    modules.append(self)
                    # the configuration is read at the end: RNNCell sets nonlinearity after this
                    rec["constructors"].append({"site": s, "module": self})
                    for w in ws:
                        if "dropout option adds dropout after all but last recurrent layer" in str(w.message):
                            rec["evidence"].append({"code": "dropout-single-layer", "site": s})
            for w in ws:
                if "dropout option" not in str(w.message):
                    warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        cls.__init__ = init

    wrap_init(nn.RNNBase)
    wrap_init(nn.RNNCellBase)

    tags = {}  # id(tensor) -> (tensor, info)

    def tag(t, info):
        if isinstance(t, torch.Tensor):
            tags[id(t)] = (t, info)

    def shape_of(x, m):
        if isinstance(x, rnn_utils.PackedSequence):
            n, steps, feat = int(x.batch_sizes[0]), len(x.batch_sizes), x.data.shape[-1]
            return {"shape": [n, steps, feat] if m.batch_first else [steps, n, feat], "packed": True}
        if isinstance(x, torch.Tensor):
            return {"shape": list(x.shape)}
        return None

    def pre_hook(m, args):
        if not hasattr(m, "_heldout_site") or not args:
            return
        s = site(2)
        if s is None:
            return
        m._heldout_call = {"module": m._heldout_site, "site": s, "input": shape_of(args[0], m), "output": None, "h_n": None, "c_n": None, "raised": True}
        rec["calls"].append(m._heldout_call)  # kept even when the call raises

    def post_hook(m, args, out):
        call = getattr(m, "_heldout_call", None)
        if call is None:
            return
        m._heldout_call = None
        call["raised"] = False
        if isinstance(m, nn.RNNCellBase):
            y, h = (out[0], None) if isinstance(out, tuple) else (out, None)
        else:
            y, h = out
        packed_out = shape_of(y, m) if isinstance(y, rnn_utils.PackedSequence) else None
        ys = y.shape if isinstance(y, torch.Tensor) else None
        call["output"] = list(ys) if ys is not None else packed_out["shape"] if packed_out else None
        if isinstance(h, tuple):
            call["h_n"], call["c_n"] = list(h[0].shape), list(h[1].shape)
        elif isinstance(h, torch.Tensor):
            call["h_n"], call["c_n"] = list(h.shape), None
        else:
            call["h_n"] = call["c_n"] = None
        if isinstance(m, nn.LSTMCell):
            call["c_n"] = list(out[1].shape)
        if isinstance(m, nn.RNNBase):
            x = args[0]
            batched = isinstance(x, rnn_utils.PackedSequence) or (isinstance(x, torch.Tensor) and x.dim() == 3)
            info = {"bidirectional": bool(m.bidirectional), "batch_first": bool(m.batch_first), "batched": batched}
            if isinstance(y, torch.Tensor):
                tag(y, dict(info, kind="out"))
            hn = h[0] if isinstance(h, tuple) else h
            if isinstance(hn, torch.Tensor) and hn.dim() == 3:
                tag(hn, dict(info, kind="h_n", layers=hn.shape[0], n=hn.shape[1]))

    from torch.nn.modules.module import register_module_forward_pre_hook, register_module_forward_hook
    register_module_forward_pre_hook(pre_hook)
    register_module_forward_hook(post_hook)

    orig_pad = rnn_utils.pad_packed_sequence

    def pad_packed_sequence(sequence, batch_first=False, *a, **k):
        padded, lengths = orig_pad(sequence, batch_first, *a, **k)
        tag(padded, {"kind": "padded", "batch_first": batch_first, "unequal": len(set(lengths.tolist())) > 1})
        return padded, lengths
    rnn_utils.pad_packed_sequence = pad_packed_sequence

    def is_last(i):
        return isinstance(i, int) and i == -1

    def full(i):
        return isinstance(i, slice) and i == slice(None)

    def index_axes(idx):
        idx = idx if isinstance(idx, tuple) else (idx,)
        return list(idx)

    orig_getitem = torch.Tensor.__getitem__

    def getitem(self, idx):
        entry = tags.get(id(self))
        if entry is not None and entry[0] is self:
            info = entry[1]
            ax = index_axes(idx)
            last_on_0 = len(ax) >= 1 and is_last(ax[0])
            last_on_1 = len(ax) >= 2 and full(ax[0]) and is_last(ax[1])
            time_last = last_on_1 if info["batch_first"] else last_on_0
            wrong_last = last_on_0 if info["batch_first"] else last_on_1
            s = site(2)
            if info["kind"] == "out" and s is not None:
                if info["bidirectional"] and time_last:
                    rec["evidence"].append({"code": "bidirectional-last-step", "site": s})
                if info["batched"] and wrong_last:
                    rec["evidence"].append({"code": "last-step-wrong-axis", "site": s})
            if info["kind"] == "padded" and info["unequal"] and time_last and s is not None:
                rec["evidence"].append({"code": "packed-last-step", "site": s})
        return orig_getitem(self, idx)
    torch.Tensor.__getitem__ = getitem

    def wrap_view(name):
        orig = getattr(torch.Tensor, name)

        def fn(self, *shape):
            entry = tags.get(id(self))
            if entry is not None and entry[0] is self and entry[1]["kind"] == "h_n" and entry[1]["layers"] > 1:
                dims = list(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list, torch.Size)) else list(shape)
                if len(dims) == 2 and dims[0] == entry[1]["n"] and dims[1] in (-1, entry[1]["layers"] * self.shape[2]):
                    s = site(2)
                    if s is not None:
                        rec["evidence"].append({"code": "h-n-view-mixes-batch", "site": s})
            return orig(self, *shape)
        setattr(torch.Tensor, name, fn)
    wrap_view("view")
    wrap_view("reshape")

    # the code
    with open(path, encoding="utf-8") as f:
        text = f.read()
    units = []
    if path.endswith(".ipynb"):
        nb = json.loads(text)
        for k, cell in enumerate(nb["cells"]):
            if cell["cell_type"] != "code":
                continue
            src = "".join(cell["source"])
            src = "\n".join("" if l.lstrip().startswith(("!", "%")) else l for l in src.split("\n"))
            units.append((f"<cell {k}>", src))
    else:
        units.append((path, text))
    for name, _ in units:
        names.add(name)
    g = {"__name__": "__main__", "__file__": path, "__builtins__": __builtins__}
    sys.argv = [path]
    try:
        for name, src in units:
            exec(compile(src, name, "exec"), g)
    except BaseException as e:  # the mistake files end in PyTorch's error
        tb = e.__traceback__
        where = None
        while tb is not None:
            if tb.tb_frame.f_code.co_filename in names:
                where = [cell_of(tb.tb_frame.f_code.co_filename), tb.tb_lineno]
            tb = tb.tb_next
        rec["error"] = {"type": type(e).__name__, "message": str(e)[:300], "site": where}
    for c in rec["constructors"]:
        c["config"] = config(c.pop("module"))
    sys.stdout.flush()
    sys.__stdout__.write("\n@@HELDOUT@@" + json.dumps(rec) + "\n")


# ----------------------------------------------------------------------------------------------
# Parent: turn the records into expectations.
# ----------------------------------------------------------------------------------------------
def sources(path):
    """[(cell or None, source text)] as the file's code units."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if not path.endswith(".ipynb"):
        return {None: text}
    nb = json.loads(text)
    out = {}
    for k, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            src = "".join(cell["source"])
            out[k] = "\n".join("" if l.lstrip().startswith(("!", "%")) else l for l in src.split("\n"))
    return out


def call_start(src, line):
    """The first line of the innermost call expression spanning `line` (a multi-line call's
    run-time line is not always its first)."""
    best = None
    for node in ast.walk(ast.parse(src)):
        if isinstance(node, ast.Call) and node.lineno <= line <= node.end_lineno:
            span = node.end_lineno - node.lineno
            if best is None or span < best[0] or (span == best[0] and node.lineno > best[1]):
                best = (span, node.lineno)
    return best[1] if best else line


def find_line(units, at, cell=None):
    hits = []
    for k, src in units.items():
        if cell is not None and k != cell:
            continue
        for i, l in enumerate(src.split("\n"), 1):
            if at in l:
                hits.append((k, i))
    if len(hits) != 1:
        raise SystemExit(f"manifest: {at!r} matches {len(hits)} lines")
    return hits[0]


def build(name, rec, manifest):
    path = os.path.join(FILES, name)
    units = sources(path)
    man = manifest.get(name, {})
    problems = []

    def norm(s):
        k, line = s
        return (k, call_start(units[k], line))

    models = {}
    for c in rec["constructors"]:
        key = norm(c["site"])
        cfg = dict(c["config"])
        if key in models:
            prev = models[key]["config"]
            for f in list(prev):
                if prev[f] != cfg[f]:
                    prev[f] = None
        else:
            models[key] = {"config": cfg, "calls": {}}
    for call in rec["calls"]:
        mkey = norm(call["module"])
        if mkey not in models:
            continue
        ckey = norm(call["site"])
        seen = models[mkey]["calls"].setdefault(ckey, [])
        val = {"input": call["input"], "output": call["output"], "h_n": call["h_n"], "c_n": call["c_n"], "raised": call["raised"]}
        if val not in seen:
            seen.append(val)
    unknown = {}
    for u in man.get("unknown", []):
        unknown[find_line(units, u["at"], u.get("cell"))] = u
    out_models = []
    for key in sorted(models, key=lambda k: (k[0] if k[0] is not None else -1, k[1])):
        m = models[key]
        cfg = m["config"]
        u = unknown.get(key, {})
        for f in u.get("fields", []):
            cfg[f] = None
        entry = {"line": key[1]}
        if key[0] is not None:
            entry["cell"] = key[0]
        entry.update(cfg)
        entry["input"] = None
        entry["output"] = entry["h_n"] = entry["c_n"] = None
        if m["calls"]:
            first = min(m["calls"], key=lambda k: (k[0] if k[0] is not None else -1, k[1]))
            vals = m["calls"][first]
            inputs = []
            for v in vals:
                if v["input"] not in inputs:
                    inputs.append(v["input"])
            if len(inputs) == 1 and inputs[0] is not None and not u.get("input"):
                entry["input"] = dict(inputs[0], line=first[1])
                if first[0] is not None:
                    entry["input"]["cell"] = first[0]
                # Outputs only when every run there gave the same (one module class, one config).
                for k in ("output", "h_n", "c_n"):
                    outs = []
                    for v in vals:
                        if v[k] not in outs:
                            outs.append(v[k])
                    entry[k] = outs[0] if len(outs) == 1 else None
                if any(v["raised"] for v in vals):
                    entry["raised"] = True  # PyTorch raised at this call: no output to compare
            else:
                entry["input_line"] = first[1]
        out_models.append(entry)
    for x in man.get("unexecuted", []):
        k, line = find_line(units, x["at"], x.get("cell"))
        entry = {"line": line, "unexecuted": True}
        if k is not None:
            entry["cell"] = k
        entry.update(x["expect"])
        out_models.append(entry)

    # lint
    evidence = [(e["code"], norm(e["site"]) if e["code"] != "dropout-single-layer" else norm(e["site"])) for e in rec["evidence"]]
    err = rec["error"]
    lint = []
    used = set()
    for x in man.get("lint", []):
        k, line = find_line(units, x["at"], x.get("cell"))
        code = x["code"]
        ok = False
        if code in RAISES:
            ok = err is not None and any(t in err["message"] for t in RAISES[code]) and err["site"] is not None and norm(err["site"]) == (k, line)
            if ok:
                used.add("error")
        elif code in RAISES_ANYWHERE:
            ok = err is not None and any(t in err["message"] for t in RAISES_ANYWHERE[code])
            if ok:
                used.add("error")
        elif code in SILENT:
            ok = (code, (k, line)) in evidence
            if ok:
                used.add((code, (k, line)))
        if not ok:
            problems.append(f"{name}: no run-time evidence for {code} at {k}:{line} (error: {err})")
        entry = {"line": line, "code": code}
        if k is not None:
            entry["cell"] = k
        lint.append(entry)
    if err is not None and "error" not in used:
        problems.append(f"{name}: unexpected error {err}")
    for e in evidence:
        if e not in used:
            problems.append(f"{name}: unexpected evidence {e}")
    return {"file": os.path.relpath(path, ROOT), "correct": not lint, "models": out_models, "lint": lint}, problems


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "--run":
        run_child(sys.argv[2])
        return 0
    check = "--check" in sys.argv
    with open(os.path.join(CORPUS, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    names = sorted(n for n in os.listdir(FILES) if n.endswith((".py", ".ipynb")))
    results, problems = [], []
    for name in names:
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "input.txt"), "w") as f:
                f.write(INPUT_TXT)
            p = subprocess.run([sys.executable, os.path.abspath(__file__), "--run", os.path.join(FILES, name)],
                               cwd=tmp, capture_output=True, text=True, timeout=300,
                               env=dict(os.environ, CUDA_VISIBLE_DEVICES="", OMP_NUM_THREADS="1", MPLBACKEND="Agg"))
        marker = p.stdout.rfind("@@HELDOUT@@")
        if marker < 0:
            problems.append(f"{name}: no record (exit {p.returncode}): {p.stderr[-800:]}")
            continue
        rec = json.loads(p.stdout[marker + len("@@HELDOUT@@"):].strip())
        res, probs = build(name, rec, manifest)
        results.append(res)
        problems += probs
        print(f"{name}: {len(res['models'])} modules, lint {[l['code'] for l in res['lint']]}{'  PROBLEM' if probs else ''}")
    out = os.path.join(CORPUS, "expected.json")
    text = json.dumps({"generated_by": "scripts/verify_heldout.py (PyTorch " + __import__("torch").__version__ + ")", "files": results}, indent=1, ensure_ascii=False) + "\n"
    for pr in problems:
        print("PROBLEM:", pr)
    if check:
        with open(out, encoding="utf-8") as f:
            same = f.read() == text
        print("expected.json matches PyTorch" if same else "expected.json DIFFERS from what PyTorch does now")
        return 0 if same and not problems else 1
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"{len(results)} files, {len(problems)} problems; wrote {os.path.relpath(out, ROOT)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
