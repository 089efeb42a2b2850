import torch
import torch.nn as nn


class SeqAutoencoder(nn.Module):
    def __init__(self, n_features, latent=16, seq_len=20):
        super().__init__()
        self.seq_len = seq_len
        self.encoder = nn.GRU(n_features, latent, batch_first=True)
        self.decoder = nn.GRU(latent, n_features, batch_first=True)

    def forward(self, x):
        _, h = self.encoder(x)                       # h: (1, N, latent)
        z = h[-1].unsqueeze(1).repeat(1, self.seq_len, 1)
        recon, _ = self.decoder(z)
        return recon


ae = SeqAutoencoder(n_features=3)
batch = torch.randn(8, 20, 3)
print(ae(batch).shape)
