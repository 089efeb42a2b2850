#!/usr/bin/python3
"""Markdown tables of the long-memory records (bench/results/lab/long_memory_*.json): test accuracy
per model and length, mean (lowest-highest) over seeds, with the train accuracy; test loss likewise;
every seed's test accuracy; and the input-gradient ratio ||dL/dx_1|| / ||dL/dx_L|| at
initialisation (median over seeds).
usage: /usr/bin/python3 scripts/lab/summarize.py bench/results/lab/long_memory_cls_L*.json"""
import json, statistics, sys

runs, cfg = [], None
for p in sys.argv[1:]:
    d = json.load(open(p))
    cfg = d["config"]
    runs += d["runs"]
cells = [c for c in ["RNN", "LSTM", "GRU"] if any(r["cell"] == c for r in runs)]
lengths = sorted({r["L"] for r in runs})
print(f"config: {json.dumps(cfg)}\n")


def table(title, fmt_cell):
    print(f"{title}\n")
    print("| L | " + " | ".join(cells) + " |")
    print("|---:|" + "---|" * len(cells))
    for L in lengths:
        row = []
        for c in cells:
            rs = sorted((r for r in runs if r["L"] == L and r["cell"] == c), key=lambda r: r["seed"])
            row.append(fmt_cell(rs) if rs else "–")
        print(f"| {L} | " + " | ".join(row) + " |")
    print()


def acc(rs):
    te = [r["test"]["accuracy"] * 100 for r in rs]
    tr = [r["train_final"]["accuracy"] * 100 for r in rs]
    spread = f" ({min(te):.1f}–{max(te):.1f})" if len(rs) > 1 else ""
    return f"{statistics.mean(te):.1f}%{spread}, train {statistics.mean(tr):.1f}%" + (f", {len(rs)} seed" if len(rs) == 1 else "")


def loss(rs):
    te = [r["test"]["loss"] for r in rs]
    spread = f" ({min(te):.3f}–{max(te):.3f})" if len(rs) > 1 else ""
    return f"{statistics.mean(te):.3f}{spread}"


table("Test accuracy, mean (lowest–highest) over seeds; train accuracy on all training sequences:", acc)
table("Test loss (cross entropy; ln 4 = 1.386 is a uniform guess), mean (lowest–highest):", loss)
table("Test accuracy per seed (" + ", ".join(f"seed {s}" for s in sorted({r['seed'] for r in runs})) + "):",
      lambda rs: " / ".join(f"{r['test']['accuracy'] * 100:.1f}" for r in rs))
table("||dL/dx_1|| / ||dL/dx_L|| at initialisation (first minibatch; median over seeds):",
      lambda rs: f"{statistics.median(r['input_grad_init'][0] / r['input_grad_init'][-1] for r in rs):.1e}")
