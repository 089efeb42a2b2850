import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

X = torch.randn(50, 9, 3)
y = torch.randn(50)
loader = DataLoader(TensorDataset(X, y), batch_size=16, shuffle=True, drop_last=True)
gru = nn.GRU(3, 8, batch_first=True)
for xb, yb in loader:
    out, h = gru(xb)
