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

from ..normalization import Normalization


class PixelSpace(nn.Module):
    """``x -> model((x - mean) / std)`` per channel (images), or ``x -> model(x)`` where no normalisation is given.

    Shapes: ``(B, *input_size)`` in, whatever ``model`` returns out.  The normalisation builds its constants on the
    input's device and dtype, so the wrapper follows the model anywhere.
    """

    def __init__(self, model: nn.Module, mean: Sequence[float] | None = None, std: Sequence[float] | None = None) -> None:
        super().__init__()
        self.model = model
        self.normalization = Normalization.of(mean, std) if mean is not None and std is not None else None

    def to_model(self, x: torch.Tensor) -> torch.Tensor:
        """What the wrapped model receives for input ``x``."""
        return x if self.normalization is None else self.normalization.to_model(x)

    def channel_std(self, channels: int) -> torch.Tensor:
        """The per-channel std the first weight is divided by (ones without normalisation), fp64 ``(channels,)``."""
        if self.normalization is None:
            return torch.ones(channels, dtype=torch.float64)
        return torch.tensor(self.normalization.std, dtype=torch.float64)

    def forward(self, x: torch.Tensor) -> object:
        return self.model(self.to_model(x))

    def extra_repr(self) -> str:
        if self.normalization is None:
            return "identity"
        return f"mean={list(self.normalization.mean)}, std={list(self.normalization.std)}"
