import torch
import torch.nn as nn

data = torch.randn(100, 3)
rnn = nn.RNN(3, 5)
for i in range(0, 100, 30):
    chunk = data[i:i + 30]          # the last chunk has 10 rows
    out, h = rnn(chunk.unsqueeze(1))
