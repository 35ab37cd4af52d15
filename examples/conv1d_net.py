"""A 1-D convolutional net for signals (audio-like): ``nullsight audit examples.conv1d_net:build``.

``input_size = (1, 64)``: one channel, 64 samples.  The first layer is strided
(stride 4) with a kernel of 4 and 2 filters: non-overlapping patches of 4
samples mapped to 2 numbers, so the operator at length 64 has a null space of
dimension 16 x (4 - 2) = 32 (:func:`nullsight.operators.conv1d_null_space`).
"""

from torch import nn


class Conv1dNet(nn.Module):
    """``(B, 1, 64)`` -> ``(B, 4)`` logits."""

    input_size = (1, 64)

    def __init__(self, classes: int = 4) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, 2, kernel_size=4, stride=4), nn.ReLU(),  # patchify: 2 x 4 patch matrix
            nn.Conv1d(2, 16, kernel_size=5, stride=2, padding=2), nn.ReLU(),  # overlapping, zero-padded
            nn.AdaptiveAvgPool1d(1), nn.Flatten(),
        )
        self.head = nn.Linear(16, classes)

    def forward(self, x):
        return self.head(self.features(x))


def build() -> nn.Module:
    return Conv1dNet()
