"""Batch augmentations chosen by name (``nullsight train --augment NAME``), applied to model-space batches.

Capabilities add their own by registering into :data:`AUGMENTS` from a module they list under ``extends``
(seed 004's ``resolution`` lives in :mod:`nullsight.sampling.augment`): training imports no capability.

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


def augment_named(name: str) -> Augment:
    """The augmentation called ``name``: nullsight's own above, and those capabilities register (their ``extends``
    modules are imported first); unknown names fail with suggestions."""
    from ..capabilities import import_all

    import_all("extends")
    return AUGMENTS.get(name)

