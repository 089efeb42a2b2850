import torch
import torch.nn as nn

results = {}
x = torch.randn(10, 4, 6)
for name in ["RNN", "GRU", "LSTM"]:
    model = getattr(nn, name)(6, 8)
    out, _ = model(x)
    results[name] = out.shape
print(results)
