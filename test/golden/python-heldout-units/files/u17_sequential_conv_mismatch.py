import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv1d(1, 16, 3), nn.ReLU())
        self.rnn = nn.LSTM(16, 32, batch_first=True)

    def forward(self, x):
        x = self.conv(x)
        out, _ = self.rnn(x)
        return out


Net()(torch.randn(2, 1, 40))
