import torch
import torch.nn as nn

torch.manual_seed(1)
vocab = 30
stream = torch.randint(0, vocab, (400,))


class LM(nn.Module):
    def __init__(self, vocab, dim=24):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.rnn = nn.LSTM(dim, dim)
        self.out = nn.Linear(dim, vocab)

    def forward(self, x, state):
        y, state = self.rnn(self.emb(x), state)
        return self.out(y), state


def train(model, bptt=20, batch=4):
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    crit = nn.CrossEntropyLoss()
    data = stream[: (len(stream) // batch) * batch].view(batch, -1).t()   # (T, B)
    state = None
    for i in range(0, data.size(0) - 1 - bptt, bptt):
        inp = data[i:i + bptt]
        target = data[i + 1:i + 1 + bptt]
        logits, state = model(inp, state)
        loss = crit(logits.view(-1, vocab), target.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()


if __name__ == '__main__':
    train(LM(vocab))
