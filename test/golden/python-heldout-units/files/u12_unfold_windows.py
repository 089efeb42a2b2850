import torch
import torch.nn as nn

series = torch.arange(100, dtype=torch.float32)
windows = series.unfold(0, 12, 4).unsqueeze(-1)   # (23, 12, 1)
rnn = nn.RNN(1, 5, batch_first=True)
out, h = rnn(windows[:-3])
