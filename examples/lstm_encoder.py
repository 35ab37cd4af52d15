"""An LSTM sequence encoder: ``nullsight audit examples.lstm_encoder:build``.

``input_size = (12, 6)``: sequences of 12 steps of 6 features (``batch_first``).
The audit lists every recurrent weight (``lstm.weight_ih_l0`` first, the
weight the input meets) with the nullity of each gate block (i, f, g, o).
"""

from torch import nn


class LSTMEncoder(nn.Module):
    """``(B, 12, 6)`` -> the last hidden state (16) -> ``(B, 5)`` logits."""

    input_size = (12, 6)

    def __init__(self, features: int = 6, hidden: int = 16, classes: int = 5) -> None:
        super().__init__()
        self.lstm = nn.LSTM(features, hidden, num_layers=2, batch_first=True)
        self.head = nn.Linear(hidden, classes)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


def build() -> nn.Module:
    return LSTMEncoder()
