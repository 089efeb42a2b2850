import torch
import torch.nn as nn


class Summarizer(nn.Module):
    def __init__(self, dim_in, dim_hidden):
        super().__init__()
        self.dim_hidden = dim_hidden
        self.gru = nn.GRU(dim_in, dim_hidden, batch_first=True)

    def forward(self, x):
        h0 = torch.zeros(x.size(0), self.dim_hidden)
        out, h = self.gru(x, h0)
        return h.squeeze(0)


s = Summarizer(12, 24)
print(s(torch.randn(3, 8, 12)).shape)
