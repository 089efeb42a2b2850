# Predict the next value of a sine wave with a GRU
import torch
from torch import nn

torch.manual_seed(0)
series = torch.sin(torch.linspace(0, 20, 300))
window = 20
X = series.unfold(0, window, 1)[:-1].unsqueeze(-1)   # (N, window, 1)
y = series[window:].unsqueeze(-1)                     # (N, 1)


class Regressor(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.gru = nn.GRU(input_size=1, hidden_size=hidden, batch_first=True)
        self.out = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.out(out[:, -1, :])


net = Regressor()
optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
loss_fn = nn.MSELoss()
for epoch in range(3):
    pred = net(X)
    loss = loss_fn(pred, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(loss.item())
