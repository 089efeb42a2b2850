import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(50, 12)
        self.rnn = nn.LSTM(10, 20, batch_first=True)

    def forward(self, ids):
        e = self.emb(ids)
        out, _ = self.rnn(e)
        return out


net = Net()
net(torch.randint(0, 50, (2, 7)))
