# RNN Lens example: a bidirectional GRU fed standard-normal noise (torch.randn).
#
# Try this (English): hover over nn.GRU; click "Unroll" to see both directions. torch.randn is
# reproduced bit for bit for PyTorch on x86-64 CPUs with AVX2; on other CPUs PyTorch's own
# numbers can differ in the last bit.
#
# 試してみましょう（日本語）: nn.GRU にマウスを重ね、「Unroll」で順方向と逆方向の両方を確認しましょう。
# torch.randn は AVX2 対応の x86-64 CPU 上の PyTorch とビット単位で一致します。
# それ以外の CPU では PyTorch 自身の値が最下位ビットで異なることがあります。
import torch
import torch.nn as nn

torch.manual_seed(2024)

gru = nn.GRU(input_size=3, hidden_size=5, batch_first=True, bidirectional=True)
x = torch.randn(2, 7, 3)
output, h_n = gru(x)
print(output[:, -1, :])
