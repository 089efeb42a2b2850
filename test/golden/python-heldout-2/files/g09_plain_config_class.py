import torch
import torch.nn as nn


class CFG:
    n_features = 7
    hidden = 48
    layers = 2
    lookback = 30
    batch_size = 64


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(CFG.n_features, CFG.hidden, CFG.layers, batch_first=True)
        self.out = nn.Linear(CFG.hidden, 1)

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.out(y[:, -1])


net = Net()
x = torch.randn(CFG.batch_size, CFG.lookback, CFG.n_features)
print(net(x).shape)
