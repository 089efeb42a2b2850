# RNN Lens example: an LSTM classifier over a short sequence (sequence-first tensors).
#
# Try this (English): hover over nn.LSTM to see the shapes of output, h_n and c_n; click
# "Unroll" to watch the gates i, f, g, o at every time step; set proj_size=8 and hover again.
#
# 試してみましょう（日本語）: nn.LSTM にマウスを重ねると output・h_n・c_n の形が表示されます。
# 「Unroll」をクリックすると、各時刻の入力ゲート i・忘却ゲート f・候補 g・出力ゲート o を確認できます。
# proj_size=8 を加えて、もう一度マウスを重ねてみましょう。
import torch
from torch import nn

torch.manual_seed(1)

SEQ_LEN, BATCH, FEATURES = 6, 2, 4
HIDDEN = 16


class Classifier(nn.Module):
    def __init__(self, n_classes=3):
        super().__init__()
        self.lstm = nn.LSTM(FEATURES, HIDDEN, num_layers=2)
        self.fc = nn.Linear(HIDDEN, n_classes)

    def forward(self, x):
        out, (h_n, c_n) = self.lstm(x)
        return self.fc(out[-1])  # sequence-first: out[-1] is the last time step


model = Classifier()
x = torch.rand(SEQ_LEN, BATCH, FEATURES)
print(model(x))
