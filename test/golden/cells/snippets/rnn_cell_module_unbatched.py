import torch
import torch.nn as nn

class Unrolled(nn.Module):
    def __init__(self):
        super().__init__()
        self.cell = nn.RNNCell(3, 5, nonlinearity='relu')

    def forward(self, x):
        h = torch.zeros(5)
        outputs = []
        for t in range(x.shape[0]):
            h = self.cell(x[t], h)
            outputs.append(h)
        return torch.stack(outputs), h

torch.manual_seed(11)
model = Unrolled()
x = torch.rand(7, 3)
out, h = model(x)
