"""Small, source-independent steps between raw arrays and a :class:`DataBatch`."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from ..errors import InvalidInputError
from .base import DataBatch

_LUMA = (0.299, 0.587, 0.114)  # ITU-R 601-2, as PIL's convert("L")


def select_indices(total: int, n: int | None, shuffle: bool = False, seed: int = 0) -> np.ndarray:
    """The first ``n`` of ``total`` items (all if ``n`` is None or larger), or a seeded random subset."""
    if n is not None and (isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1):
        raise InvalidInputError(f"n must be a positive integer or None, got {n!r}")
    count = total if n is None else min(int(n), total)
    if shuffle:
        return np.random.default_rng(seed).permutation(total)[:count]
    return np.arange(count)


def to_float_tensor(images: np.ndarray) -> torch.Tensor:
    """uint8 arrays scaled by 1/255, float arrays taken as already in [0, 1]; float32 out."""
    if images.dtype == np.uint8:
        out = images.astype(np.float32)
        out *= np.float32(1.0 / 255.0)
    else:
        out = np.asarray(images, dtype=np.float32)
    return torch.from_numpy(np.ascontiguousarray(out))


def resize(batch: DataBatch, size: Sequence[int]) -> DataBatch:
    """Bilinear (antialiased) resize of all images to ``size=(H, W)``."""
    h, w = (int(s) for s in size)
    if h < 1 or w < 1:
        raise InvalidInputError(f"size must be two positive integers, got {tuple(size)}")
    if batch.images.shape[-2:] == (h, w):
        return batch
    images = F.interpolate(batch.images, size=(h, w), mode="bilinear", antialias=True, align_corners=False)
    return dataclasses.replace(batch, images=images.clamp_(0.0, 1.0))


FITS = ("resize", "pad")
"""How images reach a model's input size: ``resize`` (bilinear) or ``pad`` (zeros around, centred; the native
pixels and their highest frequencies kept)."""


def pad_to(batch: DataBatch, size: Sequence[int]) -> DataBatch:
    """Zero-pad all images, centred, to ``size=(H, W)`` (an odd margin puts the extra row / column after)."""
    h, w = (int(s) for s in size)
    ih, iw = batch.images.shape[-2:]
    if h < ih or w < iw:
        raise InvalidInputError(f"cannot zero-pad {ih}x{iw} images to the smaller {h}x{w}; use resize")
    if (ih, iw) == (h, w):
        return batch
    top, left = (h - ih) // 2, (w - iw) // 2
    images = F.pad(batch.images, (left, w - iw - left, top, h - ih - top))
    return dataclasses.replace(batch, images=images)


def fit_to(batch: DataBatch, size: Sequence[int], fit: str = "resize") -> DataBatch:
    """``batch`` at ``size=(H, W)`` by ``fit`` (one of :data:`FITS`)."""
    if fit not in FITS:
        raise InvalidInputError(f"fit must be one of {', '.join(FITS)}, got {fit!r}")
    return pad_to(batch, size) if fit == "pad" else resize(batch, size)


def convert_channels(batch: DataBatch, channels: int) -> DataBatch:
    """1 -> 3 channels by repetition, 3 -> 1 by luma (mean/std follow, approximately for 3 -> 1)."""
    c = batch.images.shape[1]
    if channels == c:
        return batch
    if (c, channels) == (1, 3):
        return dataclasses.replace(
            batch, images=batch.images.repeat(1, 3, 1, 1), mean=batch.mean * 3, std=batch.std * 3
        )
    if (c, channels) == (3, 1):
        luma = torch.tensor(_LUMA, dtype=batch.images.dtype, device=batch.images.device).view(1, 3, 1, 1)
        images = (batch.images * luma).sum(dim=1, keepdim=True).clamp_(0.0, 1.0)
        mean = sum(w * m for w, m in zip(_LUMA, batch.mean))
        std = sum(w * s for w, s in zip(_LUMA, batch.std))
        return dataclasses.replace(batch, images=images, mean=(mean,), std=(std,))
    raise InvalidInputError(f"cannot convert {c} channels to {channels}; use 1 or 3")
