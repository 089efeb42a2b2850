import torch
import torch.nn as nn

chars = sorted(set("hello world"))
stoi = {ch: i for i, ch in enumerate(chars)}
emb = nn.Embedding(len(chars), 5)
rnn = nn.GRU(5, 7)
ids = torch.LongTensor([chars.index(c) for c in "hello"])
x = emb(ids).unsqueeze(1)           # (5, 1, 5)
out, h = rnn(x)

word_ids = [stoi[c] for c in "low"]
cell = nn.GRUCell(5, 7)
hx = cell(emb(torch.tensor(word_ids)))
