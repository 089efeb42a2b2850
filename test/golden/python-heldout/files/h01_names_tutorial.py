# Classifying names with a character-level RNN (after the official tutorial, using nn.RNN)
from __future__ import unicode_literals, print_function, division
import string
import torch
import torch.nn as nn

all_letters = string.ascii_letters + " .,;'"
n_letters = len(all_letters)

# Find letter index from all_letters, e.g. "a" = 0
def letterToIndex(letter):
    return all_letters.find(letter)

# Turn a line into a <line_length x 1 x n_letters>,
# or an array of one-hot letter vectors
def lineToTensor(line):
    tensor = torch.zeros(len(line), 1, n_letters)
    for li, letter in enumerate(line):
        tensor[li][0][letterToIndex(letter)] = 1
    return tensor

n_hidden = 128
rnn = nn.RNN(n_letters, n_hidden)

line_tensor = lineToTensor('Albert')
hidden = torch.zeros(1, 1, n_hidden)
output, next_hidden = rnn(line_tensor, hidden)
print(output.shape)
