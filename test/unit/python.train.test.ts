/*
 * The Python snippet reader's training part (issue #12 part 6): torch.optim.SGD / Adam / AdamW,
 * nn.MSELoss / nn.CrossEntropyLoss, clip_grad_norm_ and the step count of `for _ in range(N)`
 * around optimizer.step(), carried by "Open as JSON" into the document's `train` block.
 * Every expected block is written by hand from the snippet and PyTorch 1.13's documented
 * signatures (only what the file gives; defaults left out). Layer: test (Node).
 */
import * as assert from 'assert';
import { readSnippet, toRnnDocumentObject, type SnippetModel } from '../../src/python';
import { readDocument } from '../../src/document/reader';

function only(text: string): SnippetModel {
  const r = readSnippet(text);
  assert.strictEqual(r.models.length, 1, `expected one model, got ${r.models.length}`);
  return r.models[0];
}

const ORIGIN = `import torch
import torch.nn as nn

torch.manual_seed(0)
rnn = nn.RNN(10, 20, batch_first=True)
fc = nn.Linear(20, 2)
x = torch.rand(3, 5, 10)
out, h = rnn(x)
pred = fc(out[:, -1, :])
`;

function trainOf(text: string): unknown {
  return toRnnDocumentObject(only(text)).train;
}

