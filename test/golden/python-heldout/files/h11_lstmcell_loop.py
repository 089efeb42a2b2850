import torch
import torch.nn as nn


class StepwiseLSTM(nn.Module):
    """Runs an LSTMCell one time step at a time (lets us inject teacher forcing later)."""

    def __init__(self, n_in, n_hidden):
        super().__init__()
        self.n_hidden = n_hidden
        self.cell = nn.LSTMCell(n_in, n_hidden)
        self.proj = nn.Linear(n_hidden, n_in)

    def forward(self, x):
        batch, steps, _ = x.shape
        h = torch.zeros(batch, self.n_hidden)
        c = torch.zeros(batch, self.n_hidden)
        outputs = []
        for t in range(steps):
            h, c = self.cell(x[:, t, :], (h, c))
            outputs.append(self.proj(h))
        return torch.stack(outputs, dim=1)


model = StepwiseLSTM(3, 16)
seq = torch.randn(4, 7, 3)
y = model(seq)
print(y.shape)
