import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

X = torch.randn(50, 9, 3)
loader = DataLoader(TensorDataset(X), batch_size=16)
gru = nn.GRU(3, 8, batch_first=True)
for (xb,) in loader:
    out, h = gru(xb)
