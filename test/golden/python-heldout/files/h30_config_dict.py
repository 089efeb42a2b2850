import torch
import torch.nn as nn

config = {
    "input_dim": 13,
    "hidden_dim": 40,
    "num_layers": 3,
    "bidirectional": False,
    "dropout": 0.3,
}


class SpeechEncoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.rnn = nn.LSTM(
            input_size=cfg["input_dim"],
            hidden_size=cfg["hidden_dim"],
            num_layers=cfg["num_layers"],
            bidirectional=cfg["bidirectional"],
            dropout=cfg["dropout"],
            batch_first=True,
        )

    def forward(self, x):
        out, _ = self.rnn(x)
        return out


enc = SpeechEncoder(config)
frames = torch.randn(2, 100, config["input_dim"])
print(enc(frames).shape)
