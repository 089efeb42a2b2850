import torch
import torch.nn as nn

net = nn.Sequential(nn.Embedding(40, 10), nn.Dropout(0.1), nn.LSTM(10, 16, batch_first=True))
ids = torch.randint(0, 40, (3, 8))
out, (h, c) = net(ids)
