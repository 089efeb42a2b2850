import torch
import torch.nn as nn
import torch.nn.functional as F

SOS_token = 0
EOS_token = 1
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


class EncoderRNN(nn.Module):
    def __init__(self, input_size, hidden_size, dropout_p=0.1):
        super(EncoderRNN, self).__init__()
        self.hidden_size = hidden_size
        self.embedding = nn.Embedding(input_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, batch_first=True)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, input):
        embedded = self.dropout(self.embedding(input))
        output, hidden = self.gru(embedded)
        return output, hidden


class DecoderRNN(nn.Module):
    def __init__(self, hidden_size, output_size):
        super(DecoderRNN, self).__init__()
        self.embedding = nn.Embedding(output_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, output_size)

    def forward_step(self, input, hidden):
        output = self.embedding(input)
        output = F.relu(output)
        output, hidden = self.gru(output, hidden)
        output = self.out(output)
        return output, hidden


hidden_size = 64
encoder = EncoderRNN(50, hidden_size).to(device)
decoder = DecoderRNN(hidden_size, 40).to(device)

input_tensor = torch.tensor([[2, 5, 7, 9, EOS_token]], device=device)
encoder_outputs, encoder_hidden = encoder(input_tensor)
decoder_input = torch.empty(1, 1, dtype=torch.long, device=device).fill_(SOS_token)
decoder_output, decoder_hidden = decoder.forward_step(decoder_input, encoder_hidden)
print(decoder_output.shape)
