import torch
from torch import nn

seq_len, batch, features = 5, 3, 10
hidden = 20

cell = nn.GRUCell(features, hidden)
inputs = torch.randn(seq_len, batch, features)
hx = torch.zeros(batch, hidden)

# run the cell over the whole sequence
hx = cell(inputs, hx)
print(hx.shape)
