import torch
import torch.nn as nn


class TextClassifier(nn.Module):
    def __init__(self, vocab_size=5000, embed_dim=128, hidden_dim=64, num_classes=4):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(input_size=100, hidden_size=hidden_dim, batch_first=True)
        self.classifier = nn.Linear(hidden_dim, num_classes)

    def forward(self, tokens):
        x = self.embedding(tokens)
        _, (h, _) = self.lstm(x)
        return self.classifier(h[-1])


clf = TextClassifier()
batch = torch.randint(0, 5000, (2, 6))
print(clf(batch).shape)
