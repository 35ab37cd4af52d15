"""Image similarity, 8-bit storage and the pixel box, shared by the collision and steganography work.

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


def largest_step(base: torch.Tensor, direction: torch.Tensor, low: float = 0.0, high: float = 1.0,
                 cap: float = float("inf")) -> torch.Tensor:
    """Per item ``(B,)``: the largest ``a`` in ``[0, cap]`` with ``low <= base + a * direction <= high`` everywhere.

    ``direction`` broadcasts against ``base``; an item whose ``base`` already leaves the box gets 0.
    Seed 000's largest in-range beta (``beta_max``) and seed 001's largest cover weight alpha2 are both this.
    """
    b = base.flatten(1).to(torch.float64)
    d = direction.to(torch.float64).expand_as(base).flatten(1)
    inf = torch.full_like(d, float("inf"))
    upper = torch.where(d > 0, (high - b) / d.clamp_min(1e-300), torch.where(d < 0, (b - low) / (-d).clamp_min(1e-300), inf))
    step = upper.amin(dim=1).clamp(min=0.0, max=cap)
    feasible = ((b >= low) & (b <= high)).all(dim=1)
    return torch.where(feasible, step, torch.zeros_like(step))


def _odd(n: int) -> int:
    return n if n % 2 else n - 1


def thumbnail(image: torch.Tensor, size: int = 96) -> torch.Tensor:
    """A ``(C, H, W)`` image in [0, 1] as 8-bit values, shrunk (anti-aliased) so that its longer side is <= ``size``."""
    from torch.nn import functional as F

    image = image.detach().to(torch.float32).cpu().clamp(0, 1)
    h, w = image.shape[-2:]
    if max(h, w) > size:
        scale = size / max(h, w)
        image = F.interpolate(image[None], size=(max(1, round(h * scale)), max(1, round(w * scale))),
                              mode="bilinear", antialias=True, align_corners=False)[0].clamp(0, 1)
    return (image * 255).round().to(torch.uint8)
