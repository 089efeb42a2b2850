import torch
import torch.nn as nn

EMB, HID, CLASSES = 50, 64, 2


class BiGRUSentiment(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.emb = nn.Embedding(vocab, EMB)
        self.gru = nn.GRU(EMB, HID, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(2 * HID, CLASSES)

    def forward(self, ids):
        out, _ = self.gru(self.emb(ids))
        last = out[:, -1, :]          # summary of the sentence
        return self.fc(last)


net = BiGRUSentiment(vocab=300)
ids = torch.randint(0, 300, (4, 12))
print(net(ids).shape)
