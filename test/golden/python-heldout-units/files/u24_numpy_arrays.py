import numpy as np
import torch
import torch.nn as nn

STEPS = 12
rnn = nn.RNN(1, 4, batch_first=True, nonlinearity='relu')
t = np.linspace(0, np.pi, STEPS, dtype=np.float32)
x = torch.from_numpy(np.sin(t)[np.newaxis, :, np.newaxis])      # (1, 12, 1)
out, h = rnn(x)
noise = torch.FloatTensor(np.random.randn(3, STEPS, 1))
out2, h2 = rnn(noise)
