# 주가 예측 모델 (GRU)
import torch
import torch.nn as nn

# 하이퍼파라미터 설정
input_size = 5      # 시가, 고가, 저가, 종가, 거래량
hidden_size = 32
num_layers = 1
seq_length = 7      # 7일치 데이터를 보고 다음 날을 예측


class StockGRU(nn.Module):
    def __init__(self, input_size, hidden_size, num_layers):
        super(StockGRU, self).__init__()
        # 과적합을 막기 위해 드롭아웃을 추가
        self.gru = nn.GRU(input_size, hidden_size, num_layers=num_layers,
                          batch_first=True, dropout=0.3)
        self.fc = nn.Linear(hidden_size, 1)

    def forward(self, x):
        out, _ = self.gru(x)
        # 마지막 시점의 출력만 사용
        return self.fc(out[:, -1])


model = StockGRU(input_size, hidden_size, num_layers)
x_train = torch.randn(100, seq_length, input_size)
pred = model(x_train)
print(pred.shape)  # (100, 1)
