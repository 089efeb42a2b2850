#!/usr/bin/env python3
"""Runs every snippet of test/fixtures/python/lint/ with real PyTorch and checks that each
expected finding (`# expect: CODE` on the line) really misbehaves, and that each file without
expectations runs cleanly (no exception, no PyTorch warning about dropout).

Errors PyTorch raises are matched by their text; warnings by theirs; the mistakes that run
silently (bidirectional-last-step, last-step-wrong-axis, packed-last-step, h-n-view-mixes-batch)
by a numeric check below: the value the snippet takes differs from the right one.

Usage: /usr/bin/python3 scripts/verify_lint_corpus.py [--quiet]
Exit 0 when every file behaves as its expectations say; results are printed one line per file.
Nothing here is imported by the extension; it only checks the corpus.
"""
import contextlib
import io
import json
import os
import re
import sys
import traceback
import warnings

import types

import torch

# `from common import *` in the corpus stands for a project's own module that imports torch.
_common = types.ModuleType("common")
_common.torch = torch
_common.nn = torch.nn
_common.F = torch.nn.functional
sys.modules["common"] = _common

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "test", "fixtures", "python", "lint")

RAISES = {
    "input-size-mismatch": ["input.size(-1) must be equal to input_size", "input has inconsistent input_size"],
    "hidden-shape-mismatch": ["Expected hidden size", "Expected hidden[0] size", "Expected hidden[1] size", "hx should also be", "hx and cx should also be"],
    "cell-fed-sequence": ["Expected input to be 1-D or 2-D but received 3-D tensor"],
    "rnn-output-tuple": ["must be Tensor, not tuple", "'tuple' object has no attribute", "tuple indices must be integers or slices, not tuple"],
    "hidden-not-detached": ["Trying to backward through the graph a second time"],
}
WARNS = {"dropout-single-layer": "non-zero dropout expects num_layers greater than 1"}


def close(a, b):
    return a.shape == b.shape and torch.allclose(a, b, atol=1e-6)


def state(h):
    return h[0] if isinstance(h, tuple) else h


def bidir_last(module, x, batch_first):
    """out's last step vs both final states: the reverse half differs."""
    out, h = module(x)
    h = state(h)
    last = out[:, -1] if batch_first else out[-1]
    right = torch.cat((h[-2], h[-1]), dim=1)
    hidden = h.size(-1)
    return (not close(last, right)) and close(last[:, :hidden], h[-2]) and not close(last[:, hidden:], h[-1])


def wrong_axis(module, x, batch_first):
    """the index the snippet uses vs the real last step h_n[-1]."""
    out, h = module(x)
    h = state(h)
    wrong = out[-1] if batch_first else out[:, -1]
    return not close(wrong, h[-1])


def view_mixes(module, x, batch_first):
    _, h = module(x)
    h = state(h)
    n = x.size(0) if batch_first else x.size(1)
    return not close(h.view(n, -1), h.permute(1, 0, 2).reshape(n, -1))


# Numeric checks for the mistakes that raise nothing: file -> check(namespace) -> bool.
SILENT = {
    "w_bidir_classifier_batchfirst.py": lambda g: bidir_last(g["model"].lstm, torch.randn(4, 9, 16), True),
    "w_bidir_gru_seqfirst.py": lambda g: bidir_last(g["gru"], g["x"], False),
    "w_bidir_sentiment_embedding.py": lambda g: bidir_last(g["net"].rnn.eval(), g["net"].embedding(g["ids"]), True),
    "w_hidden_shape_class_bidir.py": lambda g: bidir_last(g["model"].lstm, torch.randn(4, 28, 28), True),
    "w_star_import_project.py": lambda g: bidir_last(g["GRUClassifier"](4, 8, 1, 2).gru, torch.randn(3, 5, 4), True),
    "w_bidir_after_dropout.py": lambda g: bidir_last(g["net"].gru, g["net"].emb(torch.randint(0, 200, (3, 11))), True),
    "w_notebook_bidir.ipynb": lambda g: bidir_last(g["model"].lstm, torch.randn(4, 6, 8), True),
    "w_axis_seqfirst.py": lambda g: wrong_axis(g["model"].rnn, torch.randn(6, 3, 10), False),
    "w_axis_batchfirst.py": lambda g: wrong_axis(g["lstm"], g["batch"], True),
    "w_axis_tutorial_script.py": lambda g: wrong_axis(g["lstm"], g["x"], False),
    "w_notebook_axis.ipynb": lambda g: wrong_axis(g["rnn"], g["x"], False),
    "w_multi.py": lambda g: wrong_axis(g["rnn"], g["x"], False),
    "w_hview_bidir.py": lambda g: view_mixes(g["enc"].gru, torch.randn(5, 7, 6), True),
    "w_hview_layers.py": lambda g: view_mixes(g["lstm"], g["x"], True),
    "w_hview_reshape.py": lambda g: view_mixes(g["Tagger"]().rnn, torch.randn(9, 2, 5), False),
    # padding, not the last step: zeros where h_n has each sequence's last state
    "w_packed_last.py": lambda g: (not close(g["last"], g["h_n"][-1])) and float(g["last"][2].abs().sum()) == 0.0,
    "w_packed_seqfirst.py": lambda g: (not close(g["final"], g["h"][-1])) and float(g["final"][1].abs().sum()) == 0.0,
}
SILENT_CODES = {"bidirectional-last-step", "last-step-wrong-axis", "packed-last-step", "h-n-view-mixes-batch"}


