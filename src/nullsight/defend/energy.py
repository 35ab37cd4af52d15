"""How much of an input lies where the network cannot see: the null space of its first linear operator.

For ``f = g o W_1`` every input splits into ``x = P x + (x - P x)`` with ``P`` the orthogonal projector onto
``ker(W_1)`` (in pixel space: the null space of ``W_1 diag(1/std)``, :mod:`nullsight.collisions.first_layer`).
``f`` depends on ``x - P x`` only.  Seed 000's collisions add energy to ``P x``; seed 001's stego images shrink the
visible part to ``alpha1 * H_perp``: both move the share ``|P x|^2 / |x|^2`` away from that of natural inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..collisions.search import NullSpaceSearch
from ..errors import InvalidInputError


@dataclass
class NullEnergy:
    """Per input: the null-space share of the energy, and the L2 / L-infinity size of the null component."""

    share: torch.Tensor  # (B,) in [0, 1]
    null_l2: torch.Tensor
    null_linf: torch.Tensor


def projector_of(search: NullSpaceSearch):
    """The null-space projector of ``search``'s first operator; one line where there is no exact null space."""
    prep = search.prepare()
    if not prep.null.dim or prep.null.basis is None or not prep.null.certified:
        raise InvalidInputError(f"the first operator has no exact null space ({prep.message}): nothing to detect or purify")
    return search.null_projector(prep)


def null_energy(search: NullSpaceSearch, x: torch.Tensor) -> NullEnergy:
    """:class:`NullEnergy` of inputs ``x`` ``(B, *input_size)`` (pixels for images).

    Images are centred on the normalisation's mean first (the model sees ``(x - mean) / std``): a constant
    offset would otherwise dominate the energy of every input alike.
    """
    x = centred(search, x)
    null = projector_of(search)(x)
    flat, nflat = x.flatten(1), null.flatten(1)
    share = nflat.pow(2).sum(1) / flat.pow(2).sum(1).clamp_min(1e-300)
    return NullEnergy(share, nflat.norm(dim=1), nflat.abs().amax(dim=1))


def centred(search: NullSpaceSearch, x: torch.Tensor) -> torch.Tensor:
    """``x - mean`` per channel for images with a normalisation, else ``x`` (fp64)."""
    x = x.to(torch.float64)
    if search.mean is not None and x.ndim == 4:
        x = x - torch.tensor(search.mean, dtype=x.dtype, device=x.device).view(1, -1, 1, 1)
    return x


def purify(search: NullSpaceSearch, x: torch.Tensor) -> torch.Tensor:
    """``x - P (x - mean)``: what the network sees, as an input (it may leave the pixel range)."""
    return x.to(torch.float64) - projector_of(search)(centred(search, x))
