import torch
import torch.nn as nn
import torch.nn.functional as F

HID = 32


class Encoder(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.emb = nn.Embedding(vocab, HID)
        self.rnn = nn.LSTM(HID, HID, batch_first=True)

    def forward(self, src):
        return self.rnn(self.emb(src))


class AttnDecoder(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.emb = nn.Embedding(vocab, HID)
        self.rnn = nn.LSTM(2 * HID, HID, batch_first=True)
        self.out = nn.Linear(HID, vocab)

    def forward(self, tok, state, enc_out):
        q = state[0][-1].unsqueeze(1)                          # (N, 1, H)
        scores = torch.bmm(q, enc_out.transpose(1, 2))          # (N, 1, S)
        ctx = torch.bmm(F.softmax(scores, dim=-1), enc_out)     # (N, 1, H)
        x = torch.cat([self.emb(tok), ctx], dim=-1)             # (N, 1, 2H)
        y, state = self.rnn(x, state)
        return self.out(y), state


enc, dec = Encoder(60), AttnDecoder(50)
src = torch.randint(0, 60, (4, 9))
enc_out, state = enc(src)
tok = torch.zeros(4, 1, dtype=torch.long)
logits, state = dec(tok, state, enc_out)
