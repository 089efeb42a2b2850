import torch
import torch.nn as nn

vocab_size = 200
model = nn.Sequential(
    nn.Embedding(vocab_size, 32),
    nn.LSTM(32, 64, batch_first=True),
    nn.Linear(64, vocab_size),
)

tokens = torch.randint(0, vocab_size, (5, 9))
logits = model(tokens)
print(logits.shape)
