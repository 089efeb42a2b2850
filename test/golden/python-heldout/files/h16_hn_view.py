import torch
import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self, n_feat, n_hidden, n_layers=2):
        super().__init__()
        self.rnn = nn.LSTM(n_feat, n_hidden, num_layers=n_layers, batch_first=True)
        self.head = nn.Linear(n_layers * n_hidden, 1)

    def forward(self, x):
        batch_size = x.shape[0]
        _, (h_n, _) = self.rnn(x)
        features = h_n.view(batch_size, -1)      # flatten the layers
        return self.head(features)


enc = Encoder(4, 16)
x = torch.randn(8, 10, 4)
print(enc(x).shape)
