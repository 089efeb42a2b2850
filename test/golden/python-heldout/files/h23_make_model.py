import torch
import torch.nn as nn


def make_model(input_dim, hidden, layers=1, cell='lstm'):
    if cell == 'lstm':
        return nn.LSTM(input_dim, hidden, num_layers=layers, batch_first=True)
    return nn.GRU(input_dim, hidden, num_layers=layers, batch_first=True)


def build_encoder(cfg):
    return nn.LSTM(cfg['in'], cfg['hidden'], bidirectional=True)


rnn = make_model(6, 12)
x = torch.randn(2, 9, 6)
out, (h, c) = rnn(x)
print(out.shape, h.shape)

encoder = build_encoder({'in': 6, 'hidden': 10})
enc_out, _ = encoder(x.transpose(0, 1))
print(enc_out.shape)
