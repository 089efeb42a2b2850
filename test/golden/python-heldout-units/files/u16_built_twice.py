import torch
import torch.nn as nn


class Branch(nn.Module):
    def __init__(self, n_in):
        super().__init__()
        self.rnn = nn.GRU(n_in, 8)

    def forward(self, x):
        return self.rnn(x)


left = Branch(4)
right = Branch(6)
left(torch.randn(3, 2, 4))
right(torch.randn(3, 2, 6))
