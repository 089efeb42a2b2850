import numpy as np
import torch
import torch.nn as nn

rows = np.random.rand(20, 2).astype(np.float32)
windows, targets = [], []
for i in range(len(rows) - 5):
    windows.append(rows[i:i + 5])
    targets.append(rows[i + 5])
X = torch.FloatTensor(np.array(windows))        # (15, 5, 2): filled by the loop, not the empty literal
lstm = nn.LSTM(2, 3, batch_first=True)
out, _ = lstm(X)
