"""Batch augmentations chosen by name (``nullsight train --augment NAME``), applied to model-space batches.

Each takes ``(x, generator)`` with ``x`` of shape (B, C, H, W) and returns a
batch of the same shape; ``none`` returns ``x`` itself.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch.nn import functional as F

from ..errors import InvalidInputError
from ..registry import Registry

Augment = Callable[[torch.Tensor, torch.Generator], torch.Tensor]
AUGMENTS: Registry[Augment] = Registry("augmentation", InvalidInputError)


@AUGMENTS.register("none")
def no_augment(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """The batch unchanged."""
    return x


@AUGMENTS.register("crop")
def random_crop(x: torch.Tensor, generator: torch.Generator, padding: int = 4) -> torch.Tensor:
    """A random ``H x W`` crop of each image reflect-padded by ``padding`` (He et al. 2016's CIFAR recipe)."""
    if x.ndim != 4:
        return x
    b, _, h, w = x.shape
    padded = F.pad(x, (padding,) * 4, mode="reflect")
    dy = torch.randint(0, 2 * padding + 1, (b,), generator=generator)
    dx = torch.randint(0, 2 * padding + 1, (b,), generator=generator)
    rows = (dy[:, None] + torch.arange(h)[None]).to(x.device)  # (B, H)
    cols = (dx[:, None] + torch.arange(w)[None]).to(x.device)  # (B, W)
    index = torch.arange(b, device=x.device)[:, None, None]
    return padded.permute(0, 2, 3, 1)[index, rows[:, :, None], cols[:, None, :]].permute(0, 3, 1, 2).contiguous()


@AUGMENTS.register("crop-flip")
def random_crop_flip(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """:func:`random_crop`, then a horizontal flip of half the images (not for digits)."""
    x = random_crop(x, generator)
    if x.ndim != 4:
        return x
    flip = (torch.rand(len(x), generator=generator) < 0.5).to(x.device)
    return torch.where(flip[:, None, None, None], x.flip(-1), x)


@AUGMENTS.register("resolution")
def resolution_augment(x: torch.Tensor, generator: torch.Generator, p_clean: float = 0.2) -> torch.Tensor:
    """Seed 004's robust training: each image kept with probability ``p_clean``, else, with equal chances,
    resized down to a random side in ``[H/4, 3H/4]`` and back up (bilinear), hard-decimated x2 (nearest up), or
    blur-decimated x2 (binomial blur, bilinear up).  These maps are linear and keep constants, so they
    commute with the per-channel normalisation of the model-space batch.
    """
    from ..sampling.operators import DOWNSAMPLERS

    if x.ndim != 4:
        return x
    b, _, h, w = x.shape
    choice = torch.randint(0, 3, (b,), generator=generator)
    choice[torch.rand(b, generator=generator) < p_clean] = 3  # 3: unchanged
    sides = torch.randint(max(1, h // 4), max(2, 3 * h // 4 + 1), (b,), generator=generator)
    out = x.clone()
    for side in sides[choice == 0].unique().tolist():
        index = ((choice == 0) & (sides == side)).nonzero().flatten().to(x.device)
        small = F.interpolate(x[index], size=(side, max(1, round(side * w / h))), mode="bilinear", align_corners=False)
        out[index] = F.interpolate(small, size=(h, w), mode="bilinear", align_corners=False)
    for code, name in ((1, "decimate-2"), (2, "blur-decimate-2")):
        index = (choice == code).nonzero().flatten().to(x.device)
        if len(index):
            out[index] = DOWNSAMPLERS.get(name).roundtrip(x[index])
    return out
