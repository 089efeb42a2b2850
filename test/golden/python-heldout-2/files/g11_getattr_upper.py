import torch
import torch.nn as nn

cfg = {"cell": "gru", "hidden": 12, "layers": 1}
rnn = getattr(nn, cfg["cell"].upper())(4, cfg["hidden"], cfg["layers"], batch_first=True)
x = torch.randn(3, 6, 4)
out, h = rnn(x)
