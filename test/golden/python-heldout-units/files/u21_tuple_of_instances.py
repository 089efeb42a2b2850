import torch
import torch.nn as nn


class Enc(nn.Module):
    def __init__(self, vocab, dim):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.rnn = nn.GRU(dim, dim, batch_first=True)

    def forward(self, ids):
        return self.rnn(self.emb(ids))


enc, head = Enc(30, 6), nn.Linear(6, 2)
out, h = enc(torch.randint(0, 30, (2, 7)))
