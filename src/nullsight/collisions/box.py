"""Real images live in a box: clipping, 8-bit PNG quantisation, the largest in-range beta, a box-constrained P.

Seed 000 (Definition 4) lets ``beta`` grow without bound; a saved image cannot.
``x_hat = x + beta d`` stays a valid image only while ``0 <= x_hat <= 1``:

- :func:`nullsight.imaging.largest_step`: the largest ``beta >= 0`` keeping every pixel in range;
- clipping and :func:`nullsight.imaging.quantize_8bit`: what saving does (the
  collision is then re-verified by a forward pass, :mod:`nullsight.collisions.robustness`);
- :func:`box_project`: the box-constrained variant, the QP
  ``min ||P - beta d||_2  s.t.  P in ker,  0 <= x + P <= 1`` solved by
  Dykstra's alternating projections (subspace, box shrunk by 1e-3), then made exactly
  feasible: the last step is the subspace projection, scaled by the largest
  ``t <= 1`` that keeps it in the box (``0`` is feasible, the set convex).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch

from ..imaging import largest_step

Projector = Callable[[torch.Tensor], torch.Tensor]


def out_of_range_fraction(x_hat: torch.Tensor, mask: torch.Tensor, low: float = 0.0, high: float = 1.0) -> torch.Tensor:
    """Per image: the fraction of perturbed pixels (``mask``) that leave ``[low, high]``."""
    out = ((x_hat < low) | (x_hat > high)) & mask
    return out.flatten(1).sum(dim=1) / mask.expand_as(x_hat).flatten(1).sum(dim=1).clamp_min(1)


@dataclass
class BoxProjection:
    """The box-constrained perturbation and what it cost."""

    perturbation: torch.Tensor  # (B, C, H, W) fp64, exactly in the subspace up to rounding, in the box
    linf: list[float]
    relative_distance: list[float]  # ||P - beta d|| / ||beta d||
    scale: list[float]  # the final t in (0, 1]
    iterations: int

    solver: str = "Dykstra (subspace, box) + feasibility scaling"


def box_project(x: torch.Tensor, target: torch.Tensor, project: Projector, iterations: int = 300,
                low: float = 0.0, high: float = 1.0, margin: float = 1e-3) -> BoxProjection:
    """Closest (approximately) null-space perturbation to ``target`` keeping ``x + P`` in ``[low, high]``.

    ``x``: ``(B, C, H, W)``; ``target``: ``beta d`` broadcastable to ``x``;
    ``project``: the orthogonal projector onto the null space (batched).
    """
    x = x.to(torch.float64)
    target = target.to(torch.float64).expand_as(x).clone()
    # Dykstra runs on the box shrunk by ``margin`` so that its (slightly inexact) answer, projected back onto
    # the subspace, lands inside the true box even where x sits on the boundary (MNIST's zeros).
    lo, hi = (low + margin) - x, (high - margin) - x
    y, q = target, torch.zeros_like(x)
    for _ in range(iterations):
        a = project(y)
        y = torch.minimum(torch.maximum(a + q, lo), hi)
        q = a + q - y
    p = project(y)
    t = largest_step(x, p, low, high, cap=1.0).view(-1, *([1] * (x.ndim - 1)))
    p = p * t
    dist = (p - target).flatten(1).norm(dim=1) / target.flatten(1).norm(dim=1).clamp_min(1e-300)
    return BoxProjection(p, p.flatten(1).abs().amax(dim=1).tolist(), dist.tolist(), t.flatten().tolist(), iterations)
