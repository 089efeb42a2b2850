import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


class BiLSTMTagger(nn.Module):
    def __init__(self, vocab_size, tagset_size, emb_dim=50, hidden_dim=100):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, emb_dim, padding_idx=0)
        self.lstm = nn.LSTM(emb_dim, hidden_dim // 2, num_layers=1, bidirectional=True, batch_first=True)
        self.hidden2tag = nn.Linear(hidden_dim, tagset_size)

    def forward(self, sentences, lengths):
        embeds = self.embedding(sentences)
        packed = pack_padded_sequence(embeds, lengths, batch_first=True)
        lstm_out, _ = self.lstm(packed)
        lstm_out, _ = pad_packed_sequence(lstm_out, batch_first=True)
        return self.hidden2tag(lstm_out)            # a tag for every token


tagger = BiLSTMTagger(vocab_size=500, tagset_size=9)
sentences = torch.randint(1, 500, (3, 12))
lengths = [12, 10, 4]
print(tagger(sentences, lengths).shape)
