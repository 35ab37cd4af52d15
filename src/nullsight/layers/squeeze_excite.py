"""Squeeze-and-excitation (Hu et al. 2018; seed 004, "SE blocks"): ``x -> s * x`` with ``s = sigma(W2 delta(W1 GAP(x)))``.

The bottleneck has ``max(C // reduction, 1)`` channels (seed 004: ``r = 16``);
``delta`` is ReLU as in Hu et al.  The gate ``s`` is one weight in (0, 1) per
channel and image.
"""

from __future__ import annotations

import torch
from torch import nn


def se_bottleneck(channels: int, reduction: int = 16) -> int:
    """The bottleneck width ``max(C // r, 1)``."""
    return max(channels // reduction, 1)


class SqueezeExcite(nn.Module):
    """Channel recalibration; ``(B, C, H, W) -> (B, C, H, W)``.

    >>> SqueezeExcite(64)(torch.ones(2, 64, 8, 8)).shape
    torch.Size([2, 64, 8, 8])
    """

    def __init__(self, channels: int, reduction: int = 16, act: type[nn.Module] = nn.ReLU) -> None:
        super().__init__()
        hidden = se_bottleneck(channels, reduction)
        self.fc1 = nn.Conv2d(channels, hidden, 1)  # W1 (with bias), on the pooled (B, C, 1, 1) descriptor
        self.act = act()
        self.fc2 = nn.Conv2d(hidden, channels, 1)  # W2
        self.gate = nn.Sigmoid()

    def gates(self, x: torch.Tensor) -> torch.Tensor:
        """The per-channel weights ``s`` ``(B, C, 1, 1)``."""
        return self.gate(self.fc2(self.act(self.fc1(x.mean((2, 3), keepdim=True)))))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.gates(x)