describe('python snippet reader: the train block', () => {
  it('Adam + MSELoss + clip_grad_norm_ + range(100): every value the file gives, target drawn in the prediction shape (N, out)', () => {
    const text = ORIGIN + `
params = list(rnn.parameters()) + list(fc.parameters())
optimizer = torch.optim.Adam(params, lr=0.01)
loss_fn = nn.MSELoss()
y = torch.rand(3, 2)
for epoch in range(100):
    optimizer.zero_grad()
    out, h = rnn(x)
    loss = loss_fn(fc(out[:, -1, :]), y)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    optimizer.step()
`;
    assert.deepStrictEqual(trainOf(text), {
      loss: 'mse',
      target: { rand: [3, 2] },
      optimizer: { type: 'Adam', lr: 0.01 },
      steps: 100,
      clip_grad_norm: 1.0,
    });
    const m = only(text);
    assert.strictEqual(m.training?.loopLine, 14);
    // The document reads without errors, and says the target was not read.
    const doc = toRnnDocumentObject(m, 'from test');
    assert.match(String(doc.description), /^from test The training target is not read from the snippet/);
    const r = readDocument(JSON.stringify(doc));
    assert.deepStrictEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  });

  it('SGD with positional arguments (params, lr, momentum, dampening, weight_decay, nesterov), constants the file determines', () => {
    const text = ORIGIN + `
LR = 0.1
EPOCHS = 2 * 25
opt = torch.optim.SGD(rnn.parameters(), LR, 0.9, 0, 1e-4, True)
criterion = nn.MSELoss(reduction='mean')
for step in range(EPOCHS):
    opt.zero_grad()
    opt.step()
`;
    assert.deepStrictEqual(trainOf(text), {
      loss: 'mse',
      target: { rand: [3, 2] },
      optimizer: { type: 'SGD', lr: 0.1, momentum: 0.9, dampening: 0, weight_decay: 1e-4, nesterov: true },
      steps: 50,
    });
  });

  it('AdamW via `import torch.optim as optim`, betas / eps / amsgrad keywords, nn.utils.clip_grad_norm_(max_norm=...)', () => {
    const text = ORIGIN + `import torch.optim as optim
optimizer = optim.AdamW(rnn.parameters(), lr=3e-4, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05, amsgrad=True)
loss_fn = nn.MSELoss()
for i in range(7):
    nn.utils.clip_grad_norm_(rnn.parameters(), max_norm=0.5)
    optimizer.step()
`;
    assert.deepStrictEqual(trainOf(text), {
      loss: 'mse',
      target: { rand: [3, 2] },
      optimizer: { type: 'AdamW', lr: 3e-4, betas: [0.8, 0.99], eps: 1e-6, weight_decay: 0.05, amsgrad: true },
      steps: 7,
      clip_grad_norm: 0.5,
    });
  });

  it('`from torch import optim` + CrossEntropyLoss: class ids 0, 1, 2 (mod out_features) for the N predictions', () => {
    const text = `import torch
from torch import nn, optim
torch.manual_seed(0)
rnn = nn.GRU(4, 8)
head = nn.Linear(8, 2)
x = torch.randn(6, 3, 4)
out, h = rnn(x)
logits = head(out[-1])
opt = optim.Adam(rnn.parameters())
loss_fn = nn.CrossEntropyLoss()
for epoch in range(20):
    opt.step()
`;
    assert.deepStrictEqual(trainOf(text), {
      loss: 'cross_entropy',
      target: [0, 1, 0],
      optimizer: { type: 'Adam' },
      steps: 20,
    });
  });

  it('without a head, mse: the target has the RNN output\'s shape (L, N, D*H_out)', () => {
    const text = `import torch
import torch.nn as nn
lstm = nn.LSTM(3, 4, bidirectional=True)
x = torch.rand(5, 2, 3)
out, _ = lstm(x)
opt = torch.optim.SGD(lstm.parameters(), lr=0.5)
loss_fn = nn.MSELoss()
for _ in range(3):
    opt.step()
`;
    assert.deepStrictEqual(trainOf(text), { loss: 'mse', target: { rand: [5, 2, 8] }, optimizer: { type: 'SGD', lr: 0.5 }, steps: 3 });
  });

  it('unknown values are left out: a range bound the file does not determine, an unreadable clip value', () => {
    const text = ORIGIN + `import sys
n = int(sys.argv[1])
opt = torch.optim.Adam(rnn.parameters(), lr=0.01)
loss_fn = nn.MSELoss()
for epoch in range(n):
    torch.nn.utils.clip_grad_norm_(rnn.parameters(), float(sys.argv[2]))
    opt.step()
`;
    assert.deepStrictEqual(trainOf(text), { loss: 'mse', target: { rand: [3, 2] }, optimizer: { type: 'Adam', lr: 0.01 } });
    assert.strictEqual(only(text).training?.loopLine, 13);
  });

  it('steps unknown when the step is inside an inner loop over batches, or under an if', () => {
    const nested = ORIGIN + `opt = torch.optim.Adam(rnn.parameters(), lr=0.01)
loss_fn = nn.MSELoss()
for epoch in range(10):
    for xb in loader:
        opt.step()
`;
    assert.deepStrictEqual(trainOf(nested), { loss: 'mse', target: { rand: [3, 2] }, optimizer: { type: 'Adam', lr: 0.01 } });
    const cond = ORIGIN + `opt = torch.optim.Adam(rnn.parameters(), lr=0.01)
loss_fn = nn.MSELoss()
for epoch in range(10):
    if epoch % 2 == 0:
        opt.step()
`;
    assert.deepStrictEqual(trainOf(cond), { loss: 'mse', target: { rand: [3, 2] }, optimizer: { type: 'Adam', lr: 0.01 } });
    const broken = ORIGIN + `opt = torch.optim.Adam(rnn.parameters(), lr=0.01)
loss_fn = nn.MSELoss()
for epoch in range(10):
    opt.step()
    break
`;
    assert.deepStrictEqual(trainOf(broken), { loss: 'mse', target: { rand: [3, 2] }, optimizer: { type: 'Adam', lr: 0.01 } });
  });

  it('no train block when the loss or the optimizer is unknown, or not carried (reduction, an unreadable lr, a scheduler, another optimizer)', () => {
    const body = `
for epoch in range(10):
    opt.step()
`;
    const cases = [
      `opt = torch.optim.Adam(rnn.parameters(), lr=0.01)\n`, // no loss
      `opt = torch.optim.Adam(rnn.parameters(), lr=0.01)\nloss_fn = nn.MSELoss(reduction='sum')\n`,
      `opt = torch.optim.Adam(rnn.parameters(), lr=0.01)\nloss_fn = nn.L1Loss()\n`,
      `import sys\nopt = torch.optim.Adam(rnn.parameters(), lr=float(sys.argv[1]))\nloss_fn = nn.MSELoss()\n`,
      `opt = torch.optim.Adam(rnn.parameters(), lr=0.01, maximize=True)\nloss_fn = nn.MSELoss()\n`,
      `opt = torch.optim.Adam(rnn.parameters(), lr=0.01)\nsched = torch.optim.lr_scheduler.StepLR(opt, 10)\nloss_fn = nn.MSELoss()\n`,
      `opt = torch.optim.RMSprop(rnn.parameters(), lr=0.01)\nloss_fn = nn.MSELoss()\n`,
      `loss_fn = nn.MSELoss()\n`, // no optimizer
    ];
    for (const c of cases) assert.strictEqual(trainOf(ORIGIN + c + body), undefined, c);
  });

  it('the loop inside def train(...) called once, and under if __name__ == "__main__": (issue #13)', () => {
    const inFunction = ORIGIN + `
def train(model, head, epochs=4):
    opt = torch.optim.SGD(list(model.parameters()) + list(head.parameters()), lr=0.1)
    loss_fn = nn.MSELoss()
    y = torch.rand(3, 2)
    for epoch in range(epochs):
        out, h = model(x)
        loss = loss_fn(head(out[:, -1, :]), y)
        opt.zero_grad()
        loss.backward()
        opt.step()


if __name__ == "__main__":
    train(rnn, fc, epochs=6)
`;
    assert.deepStrictEqual(trainOf(inFunction), { loss: 'mse', target: { rand: [3, 2] }, optimizer: { type: 'SGD', lr: 0.1 }, steps: 6 });
    assert.strictEqual(only(inFunction).training?.loopLine, 14);
    const guarded = ORIGIN + `
if __name__ == '__main__':
    opt = torch.optim.Adam(rnn.parameters(), lr=0.01)
    loss_fn = nn.MSELoss()
    for step in range(12):
        out, h = rnn(x)
        loss = loss_fn(fc(out[:, -1, :]), torch.rand(3, 2))
        opt.zero_grad()
        loss.backward()
        opt.step()
`;
    assert.strictEqual((trainOf(guarded) as { steps?: number }).steps, 12);
  });

  it('steps unknown when def train(...) is called twice or from inside a loop', () => {
    const fn = ORIGIN + `
def train(epochs):
    opt = torch.optim.Adam(rnn.parameters(), lr=0.01)
    loss_fn = nn.MSELoss()
    for epoch in range(epochs):
        loss = loss_fn(fc(rnn(x)[0][:, -1, :]), torch.rand(3, 2))
        opt.zero_grad()
        loss.backward()
        opt.step()
`;
    for (const calls of ['train(3)\ntrain(5)\n', 'for fold in range(2):\n    train(3)\n']) {
      const t = trainOf(fn + calls) as { steps?: number; optimizer?: unknown };
      assert.ok(t?.optimizer, calls);
      assert.strictEqual(t.steps, undefined, calls);
    }
  });

  it('a file without training has no train block and the document is unchanged', () => {
    const doc = toRnnDocumentObject(only(ORIGIN));
    assert.strictEqual(doc.train, undefined);
    assert.strictEqual(only(ORIGIN).training, undefined);
  });
});
