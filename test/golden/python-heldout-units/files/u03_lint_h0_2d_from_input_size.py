import torch
import torch.nn as nn

rnn = nn.RNN(6, 16, batch_first=True)
x = torch.randn(4, 9, 6)
h0 = torch.zeros(x.size(0), 16)
out, h = rnn(x, h0)
