"""The fully connected ReLU network of seed 001 (Li & Short): (784, 32, 16, 10) by default."""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn


class MLP(nn.Module):
    """``Flatten -> Linear -> ReLU -> ... -> Linear``; ``sizes`` lists every layer width, input first.

    Shapes: input ``(B, C, H, W)`` or ``(B, sizes[0])``; output ``(B, sizes[-1])``.
    """

    def __init__(self, sizes: Sequence[int] = (784, 32, 16, 10)) -> None:
        super().__init__()
        if len(sizes) < 2:
            raise ValueError("an MLP needs at least an input and an output size")
        self.sizes = tuple(int(s) for s in sizes)
        layers: list[nn.Module] = [nn.Flatten()]
        for i, (fan_in, fan_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            layers.append(nn.Linear(fan_in, fan_out))
            if i < len(self.sizes) - 2:
                layers.append(nn.ReLU())
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)

    def extra_repr(self) -> str:
        return f"sizes={self.sizes}"
