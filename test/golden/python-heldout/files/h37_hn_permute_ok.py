import torch
import torch.nn as nn


class DeepEncoder(nn.Module):
    def __init__(self, n_in=6, n_hidden=20, n_layers=3):
        super().__init__()
        self.n_layers = n_layers
        self.n_hidden = n_hidden
        self.lstm = nn.LSTM(n_in, n_hidden, n_layers, batch_first=True)
        self.fc = nn.Linear(n_layers * n_hidden, 2)

    def forward(self, x):
        out, (h_n, c_n) = self.lstm(x)
        # move the batch axis first before flattening the layers
        h = h_n.permute(1, 0, 2).reshape(x.size(0), -1)
        return self.fc(h)


model = DeepEncoder()
batch = torch.randn(5, 11, 6)
print(model(batch).shape)
