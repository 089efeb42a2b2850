import random

import torch
import torch.nn as nn


class Decoder(nn.Module):
    def __init__(self, out_dim=2, hid=24):
        super().__init__()
        self.hid = hid
        self.cell = nn.LSTMCell(out_dim, hid)
        self.proj = nn.Linear(hid, out_dim)

    def forward(self, target, teacher_forcing=0.5):
        N, T, D = target.shape
        h = target.new_zeros(N, self.hid)
        c = target.new_zeros(N, self.hid)
        y = target[:, 0]
        outs = []
        for t in range(1, T):
            h, c = self.cell(y, (h, c))
            pred = self.proj(h)
            outs.append(pred)
            y = target[:, t] if random.random() < teacher_forcing else pred
        return torch.stack(outs, 1)


dec = Decoder()
print(dec(torch.randn(6, 10, 2)).shape)
