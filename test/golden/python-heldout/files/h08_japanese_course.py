# -*- coding: utf-8 -*-
# 第5回 演習: LSTM による時系列予測
import torch
import torch.nn as nn

# ハイパーパラメータ
入力次元 = 3
INPUT_DIM = 3      # 入力の次元（気温・湿度・気圧）
HIDDEN_DIM = 24    # 隠れ層のユニット数
NUM_LAYERS = 2     # LSTM の層数
SEQ_LEN = 12       # 1系列の長さ（12か月）
BATCH_SIZE = 10


class 予測モデル(nn.Module):
    """LSTM の最後の時刻の出力から翌月の気温を予測する"""

    def __init__(self):
        super().__init__()
        # batch_first=True なので入力は (バッチ, 時刻, 特徴量)
        self.lstm = nn.LSTM(input_size=INPUT_DIM, hidden_size=HIDDEN_DIM,
                            num_layers=NUM_LAYERS, batch_first=True)
        self.linear = nn.Linear(HIDDEN_DIM, 1)

    def forward(self, x):
        出力, _ = self.lstm(x)       # 出力: (バッチ, 時刻, 隠れ次元)
        return self.linear(出力[:, -1, :])  # 最後の時刻だけを使う


モデル = 予測モデル()
# ダミーデータで形を確認する
データ = torch.randn(BATCH_SIZE, SEQ_LEN, INPUT_DIM)
予測 = モデル(データ)
print(予測.shape)  # torch.Size([10, 1])
