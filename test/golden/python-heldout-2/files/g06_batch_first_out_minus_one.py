import torch
import torch.nn as nn


class ActivityClassifier(nn.Module):
    """Accelerometer windows (batch, time, xyz) -> activity."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(input_size=3, hidden_size=64, num_layers=2, batch_first=True, dropout=0.2)
        self.fc = nn.Linear(64, 6)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.fc(out[-1])


clf = ActivityClassifier()
windows = torch.randn(32, 128, 3)
print(clf(windows).shape)
