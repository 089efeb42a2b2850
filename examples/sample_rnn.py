# RNN Lens example: a small recurrent model whose numbers the extension reproduces exactly.
#
# Try this (English):
#   - Hover over nn.RNN below: the shapes of the input, the output, h_n and the head.
#   - Click "Unroll" above the model: the RNN Unroll View opens beside this file and prints the
#     same numbers as `python3 sample_rnn.py`: [[0.0930, 0.0545], [0.1369, 0.0518], [0.2210, -0.1358]].
#   - Change hidden_size, batch_first or nn.RNN -> nn.LSTM / nn.GRU, then hover again.
#   - "Open as JSON" turns the snippet into an RNN document you can edit and keep.
#
# 試してみましょう（日本語）:
#   - 下の nn.RNN にマウスを重ねると、入力・出力・h_n・全結合層（ヘッド）の形が表示されます。
#   - モデルの上の「Unroll」をクリックすると、RNN Unroll View が横に開き、
#     `python3 sample_rnn.py` と同じ数値 [[0.0930, 0.0545], [0.1369, 0.0518], [0.2210, -0.1358]] が表示されます。
#   - hidden_size や batch_first を変えたり、nn.RNN を nn.LSTM / nn.GRU に変えたりして、もう一度マウスを重ねてみましょう。
#   - 「Open as JSON」でこのスニペットを RNN ドキュメント（JSON）として開き、編集・保存できます。
import torch
import torch.nn as nn

torch.manual_seed(0)

input_size = 10


class SampleRNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        # batch_first=True: tensors are (batch, time, features).
        self.rnn = nn.RNN(input_size, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, output_size)

    def forward(self, x):
        out, h_n = self.rnn(x)
        # The head reads the output at the last time step only.
        return self.fc(out[:, -1, :])


model = SampleRNN(input_size=input_size, hidden_size=20, output_size=2)
x = torch.rand(3, 5, 10)  # batch 3, sequence length 5, 10 features
print(model(x))
