import torch
import torch.nn as nn

batch, steps, feats = 4, 15, 8
gru = nn.GRU(feats, 10, bidirectional=True, batch_first=True)
head = nn.Linear(20, 1)

x = torch.randn(batch, steps, feats)
_, h_n = gru(x)
summary = h_n.reshape(batch, -1)        # (batch, 2 * 10)
y = head(summary)
