"""Image similarity and 8-bit storage, shared by the collision and steganography work.

PSNR and SSIM compare images in pixel space ``[0, 1]``; SSIM is scikit-image's
(Wang et al. 2004), computed per image.
"""

from __future__ import annotations

import numpy as np
import torch


def psnr(reference: torch.Tensor, other: torch.Tensor, data_range: float = 1.0) -> torch.Tensor:
    """Per-image PSNR in dB of ``(N, C, H, W)`` batches (``inf`` for identical images)."""
    mse = (reference.double() - other.double()).pow(2).flatten(1).mean(1)
    return 10.0 * torch.log10(data_range**2 / mse)


def ssim(reference: torch.Tensor, other: torch.Tensor, data_range: float = 1.0) -> torch.Tensor:
    """Per-image SSIM of ``(N, C, H, W)`` batches (scikit-image, channels averaged)."""
    from skimage.metrics import structural_similarity

    ref = reference.detach().cpu().double().numpy()
    oth = other.detach().cpu().double().numpy()
    values = [
        structural_similarity(a, b, data_range=data_range, channel_axis=0, win_size=min(7, _odd(min(a.shape[1:]))))
        for a, b in zip(ref, oth)
    ]
    return torch.tensor(np.asarray(values, dtype=np.float64))


def quantize_8bit(images: torch.Tensor) -> torch.Tensor:
    """What saving ``[0, 1]`` images as 8-bit PNG and reading them back does: clip, round to 1/255."""
    return torch.round(images.clamp(0.0, 1.0) * 255.0) / 255.0


def _odd(n: int) -> int:
    return n if n % 2 else n - 1
