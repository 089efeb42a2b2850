#!/usr/bin/python3
"""
The Lab's language model trained in PyTorch's own float32 (the default of a PyTorch script, and
the precision src/lab/charLm.ts trains in by default), for test/unit/lab.float32.test.ts: the
same documents as scripts/lab/char_lm.py (its setup and model), without .double(), so every
parameter and every product is float32. Records the loss per step and the greedy continuation.
Cases: the sampler test's small configuration for RNN, LSTM and GRU, and the Lab's defaults
(CHAR_LM_DEFAULTS: LSTM 16 -> 64, L 32, N 16, Adam lr 0.01) for 60 steps.
usage: /usr/bin/python3 scripts/lab/char_lm_float32.py OUT.json
"""
import json, os, sys
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from char_lm import CELLS, TEXT, continue_from, train  # noqa: E402

torch.set_num_threads(1)

SMALL = {"hidden": 12, "embeddingDim": 5, "seqLen": 16, "maxBatch": 4, "lr": 0.02, "steps": 25, "seed": 3}
DEFAULTS = {"hidden": 64, "embeddingDim": 16, "seqLen": 32, "maxBatch": 16, "lr": 0.01, "steps": 60, "seed": 0}


def run(cell, cfg):
    net, vocab, ids, losses = train(cell, cfg, float64=False)  # float32, as PyTorch makes it
    greedy = continue_from(net, ids[:1], 40, lambda l: int(l.argmax(-1)))
    return {"cell": cell, "config": cfg, "loss_float32": losses, "greedy_float32": "".join(vocab[i] for i in greedy)}


def main(out):
    cases = [run(cell, SMALL) for cell in CELLS] + [run("LSTM", DEFAULTS)]
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"torch": torch.__version__, "note": "made by scripts/lab/char_lm_float32.py (PyTorch float32)", "text": TEXT, "cases": cases}, f, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
