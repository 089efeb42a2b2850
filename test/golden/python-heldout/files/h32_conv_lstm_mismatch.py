import torch
import torch.nn as nn


class ConvLSTM1D(nn.Module):
    """Conv front-end then an LSTM over time, for ECG classification."""

    def __init__(self, in_channels=1, conv_channels=16, hidden=32, n_classes=5):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv1d(in_channels, conv_channels, kernel_size=5, padding=2),
            nn.ReLU(),
            nn.MaxPool1d(2),
        )
        self.lstm = nn.LSTM(conv_channels, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, n_classes)

    def forward(self, x):
        # x: (batch, channels, length)
        x = self.conv(x)            # (batch, conv_channels, length / 2)
        out, (h, c) = self.lstm(x)
        return self.fc(h[-1])


net = ConvLSTM1D()
signal = torch.randn(4, 1, 100)
print(net(signal).shape)