def source_of(path):
    """Python text of a file; a notebook's code cells top to bottom, IPython magics dropped."""
    if path.endswith(".ipynb"):
        nb = json.load(open(path))
        cells = []
        for c in nb["cells"]:
            if c["cell_type"] != "code":
                continue
            src = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            cells.append(re.sub(r"(?m)^[ \t]*[%!?].*$", "", src))
        return "\n".join(cells)
    return open(path).read()


def expectations(text):
    out = []
    for line in text.splitlines():
        m = re.search(r"#\s*expect:\s*([\w-]+(?:\s*,\s*[\w-]+)*)", line)
        if m:
            out += [c.strip() for c in m.group(1).split(",")]
    return out


def run(path):
    text = source_of(path)
    g = {"__name__": "__main__", "__file__": path}
    error = None
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("always")
        torch.manual_seed(0)
        try:
            exec(compile(text, path, "exec"), g)
        except Exception as e:  # the snippet's own error is what we look for
            error = "%s: %s" % (type(e).__name__, e)
    return text, g, error, [str(w.message) for w in caught]


def main():
    quiet = "--quiet" in sys.argv
    files = sorted(f for f in os.listdir(CORPUS) if f.endswith((".py", ".ipynb")))
    bad = 0
    counts = {"wrong": 0, "right": 0, "codes": 0}
    for f in files:
        path = os.path.join(CORPUS, f)
        text, g, error, warns = run(path)
        expected = expectations(text)
        problems = []
        for code in expected:
            counts["codes"] += 1
            if code in RAISES:
                if not error or not any(s in error for s in RAISES[code]):
                    problems.append("%s: expected PyTorch to raise %r, got %r" % (code, RAISES[code][0], error))
            elif code in WARNS:
                if not any(WARNS[code] in w for w in warns):
                    problems.append("%s: expected the warning %r" % (code, WARNS[code]))
            elif code in SILENT_CODES:
                check = SILENT.get(f)
                try:
                    ok = check is not None and bool(check(g))
                except Exception:
                    ok = False
                    problems.append("%s: numeric check failed: %s" % (code, traceback.format_exc(limit=1).strip().splitlines()[-1]))
                if not ok and check is None:
                    problems.append("%s: no numeric check for this file" % code)
                elif not ok:
                    problems.append("%s: the numeric check did not show the mistake" % code)
            else:
                problems.append("unknown code %s" % code)
        raising = [c for c in expected if c in RAISES]
        if error and not raising:
            problems.append("raised although no expectation says so: %s" % error)
        dropout_warned = any(WARNS["dropout-single-layer"] in w for w in warns)
        if dropout_warned and "dropout-single-layer" not in expected:
            problems.append("PyTorch warned about dropout but nothing is expected")
        counts["wrong" if expected else "right"] += 1
        status = "ok" if not problems else "FAIL"
        if problems:
            bad += 1
        if not quiet or problems:
            what = ", ".join(expected) if expected else "correct: runs cleanly"
            print("%-4s %-40s %s%s" % (status, f, what, "" if not error else "  [%s]" % error.split("\n")[0][:110]))
            for p in problems:
                print("       " + p)
    print("%d files (%d with mistakes, %d correct), %d expected findings; %d failed; torch %s" % (len(files), counts["wrong"], counts["right"], counts["codes"], bad, torch.__version__))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
