import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence

seqs = [torch.randn(4, 2), torch.randn(4, 2)]
lengths = torch.tensor([len(s) for s in seqs])
gru = nn.GRU(2, 6, batch_first=True)
packed = pack_padded_sequence(pad_sequence(seqs, batch_first=True), lengths, batch_first=True)
packed_out, h = gru(packed)
out, _ = pad_packed_sequence(packed_out, batch_first=True)
last = out[:, -1]
