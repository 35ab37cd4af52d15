"""A small CNN for null-space steganography through a convolutional first layer (seed 001, App. B).

A valid-padded ``k x k`` convolution of ``F`` filters on ``H x W`` maps ``H W`` inputs to ``F (H-k+1)(W-k+1)``
outputs; for one or two 3x3 kernels on 28x28 that leaves a null space of 108 (= 784 - 676) or 8 dimensions
(generic kernels, App. B), which the rest of the network can never see.
"""

from __future__ import annotations

import torch
from torch import nn


class CNNStego(nn.Module):
    """``Conv2d(1, filters, 3, valid) -> ReLU -> MaxPool 2 -> Flatten -> Linear(., hidden) -> ReLU -> Linear(., 10)``.

    Shapes: input ``(B, 1, 28, 28)``; output ``(B, classes)``.  ``filters`` 1 (null dimension 108) or 2 (8).
    """

    def __init__(self, filters: int = 1, hidden: int = 64, classes: int = 10, size: int = 28) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, filters, 3)
        side = (size - 2) // 2
        self.head = nn.Sequential(nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(filters * side * side, hidden),
                                  nn.ReLU(), nn.Linear(hidden, classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.conv(x))
