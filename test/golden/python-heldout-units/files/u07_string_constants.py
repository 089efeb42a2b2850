import string
from string import digits

import torch
import torch.nn as nn

text = "hello world"
vocab = sorted(set(text))
letters = string.ascii_lowercase + digits
rnn = nn.RNN(len(letters), len(vocab))
x = torch.zeros(len(text), 1, len(letters))
out, h = rnn(x)
