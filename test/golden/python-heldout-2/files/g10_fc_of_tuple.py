import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(5, 10, batch_first=True)
        self.fc = nn.Linear(10, 1)

    def forward(self, x):
        return self.fc(self.lstm(x))


Net()(torch.randn(2, 3, 5))
