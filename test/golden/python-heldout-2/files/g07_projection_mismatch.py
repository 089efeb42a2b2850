import torch
import torch.nn as nn


class Model(nn.Module):
    def __init__(self, n_in=40, d_model=64, hidden=128):
        super().__init__()
        self.proj = nn.Linear(n_in, d_model)
        self.rnn = nn.GRU(n_in, hidden, batch_first=True)

    def forward(self, feats):
        x = torch.relu(self.proj(feats))
        out, h = self.rnn(x)
        return out


m = Model()
print(m(torch.randn(2, 30, 40)).shape)
