# An LSTMCell unrolled by hand: one call per time step, as PyTorch's tutorials do.
# Hover nn.LSTMCell for h' and c' and the gate rows; "Unroll" (above the cell or the loop)
# draws every step x_1..x_6 -> h_1..h_6; "Open as JSON" writes the cell document.
import torch
import torch.nn as nn

torch.manual_seed(0)
cell = nn.LSTMCell(input_size=4, hidden_size=8)
x = torch.rand(6, 2, 4)          # (L, N, input_size): 6 time steps, a batch of 2
h = torch.zeros(2, 8)
c = torch.zeros(2, 8)
outputs = []
for t in range(x.size(0)):
    h, c = cell(x[t], (h, c))
    outputs.append(h)
output = torch.stack(outputs)    # (6, 2, 8)
print(h)
