import torch
import torch.nn as nn

lstm = nn.LSTM(input_size=10, hidden_size=16, num_layers=2, proj_size=8)
inp = torch.randn(5, 4, 10)
h0 = torch.randn(2, 4, 8)
c0 = torch.randn(2, 4, 16)
output, (hn, cn) = lstm(inp, (h0, c0))
print(output.shape, hn.shape, cn.shape)
