import torch
import torch.nn as nn

data = torch.randn(100, 3)
rnn = nn.RNN(3, 5)
for i in range(0, 80, 20):
    chunk = data[i:i + 20]
    out, h = rnn(chunk.unsqueeze(1))
