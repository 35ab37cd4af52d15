"""Pixel-space view of a model: collisions are built in ``[0, 1]`` pixels, normalisation happens inside.

Seed 000 (Definition 4) perturbs the input ``x``; for an image model the
natural input is the image itself, so ``x_hat = x + P`` lives in pixel space
and "the valid pixel range" means ``[0, 1]``.  torchvision / timm models take
``(x - mean) / std``: :class:`PixelSpace` does that first, so the first
operator the pixel input meets is ``W diag(1/std)`` (folded in
:mod:`nullsight.collisions.first_layer`); the mean only shifts the bias.
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn


class PixelSpace(nn.Module):
    """``x -> model((x - mean) / std)`` per channel; mean/std are non-persistent buffers.

    Shapes: ``(B, C, H, W)`` in, whatever ``model`` returns out.
    """

    def __init__(self, model: nn.Module, mean: Sequence[float], std: Sequence[float]) -> None:
        super().__init__()
        self.model = model
        self.register_buffer("mean", torch.tensor([float(m) for m in mean]).view(1, -1, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor([float(s) for s in std]).view(1, -1, 1, 1), persistent=False)

    def normalise(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean.to(x.dtype)) / self.std.to(x.dtype)

    def forward(self, x: torch.Tensor) -> object:
        return self.model(self.normalise(x))

    def extra_repr(self) -> str:
        return f"mean={self.mean.flatten().tolist()}, std={self.std.flatten().tolist()}"
