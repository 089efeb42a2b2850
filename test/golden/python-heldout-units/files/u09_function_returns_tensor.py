import torch
import torch.nn as nn

N_FEATURES = 4


def make_batch(words):
    t = torch.zeros(len(words), 1, N_FEATURES)
    for i, w in enumerate(words):
        t[i][0][len(w) % N_FEATURES] = 1
    return t


lstm = nn.LSTM(N_FEATURES, 6)
batch = make_batch("the cat sat down".split())
out, _ = lstm(batch)
