import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence

a, b, c = torch.randn(7, 3), torch.randn(5, 3), torch.randn(2, 3)
padded = pad_sequence([a, b, c])            # (7, 3, 3), time first
lstm = nn.LSTM(3, 4)
packed = pack_padded_sequence(padded, torch.tensor([7, 5, 2]))
out, (h, c) = lstm(packed)
