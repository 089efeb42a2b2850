import torch
import torch.nn as nn


class Tagger(nn.Module):
    def __init__(self, n_words, n_tags, dim=32):
        super().__init__()
        self.embed = nn.Embedding(n_words, dim)
        self.rnn = nn.GRU(dim, dim, batch_first=True)
        self.out = nn.Linear(dim, n_tags)

    def forward(self, words):
        x = self.embed(words)
        x = self.rnn(x)
        x = self.out(x)
        return x


tagger = Tagger(100, 7)
print(tagger(torch.randint(0, 100, (3, 11))).shape)
