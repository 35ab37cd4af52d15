"""The :class:`DataBatch` every loader returns, and where data lives on disk."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

import torch

from ..errors import InvalidInputError
from ..normalization import Normalization


def data_root() -> Path:
    """``$NULLSIGHT_DATA`` if set, else ``~/.cache/nullsight/data``."""
    env = os.environ.get("NULLSIGHT_DATA")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "nullsight" / "data"


@dataclass
class DataBatch:
    """Images (N, C, H, W) float32 in [0, 1] with labels (N,) int64, -1 where unknown."""

    name: str
    images: torch.Tensor
    labels: torch.Tensor
    mean: tuple[float, ...]
    std: tuple[float, ...]
    classes: list[str] = field(default_factory=list)
    split: str = "test"

    def __post_init__(self) -> None:
        self.mean = tuple(float(m) for m in self.mean)
        self.std = tuple(float(s) for s in self.std)
        if self.images.ndim != 4:
            raise InvalidInputError(f"{self.name}: images must be (N, C, H, W), got {tuple(self.images.shape)}")
        n, c = self.images.shape[:2]
        if self.labels.shape != (n,):
            raise InvalidInputError(f"{self.name}: labels must be ({n},), got {tuple(self.labels.shape)}")
        if len(self.mean) != c or len(self.std) != c:
            raise InvalidInputError(f"{self.name}: mean/std need {c} values, got {len(self.mean)}/{len(self.std)}")
        if any(s <= 0 for s in self.std):
            raise InvalidInputError(f"{self.name}: std must be positive, got {self.std}")

    def __len__(self) -> int:
        return int(self.images.shape[0])

    @property
    def shape(self) -> tuple[int, int, int]:
        """(C, H, W) of one image."""
        c, h, w = self.images.shape[1:]
        return (int(c), int(h), int(w))

    def normalized(self) -> torch.Tensor:
        """``(images - mean) / std`` per channel."""
        return Normalization.of(self.mean, self.std).to_model(self.images)

    def to(self, device: torch.device | str) -> DataBatch:
        """A new batch with images and labels on ``device``."""
        return dataclasses.replace(
            self, images=self.images.to(device), labels=self.labels.to(device), classes=list(self.classes)
        )
