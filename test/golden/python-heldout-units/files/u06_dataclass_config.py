from dataclasses import dataclass, field

import torch
import torch.nn as nn


@dataclass
class Cfg:
    n_in: int
    n_hidden: int = 32
    layers: int = 1
    batch_first: bool = True


cfg = Cfg(5, layers=2)
rnn = nn.LSTM(cfg.n_in, cfg.n_hidden, cfg.layers, batch_first=cfg.batch_first)
x = torch.randn(3, 4, cfg.n_in)
out, (h, c) = rnn(x)
