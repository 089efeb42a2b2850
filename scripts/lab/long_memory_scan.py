#!/usr/bin/python3
"""Quick scans used to choose the long-memory design (bench/results/lab/exploration.md): one model
per line with test accuracy every tenth of training ("hist"), LSTM gate-bias options (--fb forget,
--ib input, added to bias_ih_l0 after PyTorch's init) and distractor variants (--noise tokens: noise
tokens K..K+M-1 apart from the classes, as scripts/lab/long_memory.py; blank: one blank token;
mixed: blank with a noise token with probability p). Minibatches of B from N sequences in order.
Test: 512 fresh sequences drawn after the N training ones from the same generator.
usage: /usr/bin/python3 scripts/lab/long_memory_scan.py --L 50,100 --cells LSTM --fb 5 --ib -5 --lr 0.02 --steps 400
"""
import sys, time, json, argparse
import torch, torch.nn as nn
torch.set_num_threads(1)
CELLS = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}
ap = argparse.ArgumentParser()
ap.add_argument("--L", default="50,100"); ap.add_argument("--seeds", default="0")
ap.add_argument("--cells", default="RNN,LSTM,GRU")
ap.add_argument("--H", type=int, default=32); ap.add_argument("--K", type=int, default=4); ap.add_argument("--E", type=int, default=8)
ap.add_argument("--N", type=int, default=4096); ap.add_argument("--B", type=int, default=64); ap.add_argument("--steps", type=int, default=1000)
ap.add_argument("--lr", type=float, default=0.01); ap.add_argument("--noise", default="tokens"); ap.add_argument("--M", type=int, default=0)
ap.add_argument("--clip", type=float, default=0); ap.add_argument("--fb", type=float, default=0); ap.add_argument("--p", type=float, default=0.1); ap.add_argument("--ib", type=float, default=0)
a = ap.parse_args()
def data(L, seed, n):
    g = torch.Generator().manual_seed(1000*seed+L)
    u = torch.rand(n, L, generator=g)
    K = a.K; M = a.M or K
    ids = (u*K).floor().long().clamp_(max=K-1)
    if a.noise == "tokens":
        ids[:, 1:] = (u[:, 1:]*M).floor().long().clamp_(max=M-1) + K
    elif a.noise == "blank":
        ids[:, 1:] = K
    elif a.noise == "mixed":
        g2 = torch.rand(n, L, generator=g)
        nz = (u[:, 1:]*M).floor().long().clamp_(max=M-1) + K + 1
        ids[:, 1:] = torch.where(g2[:, 1:] < a.p, nz, torch.full_like(nz, K))
    elif a.noise == "same":
        pass
    return ids
V = a.K + (a.M or a.K) if a.noise=="tokens" else (a.K + 1 + (a.M or a.K) if a.noise=="mixed" else a.K + 1)
for L in map(int, a.L.split(",")):
  for seed in map(int, a.seeds.split(",")):
    X = data(L, seed, a.N + 512); xtr, xte = X[:a.N], X[a.N:]
    for c in a.cells.split(","):
        torch.manual_seed(seed)
        emb = nn.Embedding(V, a.E); rnn = CELLS[c](a.E, a.H, batch_first=True); head = nn.Linear(a.H, a.K)
        if a.fb and c=='LSTM':
            with torch.no_grad(): rnn.bias_ih_l0[a.H:2*a.H] += a.fb; rnn.bias_ih_l0[:a.H] += a.ib
        ps = list(emb.parameters())+list(rnn.parameters())+list(head.parameters())
        opt = torch.optim.Adam(ps, lr=a.lr)
        f = lambda x: head(rnn(emb(x))[0][:, -1])
        t0 = time.time(); first = None; hist=[]
        for s in range(a.steps):
            i0 = (s*a.B) % a.N
            xb = xtr[i0:i0+a.B]
            loss = nn.functional.cross_entropy(f(xb), xb[:, 0])
            opt.zero_grad(); loss.backward()
            if a.clip: nn.utils.clip_grad_norm_(ps, a.clip)
            opt.step()
            if s % (a.steps//10) == 0:
                with torch.no_grad(): hist.append(round((f(xte).argmax(-1)==xte[:,0]).float().mean().item()*100))
        with torch.no_grad():
            te = (f(xte).argmax(-1)==xte[:,0]).float().mean().item()
            tr = (f(xtr[:1024]).argmax(-1)==xtr[:1024,0]).float().mean().item()
        print(f"{c:5} L={L:3} seed={seed} test {te*100:5.1f} train {tr*100:5.1f} {time.time()-t0:5.1f}s  hist {hist}", flush=True)
