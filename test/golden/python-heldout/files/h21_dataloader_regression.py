import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

N_SAMPLES, SEQ, FEATS = 128, 30, 4
X = torch.randn(N_SAMPLES, SEQ, FEATS)
Y = X.sum(dim=(1, 2)).unsqueeze(1)

train_ds = TensorDataset(X, Y)
train_loader = DataLoader(train_ds, batch_size=32, shuffle=True)


class LSTMRegressor(nn.Module):
    def __init__(self, n_features, n_hidden=50, n_layers=2):
        super().__init__()
        self.lstm = nn.LSTM(n_features, n_hidden, n_layers, batch_first=True, dropout=0.1)
        self.linear = nn.Linear(n_hidden, 1)

    def forward(self, x):
        lstm_out, _ = self.lstm(x)
        return self.linear(lstm_out[:, -1])


model = LSTMRegressor(FEATS)
criterion = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

for epoch in range(2):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch}: {loss.item():.4f}")
