import torch
import torch.nn as nn

features = nn.Sequential(
    nn.Conv1d(2, 8, kernel_size=3, padding=1),
    nn.ReLU(),
    nn.MaxPool1d(2),
    nn.Conv1d(8, 12, kernel_size=5, stride=2),
)
rnn = nn.GRU(12, 20, batch_first=True)
signal = torch.randn(4, 2, 64)
z = features(signal)            # (4, 12, 14)
out, h = rnn(z.transpose(1, 2))
