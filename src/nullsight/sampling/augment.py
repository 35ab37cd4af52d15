"""Seed 004's resolution-robust training augmentation, registered into training's augmentations by name."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from ..train.augment import AUGMENTS
from .operators import DOWNSAMPLERS


@AUGMENTS.register("resolution")
def resolution_augment(x: torch.Tensor, generator: torch.Generator, p_clean: float = 0.2) -> torch.Tensor:
    """Seed 004's robust training: each image kept with probability ``p_clean``, else, with equal chances,
    resized down to a random side in ``[H/4, 3H/4]`` and back up (bilinear), hard-decimated x2 (nearest up), or
    blur-decimated x2 (binomial blur, bilinear up).  These maps are linear and keep constants, so they
    commute with the per-channel normalisation of the model-space batch.
    """
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
