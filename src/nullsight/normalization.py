"""Pixel space ``[0, 1]`` <-> the normalised space a model takes: ``x = (pixels - mean) / std``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch


@dataclass(frozen=True)
class Normalization:
    """Per-channel mean and std; seed 001's ``[-1, 1]`` scaling is ``Normalization((0.5,), (0.5,))``."""

    mean: tuple[float, ...]
    std: tuple[float, ...]

    @classmethod
    def of(cls, mean: Sequence[float], std: Sequence[float]) -> "Normalization":
        return cls(tuple(float(m) for m in mean), tuple(float(s) for s in std))

    def _view(self, values: tuple[float, ...], like: torch.Tensor) -> torch.Tensor:
        return torch.tensor(values, dtype=like.dtype, device=like.device).view(1, -1, 1, 1)

    def to_model(self, pixels: torch.Tensor) -> torch.Tensor:
        """``(N, C, H, W)`` pixels in [0, 1] -> model inputs."""
        return (pixels - self._view(self.mean, pixels)) / self._view(self.std, pixels)

    def to_pixels(self, x: torch.Tensor) -> torch.Tensor:
        """Model inputs -> pixels (not clipped)."""
        return x * self._view(self.std, x) + self._view(self.mean, x)

    @property
    def bounds(self) -> tuple[float, float]:
        """The model-space box that pixels in [0, 1] map into (over all channels)."""
        lows = [(0.0 - m) / s for m, s in zip(self.mean, self.std)]
        highs = [(1.0 - m) / s for m, s in zip(self.mean, self.std)]
        return min(lows), max(highs)


PM1 = Normalization((0.5,), (0.5,))
