import torch
import torch.nn as nn

torch.manual_seed(0)
cell = nn.LSTMCell(10, 20)
x = torch.randn(6, 3, 10)
h = torch.zeros(3, 20)
c = torch.zeros(3, 20)
outputs = []
for t in range(x.size(0)):
    h, c = cell(x[t], (h, c))
    outputs.append(h)
out = torch.stack(outputs)
