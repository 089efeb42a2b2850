# 用 RNN (LSTM) 对 MNIST 图片进行分类：把每张 28x28 的图片看成 28 个时间步，每步 28 个像素
import torch
from torch import nn

# 超参数
TIME_STEP = 28      # rnn 时间步数 / 图片高度
INPUT_SIZE = 28     # rnn 每步输入值 / 图片每行像素
LR = 0.01           # 学习率
BATCH_SIZE = 64


class RNN(nn.Module):
    def __init__(self):
        super(RNN, self).__init__()

        self.rnn = nn.LSTM(         # LSTM 效果要比 nn.RNN() 好多了
            input_size=INPUT_SIZE,  # 图片每行的数据像素点
            hidden_size=64,         # rnn hidden unit
            num_layers=1,           # 有几层 RNN layers
            batch_first=True,       # input & output 会是以 batch size 为第一维度的特征集 e.g. (batch, time_step, input_size)
        )
        self.out = nn.Linear(64, 10)    # 输出层

    def forward(self, x):
        # x shape (batch, time_step, input_size)
        # r_out shape (batch, time_step, output_size)
        # h_n shape (n_layers, batch, hidden_size)
        r_out, (h_n, h_c) = self.rnn(x, None)   # None 表示 hidden state 会用全0的 state
        # 选取最后一个时间点的 r_out 输出
        out = self.out(r_out[:, -1, :])
        return out


rnn = RNN()
optimizer = torch.optim.Adam(rnn.parameters(), lr=LR)   # optimize all parameters
loss_func = nn.CrossEntropyLoss()

b_x = torch.randn(BATCH_SIZE, 1, 28, 28)        # 假装这是一批图片
b_y = torch.randint(0, 10, (BATCH_SIZE,))
output = rnn(b_x.view(-1, 28, 28))              # reshape x to (batch, time_step, input_size)
loss = loss_func(output, b_y)
optimizer.zero_grad()
loss.backward()
optimizer.step()
