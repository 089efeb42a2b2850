#!/usr/bin/python3
"""Markdown table of the long-memory records (bench/results/lab/long_memory_*.json): test accuracy
per model and length, mean (lowest-highest) over seeds, and train accuracy; plus the input-gradient
ratio ||dL/dx_1|| / ||dL/dx_L|| at initialisation (median over seeds).
usage: /usr/bin/python3 scripts/lab/summarize.py bench/results/lab/long_memory_cls_*.json"""
import json, statistics, sys

runs, cfg = [], None
for p in sys.argv[1:]:
    d = json.load(open(p))
    cfg = d["config"]
    runs += d["runs"]
cells = ["RNN", "LSTM", "GRU"]
print(f"config: {json.dumps(cfg)}\n")
print("| L | " + " | ".join(cells) + " |")
print("|---:|" + "---|" * len(cells))
for L in sorted({r["L"] for r in runs}):
    row = []
    for c in cells:
        rs = [r for r in runs if r["L"] == L and r["cell"] == c]
        if not rs:
            row.append("–"); continue
        te = [r["test"]["accuracy"] * 100 for r in rs]
        tr = [r["train_final"]["accuracy"] * 100 for r in rs]
        spread = f" ({min(te):.1f}–{max(te):.1f})" if len(rs) > 1 else ""
        row.append(f"{statistics.mean(te):.1f}%{spread}, train {statistics.mean(tr):.1f}%" + (f", {len(rs)} seed" if len(rs) == 1 else ""))
    print(f"| {L} | " + " | ".join(row) + " |")
print("\n||dL/dx_1|| / ||dL/dx_L|| at initialisation (median over seeds):\n")
print("| L | " + " | ".join(cells) + " |")
print("|---:|" + "---|" * len(cells))
for L in sorted({r["L"] for r in runs}):
    row = []
    for c in cells:
        rs = [r for r in runs if r["L"] == L and r["cell"] == c]
        row.append(f"{statistics.median(r['input_grad_init'][0] / r['input_grad_init'][-1] for r in rs):.1e}" if rs else "–")
    print(f"| {L} | " + " | ".join(row) + " |")
