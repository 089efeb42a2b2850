import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence

seqs = [torch.randn(6, 8), torch.randn(4, 8), torch.randn(2, 8)]
lengths = torch.tensor([len(s) for s in seqs])
padded = pad_sequence(seqs, batch_first=True)     # (3, 6, 8)

lstm = nn.LSTM(8, 16, batch_first=True)
packed = pack_padded_sequence(padded, lengths, batch_first=True, enforce_sorted=False)
packed_out, (h, c) = lstm(packed)
out, out_lengths = pad_packed_sequence(packed_out, batch_first=True)
summary = out[:, -1, :]
print(summary.shape)
