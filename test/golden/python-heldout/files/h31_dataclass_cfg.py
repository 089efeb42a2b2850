from dataclasses import dataclass

import torch
import torch.nn as nn


@dataclass
class ModelConfig:
    input_size: int = 8
    hidden_size: int = 32
    num_layers: int = 2
    batch_first: bool = True


class Forecaster(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.rnn = nn.GRU(cfg.input_size, cfg.hidden_size, cfg.num_layers, batch_first=cfg.batch_first)
        self.head = nn.Linear(cfg.hidden_size, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


cfg = ModelConfig()
model = Forecaster(cfg)
window = torch.randn(16, 24, cfg.input_size)
print(model(window).shape)
