"""Pixel-space images that map to feature-space targets (seed 002, Eqs. 15-18), and App. A's 2-D projection.

``min ||x - x_r||^2`` over images ``x`` in ``[0, 1]`` subject to

- ``ball``:      ``||N_phi(x) - t|| <= r``  (Eqs. 15-16),
- ``perimeter``: ``||N_phi(x) - t|| = r``   (Fig. 7),
- ``point``:     ``N_phi(x) = t``           (Eqs. 17-18, ``r = 0``).

The problem is nonconvex; it is solved by an augmented Lagrangian on
``c(x) = ||N_phi(x) - t||^2 - r^2`` with Adam steps projected onto the pixel box,
and every solution reports its constraint residual in feature-space units
(``max(0, ||N_phi(x) - t|| - r)`` for a ball, ``| ||N_phi(x) - t|| - r |`` otherwise).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch

from ..errors import InvalidInputError

MODES = ("ball", "perimeter", "point")


@dataclass
class InverseMap:
    """Solutions ``x`` (B, C, H, W), their features, constraint residuals and distances to the reference."""

    images: torch.Tensor
    features: torch.Tensor
    residual: torch.Tensor  # (B,) in feature-space distance units
    pixel_distance: torch.Tensor  # (B,) ||x - x_r||_2


def inverse_map(features: Callable[[torch.Tensor], torch.Tensor], target: torch.Tensor, reference: torch.Tensor,
                radius: torch.Tensor | float = 0.0, mode: str = "ball", start: torch.Tensor | None = None,
                outer: int = 8, inner: int = 60, lr: float = 0.01, rho: float = 10.0) -> InverseMap:
    """Solve Eqs. 15-18 for a batch: ``features`` maps pixels ``(B, C, H, W)`` in ``[0, 1]`` to ``(B, f)``.

    ``target`` (B, f), ``reference`` (B, C, H, W), ``radius`` scalar or (B,); ``start`` defaults to the reference.
    ``outer`` multiplier updates of ``inner`` Adam steps each.
    """
    if mode not in MODES:
        raise InvalidInputError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    target = target.detach().float()
    ref = reference.detach().float()
    r = torch.as_tensor(radius, dtype=torch.float32).expand(target.shape[0]).clone()
    if mode == "point":
        r.zero_()
    x = (ref if start is None else start).detach().float().clone().clamp(0, 1).requires_grad_(True)
    # N_phi(x) = t is imposed as f equalities (a squared-norm constraint has a zero gradient at its solution)
    lam = torch.zeros_like(target) if mode == "point" else torch.zeros(target.shape[0])
    scale = 1.0 / ref[0].numel()

    def constraint(phi: torch.Tensor) -> torch.Tensor:
        return phi - target if mode == "point" else ((phi - target) ** 2).sum(1) - r ** 2

    for k in range(outer):
        opt = torch.optim.Adam([x], lr=lr * 0.7 ** k)
        for _ in range(inner):
            c = constraint(features(x))
            if mode == "ball":
                penalty = (torch.clamp(lam / rho + c, min=0) ** 2 - (lam / rho) ** 2) * rho / 2
            elif mode == "point":
                penalty = (lam * c + rho / 2 * c ** 2).sum(1)
            else:
                penalty = lam * c + rho / 2 * c ** 2
            loss = (scale * ((x - ref) ** 2).flatten(1).sum(1) + penalty).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            with torch.no_grad():
                x.clamp_(0, 1)
        with torch.no_grad():
            c = constraint(features(x))
            lam = (lam + rho * c).clamp_min(0) if mode == "ball" else lam + rho * c
    with torch.no_grad():
        phi = features(x)
        dist = (phi - target).norm(dim=1)
        residual = (dist - r).clamp_min(0) if mode == "ball" else (dist - r).abs()
        return InverseMap(x.detach(), phi, residual, (x - ref).flatten(1).norm(dim=1))


def two_point_projection(a: torch.Tensor, b: torch.Tensor, points: torch.Tensor) -> torch.Tensor:
    """App. A (Eqs. 27-29): 2-D coordinates ``(c1, c2)`` of ``points`` (P, f) keeping their distances to ``a`` and ``b``.

    ``a`` maps to ``(0, 0)`` and ``b`` to ``(d_AB, 0)``; ``c2 >= 0`` measures how far a point leaves the line AB.
    """
    a, b, points = a.double(), b.double(), points.double()
    d_ab = float((b - a).norm())
    if d_ab == 0:
        raise InvalidInputError("the two control points coincide")
    d_ac = (points - a).norm(dim=1)
    d_bc = (points - b).norm(dim=1)
    cos = ((d_ac ** 2 + d_ab ** 2 - d_bc ** 2) / (2 * d_ac.clamp_min(1e-300) * d_ab)).clamp(-1, 1)
    alpha = torch.arccos(cos)
    return torch.stack([d_ac * torch.cos(alpha), d_ac * torch.sin(alpha)], dim=1)


def radii(distance: float, count: int = 8) -> list[float]:
    """A morphing schedule from ``distance`` down to 0 (Fig. 8), denser near the start."""
    return [round(distance * (1 - math.sin(0.5 * math.pi * k / (count - 1))), 4) for k in range(count)]
