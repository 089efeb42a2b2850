#!/usr/bin/python3
"""
"Watch it learn text" (issue 12, part 5) in PyTorch 1.13, for the sampler's unit test: a
character-level language model exactly as src/lab/charLm.ts builds it (vocabulary = sorted
distinct code points; N consecutive pieces of L characters, target shifted by one;
torch.manual_seed(seed) then Embedding, RNN/LSTM/GRU, Linear; Adam, full batch, float64 from the
float32 init), trained a few steps, then sampled as src/lab/sample.ts samples:
  greedy: logits.argmax(-1) (the first maximum)
  temperature T, seed s: g = torch.Generator().manual_seed(s); per character
      p = softmax(logits.double() / T); u = torch.rand(1, generator=g).item()
      next = first i with cumsum(p)[i] > u (the last index if none)
usage: /usr/bin/python3 scripts/lab/char_lm.py OUT.json
"""
import json, sys
import torch
import torch.nn as nn

torch.set_num_threads(1)
CELLS = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}
TEXT = "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。"


def setup(text, seq_len, max_batch):
    chars = list(text)
    vocab = sorted(set(chars))
    L = max(1, min(seq_len, len(chars) - 1))
    N = max(1, min(max_batch, (len(chars) - 1) // L))
    ids = [vocab.index(c) for c in chars[: N * L + 1]]
    x = torch.tensor([ids[i * L : i * L + L] for i in range(N)])
    y = torch.tensor([ids[i * L + 1 : i * L + L + 1] for i in range(N)])
    return vocab, ids, x, y


class LM(nn.Module):
    def __init__(self, cell, V, E, H):
        super().__init__()
        self.embedding = nn.Embedding(V, E)
        self.rnn = CELLS[cell](E, H, batch_first=True)
        self.head = nn.Linear(H, V)

    def forward(self, x, state=None):
        out, state = self.rnn(self.embedding(x), state)
        return self.head(out), state


def continue_from(net, prompt, count, choose):
    with torch.no_grad():
        logits, state = net(torch.tensor([prompt]))
        out = []
        for k in range(count):
            nxt = choose(logits[0, -1])
            out.append(nxt)
            if k + 1 < count:
                logits, state = net(torch.tensor([[nxt]]), state)
        return out


def train(cell, cfg, float64=True):
    """The Lab's training loop (Adam, CrossEntropyLoss on every step) for cfg["steps"] steps:
    the trained model, the vocabulary, the text's ids and the loss per step."""
    vocab, ids, x, y = setup(TEXT, cfg["seqLen"], cfg["maxBatch"])
    torch.manual_seed(cfg["seed"])
    net = LM(cell, len(vocab), cfg["embeddingDim"], cfg["hidden"])
    if float64:
        net = net.double()
    opt = torch.optim.Adam(net.parameters(), lr=cfg["lr"])
    lossf = nn.CrossEntropyLoss()
    losses = []
    for _ in range(cfg["steps"]):
        opt.zero_grad()
        logits, _ = net(x)
        loss = lossf(logits.reshape(-1, len(vocab)), y.reshape(-1))
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return net, vocab, ids, losses


def main(out):
    cases = []
    cfg = {"hidden": 12, "embeddingDim": 5, "seqLen": 16, "maxBatch": 4, "lr": 0.02, "steps": 25, "seed": 3}
    for cell in CELLS:
        net, vocab, ids, losses = train(cell, cfg)
        greedy = continue_from(net, ids[:1], 40, lambda l: int(l.argmax(-1)))
        samples = {}
        for T, s in ((0.8, 0), (1.0, 7)):
            g = torch.Generator().manual_seed(s)

            def draw(l):
                p = torch.softmax(l.double() / T, -1)
                u = torch.rand(1, generator=g).item()
                c = torch.cumsum(p, 0)
                idx = (c > u).nonzero()
                return int(idx[0]) if len(idx) else len(p) - 1

            samples[f"{T}/{s}"] = "".join(vocab[i] for i in continue_from(net, ids[:1], 40, draw))
        cases.append({"cell": cell, "config": cfg, "loss": losses, "vocab": vocab, "greedy": "".join(vocab[i] for i in greedy), "samples": samples})
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"torch": torch.__version__, "note": "made by scripts/lab/char_lm.py", "text": TEXT, "cases": cases}, f, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
