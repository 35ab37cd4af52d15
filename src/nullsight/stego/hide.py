"""Null-space steganography (seed 001, Sec. 3): ``S = alpha1 * H_perp + alpha2 * C_hat``.

``C_hat`` (the cover's null-space part) carries what a person sees and nothing
the network uses; ``H_perp`` (the hidden image's row-space part) carries all
the network uses, so ``f(S) = f(alpha1 * H_perp) = f(alpha1 * H)``.  ``S`` must
stay in the input range ``[low, high]^n`` (``[-1, 1]`` in the paper);
``alpha2`` defaults to the largest value that keeps it there.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..imaging import largest_step

from ..errors import InvalidInputError
from .projector import NullSpaceProjector


@dataclass
class StegoImages:
    """Stego images ``(N, C, H, W)`` in model space with the coefficients that made them."""

    stego: torch.Tensor
    alpha1: float
    alpha2: torch.Tensor
    in_range: torch.Tensor
    hidden_perp: torch.Tensor
    cover_hat: torch.Tensor


def hide(
    cover: torch.Tensor,
    hidden: torch.Tensor,
    projector: NullSpaceProjector,
    alpha1: float = 0.2,
    alpha2: float | None = None,
    low: float = -1.0,
    high: float = 1.0,
) -> StegoImages:
    """Stego images hiding ``hidden``'s class in ``cover``'s look; both ``(N, C, H, W)`` in model space."""
    check_pair(cover, hidden, low, high)
    hidden_perp = projector.row_part(hidden)
    cover_hat = projector.null_part(cover)
    base = alpha1 * hidden_perp
    if alpha2 is None:
        a2 = largest_step(base, cover_hat, low, high, cap=1.0).to(cover.dtype)
    else:
        a2 = torch.full((len(cover),), float(alpha2), dtype=cover.dtype)
    stego = base + a2.view(-1, *([1] * (cover.ndim - 1))) * cover_hat
    tol = 1e-6
    in_range = ((stego >= low - tol) & (stego <= high + tol)).flatten(1).all(1)
    return StegoImages(stego, alpha1, a2, in_range, hidden_perp, cover_hat)


def check_pair(cover: torch.Tensor, hidden: torch.Tensor, low: float, high: float) -> None:
    """Cover and hidden must have one shape and lie in the model's input range."""
    if cover.shape != hidden.shape:
        raise InvalidInputError(f"cover {tuple(cover.shape[1:])} and hidden {tuple(hidden.shape[1:])} differ in size")
    for name, images in (("cover", cover), ("hidden", hidden)):
        if not torch.isfinite(images).all():
            raise InvalidInputError(f"the {name} image holds NaN/Inf")
        lo, hi = float(images.min()), float(images.max())
        if lo < low - 1e-6 or hi > high + 1e-6:
            raise InvalidInputError(f"the {name} image spans [{lo:.3g}, {hi:.3g}], outside the input range [{low}, {high}]")
