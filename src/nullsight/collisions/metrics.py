"""Image similarity between ``x`` and its collision ``x_hat`` (seed 000, Fig. 3): PSNR, SSIM, LPIPS.

PSNR and SSIM are :mod:`nullsight.imaging`'s (pixel space ``[0, 1]``, on the
unclipped images), as JSON-ready lists.  LPIPS needs pretrained network
weights; it is reported only when the ``lpips`` package and its weights are
present locally, else ``None`` with the reason (:func:`lpips_status`).
"""

from __future__ import annotations

import math

import torch

from .. import imaging


def psnr(x: torch.Tensor, y: torch.Tensor, data_range: float = 1.0) -> list[float | None]:
    """Per image PSNR in dB; ``None`` (infinite) for identical images."""
    return [None if math.isinf(v) else v for v in imaging.psnr(x, y, data_range).tolist()]


def ssim(x: torch.Tensor, y: torch.Tensor, data_range: float = 1.0) -> list[float]:
    """Per image SSIM (scikit-image), channels averaged."""
    return imaging.ssim(x, y, data_range).tolist()


def lpips_status() -> tuple[bool, str]:
    """Whether LPIPS can be computed here, and why not."""
    try:
        import lpips  # noqa: F401
    except ImportError:
        return False, "the lpips package is not installed (and its weights cannot be downloaded here)"
    return False, "lpips is installed but nullsight does not fetch its backbone weights; not computed"
