import torch
import torch.nn as nn


def build(kind, n_in, n_hidden):
    if kind == "gru":
        return nn.GRU(n_in, n_hidden, batch_first=True)
    elif kind == "lstm":
        return nn.LSTM(n_in, n_hidden, batch_first=True)
    else:
        raise ValueError(kind)


model = build("lstm", 3, 9)
out, _ = model(torch.randn(2, 6, 3))
