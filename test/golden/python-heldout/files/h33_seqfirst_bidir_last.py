import torch
from torch import nn

rnn = nn.GRU(input_size=10, hidden_size=20, num_layers=1, bidirectional=True)
classifier = nn.Linear(40, 3)

x = torch.randn(7, 5, 10)   # (seq_len, batch, input_size)
output, h_n = rnn(x)
final = output[-1]
scores = classifier(final)
print(scores.shape)
