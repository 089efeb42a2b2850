import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(50, 12)
        self.rnn = nn.LSTM(12, 20, batch_first=True)

    def forward(self, ids):
        h0 = torch.zeros(1, ids.size(0), 20)
        c0 = torch.zeros(1, ids.size(0), 20)
        out, _ = self.rnn(self.emb(ids), (h0, c0))
        return out


net = Net()
net(torch.randint(0, 50, (2, 7)))
