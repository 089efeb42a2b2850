import torch
import torch.nn as nn

rnn = getattr(nn, 'GRU')(8, 16, dropout=0.5)
x = torch.randn(3, 4, 8)
out, h = rnn(x)
