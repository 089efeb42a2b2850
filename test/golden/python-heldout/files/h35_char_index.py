import torch
import torch.nn as nn

sentence = "if you want you"
char_set = list(set(sentence))
char_dic = {c: i for i, c in enumerate(char_set)}

hidden_size = len(char_set)
sequence_length = 10

x_data = []
y_data = []
for i in range(0, len(sentence) - sequence_length):
    x_str = sentence[i:i + sequence_length]
    y_str = sentence[i + 1: i + sequence_length + 1]
    x_data.append([char_dic[c] for c in x_str])
    y_data.append([char_dic[c] for c in y_str])

x_one_hot = [torch.eye(len(char_set))[x] for x in x_data]
X = torch.stack(x_one_hot)
Y = torch.LongTensor(y_data)

rnn = nn.RNN(len(char_set), hidden_size, batch_first=True)
outputs, _status = rnn(X)

# a single character-indexed sequence, embedded by hand
idx = torch.LongTensor([char_set.index(c) for c in "you want"])
one_hot = torch.eye(len(char_set))[idx].unsqueeze(0)
outputs2, _ = rnn(one_hot)
print(outputs.shape, outputs2.shape)
