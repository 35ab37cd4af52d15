"""Image similarity between ``x`` and its collision ``x_hat`` (seed 000, Fig. 3): PSNR and SSIM as JSON-ready lists.

Both are :mod:`nullsight.imaging`'s (pixel space ``[0, 1]``, on the unclipped images).
LPIPS is not computed: its backbone weights cannot be had here, and a result never carries an always-empty field.
"""

from __future__ import annotations

import math
import statistics

import torch

from .. import imaging


def psnr(x: torch.Tensor, y: torch.Tensor, data_range: float = 1.0) -> list[float | None]:
    """Per image PSNR in dB; ``None`` (infinite) for identical images."""
    return [None if math.isinf(v) else v for v in imaging.psnr(x, y, data_range).tolist()]


def ssim(x: torch.Tensor, y: torch.Tensor, data_range: float = 1.0) -> list[float]:
    """Per image SSIM (scikit-image), channels averaged."""
    return imaging.ssim(x, y, data_range).tolist()


def finite_mean(values: list[float | None]) -> float | None:
    """The mean of the values that are not None (None if there are none)."""
    finite = [v for v in values if v is not None]
    return statistics.fmean(finite) if finite else None
