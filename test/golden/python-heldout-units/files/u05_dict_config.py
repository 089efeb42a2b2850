import torch
import torch.nn as nn

params = {"in": 7, "hidden": 14, "layers": 2, "bidir": True}


class Enc(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.rnn = nn.GRU(p["in"], p["hidden"], num_layers=p["layers"], bidirectional=p["bidir"])

    def forward(self, x):
        return self.rnn(x)


enc = Enc(params)
out, h = enc(torch.randn(5, 2, params["in"]))
