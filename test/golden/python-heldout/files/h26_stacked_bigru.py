import torch
import torch.nn as nn


class IntentClassifier(nn.Module):
    def __init__(self, n_feats=40, hidden=96, layers=2, n_intents=12):
        super().__init__()
        self.rnn = nn.GRU(n_feats, hidden, num_layers=layers, bidirectional=True, dropout=0.25)
        self.fc = nn.Linear(hidden * 2, n_intents)

    def forward(self, feats):
        # feats: (batch, frames, n_feats) -> (frames, batch, n_feats)
        feats = feats.permute(1, 0, 2)
        _, h_n = self.rnn(feats)
        summary = torch.cat((h_n[-2], h_n[-1]), dim=1)
        return self.fc(summary)


clf = IntentClassifier()
mfcc = torch.randn(6, 50, 40)
print(clf(mfcc).shape)
