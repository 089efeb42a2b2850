import torch
from torch import nn

torch.manual_seed(3)
rnn = nn.GRUCell(input_size=4, hidden_size=6)
seq = torch.rand(5, 2, 4)
state = None
outputs = []
for step in seq.unbind(0):
    state = rnn(step, state)
    outputs.append(state)
h = state
out = torch.stack(outputs)
